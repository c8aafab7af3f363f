using SyscallPS.Decoding.Tables;

namespace SyscallPS.Decoding;

/// <summary>Decoders for system administration syscalls: ptrace, seccomp, capabilities, mount, personality, bpf.</summary>
internal static class SystemDecoders
{
    private const int PTRACE_PEEKTEXT = 1, PTRACE_PEEKUSER = 3, PTRACE_CONT = 7, PTRACE_SINGLESTEP = 9, PTRACE_DETACH = 17;
    private const int PTRACE_SYSCALL = 24, PTRACE_SYSEMU = 31, PTRACE_SYSEMU_SINGLESTEP = 32, PTRACE_SINGLEBLOCK = 33;
    private const int PTRACE_SETOPTIONS = 0x4200, PTRACE_GETEVENTMSG = 0x4201, PTRACE_SEIZE = 0x4206, PTRACE_LISTEN = 0x4208;

    public static void Register(DecoderRegistry r)
    {
        r.Add("ptrace", PtraceEntry, PtraceExit);
        r.Add("seccomp", SeccompEntry);
        r.Add("capget", (s, m, o) => s.SetStruct<CapUserHeader>(0, m, Format), ArgFormat.OutStruct<CapUserDataV3>(1, Format));
        r.Add("capset", (s, m, o) => { s.SetStruct<CapUserHeader>(0, m, Format); s.SetStruct<CapUserDataV3>(1, m, Format); });
        r.Add("mount", MountEntry);
        r.Add("personality", PersonalityEntry, (s, ret, m, o, failed) => failed ? null : StraceText.Hex((ulong)ret) + " (" + PersonaText((uint)ret) + ")");
        r.Add("bpf", (s, m, o) => { s.SetEnum(0, SystemTables.BpfCommands); s.SetPointer(1); s.SetUInt(2); });
        r.Add("pivot_root", (s, m, o) => { s.SetPath(0, m); s.SetPath(1, m, target: true); });
        r.Add("sethostname setdomainname", (s, m, o) => { s.SetBuffer(0, m, o, (uint)s.Args[1]); s.SetUInt(1); });
        r.Add("swapon", (s, m, o) => { s.SetPath(0, m); s.SetHex(1); });
        r.Add("pidfd_send_signal", (s, m, o) => { s.SetFd(0); s.SetSignal(1, remember: true); s.SetPointer(2); s.SetUInt(3); });
        r.Add("sched_setscheduler", (s, m, o) => { s.SetInt(0); s.SetEnum(1, ProcessTables.SchedPolicies); s.SetText(2, ArgFormat.IntRef(m, s.Args[2])); });
    }

    private static void MountEntry(SyscallDecodeState s, ITraceeMemory m, DecodeOptions o)
    {
        s.SetString(0, m, o);
        s.SetPath(1, m);
        s.SetString(2, m, o);
        ulong flags = s.Args[3];
        const ulong magicMask = 0xffff0000, magic = 0xc0ed0000;
        string text = (flags & magicMask) == magic
            ? "MS_MGC_VAL" + ((flags & ~magicMask) == 0 ? string.Empty : "|" + SystemTables.MountFlags.Format(flags & ~magicMask))
            : SystemTables.MountFlags.Format(flags);
        s.SetText(3, text);
        if (s.Args[4] == 0)
        {
            s.SetText(4, "NULL");
        }
        else
        {
            s.SetString(4, m, o);
        }
    }

    private static void PersonalityEntry(SyscallDecodeState s, ITraceeMemory m, DecodeOptions o)
    {
        uint p = (uint)s.Args[0];
        s.SetText(0, p == 0xffffffff ? "0xffffffff" : PersonaText(p));
    }

    private static string PersonaText(uint p)
    {
        uint baseType = p & 0xff;
        string text = baseType == 0 ? "PER_LINUX" : StraceText.Hex(baseType);
        uint flags = p & ~0xffu;
        return flags == 0 ? text : text + "|" + SystemTables.PersonalityFlags.Format(flags);
    }

    private static void PtraceEntry(SyscallDecodeState s, ITraceeMemory m, DecodeOptions o)
    {
        int request = (int)s.Args[0];
        s.SetEnum(0, SystemTables.PtraceRequests);
        s.SetInt(1);
        s.SetPointer(2);
        switch (request)
        {
            case PTRACE_SEIZE or PTRACE_SETOPTIONS:
                s.SetFlags(3, SystemTables.PtraceOptions);
                break;
            case PTRACE_CONT or PTRACE_SINGLESTEP or PTRACE_DETACH or PTRACE_SYSCALL or PTRACE_SYSEMU or PTRACE_SYSEMU_SINGLESTEP or PTRACE_SINGLEBLOCK or PTRACE_LISTEN:
                s.SetSignal(3);
                if (s.Args[3] == 0)
                {
                    s.SetText(3, "0");
                }

                break;
            case >= PTRACE_PEEKTEXT and <= PTRACE_PEEKUSER or PTRACE_GETEVENTMSG:
                break;
            default:
                s.SetPointer(3);
                break;
        }
    }

    private static string? PtraceExit(SyscallDecodeState s, long ret, ITraceeMemory m, DecodeOptions o, bool failed)
    {
        int request = (int)s.Args[0];
        if (request is >= PTRACE_PEEKTEXT and <= PTRACE_PEEKUSER or PTRACE_GETEVENTMSG)
        {
            s.SetText(3, ArgFormat.LongRef(m, s.Args[3], hex: request != PTRACE_GETEVENTMSG, failed: failed));
        }

        return null;
    }

    private static void SeccompEntry(SyscallDecodeState s, ITraceeMemory m, DecodeOptions o)
    {
        uint op = (uint)s.Args[0];
        s.SetEnum(0, SystemTables.SeccompOps);
        switch (op)
        {
            case 1: // SECCOMP_SET_MODE_FILTER: struct sock_fprog { unsigned short len; struct sock_filter *filter; }
            {
                s.SetFlags(1, SystemTables.SeccompFilterFlags);
                s.SetStruct<SockFprog>(2, m, static prog => "{len=" + StraceText.Dec(prog.len) + ", filter=" + StraceText.Pointer(prog.filter) + "}");
                break;
            }

            case 2: // SECCOMP_GET_ACTION_AVAIL
                s.SetUInt(1);
                s.SetStruct<uint>(2, m, static action => "[" + SystemTables.SeccompActions.Format(action) + "]");
                break;
            default:
                s.SetUInt(1);
                s.SetPointer(2);
                break;
        }
    }

    private static string Format(CapUserHeader h) =>
        "{version=" + SystemTables.CapabilityVersions.Format(h.version) + ", pid=" + StraceText.Dec(h.pid) + "}";

    /// <summary>Version 3 data: two {effective, permitted, inheritable} u32 triples, low word first.</summary>
    private static string Format(CapUserDataV3 d) =>
        "{effective=" + CapSet(d.low.effective | ((ulong)d.high.effective << 32)) + ", permitted=" + CapSet(d.low.permitted | ((ulong)d.high.permitted << 32))
        + ", inheritable=" + CapSet(d.low.inheritable | ((ulong)d.high.inheritable << 32)) + "}";

    private static string CapSet(ulong set)
    {
        if (set == 0)
        {
            return "0";
        }

        var sb = StraceText.Builder();
        for (int cap = 0; cap < 64; cap++)
        {
            if ((set & (1UL << cap)) == 0)
            {
                continue;
            }

            if (sb.Length > 0)
            {
                sb.Append('|');
            }

            var name = StatfsTables.Capabilities.Lookup(cap);
            sb.Append("1<<").Append(name ?? StraceText.Dec(cap));
        }

        return StraceText.Finish(sb);
    }
}
