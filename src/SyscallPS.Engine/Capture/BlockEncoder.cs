using System.Text;

namespace SyscallPS.Capture;

/// <summary>A growable byte buffer with the LEB128 writes the capture format uses.</summary>
internal sealed class ByteSink(int capacity)
{
    public byte[] Buffer = new byte[capacity];
    public int Length;

    public void Clear() => Length = 0;

    public void VarInt(ulong value)
    {
        if (Buffer.Length - Length < 10)
        {
            Grow(10);
        }

        var b = Buffer;
        int n = Length;
        while (value >= 0x80)
        {
            b[n++] = (byte)(value | 0x80);
            value >>= 7;
        }

        b[n++] = (byte)value;
        Length = n;
    }

    public void SVarInt(long value) => VarInt((ulong)((value << 1) ^ (value >> 63)));

    public void Byte(byte value)
    {
        if (Length == Buffer.Length)
        {
            Grow(1);
        }

        Buffer[Length++] = value;
    }

    public void Bytes(ReadOnlySpan<byte> bytes)
    {
        if (Buffer.Length - Length < bytes.Length)
        {
            Grow(bytes.Length);
        }

        bytes.CopyTo(Buffer.AsSpan(Length));
        Length += bytes.Length;
    }

    /// <summary>A VarInt length then the bytes.</summary>
    public void Blob(ReadOnlySpan<byte> bytes)
    {
        VarInt((ulong)bytes.Length);
        Bytes(bytes);
    }

    public void Utf8(string text)
    {
        int max = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (Buffer.Length - Length < max + 10)
        {
            Grow(max + 10);
        }

        int count = Encoding.UTF8.GetByteCount(text);
        VarInt((ulong)count);
        Length += Encoding.UTF8.GetBytes(text, Buffer.AsSpan(Length));
    }

    private void Grow(int needed) => Array.Resize(ref Buffer, Math.Max(Buffer.Length * 2, Length + needed));
}

/// <summary>
/// Builds the raw payload of one v2 block (see <see cref="CaptureSchema"/>): events are encoded as they come,
/// strings go to the block's own table once each.
/// </summary>
internal sealed class BlockEncoder
{
    private readonly ByteSink _events = new(1 << 20);
    private readonly ByteSink _strings = new(64 << 10);
    private readonly ByteSink _scratch = new(256);
    private readonly ByteSink _arguments = new(256);
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);

    // The engines hand over the same string instances again and again (syscall and parameter names, C types,
    // small numbers' text): a direct-mapped cache by reference finds their id without hashing the text.
    private readonly (string? Text, int Id)[] _byReference = new (string?, int)[4096];
    // The arguments last encoded for each syscall number, with their bytes (which hold this block's string ids):
    // a program repeating a call (dd's read(0, "\0", 1)) has them compared, not encoded again.
    private readonly (SyscallArgumentList? List, byte[] Bytes, int Length)[] _lastArguments = new (SyscallArgumentList?, byte[], int)[1024];
    private long _lastTime;
    private long _lastMonotonic;

    /// <summary>Events in the block so far.</summary>
    public int Count { get; private set; }

    /// <summary>The raw payload's size so far.</summary>
    public int RawLength => _strings.Length + _events.Length + 5;

    /// <summary>Appends one event.</summary>
    public void Add(SyscallEvent e)
    {
        var s = _scratch;
        s.Clear();
        ulong mask = 0;

        if (e.Kind != SyscallEventKind.Syscall)
        {
            mask |= Bit(CaptureField.Kind);
            s.VarInt((ulong)e.Kind);
        }

        if (e.Timestamp != default)
        {
            mask |= Bit(CaptureField.Timestamp);
            long time = (long)(((ulong)e.Timestamp.Ticks << 2) | (ulong)e.Timestamp.Kind);
            s.SVarInt(time - _lastTime);
            _lastTime = time;
        }

        if (e.MonotonicNanoseconds != 0)
        {
            mask |= Bit(CaptureField.MonotonicNanoseconds);
            s.SVarInt(e.MonotonicNanoseconds - _lastMonotonic);
            _lastMonotonic = e.MonotonicNanoseconds;
        }

        Signed(ref mask, CaptureField.ProcessId, e.ProcessId);
        Signed(ref mask, CaptureField.ThreadId, e.ThreadId);
        Text(ref mask, CaptureField.ProcessName, e.ProcessName.Length == 0 ? null : e.ProcessName);
        Text(ref mask, CaptureField.Syscall, e.Syscall.Length == 0 ? null : e.Syscall);
        if (e.Number != -1)
        {
            mask |= Bit(CaptureField.Number);
            s.SVarInt(e.Number);
        }

        if (e.Category != SyscallCategory.Other)
        {
            mask |= Bit(CaptureField.Category);
            s.VarInt((ulong)e.Category);
        }

        if (e.Arguments.Count != 0)
        {
            mask |= Bit(CaptureField.Arguments);
            s.Blob(ArgumentBytes(e.Number, e.Arguments));
        }

        Signed(ref mask, CaptureField.ReturnValue, e.ReturnValue);
        Text(ref mask, CaptureField.ReturnText, e.ReturnText.Length == 0 ? null : e.ReturnText);
        Text(ref mask, CaptureField.Errno, e.Errno);
        Text(ref mask, CaptureField.ErrorMessage, e.ErrorMessage);
        Signed(ref mask, CaptureField.Duration, e.Duration.Ticks);
        Text(ref mask, CaptureField.Path, e.Path);
        Text(ref mask, CaptureField.TargetPath, e.TargetPath);
        Optional(ref mask, CaptureField.ChildProcessId, e.ChildProcessId);
        Text(ref mask, CaptureField.Signal, e.Signal);
        Text(ref mask, CaptureField.SignalInfo, e.SignalInfo);
        Optional(ref mask, CaptureField.ExitCode, e.ExitCode);
        Signed(ref mask, CaptureField.LostCount, e.LostCount);
        Optional(ref mask, CaptureField.Fd, e.Fd);
        Text(ref mask, CaptureField.FdName, e.FdName);
        if (e.FdType is { } type)
        {
            mask |= Bit(CaptureField.FdType);
            s.VarInt((ulong)type);
        }

        Text(ref mask, CaptureField.LocalAddress, e.LocalAddress);
        Optional(ref mask, CaptureField.LocalPort, e.LocalPort);
        Text(ref mask, CaptureField.RemoteAddress, e.RemoteAddress);
        Optional(ref mask, CaptureField.RemotePort, e.RemotePort);
        if (e.Data is { } data)
        {
            mask |= Bit(CaptureField.Data);
            _arguments.Clear();
            _arguments.VarInt((ulong)data.TotalLength);
            _arguments.Bytes(data.Bytes);
            s.Blob(_arguments.Buffer.AsSpan(0, _arguments.Length));
        }

        Flag(ref mask, CaptureField.Injected, e.Injected);
        Flag(ref mask, CaptureField.Delayed, e.Delayed);
        Text(ref mask, CaptureField.ThreadName, string.Equals(e.ThreadName, e.ProcessName, StringComparison.Ordinal) ? null : e.ThreadName);
        if (e.Context is { } context)
        {
            // Per process, so the strings are in the block's table once.
            Optional(ref mask, CaptureField.ParentProcessId, context.ParentProcessId);
            Text(ref mask, CaptureField.CommandLine, context.CommandLine);
            Text(ref mask, CaptureField.ExecutablePath, context.ExecutablePath);
            Optional(ref mask, CaptureField.UserId, context.UserId);
            Text(ref mask, CaptureField.UserName, context.UserName);
            Optional(ref mask, CaptureField.VirtualProcessId, context.VirtualProcessId);
            Text(ref mask, CaptureField.ContainerId, context.ContainerId);
            Text(ref mask, CaptureField.Cgroup, context.Cgroup);
        }

        if (e.ServerIsLocal is { } serverIsLocal && e.LocalPort is not null)
        {
            mask |= Bit(CaptureField.ServerIsLocal);
            _scratch.VarInt(serverIsLocal ? 1UL : 2UL);
        }

        Optional(ref mask, CaptureField.Cpu, e.Cpu);

        _events.VarInt(mask);
        _events.Bytes(s.Buffer.AsSpan(0, s.Length));
        Count++;
    }

    /// <summary>Writes the raw payload (string table, then events) into <paramref name="into"/> and starts a new block.</summary>
    public void Seal(ByteSink into)
    {
        into.Clear();
        into.VarInt((ulong)_ids.Count);
        into.Bytes(_strings.Buffer.AsSpan(0, _strings.Length));
        into.Bytes(_events.Buffer.AsSpan(0, _events.Length));
        _events.Clear();
        _strings.Clear();
        _ids.Clear();
        Array.Clear(_byReference);
        Array.Clear(_lastArguments);
        _lastTime = 0;
        _lastMonotonic = 0;
        Count = 0;
    }

    private static ulong Bit(CaptureField field) => 1UL << (int)field;

    private void Signed(ref ulong mask, CaptureField field, long value)
    {
        if (value != 0)
        {
            mask |= Bit(field);
            _scratch.SVarInt(value);
        }
    }

    private void Optional(ref ulong mask, CaptureField field, int? value)
    {
        if (value is { } v)
        {
            mask |= Bit(field);
            _scratch.SVarInt(v);
        }
    }

    private void Flag(ref ulong mask, CaptureField field, bool value)
    {
        if (value)
        {
            mask |= Bit(field);
            _scratch.VarInt(1);
        }
    }

    private void Text(ref ulong mask, CaptureField field, string? value)
    {
        if (value is not null)
        {
            mask |= Bit(field);
            _scratch.VarInt((ulong)Id(value));
        }
    }

    private int Id(string value)
    {
        ref var cached = ref _byReference[System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(value) & (4096 - 1)];
        if (ReferenceEquals(cached.Text, value))
        {
            return cached.Id;
        }

        if (!_ids.TryGetValue(value, out int id))
        {
            id = _ids.Count;
            _ids.Add(value, id);
            _strings.Utf8(value);
        }

        cached = (value, id);
        return id;
    }

    /// <summary>Argument value kinds: how <see cref="SyscallArgument.Value"/> is stored.</summary>
    internal enum ValueKind : byte
    {
        Null,
        RawUnsigned,    // a ulong equal to Raw: nothing more stored
        RawSigned,      // a long equal to (long)Raw: nothing more stored
        Signed,
        Unsigned,
        Text,
        TextArray,
        SignedArray,
        Other,          // any other type: stored as its text, read back as a string
    }

    /// <summary>The encoded arguments: the last bytes of the same syscall when the arguments are the same.</summary>
    private ReadOnlySpan<byte> ArgumentBytes(int number, SyscallArgumentList arguments)
    {
        if ((uint)number >= (uint)_lastArguments.Length)
        {
            EncodeArguments(arguments);
            return _arguments.Buffer.AsSpan(0, _arguments.Length);
        }

        ref var last = ref _lastArguments[number];
        if (last.List is not { } previous || !SameArguments(arguments, previous))
        {
            EncodeArguments(arguments);
            if (last.Bytes is null || last.Bytes.Length < _arguments.Length)
            {
                last.Bytes = new byte[Math.Max(_arguments.Length, 64)];
            }

            _arguments.Buffer.AsSpan(0, _arguments.Length).CopyTo(last.Bytes);
            last.Length = _arguments.Length;
            last.List = arguments;
        }

        return last.Bytes.AsSpan(0, last.Length);
    }

    /// <summary>True when the two lists encode the same: same parameters, raw values, texts and values (arrays never compare equal).</summary>
    private static bool SameArguments(SyscallArgumentList a, SyscallArgumentList b)
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }

        if (a.Count != b.Count)
        {
            return false;
        }

        for (int i = 0; i < a.Count; i++)
        {
            SyscallArgument x = a[i], y = b[i];
            if (x.Raw != y.Raw || !string.Equals(x.Text, y.Text, StringComparison.Ordinal) || !string.Equals(x.Name, y.Name, StringComparison.Ordinal)
                || !string.Equals(x.CType, y.CType, StringComparison.Ordinal) || !SameValue(x.Value, y.Value))
            {
                return false;
            }
        }

        return true;
    }

    private static bool SameValue(object? x, object? y) => x switch
    {
        null => y is null,
        string text => y is string other && string.Equals(text, other, StringComparison.Ordinal),
        long number => y is long other && number == other,
        ulong number => y is ulong other && number == other,
        _ => false,
    };

    private void EncodeArguments(SyscallArgumentList arguments)
    {
        var a = _arguments;
        a.Clear();
        int count = arguments.Count;
        a.VarInt((ulong)count);
        for (int i = 0; i < count; i++)
        {
            var arg = arguments[i];
            a.VarInt((ulong)Id(arg.Name));
            a.VarInt((ulong)Id(arg.CType));
            a.VarInt(arg.Raw);
            switch (arg.Value)
            {
                case null:
                    a.Byte((byte)ValueKind.Null);
                    break;
                case ulong u when u == arg.Raw:
                    a.Byte((byte)ValueKind.RawUnsigned);
                    break;
                case long l when (ulong)l == arg.Raw:
                    a.Byte((byte)ValueKind.RawSigned);
                    break;
                case long l:
                    a.Byte((byte)ValueKind.Signed);
                    a.SVarInt(l);
                    break;
                case ulong u:
                    a.Byte((byte)ValueKind.Unsigned);
                    a.VarInt(u);
                    break;
                case string text:
                    a.Byte((byte)ValueKind.Text);
                    a.VarInt((ulong)Id(text));
                    break;
                case string[] texts:
                    a.Byte((byte)ValueKind.TextArray);
                    a.VarInt((ulong)texts.Length);
                    foreach (var t in texts)
                    {
                        a.VarInt((ulong)Id(t ?? string.Empty));
                    }

                    break;
                case long[] numbers:
                    a.Byte((byte)ValueKind.SignedArray);
                    a.VarInt((ulong)numbers.Length);
                    foreach (var n in numbers)
                    {
                        a.SVarInt(n);
                    }

                    break;
                default:
                    a.Byte((byte)ValueKind.Other);
                    a.VarInt((ulong)Id(arg.Value.ToString() ?? string.Empty));
                    break;
            }

            a.VarInt((ulong)Id(arg.Text));
        }
    }
}
