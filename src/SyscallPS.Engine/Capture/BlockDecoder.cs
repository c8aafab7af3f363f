using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;
using SyscallPS.Decoding;

namespace SyscallPS.Capture;

/// <summary>
/// Reads the events of one raw v2 block (see <see cref="CaptureSchema"/>), applying an <see cref="EventFilter"/>
/// to the stored values before an event object is built. Malformed bytes throw <see cref="InvalidDataException"/>.
/// </summary>
internal sealed class BlockDecoder
{
    private readonly CaptureField?[] _fieldOfBit;
    private readonly WireType[] _wireOfBit;
    private readonly ulong _knownBits;
    private readonly EventFilter? _filter;
    private readonly Dictionary<long, SyscallParameter> _parameters = [];

    // Argument lists are immutable, and a block repeats the same ones (dd's read(0, "\0", 1) 200000 times): one
    // list per distinct encoding, unless a value is an array (an array is mutable, so it is not shared).
    private readonly (int At, int Length, SyscallArgumentList? List)[] _argumentLists = new (int, int, SyscallArgumentList?)[1024];

    // The last shared list of each syscall (by its string id): a run of the same call finds it without hashing.
    private (int At, int Length, SyscallArgumentList? List)[] _lastArguments = [];
    private byte[] _buffer = [];
    private int _position;
    private int _end;
    private string[] _strings = [];
    // Keyed by the block's string ids, not the strings: hashing a command line and a cgroup path per event cost
    // more than decoding the rest of the event.
    private readonly Dictionary<(int? Parent, int CommandLine, int Executable, int? User, int UserName, int? VirtualPid, int Container, int Cgroup), Tracing.ProcessContext> _contexts = [];

    // Consecutive events are mostly of one process: the last context is found without hashing its key.
    private (int? Parent, int CommandLine, int Executable, int? User, int UserName, int? VirtualPid, int Container, int Cgroup) _lastContextKey;
    private Tracing.ProcessContext? _lastContext;
    private sbyte[] _syscallMatch = [];
    private sbyte[] _nameMatch = [];
    private readonly string? _hostName;
    private sbyte[] _fileMatch = [];
    private long _lastTime;
    private long _lastMonotonic;

    /// <summary>
    /// A decoder for files whose header lists <paramref name="fields"/> (names and wire types, in bit order), recorded on
    /// <paramref name="hostName"/>.
    /// </summary>
    public BlockDecoder(IReadOnlyList<CaptureFieldInfo> fields, EventFilter? filter, string? hostName = null)
    {
        _hostName = hostName;
        if (fields.Count > 63)
        {
            throw new InvalidDataException($"The capture's field table has {fields.Count} fields; at most 63 fit the presence mask.");
        }

        _fieldOfBit = new CaptureField?[64];
        _wireOfBit = new WireType[64];
        for (int bit = 0; bit < fields.Count; bit++)
        {
            if (!Enum.TryParse<WireType>(fields[bit].Wire, out var wire))
            {
                throw new InvalidDataException($"The capture's field '{fields[bit].Name}' has the unknown wire type '{fields[bit].Wire}'.");
            }

            _wireOfBit[bit] = wire;
            _knownBits |= 1UL << bit;
            if (Enum.TryParse<CaptureField>(fields[bit].Name, out var field) && CaptureSchema.Fields[(int)field].Wire == wire)
            {
                _fieldOfBit[bit] = field;
            }
        }

        _filter = filter is { IsEmpty: false } ? filter : null;
    }

    /// <summary>Starts reading a raw block of <paramref name="length"/> bytes.</summary>
    public void Start(byte[] raw, int length)
    {
        _buffer = raw;
        _position = 0;
        _end = length;
        _lastTime = 0;
        _lastMonotonic = 0;
        _parameters.Clear();
        _contexts.Clear();
        _lastContext = null;
        Array.Clear(_argumentLists);
        int count = checked((int)VarInt());
        if (count > length)
        {
            throw new InvalidDataException("The block's string count exceeds its size.");
        }

        if (_strings.Length < count)
        {
            _strings = new string[Math.Max(count, _strings.Length * 2)];
            _syscallMatch = new sbyte[_strings.Length];
            _nameMatch = new sbyte[_strings.Length];
            _fileMatch = new sbyte[_strings.Length];
            _lastArguments = new (int, int, SyscallArgumentList?)[_strings.Length];
        }

        for (int i = 0; i < count; i++)
        {
            int n = Length();
            _strings[i] = Encoding.UTF8.GetString(_buffer, _position, n);
            _position += n;
        }

        Array.Clear(_syscallMatch, 0, count);
        Array.Clear(_nameMatch, 0, count);
        Array.Clear(_fileMatch, 0, count);
        Array.Clear(_lastArguments, 0, count);
        _stringCount = count;
    }

    private int _stringCount;

    /// <summary>The next kept event of the block, or false at its end.</summary>
    /// <remarks>Compiled optimized at once: a read runs it for every event, and a short read would otherwise spend most of its time in unoptimized code.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryNext(out SyscallEvent? next)
    {
        while (_position < _end)
        {
            ulong mask = VarInt();
            if ((mask & ~_knownBits) != 0)
            {
                throw new InvalidDataException("An event has a field the capture's field table does not list.");
            }

            long kind = 0, monotonic = 0, returnValue = 0, duration = 0, lost = 0;
            long time = 0;
            bool hasTime = false;
            int processId = 0, threadId = 0, number = -1, category = 0;
            int processName = -1, syscall = -1, returnText = -1, errno = -1, errorMessage = -1, path = -1, targetPath = -1;
            int signal = -1, signalInfo = -1, fdName = -1, localAddress = -1, remoteAddress = -1;
            int? childProcessId = null, exitCode = null, fd = null, localPort = null, remotePort = null, fdType = null;
            int argumentsAt = -1, argumentsLength = 0, dataAt = -1, dataLength = 0;
            bool injected = false, delayed = false;
            int threadName = -1;
            int? parentProcessId = null, userId = null, virtualProcessId = null;
            int commandLine = -1, executablePath = -1, userName = -1, containerId = -1, cgroup = -1;
            bool? serverIsLocal = null;
            int? cpu = null;

            while (mask != 0)
            {
                int bit = BitOperations.TrailingZeroCount(mask);
                mask &= mask - 1;
                switch (_fieldOfBit[bit])
                {
                    case CaptureField.Kind: kind = (long)VarInt(); break;
                    case CaptureField.Timestamp: time = _lastTime += SVarInt(); hasTime = true; break;
                    case CaptureField.MonotonicNanoseconds: monotonic = _lastMonotonic += SVarInt(); break;
                    case CaptureField.ProcessId: processId = Int(); break;
                    case CaptureField.ThreadId: threadId = Int(); break;
                    case CaptureField.ProcessName: processName = StringId(); break;
                    case CaptureField.Syscall: syscall = StringId(); break;
                    case CaptureField.Number: number = Int(); break;
                    case CaptureField.Category: category = checked((int)VarInt()); break;
                    case CaptureField.Arguments: argumentsLength = Length(); argumentsAt = _position; _position += argumentsLength; break;
                    case CaptureField.ReturnValue: returnValue = SVarInt(); break;
                    case CaptureField.ReturnText: returnText = StringId(); break;
                    case CaptureField.Errno: errno = StringId(); break;
                    case CaptureField.ErrorMessage: errorMessage = StringId(); break;
                    case CaptureField.Duration: duration = SVarInt(); break;
                    case CaptureField.Path: path = StringId(); break;
                    case CaptureField.TargetPath: targetPath = StringId(); break;
                    case CaptureField.ChildProcessId: childProcessId = Int(); break;
                    case CaptureField.Signal: signal = StringId(); break;
                    case CaptureField.SignalInfo: signalInfo = StringId(); break;
                    case CaptureField.ExitCode: exitCode = Int(); break;
                    case CaptureField.LostCount: lost = SVarInt(); break;
                    case CaptureField.Fd: fd = Int(); break;
                    case CaptureField.FdName: fdName = StringId(); break;
                    case CaptureField.FdType: fdType = checked((int)VarInt()); break;
                    case CaptureField.LocalAddress: localAddress = StringId(); break;
                    case CaptureField.LocalPort: localPort = Int(); break;
                    case CaptureField.RemoteAddress: remoteAddress = StringId(); break;
                    case CaptureField.RemotePort: remotePort = Int(); break;
                    case CaptureField.Data: dataLength = Length(); dataAt = _position; _position += dataLength; break;
                    case CaptureField.Injected: injected = VarInt() != 0; break;
                    case CaptureField.Delayed: delayed = VarInt() != 0; break;
                    case CaptureField.ThreadName: threadName = StringId(); break;
                    case CaptureField.ParentProcessId: parentProcessId = Int(); break;
                    case CaptureField.CommandLine: commandLine = StringId(); break;
                    case CaptureField.ExecutablePath: executablePath = StringId(); break;
                    case CaptureField.UserId: userId = Int(); break;
                    case CaptureField.UserName: userName = StringId(); break;
                    case CaptureField.VirtualProcessId: virtualProcessId = Int(); break;
                    case CaptureField.ContainerId: containerId = StringId(); break;
                    case CaptureField.Cgroup: cgroup = StringId(); break;
                    case CaptureField.ServerIsLocal: serverIsLocal = VarInt() == 1; break;
                    case CaptureField.Cpu: cpu = Int(); break;
                    default: Skip(_wireOfBit[bit]); break;
                }
            }

            if (_position > _end)
            {
                throw new InvalidDataException("An event runs past the end of its block.");
            }

            var timestamp = hasTime ? new DateTime((long)((ulong)time >> 2), (DateTimeKind)(time & 3)) : default;
            if (_filter is { } f && !Keep(f, processId, processName, syscall, errno, path, fdName, localPort, remotePort, timestamp))
            {
                continue;
            }

            next = new SyscallEvent
            {
                Kind = (SyscallEventKind)kind,
                Timestamp = timestamp,
                MonotonicNanoseconds = monotonic,
                ProcessId = processId,
                ThreadId = threadId,
                ProcessName = Text(processName) ?? string.Empty,
                Syscall = Text(syscall) ?? string.Empty,
                Number = number,
                Category = (SyscallCategory)category,
                Arguments = argumentsAt < 0 ? SyscallArgumentList.Empty : SharedArguments(syscall, argumentsAt, argumentsLength),
                ReturnValue = returnValue,
                ReturnText = Text(returnText) ?? string.Empty,
                Errno = Text(errno),
                ErrorMessage = Text(errorMessage),
                Duration = TimeSpan.FromTicks(duration),
                Path = Text(path),
                TargetPath = Text(targetPath),
                ChildProcessId = childProcessId,
                Signal = Text(signal),
                SignalInfo = Text(signalInfo),
                ExitCode = exitCode,
                LostCount = lost,
                Fd = fd,
                FdName = Text(fdName),
                FdType = (FdType?)fdType,
                LocalAddress = Text(localAddress),
                LocalPort = localPort,
                RemoteAddress = Text(remoteAddress),
                RemotePort = remotePort,
                Data = dataAt < 0 ? null : Data(dataAt, dataLength),
                Injected = injected,
                Delayed = delayed,
                ThreadName = Text(threadName) ?? Text(processName) ?? string.Empty,
                Context = Context(parentProcessId, commandLine, executablePath, userId, userName, virtualProcessId, containerId, cgroup),
                ServerIsLocal = serverIsLocal,
                Cpu = cpu,
            };
            return true;
        }

        next = null;
        return false;
    }

    private bool Keep(EventFilter f, int processId, int processName, int syscall, int errno, int path, int fdName, int? localPort, int? remotePort, DateTime timestamp)
    {
        if (f.ProcessIds is { } pids && !pids.Contains(processId))
        {
            return false;
        }

        if (f.FailedOnly && errno < 0)
        {
            return false;
        }

        if (f.Ports is { } ports && !(localPort is int lp && ports.Contains(lp)) && !(remotePort is int rp && ports.Contains(rp)))
        {
            return false;
        }

        if (f.Syscall is { } syscallMatch && !Matches(syscallMatch, _syscallMatch, syscall))
        {
            return false;
        }

        if (f.ProcessName is { } nameMatch && !Matches(nameMatch, _nameMatch, processName))
        {
            return false;
        }

        if (f.FileName is { } fileMatch && !(path >= 0 && Matches(fileMatch, _fileMatch, path)) && !(fdName >= 0 && Matches(fileMatch, _fileMatch, fdName)))
        {
            return false;
        }

        return f.InTimeRange(timestamp);
    }

    /// <summary>Asks <paramref name="match"/> once per distinct string of the block; an absent string is the empty one.</summary>
    private bool Matches(Func<string, bool> match, sbyte[] cache, int id)
    {
        if (id < 0)
        {
            return match(string.Empty);
        }

        if (cache[id] == 0)
        {
            cache[id] = match(_strings[id]) ? (sbyte)1 : (sbyte)-1;
        }

        return cache[id] > 0;
    }

    private SyscallArgumentList SharedArguments(int syscall, int at, int length)
    {
        var bytes = _buffer.AsSpan(at, length);
        if (syscall >= 0 && _lastArguments[syscall] is { List: { } last } lastEntry && lastEntry.Length == length && _buffer.AsSpan(lastEntry.At, length).SequenceEqual(bytes))
        {
            return last;
        }

        var hash = default(HashCode);
        hash.AddBytes(bytes);
        ref var cached = ref _argumentLists[(uint)hash.ToHashCode() % 1024];
        if (!(cached.List is not null && cached.Length == length && _buffer.AsSpan(cached.At, length).SequenceEqual(bytes)))
        {
            var list = Arguments(at, length, out bool shareable);
            if (!shareable)
            {
                return list;
            }

            cached = (at, length, list);
        }

        if (syscall >= 0)
        {
            _lastArguments[syscall] = cached;
        }

        return cached.List;
    }

    private SyscallArgumentList Arguments(int at, int length, out bool shareable)
    {
        shareable = true;
        int saved = _position, savedEnd = _end;
        _position = at;
        _end = at + length;
        int count = checked((int)VarInt());
        if (count > length)
        {
            throw new InvalidDataException("An event's argument count exceeds its size.");
        }

        var items = new SyscallArgument[count];
        for (int i = 0; i < count; i++)
        {
            int name = StringId(), cType = StringId();
            ulong raw = VarInt();
            object? value = (BlockEncoder.ValueKind)Byte() switch
            {
                BlockEncoder.ValueKind.Null => null,
                BlockEncoder.ValueKind.RawUnsigned => Boxed.Of(raw),
                BlockEncoder.ValueKind.RawSigned => Boxed.Of((long)raw),
                BlockEncoder.ValueKind.Signed => Boxed.Of(SVarInt()),
                BlockEncoder.ValueKind.Unsigned => Boxed.Of(VarInt()),
                BlockEncoder.ValueKind.Text or BlockEncoder.ValueKind.Other => _strings[StringId()],
                BlockEncoder.ValueKind.TextArray => TextArray(),
                BlockEncoder.ValueKind.SignedArray => SignedArray(),
                _ => throw new InvalidDataException("An argument has an unknown value kind."),
            };
            shareable &= value is not Array;
            items[i] = new SyscallArgument(Parameter(name, cType), raw, value, _strings[StringId()]);
        }

        if (_position != _end)
        {
            throw new InvalidDataException("An event's arguments do not fill their bytes exactly.");
        }

        _position = saved;
        _end = savedEnd;
        return new SyscallArgumentList(items);
    }

    private SyscallParameter Parameter(int name, int cType)
    {
        long key = ((long)name << 32) | (uint)cType;
        if (!_parameters.TryGetValue(key, out var parameter))
        {
            parameter = new SyscallParameter(_strings[name], _strings[cType]);
            _parameters.Add(key, parameter);
        }

        return parameter;
    }

    private string[] TextArray()
    {
        var texts = new string[Count()];
        for (int i = 0; i < texts.Length; i++)
        {
            texts[i] = _strings[StringId()];
        }

        return texts;
    }

    private long[] SignedArray()
    {
        var numbers = new long[Count()];
        for (int i = 0; i < numbers.Length; i++)
        {
            numbers[i] = SVarInt();
        }

        return numbers;
    }

    private IoData Data(int at, int length)
    {
        int saved = _position;
        _position = at;
        long total = (long)VarInt();
        int bytes = at + length - _position;
        if (bytes < 0)
        {
            throw new InvalidDataException("An event's data runs past its size.");
        }

        var data = _buffer.AsSpan(_position, bytes).ToArray();
        _position = saved;
        return new IoData(data, total);
    }

    private string? Text(int id) => id < 0 ? null : _strings[id];

    /// <summary>The process context of an event, one object for all the events of a process in the block.</summary>
    private Tracing.ProcessContext? Context(int? parent, int commandLine, int executable, int? user, int userName, int? virtualPid, int container, int cgroup)
    {
        if (parent is null && commandLine < 0 && executable < 0 && user is null && userName < 0 && virtualPid is null && container < 0 && cgroup < 0 && _hostName is null)
        {
            return null;
        }

        var key = (parent, commandLine, executable, user, userName, virtualPid, container, cgroup);
        if (_lastContext is not null && key == _lastContextKey)
        {
            return _lastContext;
        }

        if (!_contexts.TryGetValue(key, out var context))
        {
            context = new Tracing.ProcessContext(parent, Text(commandLine), Text(executable), user, Text(userName), virtualPid, Text(container), Text(cgroup), _hostName);
            _contexts[key] = context;
        }

        _lastContextKey = key;
        _lastContext = context;
        return context;
    }

    private int StringId()
    {
        ulong id = VarInt();
        return id < (ulong)_stringCount ? (int)id : throw new InvalidDataException("A string reference is outside the block's string table.");
    }

    private int Count()
    {
        ulong n = VarInt();
        return n <= (ulong)(_end - _position) ? (int)n : throw new InvalidDataException("A count exceeds the bytes left.");
    }

    private int Length()
    {
        ulong n = VarInt();
        return n <= (ulong)(_end - _position) ? (int)n : throw new InvalidDataException("A length runs past the end of the block.");
    }

    private int Int()
    {
        long v = SVarInt();
        return v is >= int.MinValue and <= int.MaxValue ? (int)v : throw new InvalidDataException("A 32-bit field holds a larger number.");
    }

    private byte Byte() => _position < _end ? _buffer[_position++] : throw new InvalidDataException("A value runs past the end of the block.");

    private long SVarInt()
    {
        ulong v = VarInt();
        return (long)(v >> 1) ^ -(long)(v & 1);
    }

    /// <summary>A LEB128 number; most are below 128, one byte, read here without the loop.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong VarInt()
    {
        int at = _position;
        if (at < _end && _buffer[at] is var b && b < 0x80)
        {
            _position = at + 1;
            return b;
        }

        return LongVarInt();
    }

    private ulong LongVarInt()
    {
        ulong result = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (_position >= _end)
            {
                throw new InvalidDataException("A number runs past the end of the block.");
            }

            byte b = _buffer[_position++];
            result |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }

        throw new InvalidDataException("A number is longer than 64 bits.");
    }

    private void Skip(WireType wire)
    {
        switch (wire)
        {
            case WireType.Blob:
                _position += Length();
                break;
            default:
                VarInt();
                break;
        }
    }
}
