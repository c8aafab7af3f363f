using System.Text;
using SyscallPS.Decoding.Tables;

namespace SyscallPS.Decoding;

/// <summary>Helpers the family decoders use to fill argument slots in strace's forms.</summary>
internal static class ArgFormat
{
    private static readonly SyscallParameter Unnamed = new("arg", "unsigned long");
    private static readonly SyscallParameter[] Positional =
    [
        new("arg0", "unsigned long"), new("arg1", "unsigned long"), new("arg2", "unsigned long"),
        new("arg3", "unsigned long"), new("arg4", "unsigned long"), new("arg5", "unsigned long"),
    ];

    /// <summary>The table's parameter <paramref name="i"/>, or a positional placeholder.</summary>
    public static SyscallParameter Param(SyscallDecodeState s, int i)
    {
        var own = s.Spec?.Parameters;
        if (own is not null && i < own.Length)
        {
            return own[i];
        }

        var ps = s.Info?.Parameters;
        if (ps is not null && i < ps.Count)
        {
            return ps[i];
        }

        return i < Positional.Length ? Positional[i] : Unnamed;
    }

    /// <summary>Stores argument <paramref name="i"/>.</summary>
    public static void Set(this SyscallDecodeState s, int i, object? value, string text) =>
        s.EntryArguments[i] = new SyscallArgument(Param(s, i), s.Args[i], value, text);

    /// <summary>Stores argument <paramref name="i"/> with a signed number as its value.</summary>
    public static void Set(this SyscallDecodeState s, int i, long value, string text) =>
        s.EntryArguments[i] = new SyscallArgument(Param(s, i), s.Args[i], Boxed.Of(value), text);

    /// <summary>Stores argument <paramref name="i"/> with an unsigned number as its value.</summary>
    public static void Set(this SyscallDecodeState s, int i, ulong value, string text) =>
        s.EntryArguments[i] = new SyscallArgument(Param(s, i), s.Args[i], Boxed.Of(value), text);

    /// <summary>Stores parameter <paramref name="param"/> in print position <paramref name="slot"/> (clone prints its arguments reordered).</summary>
    public static void SetAt(this SyscallDecodeState s, int slot, int param, object? value, string text) =>
        s.EntryArguments[slot] = new SyscallArgument(Param(s, param), s.Args[param], value, text);

    /// <summary>Stores argument <paramref name="i"/> with the raw register as its value.</summary>
    public static void SetText(this SyscallDecodeState s, int i, string text) => s.Set(i, s.Args[i], text);

    /// <summary>Argument <paramref name="i"/> as the struct it points to, or its address (<see cref="TraceeReader.StructOrAddress"/>).</summary>
    public static void SetStruct<T>(this SyscallDecodeState s, int i, ITraceeMemory m, Func<T, string> print, bool failed = false)
        where T : unmanaged => s.SetText(i, TraceeReader.StructOrAddress(m, s.Args[i], print, failed));

    /// <summary>An int argument in decimal.</summary>
    public static void SetInt(this SyscallDecodeState s, int i)
    {
        long v = (int)s.Args[i];
        s.Set(i, v, StraceText.Dec(v));
    }

    /// <summary>An unsigned int argument in decimal.</summary>
    public static void SetUInt(this SyscallDecodeState s, int i)
    {
        long v = (uint)s.Args[i];
        s.Set(i, v, StraceText.Dec(v));
    }

    /// <summary>A long argument (off_t, loff_t) in decimal.</summary>
    public static void SetLong(this SyscallDecodeState s, int i)
    {
        long v = (long)s.Args[i];
        s.Set(i, v, StraceText.Dec(v));
    }

    /// <summary>An unsigned long / size_t argument in decimal.</summary>
    public static void SetULong(this SyscallDecodeState s, int i)
    {
        ulong v = s.Args[i];
        s.Set(i, v, StraceText.UDec(v));
    }

    /// <summary>A hex argument (<c>0x…</c>, 0 as <c>0</c>).</summary>
    public static void SetHex(this SyscallDecodeState s, int i)
    {
        ulong v = s.Args[i];
        s.Set(i, v, StraceText.Hex(v));
    }

    /// <summary>A pointer argument (<c>NULL</c> or <c>0x…</c>).</summary>
    public static void SetPointer(this SyscallDecodeState s, int i)
    {
        ulong v = s.Args[i];
        s.Set(i, v, StraceText.Pointer(v));
    }

    /// <summary>A file descriptor (int); also remembered as the syscall's <see cref="SyscallDecodeState.Fd"/> when it is the first.</summary>
    public static void SetFd(this SyscallDecodeState s, int i)
    {
        int fd = (int)s.Args[i];
        if (s.Fd == -1)
        {
            s.Fd = fd;
        }

        s.Set(i, (long)fd, StraceText.Dec(fd));
    }

    /// <summary>A dirfd: <c>AT_FDCWD</c> or the number.</summary>
    public static void SetDirFd(this SyscallDecodeState s, int i)
    {
        int fd = (int)s.Args[i];
        if (fd == FileTables.AtFdCwd)
        {
            s.Set(i, (long)fd, "AT_FDCWD");
        }
        else
        {
            if (s.Fd == -1)
            {
                s.Fd = fd;
            }

            s.Set(i, (long)fd, StraceText.Dec(fd));
        }
    }

    /// <summary>A path argument; the first one becomes <see cref="SyscallDecodeState.Path"/>, the second <see cref="SyscallDecodeState.TargetPath"/>.</summary>
    public static void SetPath(this SyscallDecodeState s, int i, ITraceeMemory m, bool target = false)
    {
        var sb = StraceText.Builder();
        var path = TraceeReader.AppendPath(sb, m, s.Args[i]);

        // An empty path (fstatat's AT_EMPTY_PATH) names the descriptor, not a file: leave Path unset.
        if (!string.IsNullOrEmpty(path))
        {
            if (target)
            {
                s.TargetPath ??= path;
            }
            else
            {
                s.Path ??= path;
            }
        }

        s.Set(i, (object?)path ?? s.Args[i], StraceText.Finish(sb));
    }

    /// <summary>A NUL-terminated string cut at the -s limit.</summary>
    public static void SetString(this SyscallDecodeState s, int i, ITraceeMemory m, DecodeOptions o)
    {
        var sb = StraceText.Builder();
        TraceeReader.AppendString(sb, m, s.Args[i], o.StringLimit);
        var text = StraceText.Finish(sb);
        s.Set(i, text, text);
    }

    /// <summary>A counted buffer (data) cut at the -s limit.</summary>
    public static void SetBuffer(this SyscallDecodeState s, int i, ITraceeMemory m, DecodeOptions o, ulong length, bool hex = false)
    {
        var sb = StraceText.Builder();
        TraceeReader.AppendBuffer(sb, m, s.Args[i], length, o.StringLimit, hex);
        var text = StraceText.Finish(sb);
        s.Set(i, text, text);
    }

    /// <summary>Flags from a table.</summary>
    public static void SetFlags(this SyscallDecodeState s, int i, FlagTable table, string zero = "0", bool is32 = true)
    {
        ulong v = is32 ? (uint)s.Args[i] : s.Args[i];
        var text = table.Format(v, zero);
        s.Set(i, text, text);
    }

    /// <summary>An enumeration value from a table.</summary>
    public static void SetEnum(this SyscallDecodeState s, int i, ValueTable table, bool is32 = true)
    {
        long v = is32 ? (int)s.Args[i] : (long)s.Args[i];
        var text = table.Format(v);
        s.Set(i, text, text);
    }

    /// <summary>A permission mode in octal (<c>0644</c>), cut to the kernel's 16-bit umode_t as strace prints it.</summary>
    public static void SetMode(this SyscallDecodeState s, int i)
    {
        var text = StraceText.Octal((ushort)s.Args[i]);
        s.Set(i, (long)(uint)s.Args[i], text);
    }

    /// <summary>A signal number by name.</summary>
    public static void SetSignal(this SyscallDecodeState s, int i, bool remember = false)
    {
        int sig = (int)s.Args[i];
        var name = SignalDecoders.Name(sig);
        if (remember)
        {
            s.Signal = name;
        }

        s.Set(i, name, name);
    }

    /// <summary>
    /// A value printed as a leading name and the flags of the remaining bits: <c>O_RDWR|O_CREAT</c>, or the
    /// name alone when no other bit is set.
    /// </summary>
    public static string NameAndFlags(string head, FlagTable table, ulong rest)
    {
        if (rest == 0)
        {
            return head;
        }

        var sb = StraceText.Builder();
        sb.Append(head).Append('|');
        table.Append(sb, rest);
        return StraceText.Finish(sb);
    }

    /// <summary>A pointer to an int printed as <c>[42]</c>, or the address.</summary>
    public static string IntRef(ITraceeMemory m, ulong address, bool failed = false) =>
        TraceeReader.StructOrAddress<int>(m, address, Bracketed, failed);

    /// <summary>A pointer to a 64-bit value printed as <c>[42]</c> (<c>[0x2a]</c> with <paramref name="hex"/>), or the address.</summary>
    public static string LongRef(ITraceeMemory m, ulong address, bool hex = false, bool failed = false) =>
        hex
            ? TraceeReader.StructOrAddress<ulong>(m, address, BracketedHex, failed)
            : TraceeReader.StructOrAddress<long>(m, address, Bracketed, failed);

    /// <summary>A value a pointer argument points to, as strace prints it: <c>[42]</c>.</summary>
    public static string Bracketed(long v) => "[" + StraceText.Dec(v) + "]";

    /// <summary><c>[42]</c> for an int.</summary>
    public static string Bracketed(int v) => "[" + StraceText.Dec(v) + "]";

    /// <summary><c>[0x2a]</c>.</summary>
    public static string BracketedHex(ulong v) => "[" + StraceText.Hex(v) + "]";

    /// <summary>
    /// The <c>int[2]</c> of descriptors pipe, pipe2 and socketpair fill: <c>[3, 4]</c>, kept as the event's
    /// descriptor pair; the address when the call failed or it is unreadable.
    /// </summary>
    public static void SetFdPair(this SyscallDecodeState s, int i, ITraceeMemory m, bool failed)
    {
        if (!failed && TraceeReader.TryRead(m, s.Args[i], out Int32x2 fds))
        {
            s.DescriptorPair = (fds[0], fds[1]);
            s.Set(i, new long[] { fds[0], fds[1] }, "[" + StraceText.Dec(fds[0]) + ", " + StraceText.Dec(fds[1]) + "]");
        }
        else
        {
            s.SetPointer(i);
        }
    }

    /// <summary>
    /// An exit decoder for a call whose only decoded output is the struct argument <paramref name="i"/> points to:
    /// the struct, or its address when the call failed or it is unreadable.
    /// </summary>
    public static ExitDecoder OutStruct<T>(int i, Func<T, string> print)
        where T : unmanaged => (s, ret, m, o, failed) =>
        {
            s.SetStruct(i, m, print, failed);
            return null;
        };

    /// <summary>The default rendering of an argument nobody decoded, typed by its C declaration.</summary>
    public static SyscallArgument Generic(SyscallDecodeState s, int i, DecodeOptions o)
    {
        var p = Param(s, i);
        ulong raw = s.Args[i];
        if (o.Raw)
        {
            return new SyscallArgument(p, raw, Boxed.Of(raw), StraceText.Hex(raw));
        }

        string type = p.CType;
        if (type.Contains('*', StringComparison.Ordinal))
        {
            return new SyscallArgument(p, raw, Boxed.Of(raw), StraceText.Pointer(raw));
        }

        switch (type)
        {
            case "int":
            case "pid_t":
            case "uid_t":
            case "gid_t":
            case "old_uid_t":
            case "old_gid_t":
            case "key_t":
            case "clockid_t":
            case "timer_t":
            case "mqd_t":
            case "key_serial_t":
            case "__s32":
            case "s32":
            case "rwf_t":
            {
                long v = (int)raw;
                return new SyscallArgument(p, raw, Boxed.Of(v), StraceText.Dec(v));
            }

            case "unsigned int":
            case "unsigned":
            case "u32":
            case "__u32":
            case "qid_t":
            {
                long v = (uint)raw;
                return new SyscallArgument(p, raw, Boxed.Of(v), StraceText.Dec(v));
            }

            case "long":
            case "off_t":
            case "loff_t":
            case "__kernel_old_time_t":
            {
                long v = (long)raw;
                return new SyscallArgument(p, raw, Boxed.Of(v), StraceText.Dec(v));
            }

            case "size_t":
            case "u64":
            case "__u64":
                return new SyscallArgument(p, raw, Boxed.Of(raw), StraceText.UDec(raw));
            case "umode_t":
            case "mode_t":
                return new SyscallArgument(p, raw, Boxed.Of((long)(uint)raw), StraceText.Octal((ushort)raw));
            default:
                return new SyscallArgument(p, raw, Boxed.Of(raw), StraceText.Hex(raw));
        }
    }

    /// <summary>Appends a mode with its file type: <c>S_IFREG|0644</c>.</summary>
    public static void AppendModeWithType(StringBuilder sb, uint mode)
    {
        uint type = mode & 0xF000;
        if (type != 0)
        {
            sb.Append(FileTables.FileTypes.Format(type)).Append('|');
        }

        uint special = mode & 0xE00;
        if (special != 0)
        {
            FileTables.ModeSpecialBits.Append(sb, special);
            sb.Append('|');
        }

        sb.Append(StraceText.Octal(mode & 0x1FF));
    }
}
