using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using SyscallPS.Decoding.Tables;

namespace SyscallPS.Decoding;

/// <summary>Decoders for process lifecycle and attributes: clone family, exec, exit, wait, limits, prctl.</summary>
internal static class ProcessDecoders
{
    private const ulong CLONE_PIDFD = 0x1000, CLONE_SETTLS = 0x80000, CLONE_PARENT_SETTID = 0x100000;
    private const ulong CLONE_CHILD_CLEARTID = 0x200000, CLONE_CHILD_SETTID = 0x1000000, CLONE_INTO_CGROUP = 0x200000000;

    public static void Register(DecoderRegistry r)
    {
        r.Add("clone", CloneEntry, CloneExit);
        r.Add("clone3", Clone3Entry, Clone3Exit);
        r.Add("fork vfork", null, argCount: 0);
        r.Add("execve", (s, m, o) => { s.SetPath(0, m); SetArgv(s, 1, m, o); SetEnvp(s, 2, m); });
        r.Add("execveat", ExecveatEntry);
        r.Add("exit exit_group", (s, m, o) => s.SetInt(0), ret: ReturnStyle.None);
        r.Add("wait4", (s, m, o) => { s.SetInt(0); s.SetFlags(2, ProcessTables.WaitOptions); }, Wait4Exit);
        r.Add("waitid", (s, m, o) => { s.SetEnum(0, ProcessTables.IdTypes); s.SetInt(1); s.SetFlags(3, ProcessTables.WaitOptions); }, WaitidExit);
        r.Add("set_tid_address", (s, m, o) => s.SetPointer(0));
        r.Add("arch_prctl", ArchPrctlEntry, ArchPrctlExit);
        r.Add("prlimit64", Prlimit64Entry, ArgFormat.OutStruct<Rlimit>(3, Format));
        r.Add("getrlimit", (s, m, o) => s.SetEnum(0, ProcessTables.Resources), ArgFormat.OutStruct<Rlimit>(1, Format));
        r.Add("setrlimit", (s, m, o) => { s.SetEnum(0, ProcessTables.Resources); s.SetStruct<Rlimit>(1, m, Format); });
        r.Add("getrusage", (s, m, o) => s.SetEnum(0, ProcessTables.RusageWho), ArgFormat.OutStruct<Rusage>(1, Format));
        r.Add("prctl", PrctlEntry, PrctlExit);
        r.Add("getresuid getresgid", null, GetresuidExit);
        r.Add("getgroups", (s, m, o) => s.SetInt(0), GetgroupsExit);
        r.Add("setgroups", (s, m, o) => { s.SetInt(0); s.SetText(1, IntArrayText(m, s.Args[1], (int)s.Args[0], o)); });
        r.Add("uname", null, ArgFormat.OutStruct<Utsname>(0, Format), argCount: 1, parameters: "struct new_utsname * name");
        r.Add("getrandom", (s, m, o) => { s.SetULong(1); s.SetFlags(2, FileTables.GetRandomFlags); }, GetrandomExit);
        r.Add("rseq", (s, m, o) => { s.SetPointer(0); s.SetHex(1); s.SetFlags(2, ProcessTables.Rseq); s.SetHex(3); });
        r.Add("setpriority", (s, m, o) => { s.SetEnum(0, ProcessTables.PriorityWhich); s.SetInt(1); s.SetInt(2); });
        r.Add("getpriority", (s, m, o) => { s.SetEnum(0, ProcessTables.PriorityWhich); s.SetInt(1); });
        r.Add("sched_getscheduler", (s, m, o) => s.SetInt(0), (s, ret, m, o, failed) => failed ? null : StraceText.Dec(ret) + " (" + ProcessTables.SchedPolicies.Format(ret) + ")");
        r.Add("sched_get_priority_max sched_get_priority_min", (s, m, o) => s.SetEnum(0, ProcessTables.SchedPolicies));
        r.Add("kcmp", KcmpEntry);
        r.Add("sched_getattr", (s, m, o) => { s.SetInt(0); s.SetUInt(2); s.SetUInt(3); }, SchedGetattrExit);
        r.Add("unshare", (s, m, o) => s.SetFlags(0, ProcessTables.UnshareFlags, is32: false));
        r.Add("setns", (s, m, o) => { s.SetFd(0); s.SetFlags(1, ProcessTables.CloneFlags); });
        r.Add("pidfd_open", (s, m, o) => { s.SetInt(0); s.SetFlags(1, ProcessTables.PidfdOpenFlags); });
        r.Add("futex", FutexEntry);
        r.Add("sched_getaffinity", (s, m, o) => { s.SetInt(0); s.SetUInt(1); }, SchedGetaffinityExit);
        r.Add("sched_rr_get_interval", (s, m, o) => s.SetInt(0), ArgFormat.OutStruct<Timespec>(1, TimeDecoders.Format));
        r.Add("sched_setaffinity", (s, m, o) => { s.SetInt(0); s.SetUInt(1); s.SetText(2, CpuSetText(m, s.Args[2], (long)Math.Min(s.Args[1], 1024))); });
        r.Add("sched_getparam", (s, m, o) => s.SetInt(0), ArgFormat.OutStruct<int>(1, ArgFormat.Bracketed));
        r.Add("sched_setparam", (s, m, o) => { s.SetInt(0); s.SetText(1, ArgFormat.IntRef(m, s.Args[1])); });
        r.Add("sysinfo", null, ArgFormat.OutStruct<Sysinfo>(0, Format));
        r.Add("times", null, ArgFormat.OutStruct<Tms>(0, Format));
    }

    private static void ExecveatEntry(SyscallDecodeState s, ITraceeMemory m, DecodeOptions o)
    {
        s.SetDirFd(0);
        s.SetPath(1, m);
        SetArgv(s, 2, m, o);
        SetEnvp(s, 3, m);
        s.SetFlags(4, ProcessTables.ExecveatFlags);
    }

    private static void Prlimit64Entry(SyscallDecodeState s, ITraceeMemory m, DecodeOptions o)
    {
        s.SetInt(0);
        s.SetEnum(1, ProcessTables.Resources);
        s.SetStruct<Rlimit>(2, m, Format);
    }

    private static string? GetresuidExit(SyscallDecodeState s, long ret, ITraceeMemory m, DecodeOptions o, bool failed)
    {
        for (int i = 0; i < 3; i++)
        {
            s.SetStruct<int>(i, m, ArgFormat.Bracketed, failed);
        }

        return null;
    }

    /// <summary>getgroups(0, list) asks for the count and leaves the list alone: strace prints its address.</summary>
    private static string? GetgroupsExit(SyscallDecodeState s, long ret, ITraceeMemory m, DecodeOptions o, bool failed)
    {
        s.SetText(1, failed || (s.Args[0] == 0 && ret != 0) ? StraceText.Pointer(s.Args[1]) : IntArrayText(m, s.Args[1], ret, o));
        return null;
    }

    private static string? GetrandomExit(SyscallDecodeState s, long ret, ITraceeMemory m, DecodeOptions o, bool failed)
    {
        if (failed)
        {
            s.SetPointer(0);
        }
        else
        {
            s.SetBuffer(0, m, o, (ulong)ret, hex: true);
        }

        return null;
    }

    private static string? SchedGetaffinityExit(SyscallDecodeState s, long ret, ITraceeMemory m, DecodeOptions o, bool failed)
    {
        s.SetText(2, CpuSetText(m, s.Args[2], ret, failed));
        return null;
    }

    private static string CpuSetText(ITraceeMemory m, ulong address, long bytes, bool failed = false)
    {
        if (!failed && address != 0 && bytes == 0)
        {
            return "[]";
        }

        return TraceeReader.BytesOrAddress(m, address, (int)Math.Clamp(bytes, 0, 1024), static set => StraceText.BitList(set, set.Length * 8), failed || bytes < 0 || bytes > 1024);
    }

    private static string Format(Sysinfo i)
    {
        var sb = StraceText.Builder();
        sb.Append("{uptime=").Append(StraceText.Dec(i.uptime)).Append(", loads=[").Append(StraceText.UDec(i.loads[0])).Append(", ")
          .Append(StraceText.UDec(i.loads[1])).Append(", ").Append(StraceText.UDec(i.loads[2])).Append("], totalram=")
          .Append(StraceText.UDec(i.totalram)).Append(", freeram=").Append(StraceText.UDec(i.freeram))
          .Append(", sharedram=").Append(StraceText.UDec(i.sharedram)).Append(", bufferram=").Append(StraceText.UDec(i.bufferram))
          .Append(", totalswap=").Append(StraceText.UDec(i.totalswap)).Append(", freeswap=").Append(StraceText.UDec(i.freeswap))
          .Append(", procs=").Append(StraceText.Dec(i.procs))
          .Append(", totalhigh=").Append(StraceText.UDec(i.totalhigh)).Append(", freehigh=").Append(StraceText.UDec(i.freehigh))
          .Append(", mem_unit=").Append(StraceText.UDec(i.mem_unit)).Append('}');
        return StraceText.Finish(sb);
    }

    private static string Format(Tms t) =>
        "{tms_utime=" + StraceText.Dec(t.tms_utime) + ", tms_stime=" + StraceText.Dec(t.tms_stime) + ", tms_cutime=" + StraceText.Dec(t.tms_cutime)
        + ", tms_cstime=" + StraceText.Dec(t.tms_cstime) + "}";

    private const int FUTEX_WAIT = 0, FUTEX_WAKE = 1, FUTEX_FD = 2, FUTEX_REQUEUE = 3, FUTEX_CMP_REQUEUE = 4, FUTEX_WAKE_OP = 5;
    private const int FUTEX_LOCK_PI = 6, FUTEX_UNLOCK_PI = 7, FUTEX_TRYLOCK_PI = 8, FUTEX_WAIT_BITSET = 9, FUTEX_WAKE_BITSET = 10;
    private const int FUTEX_WAIT_REQUEUE_PI = 11, FUTEX_CMP_REQUEUE_PI = 12, FUTEX_LOCK_PI2 = 13;

    private static void FutexEntry(SyscallDecodeState s, ITraceeMemory m, DecodeOptions o)
    {
        s.SetPointer(0);
        int op = (int)s.Args[1];
        int cmd = op & 0x7f;
        var name = ProcessTables.FutexCommands.Lookup(cmd);
        if (name is null)
        {
            s.SetText(1, ProcessTables.FutexCommands.FormatUnknown((uint)op));
            s.SetUInt(2); s.SetPointer(3); s.SetPointer(4); s.SetText(5, StraceText.Hex(s.Args[5]));
            s.ArgumentCount = 6;
            return;
        }

        // strace names whole ops from one list: FUTEX_CLOCK_REALTIME only with the waiting ops, FUTEX_FD has no
        // _PRIVATE name, and any other bit makes the op unknown (its arguments still follow the command).
        bool clock = (op & ProcessTables.FutexClockRealtime) != 0;
        bool known = (op & ~(0x7f | ProcessTables.FutexPrivateFlag | ProcessTables.FutexClockRealtime)) == 0
            && (!clock || cmd is FUTEX_WAIT or FUTEX_WAIT_BITSET or FUTEX_WAIT_REQUEUE_PI or FUTEX_LOCK_PI2);
        if (!known)
        {
            s.SetText(1, ProcessTables.FutexCommands.FormatUnknown((uint)op));
        }
        else
        {
            if ((op & ProcessTables.FutexPrivateFlag) != 0)
            {
                name += cmd == FUTEX_FD ? "|FUTEX_PRIVATE_FLAG" : "_PRIVATE";
            }

            s.SetText(1, clock ? name + "|FUTEX_CLOCK_REALTIME" : name);
        }

        switch (cmd)
        {
            case FUTEX_WAIT:
                s.SetUInt(2); s.SetText(3, TimeDecoders.TimespecAt(m, s.Args[3]));
                s.ArgumentCount = 4;
                break;
            case FUTEX_WAIT_BITSET:
                s.SetUInt(2); s.SetText(3, TimeDecoders.TimespecAt(m, s.Args[3])); s.SetText(5, Bitset(s.Args[5]));
                MoveLast(s, 5, 4);
                break;
            case FUTEX_WAKE or FUTEX_FD:
                s.SetUInt(2);
                s.ArgumentCount = 3;
                break;
            case FUTEX_WAKE_BITSET:
                s.SetUInt(2); s.SetText(5, Bitset(s.Args[5]));
                MoveLast(s, 5, 3);
                break;
            case FUTEX_REQUEUE:
                s.SetUInt(2); s.SetText(3, StraceText.UDec((uint)s.Args[3])); s.SetPointer(4);
                s.ArgumentCount = 5;
                break;
            case FUTEX_CMP_REQUEUE or FUTEX_CMP_REQUEUE_PI:
                s.SetUInt(2); s.SetText(3, StraceText.UDec((uint)s.Args[3])); s.SetPointer(4); s.SetUInt(5);
                s.ArgumentCount = 6;
                break;
            case FUTEX_WAKE_OP:
                s.SetUInt(2); s.SetText(3, StraceText.UDec((uint)s.Args[3])); s.SetPointer(4); s.SetText(5, WakeOp((uint)s.Args[5]));
                s.ArgumentCount = 6;
                break;
            case FUTEX_LOCK_PI or FUTEX_LOCK_PI2:
                s.SetText(2, TimeDecoders.TimespecAt(m, s.Args[3]));
                s.EntryArguments[2] = new SyscallArgument("utime", "const struct __kernel_timespec *", s.Args[3], s.Args[3], s.EntryArguments[2]!.Text);
                s.ArgumentCount = 3;
                break;
            case FUTEX_UNLOCK_PI or FUTEX_TRYLOCK_PI:
                s.ArgumentCount = 2;
                break;
            case FUTEX_WAIT_REQUEUE_PI:
                s.SetUInt(2); s.SetText(3, TimeDecoders.TimespecAt(m, s.Args[3])); s.SetPointer(4);
                s.ArgumentCount = 5;
                break;
        }
    }

    /// <summary>Prints parameter <paramref name="param"/> in print position <paramref name="slot"/> and ends the list there.</summary>
    private static void MoveLast(SyscallDecodeState s, int param, int slot)
    {
        s.EntryArguments[slot] = s.EntryArguments[param];
        s.EntryArguments[param] = null;
        s.ArgumentCount = slot + 1;
    }

    private static string Bitset(ulong v) => (uint)v == uint.MaxValue ? "FUTEX_BITSET_MATCH_ANY" : StraceText.Hex((uint)v);

    private static readonly string[] FutexOps = ["FUTEX_OP_SET", "FUTEX_OP_ADD", "FUTEX_OP_OR", "FUTEX_OP_ANDN", "FUTEX_OP_XOR"];
    private static readonly string[] FutexCmps = ["FUTEX_OP_CMP_EQ", "FUTEX_OP_CMP_NE", "FUTEX_OP_CMP_LT", "FUTEX_OP_CMP_LE", "FUTEX_OP_CMP_GT", "FUTEX_OP_CMP_GE"];

    private static string WakeOp(uint v)
    {
        // strace: FUTEX_OP_SET<<28|0<<12|FUTEX_OP_CMP_GT<<24|0x1 (oparg and cmparg as 12-bit hex).
        uint op = (v >> 28) & 7;
        bool shift = ((v >> 28) & 8) != 0;
        uint cmp = (v >> 24) & 0xf;
        uint oparg = (v >> 12) & 0xfff;
        uint cmparg = v & 0xfff;
        var sb = StraceText.Builder();
        if (shift)
        {
            sb.Append("FUTEX_OP_OPARG_SHIFT<<28|");
        }

        sb.Append(op < FutexOps.Length ? FutexOps[op] + "<<28" : StraceText.Hex(op) + "<<28 /* FUTEX_OP_??? */")
          .Append('|').Append(StraceText.Hex(oparg)).Append("<<12|")
          .Append(cmp < FutexCmps.Length ? FutexCmps[cmp] + "<<24" : StraceText.Hex(cmp) + "<<24 /* FUTEX_OP_CMP_??? */")
          .Append('|').Append(StraceText.Hex(cmparg));
        return StraceText.Finish(sb);
    }

    private static void CloneEntry(SyscallDecodeState s, ITraceeMemory m, DecodeOptions o)
    {
        // x86_64 order: flags, newsp, parent_tid, child_tid, tls (aarch64 swaps the last two). strace prints child_stack first.
        ulong flags = s.Args[0];
        s.SetAt(0, 1, s.Args[1], "child_stack=" + StraceText.Pointer(s.Args[1]));
        s.SetAt(1, 0, flags, "flags=" + CloneFlagsText(flags));
        s.ArgumentCount = 2;
        BuildCloneTail(s, null);
    }

    private static string CloneFlagsText(ulong flags)
    {
        ulong sig = flags & ProcessTables.CloneSignalMask;
        ulong rest = flags & ~ProcessTables.CloneSignalMask;
        var sb = StraceText.Builder();
        if (rest != 0)
        {
            ProcessTables.CloneFlags.Append(sb, rest);
        }

        if (sig != 0)
        {
            if (rest != 0)
            {
                sb.Append('|');
            }

            sb.Append(SignalDecoders.Name((int)sig));
        }
        else if (rest == 0)
        {
            sb.Append('0');
        }

        return StraceText.Finish(sb);
    }

    private static void BuildCloneTail(SyscallDecodeState s, ITraceeMemory? exitMemory)
    {
        ulong flags = s.Args[0];
        int slot = 2;
        if ((flags & (CLONE_PARENT_SETTID | CLONE_PIDFD)) != 0)
        {
            string text = exitMemory is null ? StraceText.Pointer(s.Args[2]) : ArgFormat.IntRef(exitMemory, s.Args[2]);
            s.SetAt(slot++, 2, s.Args[2], "parent_tid=" + text);
        }

        if ((flags & CLONE_SETTLS) != 0)
        {
            int tls = Abi.CloneTlsIndex;
            s.SetAt(slot++, tls, s.Args[tls], "tls=" + StraceText.Pointer(s.Args[tls]));
        }

        if ((flags & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID)) != 0)
        {
            int ctid = Abi.CloneChildTidIndex;
            s.SetAt(slot++, ctid, s.Args[ctid], "child_tidptr=" + StraceText.Pointer(s.Args[ctid]));
        }

        s.ArgumentCount = slot;
    }

    private static string? CloneExit(SyscallDecodeState s, long ret, ITraceeMemory m, DecodeOptions o, bool failed)
    {
        BuildCloneTail(s, failed || ret == 0 ? null : m);
        return null;
    }

    private static void Clone3Entry(SyscallDecodeState s, ITraceeMemory m, DecodeOptions o)
    {
        s.SetULong(1);

        // The first version of struct clone_args ends at tls (64 bytes); later fields are read when the size covers them.
        int size = (int)Math.Min(s.Args[1], (ulong)Unsafe.SizeOf<CloneArgs>());
        CloneArgs a = default;
        if (size < 64 || !TraceeReader.TryRead(m, s.Args[0], MemoryMarshal.AsBytes(new Span<CloneArgs>(ref a))[..size]))
        {
            s.SetPointer(0);
            return;
        }

        s.Saved = (long)a.flags;
        var sb = StraceText.Builder();
        sb.Append("{flags=");
        ProcessTables.CloneFlags.Append(sb, a.flags);
        if ((a.flags & CLONE_PIDFD) != 0)
        {
            sb.Append(", pidfd=").AppendPointer(a.pidfd);
        }

        if ((a.flags & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID)) != 0)
        {
            sb.Append(", child_tid=").AppendPointer(a.child_tid);
        }

        if ((a.flags & CLONE_PARENT_SETTID) != 0)
        {
            sb.Append(", parent_tid=").AppendPointer(a.parent_tid);
        }

        sb.Append(", exit_signal=").Append(SignalDecoders.Name((int)a.exit_signal));
        sb.Append(", stack=").AppendPointer(a.stack);
        sb.Append(", stack_size=").AppendHex(a.stack_size);
        if ((a.flags & CLONE_SETTLS) != 0)
        {
            sb.Append(", tls=").AppendPointer(a.tls);
        }

        if (size >= 80 && (a.set_tid != 0 || a.set_tid_size != 0))
        {
            sb.Append(", set_tid=").AppendPointer(a.set_tid).Append(", set_tid_size=").Append(StraceText.UDec(a.set_tid_size));
        }

        if (size >= 88 && (a.flags & CLONE_INTO_CGROUP) != 0)
        {
            sb.Append(", cgroup=").Append(StraceText.UDec(a.cgroup));
        }

        s.SetText(0, StraceText.Finish(sb.Append('}')));

        // Remember where the kernel writes the ids back.
        s.Saved2 = (long)a.parent_tid;
    }

    private static string? Clone3Exit(SyscallDecodeState s, long ret, ITraceeMemory m, DecodeOptions o, bool failed)
    {
        ulong flags = (ulong)s.Saved;
        var entry = s.EntryArguments[0];
        if (failed || ret == 0 || entry is null || (flags & (CLONE_PARENT_SETTID | CLONE_PIDFD)) == 0)
        {
            return null;
        }

        var sb = StraceText.Builder();
        sb.Append(entry.Text).Append(" => {");
        bool any = false;
        ulong pidfdField = s.Args[0] + (ulong)Marshal.OffsetOf<CloneArgs>(nameof(CloneArgs.pidfd));
        if ((flags & CLONE_PIDFD) != 0 && TraceeReader.TryRead(m, pidfdField, out ulong pidfd))
        {
            sb.Append("pidfd=").Append(ArgFormat.IntRef(m, pidfd));
            any = true;
        }

        if ((flags & CLONE_PARENT_SETTID) != 0)
        {
            if (any)
            {
                sb.Append(", ");
            }

            sb.Append("parent_tid=").Append(ArgFormat.IntRef(m, (ulong)s.Saved2));
        }

        s.SetText(0, StraceText.Finish(sb.Append('}')));
        return null;
    }

    /// <summary>argv as strace prints it: <c>["ls", "-la"]</c>, at most -s elements.</summary>
    private static void SetArgv(SyscallDecodeState s, int i, ITraceeMemory m, DecodeOptions o)
    {
        ulong address = s.Args[i];
        if (address == 0)
        {
            s.Set(i, null, "NULL");
            return;
        }

        if (!TraceeReader.TryRead(m, address, out ulong _))
        {
            s.SetPointer(i);
            return;
        }

        var values = new List<string>();
        var arguments = new List<string>();
        string text = ArrayText.Format(m, o, address, ulong.MaxValue, 8, (sb, ptr, _) =>
        {
            int before = sb.Length;
            ulong at = TraceeReader.As<ulong>(ptr);
            TraceeReader.AppendString(sb, m, at, o.StringLimit);
            values.Add(sb.ToString(before, sb.Length - before));
            arguments.Add(TraceeReader.ReadPath(m, at) ?? string.Empty);
        }, filter: static ptr => TraceeReader.As<ulong>(ptr) == 0 ? ArrayElement.End : ArrayElement.Show);
        s.Set(i, values.ToArray(), text);
        s.ProgramArguments = arguments;
    }

    /// <summary>envp as strace prints it by default: the address and the variable count.</summary>
    private static void SetEnvp(SyscallDecodeState s, int i, ITraceeMemory m)
    {
        ulong address = s.Args[i];
        if (address == 0)
        {
            s.Set(i, null, "NULL");
            return;
        }

        int count = 0;
        Span<ulong> chunk = stackalloc ulong[32];
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(chunk);
        for (ulong at = address; count < 1_000_000; at += (ulong)bytes.Length)
        {
            int r = m.Read(at, bytes);
            if (r <= 0)
            {
                s.SetPointer(i);
                return;
            }

            int words = r / 8;
            int end = chunk[..words].IndexOf(0UL);
            if (end >= 0)
            {
                count += end;
                break;
            }

            count += words;
            if (r < bytes.Length)
            {
                s.SetPointer(i);
                return;
            }
        }

        s.Set(i, (long)count, StraceText.Pointer(address) + " /* " + StraceText.Dec(count) + (count == 1 ? " var */" : " vars */"));
    }

    private static string? Wait4Exit(SyscallDecodeState s, long ret, ITraceeMemory m, DecodeOptions o, bool failed)
    {
        // Only a reaped child fills the status and the rusage: strace prints the addresses when WNOHANG found none (0).
        s.SetStruct<int>(1, m, static status => "[" + WaitStatusText(status) + "]", failed || ret <= 0);
        s.SetStruct<Rusage>(3, m, Format, failed || ret == 0);
        return null;
    }

    /// <summary>A wait status as strace prints it: <c>{WIFEXITED(s) &amp;&amp; WEXITSTATUS(s) == 0}</c>.</summary>
    public static string WaitStatusText(int status)
    {
        int low = status & 0x7f;
        if ((status & 0xff) == 0x7f)
        {
            var text = "{WIFSTOPPED(s) && WSTOPSIG(s) == " + SignalDecoders.Name((status >> 8) & 0xff) + "}";
            int ev = (status >> 16) & 0xffff;
            return ev != 0 ? text + "|" + ProcessTables.PtraceEvents.Format(ev) + " << 16" : text;
        }

        if (status == 0xffff)
        {
            return "{WIFCONTINUED(s)}";
        }

        if (low != 0)
        {
            return "{WIFSIGNALED(s) && WTERMSIG(s) == " + SignalDecoders.Name(low) + ((status & 0x80) != 0 ? " && WCOREDUMP(s)}" : "}");
        }

        return "{WIFEXITED(s) && WEXITSTATUS(s) == " + StraceText.Dec((status >> 8) & 0xff) + "}";
    }

    private static string? WaitidExit(SyscallDecodeState s, long ret, ITraceeMemory m, DecodeOptions o, bool failed)
    {
        s.SetText(2, TraceeReader.BytesOrAddress(m, s.Args[2], 128, static info => MemoryMarshal.Read<int>(info) == 0 ? "{}" : SignalDecoders.FormatSigInfo(info), failed));
        s.SetStruct<Rusage>(4, m, Format, failed);
        return null;
    }

    private static void ArchPrctlEntry(SyscallDecodeState s, ITraceeMemory m, DecodeOptions o)
    {
        s.SetEnum(0, ProcessTables.ArchPrctlCodes);
        int code = (int)s.Args[0];
        if (code is 0x1003 or 0x1004)
        {
            return;
        }

        if (code is 0x1021 or 0x1022 or 0x1024)
        {
            return;
        }

        s.SetPointer(1);
    }

    private static string? ArchPrctlExit(SyscallDecodeState s, long ret, ITraceeMemory m, DecodeOptions o, bool failed)
    {
        int code = (int)s.Args[0];
        if (code is 0x1003 or 0x1004 or 0x1021 or 0x1022 or 0x1024)
        {
            s.SetText(1, ArgFormat.LongRef(m, s.Args[1], hex: true, failed: failed));
        }

        return null;
    }

    private static string RlimitValue(ulong v)
    {
        if (v == ulong.MaxValue)
        {
            return "RLIM64_INFINITY";
        }

        return v > 1024 && v % 1024 == 0 ? StraceText.UDec(v / 1024) + "*1024" : StraceText.UDec(v);
    }

    private static string Format(Rlimit r) => "{rlim_cur=" + RlimitValue(r.rlim_cur) + ", rlim_max=" + RlimitValue(r.rlim_max) + "}";

    private static string Format(Rusage ru) =>
        "{ru_utime=" + TimeDecoders.Format(ru.ru_utime) + ", ru_stime=" + TimeDecoders.Format(ru.ru_stime) + ", ...}";

    private static string IntArrayText(ITraceeMemory m, ulong address, long count, DecodeOptions o) =>
        ArrayText.Format(
            m, o, address, count > 0 ? (ulong)count : 0, 4,
            static (sb, v, _) => sb.Append(StraceText.Dec(TraceeReader.As<int>(v))), unreadable: ArrayUnreadable.WholeAddress);

    private static string Format(Utsname u)
    {
        var sb = StraceText.Builder();
        sb.Append("{sysname=");
        AppendField(sb, u.sysname);
        sb.Append(", nodename=");
        AppendField(sb, u.nodename);
        return StraceText.Finish(sb.Append(", ...}"));
    }

    private static void AppendField(StringBuilder sb, ReadOnlySpan<byte> field)
    {
        int nul = field.IndexOf((byte)0);
        StraceText.AppendQuoted(sb, nul >= 0 ? field[..nul] : field);
    }

    /// <summary>A thread name (TASK_COMM_LEN - 1 bytes), as strace cuts PR_SET_NAME/PR_GET_NAME.</summary>
    private static readonly DecodeOptions TaskCommOptions = new() { StringLimit = 15 };

    private const int PR_SET_PDEATHSIG = 1, PR_GET_PDEATHSIG = 2, PR_GET_DUMPABLE = 3, PR_SET_NAME = 15, PR_GET_NAME = 16;

    private static string? SchedGetattrExit(SyscallDecodeState s, long ret, ITraceeMemory m, DecodeOptions o, bool failed)
    {
        s.SetText(1, SchedAttrText(m, s.Args[1], failed));
        return null;
    }

    /// <summary>
    /// <c>struct sched_attr</c> as strace prints it: the first version (48 bytes) must be readable, the
    /// utilisation clamps are printed when the size the kernel wrote covers them.
    /// </summary>
    private static string SchedAttrText(ITraceeMemory m, ulong address, bool failed)
    {
        const int FirstVersionSize = 48;
        SchedAttr a = default;
        var bytes = MemoryMarshal.AsBytes(new Span<SchedAttr>(ref a));
        if (failed || !TraceeReader.TryRead(m, address, bytes[..FirstVersionSize]))
        {
            return StraceText.Pointer(address);
        }

        var sb = StraceText.Builder();
        sb.Append("{size=").Append(StraceText.UDec(a.size))
          .Append(", sched_policy=").Append(ProcessTables.SchedPolicies.Format(a.sched_policy))
          .Append(", sched_flags=").Append(ProcessTables.SchedAttrFlags.Format(a.sched_flags))
          .Append(", sched_nice=").Append(StraceText.Dec(a.sched_nice))
          .Append(", sched_priority=").Append(StraceText.UDec(a.sched_priority))
          .Append(", sched_runtime=").Append(StraceText.UDec(a.sched_runtime))
          .Append(", sched_deadline=").Append(StraceText.UDec(a.sched_deadline))
          .Append(", sched_period=").Append(StraceText.UDec(a.sched_period));
        if (a.size >= bytes.Length && TraceeReader.TryRead(m, address + FirstVersionSize, bytes[FirstVersionSize..]))
        {
            sb.Append(", sched_util_min=").Append(StraceText.UDec(a.sched_util_min))
              .Append(", sched_util_max=").Append(StraceText.UDec(a.sched_util_max));
        }

        return StraceText.Finish(sb.Append('}'));
    }

    /// <summary>kcmp's last two arguments are descriptors for KCMP_FILE, unused for the other known types, raw otherwise.</summary>
    private static void KcmpEntry(SyscallDecodeState s, ITraceeMemory m, DecodeOptions o)
    {
        s.SetInt(0);
        s.SetInt(1);
        long type = (int)s.Args[2];
        s.SetEnum(2, ProcessTables.KcmpTypes);
        if (type == 0)
        {
            s.SetInt(3);
            s.SetInt(4);
            s.ArgumentCount = 5;
        }
        else if (ProcessTables.KcmpTypes.Lookup(type) is not null && type != 7)
        {
            s.ArgumentCount = 3;
        }
        else
        {
            s.SetHex(3);
            s.SetHex(4);
            s.ArgumentCount = 5;
        }
    }

    private static void PrctlEntry(SyscallDecodeState s, ITraceeMemory m, DecodeOptions o)
    {
        int option = (int)s.Args[0];
        s.SetEnum(0, ProcessTables.PrctlOptions);
        switch (option)
        {
            case PR_SET_NAME:
                s.SetString(1, m, TaskCommOptions);
                s.ArgumentCount = 2;
                break;
            case PR_GET_NAME or PR_GET_PDEATHSIG:
                s.ArgumentCount = 2;
                break;
            case PR_SET_PDEATHSIG:
                s.SetSignal(1);
                s.ArgumentCount = 2;
                break;
            case 3 or 7 or 21 or 27 or 30 or 37 or 42 or 46: // PR_GET_* that take no argument
                s.ArgumentCount = 1;
                break;
            case 23 or 24: // PR_CAPBSET_READ, PR_CAPBSET_DROP
                s.SetEnum(1, StatfsTables.Capabilities);
                s.ArgumentCount = 2;
                break;
            case 8 or 36 or 29:
                s.SetULong(1);
                s.ArgumentCount = 2;
                break;
            case 38: // PR_SET_NO_NEW_PRIVS: strace prints the flag in decimal, the unused rest in hex
                s.SetULong(1); s.SetHex(2); s.SetHex(3); s.SetHex(4);
                s.ArgumentCount = 5;
                break;
            case 4: // PR_SET_DUMPABLE
                s.SetEnum(1, ProcessTables.DumpableValues, is32: false);
                s.ArgumentCount = 2;
                break;
            default:
                for (int i = 1; i < 5; i++)
                {
                    s.SetHex(i);
                }

                s.ArgumentCount = 5;
                break;
        }
    }

    private static string? PrctlExit(SyscallDecodeState s, long ret, ITraceeMemory m, DecodeOptions o, bool failed)
    {
        int option = (int)s.Args[0];
        if (option == PR_GET_DUMPABLE && !failed && ProcessTables.DumpableValues.Lookup(ret) is { } dumpable)
        {
            return StraceText.Dec(ret) + " (" + dumpable + ")";
        }

        if (option == PR_GET_NAME)
        {
            if (failed)
            {
                s.SetPointer(1);
            }
            else
            {
                s.SetString(1, m, TaskCommOptions);
            }
        }
        else if (option == PR_GET_PDEATHSIG)
        {
            s.SetStruct<int>(1, m, static sig => "[" + SignalDecoders.Name(sig) + "]", failed);
        }

        return null;
    }
}
