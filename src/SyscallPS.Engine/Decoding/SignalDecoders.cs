using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using SyscallPS.Decoding.Tables;

namespace SyscallPS.Decoding;

/// <summary>Decoders for signals: sending, handlers, masks, alternate stacks; signal names, sigsets and siginfo.</summary>
internal static class SignalDecoders
{
    private const int SigRtMin = 32;
    private const int SigRtMax = 64;

    private static readonly string[] RtNames = BuildRtNames();

    private static string[] BuildRtNames()
    {
        var a = new string[SigRtMax + 1];
        for (int i = SigRtMin + 1; i <= SigRtMax; i++)
        {
            a[i] = "SIGRT_" + (i - SigRtMin).ToString(CultureInfo.InvariantCulture);
        }

        return a;
    }

    public static void Register(DecoderRegistry r)
    {
        r.Add("kill tkill", (s, m, o) => { s.SetInt(0); s.SetSignal(1, remember: true); });
        r.Add("tgkill", (s, m, o) => { s.SetInt(0); s.SetInt(1); s.SetSignal(2, remember: true); });
        r.Add("rt_sigqueueinfo", (s, m, o) => { s.SetInt(0); s.SetSignal(1, remember: true); s.SetText(2, SigInfoAt(m, s.Args[2])); });
        r.Add("rt_tgsigqueueinfo", (s, m, o) => { s.SetInt(0); s.SetInt(1); s.SetSignal(2, remember: true); s.SetText(3, SigInfoAt(m, s.Args[3])); });
        r.Add("rt_sigaction", RtSigactionEntry, ArgFormat.OutStruct<KernelSigaction>(2, Format));
        r.Add("rt_sigprocmask", RtSigprocmaskEntry, RtSigprocmaskExit);
        r.Add("rt_sigsuspend", (s, m, o) => { s.SetText(0, SigsetAt(m, s.Args[0], s.Args[1])); s.SetULong(1); });
        r.Add("rt_sigpending", (s, m, o) => s.SetULong(1), RtSigpendingExit);
        r.Add("rt_sigtimedwait", RtSigtimedwaitEntry, RtSigtimedwaitExit);
        r.Add("rt_sigreturn", RtSigreturnEntry, argCount: 1, parameters: "struct rt_sigframe * frame");
        r.Add("sigaltstack", (s, m, o) => s.SetStruct<StackT>(0, m, Format), ArgFormat.OutStruct<StackT>(1, Format));
        r.Add("signalfd4", Signalfd4Entry);
        r.Add("signalfd", (s, m, o) => { s.SetFd(0); s.SetText(1, SigsetAt(m, s.Args[1], s.Args[2])); s.SetULong(2); });
        r.Add("pause", null, argCount: 0);
        r.Add("alarm", (s, m, o) => s.SetUInt(0));
    }

    private static void RtSigactionEntry(SyscallDecodeState s, ITraceeMemory m, DecodeOptions o)
    {
        s.SetSignal(0);
        s.SetStruct<KernelSigaction>(1, m, Format);
        s.SetULong(3);
    }

    /// <summary>strace decodes rt_sigprocmask's sets only when sigsetsize is the kernel's (8 bytes); otherwise both are addresses.</summary>
    private static void RtSigprocmaskEntry(SyscallDecodeState s, ITraceeMemory m, DecodeOptions o)
    {
        s.SetEnum(0, SignalTables.SigprocmaskHow);
        s.SetStruct<ulong>(1, m, FormatSigset, failed: s.Args[3] != 8);
        s.SetULong(3);
    }

    private static string? RtSigprocmaskExit(SyscallDecodeState s, long ret, ITraceeMemory m, DecodeOptions o, bool failed)
    {
        s.SetStruct<ulong>(2, m, FormatSigset, failed || s.Args[3] != 8);
        return null;
    }

    private static string? RtSigpendingExit(SyscallDecodeState s, long ret, ITraceeMemory m, DecodeOptions o, bool failed)
    {
        s.SetText(0, SigsetAt(m, s.Args[0], s.Args[1], failed));
        return null;
    }

    private static void RtSigtimedwaitEntry(SyscallDecodeState s, ITraceeMemory m, DecodeOptions o)
    {
        s.SetText(0, SigsetAt(m, s.Args[0], s.Args[3]));
        s.SetText(2, TimeDecoders.TimespecAt(m, s.Args[2]));
        s.SetULong(3);
    }

    private static string? RtSigtimedwaitExit(SyscallDecodeState s, long ret, ITraceeMemory m, DecodeOptions o, bool failed)
    {
        s.SetText(1, SigInfoAt(m, s.Args[1], failed));
        return failed ? null : StraceText.Dec(ret) + " (" + Name((int)ret) + ")";
    }

    private static void Signalfd4Entry(SyscallDecodeState s, ITraceeMemory m, DecodeOptions o)
    {
        s.SetFd(0);
        s.SetText(1, SigsetAt(m, s.Args[1], s.Args[2]));
        s.SetULong(2);
        s.SetFlags(3, SignalTables.SignalfdFlags);
    }

    /// <summary>A signal's name as strace prints it.</summary>
    public static string Name(int signal)
    {
        if (signal > 0 && signal < SignalTables.Names.Length)
        {
            return SignalTables.Names[signal];
        }

        if (signal > SigRtMin && signal <= SigRtMax)
        {
            return RtNames[signal];
        }

        return StraceText.Dec(signal);
    }

    private static string ShortName(int signal)
    {
        if (signal > 0 && signal < SignalTables.Names.Length)
        {
            return SignalTables.Names[signal][3..];
        }

        if (signal > SigRtMin && signal <= SigRtMax)
        {
            return RtNames[signal][3..];
        }

        return StraceText.Dec(signal);
    }

    /// <summary>A 64-bit signal mask (the kernel's sigset_t), as <see cref="FormatSigset(ReadOnlySpan{byte})"/> prints it.</summary>
    public static string FormatSigset(ulong set) => FormatSigset(System.Runtime.InteropServices.MemoryMarshal.AsBytes(new ReadOnlySpan<ulong>(in set)));

    /// <summary>A signal mask: <c>[INT TERM]</c>, or <c>~[…]</c> listing the signals not in the set when two thirds or more are.</summary>
    public static string FormatSigset(ReadOnlySpan<byte> set)
    {
        var sigWords = MemoryMarshal.Cast<byte, uint>(set);
        int words = sigWords.Length;
        int bits = 0;
        foreach (uint word in sigWords)
        {
            bits += BitOperations.PopCount(word);
        }

        bool invert = words > 0 && bits >= words * 32 * 2 / 3;
        var sb = StraceText.Builder();
        if (invert)
        {
            sb.Append('~');
        }

        sb.Append('[');
        bool first = true;
        for (int i = 0; i < words; i++)
        {
            uint w = sigWords[i];
            if (invert)
            {
                w = ~w;
            }

            while (w != 0)
            {
                int bit = BitOperations.TrailingZeroCount(w);
                w &= w - 1;
                if (!first)
                {
                    sb.Append(' ');
                }

                first = false;
                sb.Append(ShortName((i * 32) + bit + 1));
            }
        }

        return StraceText.Finish(sb.Append(']'));
    }

    /// <summary>A sigset of <paramref name="size"/> bytes: strace prints the address unless the size is a whole number of words up to 128.</summary>
    private static string SigsetAt(ITraceeMemory m, ulong address, ulong size, bool failed = false) =>
        TraceeReader.BytesOrAddress(m, address, (int)Math.Min(size, 8), FormatSigset, failed || size == 0 || size > 128 || (size & 3) != 0);

    private static string Format(KernelSigaction act)
    {
        string mask = FormatSigset(act.sa_mask);
        string flagsText = SignalTables.SigactionFlags.Format(act.sa_flags);
        var sb = StraceText.Builder();
        sb.Append("{sa_handler=");
        switch (act.sa_handler)
        {
            case 0: sb.Append("SIG_DFL"); break;
            case 1: sb.Append("SIG_IGN"); break;
            case ulong.MaxValue: sb.Append("SIG_ERR"); break;
            default: sb.AppendPointer(act.sa_handler); break;
        }

        sb.Append(", sa_mask=").Append(mask).Append(", sa_flags=").Append(flagsText);
        if ((act.sa_flags & 0x04000000) != 0)
        {
            sb.Append(", sa_restorer=").AppendPointer(act.sa_restorer);
        }

        return StraceText.Finish(sb.Append('}'));
    }

    private static void RtSigreturnEntry(SyscallDecodeState s, ITraceeMemory m, DecodeOptions o)
    {
        if (s.StackPointer != 0 && TraceeReader.TryRead(m, s.StackPointer + (ulong)Abi.SigreturnMaskOffset, out ulong mask))
        {
            s.Set(0, s.StackPointer, "{mask=" + FormatSigset(mask) + "}");
        }
        else
        {
            s.ArgumentCount = 0;
        }
    }

    private static string Format(StackT st) =>
        "{ss_sp=" + StraceText.Pointer(st.ss_sp) + ", ss_flags=" + SignalTables.SigaltstackFlags.Format((uint)st.ss_flags) + ", ss_size=" + StraceText.UDec(st.ss_size) + "}";

    /// <summary>A siginfo_t (128 bytes) at an address, or the address.</summary>
    internal static string SigInfoAt(ITraceeMemory m, ulong address, bool failed = false) =>
        TraceeReader.BytesOrAddress(m, address, 128, FormatSigInfo, failed);

    /// <summary>A siginfo_t as strace prints it.</summary>
    public static string FormatSigInfo(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 48)
        {
            return "{}";
        }

        // A shorter copy (the eBPF record's) leaves the rest zero.
        Siginfo si = default;
        bytes[..Math.Min(bytes.Length, Unsafe.SizeOf<Siginfo>())].CopyTo(MemoryMarshal.AsBytes(new Span<Siginfo>(ref si)));
        int signo = si.si_signo, code = si.si_code;
        var sb = StraceText.Builder();
        sb.Append("{si_signo=").Append(Name(signo)).Append(", si_code=").Append(CodeName(signo, code));
        if (si.si_errno != 0)
        {
            sb.Append(", si_errno=").Append(ErrnoTable.NameOrNumber(si.si_errno));
        }

        if (code <= 0 || code == 0x80)
        {
            // Sent by a process (kill, tkill, sigqueue) or by the kernel.
            if (code == -2)
            {
                sb.Append(", si_timerid=").Append(StraceText.Dec(si.si_timerid)).Append(", si_overrun=").Append(StraceText.Dec(si.si_overrun));
                AppendValue(sb, si);
            }
            else if (code == 0x80)
            {
                if (signo is 11 or 7 or 4 or 8)
                {
                    sb.Append(", si_addr=").AppendPointer(si.si_addr);
                }
            }
            else
            {
                sb.Append(", si_pid=").Append(StraceText.Dec(si.si_pid)).Append(", si_uid=").Append(StraceText.UDec(si.si_uid));
                if (code == -1 || code == -3)
                {
                    AppendValue(sb, si);
                }
            }

            return StraceText.Finish(sb.Append('}'));
        }

        switch (signo)
        {
            case 17: // SIGCHLD
                sb.Append(", si_pid=").Append(StraceText.Dec(si.si_pid)).Append(", si_uid=").Append(StraceText.UDec(si.si_uid)).Append(", si_status=");
                sb.Append(code == 1 ? StraceText.Dec(si.si_status) : Name(si.si_status));
                sb.Append(", si_utime=").Append(StraceText.Dec(si.si_utime)).Append(", si_stime=").Append(StraceText.Dec(si.si_stime));
                break;
            case 4 or 7 or 8 or 11 or 5: // SIGILL, SIGBUS, SIGFPE, SIGSEGV, SIGTRAP
                sb.Append(", si_addr=").AppendPointer(si.si_addr);
                break;
            case 29: // SIGIO / SIGPOLL
                sb.Append(", si_band=").Append(StraceText.Dec(si.si_band)).Append(", si_fd=").Append(StraceText.Dec(si.si_fd));
                break;
            case 31: // SIGSYS
            {
                var name = SyscallTable.Current.ByNumber(si.si_syscall)?.Name;
                sb.Append(", si_call_addr=").AppendPointer(si.si_call_addr).Append(", si_syscall=")
                  .Append(name is null ? StraceText.Dec(si.si_syscall) : "__NR_" + name).Append(", si_arch=")
                  .Append(si.si_arch == 0xC000003E ? "AUDIT_ARCH_X86_64" : si.si_arch == 0xC00000B7 ? "AUDIT_ARCH_AARCH64" : StraceText.Hex(si.si_arch));
                break;
            }

            default:
                sb.Append(", si_pid=").Append(StraceText.Dec(si.si_pid)).Append(", si_uid=").Append(StraceText.UDec(si.si_uid));
                break;
        }

        return StraceText.Finish(sb.Append('}'));
    }

    private static void AppendValue(StringBuilder sb, in Siginfo si) =>
        sb.Append(", si_int=").Append(StraceText.Dec(si.si_int)).Append(", si_ptr=").AppendPointer(si.si_ptr);

    private static string CodeName(int signo, int code)
    {
        if (code <= 0 || code == 0x80)
        {
            return SignalTables.SiCodes.Lookup(code) ?? StraceText.Dec(code);
        }

        ValueTable? table = signo switch
        {
            17 => SignalTables.ChldCodes,
            11 => SignalTables.SegvCodes,
            7 => SignalTables.BusCodes,
            4 => SignalTables.IllCodes,
            8 => SignalTables.FpeCodes,
            5 => SignalTables.TrapCodes,
            29 => SignalTables.PollCodes,
            31 => SignalTables.SysCodes,
            _ => null,
        };
        return table?.Lookup(code) ?? StraceText.Dec(code);
    }
}
