using System.Text;
using SyscallPS.Decoding.Tables;

namespace SyscallPS.Decoding;

/// <summary>Decoders for readiness waits: select, pselect6, poll, ppoll and the epoll family.</summary>
internal static class PollDecoders
{
    public static void Register(DecoderRegistry r)
    {
        r.Add("poll", (s, m, o) => { s.SetText(0, PollfdsText(m, o, s.Args[0], s.Args[1], revents: false)); s.SetUInt(1); s.SetInt(2); }, PollExit);
        r.Add("ppoll", PpollEntry, PollExit);
        r.Add("select", (s, m, o) => { SelectEntry(s, m); s.SetText(4, TimeDecoders.TimevalAt(m, s.Args[4])); }, SelectExit);
        r.Add("pselect6", Pselect6Entry, SelectExit);
        r.Add("epoll_create", (s, m, o) => s.SetInt(0));
        r.Add("epoll_create1", (s, m, o) => s.SetFlags(0, PollTables.EpollCreateFlags));
        r.Add("epoll_ctl", EpollCtlEntry);
        r.Add("epoll_wait", (s, m, o) => { s.SetFd(0); s.SetInt(2); s.SetInt(3); }, EpollWaitExit);
        r.Add("epoll_pwait", EpollPwaitEntry, EpollWaitExit);
        r.Add("epoll_pwait2", EpollPwait2Entry, EpollWaitExit);
    }

    private static void PpollEntry(SyscallDecodeState s, ITraceeMemory m, DecodeOptions o)
    {
        s.SetText(0, PollfdsText(m, o, s.Args[0], s.Args[1], revents: false));
        s.SetUInt(1);
        s.SetText(2, TimeDecoders.TimespecAt(m, s.Args[2]));
        s.SetText(3, SigmaskText(m, s.Args[3], s.Args[4]));
        s.SetULong(4);
    }

    private static void Pselect6Entry(SyscallDecodeState s, ITraceeMemory m, DecodeOptions o)
    {
        SelectEntry(s, m);
        s.SetText(4, TimeDecoders.TimespecAt(m, s.Args[4]));
        s.SetText(5, TraceeReader.StructOrAddress<Pselect6Data>(m, s.Args[5], d => Format(m, d)));
    }

    private static void EpollCtlEntry(SyscallDecodeState s, ITraceeMemory m, DecodeOptions o)
    {
        s.SetFd(0);
        s.SetEnum(1, PollTables.EpollOps);
        s.SetInt(2);

        // EPOLL_CTL_DEL ignores the event: strace prints its address.
        s.SetText(3, s.Args[1] == 2 ? StraceText.Pointer(s.Args[3]) : EpollEventAt(m, s.Args[3]));
    }

    private static void EpollPwaitEntry(SyscallDecodeState s, ITraceeMemory m, DecodeOptions o)
    {
        s.SetFd(0);
        s.SetInt(2);
        s.SetInt(3);
        s.SetText(4, SigmaskText(m, s.Args[4], s.Args[5]));
        s.SetULong(5);
    }

    private static void EpollPwait2Entry(SyscallDecodeState s, ITraceeMemory m, DecodeOptions o)
    {
        s.SetFd(0);
        s.SetInt(2);
        s.SetText(3, TimeDecoders.TimespecAt(m, s.Args[3]));
        s.SetText(4, SigmaskText(m, s.Args[4], s.Args[5]));
        s.SetULong(5);
    }

    /// <summary>A sigset_t argument with its size: decoded only when the size is the kernel's (8 bytes).</summary>
    private static string SigmaskText(ITraceeMemory m, ulong address, ulong size) =>
        TraceeReader.StructOrAddress<ulong>(m, address, SignalDecoders.FormatSigset, failed: size != 8);

    private static string PollfdsText(ITraceeMemory m, DecodeOptions o, ulong address, ulong count, bool revents)
    {
        // The kernel refuses more than RLIMIT_NOFILE entries; a bound keeps a hostile count from spinning here.
        count = Math.Min(count, 1UL << 20);
        return revents
            ? ArrayText.Format(m, o, address, count, 8, AppendPollfdRevents, ArrayProbe.FirstElement, filter: HasRevents)
            : ArrayText.Format(m, o, address, count, 8, AppendPollfdEvents, ArrayProbe.FirstElement, ArrayUnreadable.EllipsisAndAddress);
    }

    private static ArrayElement HasRevents(ReadOnlySpan<byte> element) =>
        TraceeReader.As<Pollfd>(element).revents == 0 ? ArrayElement.Skip : ArrayElement.Show;

    private static void AppendPollfdEvents(StringBuilder sb, ReadOnlySpan<byte> element, ulong index)
    {
        var pfd = TraceeReader.As<Pollfd>(element);
        sb.Append("{fd=").Append(StraceText.Dec(pfd.fd));
        if (pfd.fd >= 0)
        {
            // The kernel ignores the events of a negative fd, and strace leaves them out.
            sb.Append(", events=").Append(PollTables.PollEvents.Format((ushort)pfd.events));
        }

        sb.Append('}');
    }

    private static void AppendPollfdRevents(StringBuilder sb, ReadOnlySpan<byte> element, ulong index)
    {
        var pfd = TraceeReader.As<Pollfd>(element);
        sb.Append("{fd=").Append(StraceText.Dec(pfd.fd)).Append(", revents=").Append(PollTables.PollEvents.Format((ushort)pfd.revents)).Append('}');
    }

    private static string? PollExit(SyscallDecodeState s, long ret, ITraceeMemory m, DecodeOptions o, bool failed)
    {
        if (failed)
        {
            return null;
        }

        bool hasTimeout = s.Info?.Name == "ppoll" && s.Args[2] != 0;
        if (ret == 0)
        {
            return "0 (Timeout)";
        }

        var text = StraceText.Dec(ret) + " (" + PollfdsText(m, o, s.Args[0], s.Args[1], revents: true);
        if (hasTimeout)
        {
            text += ", left " + TimeDecoders.TimespecAt(m, s.Args[2]);
        }

        return text + ")";
    }

    private static void SelectEntry(SyscallDecodeState s, ITraceeMemory m)
    {
        s.SetInt(0);
        int n = (int)s.Args[0];
        for (int i = 1; i <= 3; i++)
        {
            s.SetText(i, FdSetText(m, s.Args[i], n));
        }
    }

    private static string FdSetText(ITraceeMemory m, ulong address, int n)
    {
        if (n < 0 || n > 1024 * 1024)
        {
            return StraceText.Pointer(address);
        }

        if (n == 0)
        {
            return address == 0 ? "NULL" : "[]";
        }

        return TraceeReader.BytesOrAddress(m, address, ((n + 63) / 64) * 8, bits => StraceText.BitList(bits, n));
    }

    /// <summary>pselect6's sixth argument: <c>{sigmask=[…], sigsetsize=8}</c>.</summary>
    private static string Format(ITraceeMemory m, Pselect6Data d) =>
        "{sigmask=" + SigmaskText(m, d.ss, d.ss_len) + ", sigsetsize=" + StraceText.UDec(d.ss_len) + "}";

    private static string? SelectExit(SyscallDecodeState s, long ret, ITraceeMemory m, DecodeOptions o, bool failed)
    {
        if (failed)
        {
            return null;
        }

        bool pselect = s.Info?.Name == "pselect6";
        ulong tv = s.Args[4];
        if (ret == 0)
        {
            return "0 (Timeout)";
        }

        int n = (int)s.Args[0];
        var sb = StraceText.Builder();
        sb.Append(StraceText.Dec(ret)).Append(" (");
        string[] labels = ["in", "out", "except"];
        bool any = false;
        for (int i = 1; i <= 3; i++)
        {
            if (s.Args[i] == 0)
            {
                continue;
            }

            var set = FdSetText(m, s.Args[i], n);
            if (set == "[]")
            {
                continue;
            }

            if (any)
            {
                sb.Append(", ");
            }

            any = true;
            sb.Append(labels[i - 1]).Append(' ').Append(set);
        }

        if (tv != 0)
        {
            if (any)
            {
                sb.Append(", ");
            }

            sb.Append("left ").Append(pselect ? TimeDecoders.TimespecAt(m, tv) : TimeDecoders.TimevalAt(m, tv));
        }

        return StraceText.Finish(sb.Append(')'));
    }

    private static string EpollEventsText(ITraceeMemory m, DecodeOptions o, ulong address, long count) =>
        ArrayText.Format(
            m, o, address, count > 0 ? (ulong)count : 0, Abi.EpollEventSize, static (sb, ev, _) => sb.Append(EventText(ev)), ArrayProbe.FirstElementEvenWhenEmpty);

    private static string EpollEventAt(ITraceeMemory m, ulong address) => Abi.IsArm64
        ? TraceeReader.StructOrAddress<EpollEventArm64>(m, address, static e => Format(e.events, e.data))
        : TraceeReader.StructOrAddress<EpollEventX64>(m, address, static e => Format(e.events, e.data));

    private static string EventText(ReadOnlySpan<byte> element)
    {
        if (Abi.IsArm64)
        {
            var arm = TraceeReader.As<EpollEventArm64>(element);
            return Format(arm.events, arm.data);
        }

        var x64 = TraceeReader.As<EpollEventX64>(element);
        return Format(x64.events, x64.data);
    }

    private static string Format(uint events, ulong data) =>
        "{events=" + PollTables.EpollEvents.Format(events) + ", data={u32=" + StraceText.UDec((uint)data) + ", u64=" + StraceText.UDec(data) + "}}";

    private static string? EpollWaitExit(SyscallDecodeState s, long ret, ITraceeMemory m, DecodeOptions o, bool failed)
    {
        if (failed)
        {
            s.SetPointer(1);
        }
        else if (ret == 0)
        {
            s.SetText(1, "[]");
        }
        else
        {
            s.SetText(1, EpollEventsText(m, o, s.Args[1], ret));
        }

        return null;
    }
}
