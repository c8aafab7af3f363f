using System.Buffers.Binary;
using System.Text;
using SyscallPS.Decoding.Tables;

namespace SyscallPS.Decoding;

/// <summary>Decoders for readiness waits: select, pselect6, poll, ppoll and the epoll family.</summary>
internal static class PollDecoders
{
    public static void Register(DecoderRegistry r)
    {
        r.Add("poll", (s, m, o) => { s.SetText(0, PollfdsText(m, o, s.Args[0], s.Args[1], revents: false)); s.SetUInt(1); s.SetInt(2); }, PollExit);
        r.Add("ppoll", (s, m, o) =>
        {
            s.SetText(0, PollfdsText(m, o, s.Args[0], s.Args[1], revents: false)); s.SetUInt(1);
            s.SetText(2, TimeDecoders.TimespecAt(m, s.Args[2])); s.SetText(3, SigmaskText(m, s.Args[3], s.Args[4])); s.SetULong(4);
        }, PollExit);
        r.Add("select", (s, m, o) =>
        {
            SelectEntry(s, m);
            s.SetText(4, TimeDecoders.TimevalAt(m, s.Args[4]));
        }, SelectExit);
        r.Add("pselect6", (s, m, o) =>
        {
            SelectEntry(s, m);
            s.SetText(4, TimeDecoders.TimespecAt(m, s.Args[4]));
            s.SetText(5, Pselect6MaskText(m, s.Args[5]));
        }, SelectExit);
        r.Add("epoll_create", (s, m, o) => s.SetInt(0));
        r.Add("epoll_create1", (s, m, o) => s.SetFlags(0, PollTables.EpollCreateFlags));
        r.Add("epoll_ctl", (s, m, o) =>
        {
            s.SetFd(0); s.SetEnum(1, PollTables.EpollOps); s.SetInt(2);
            // EPOLL_CTL_DEL ignores the event: strace prints its address.
            s.SetText(3, s.Args[1] == 2 ? StraceText.Pointer(s.Args[3]) : EpollEventAt(m, s.Args[3]));
        });
        r.Add("epoll_wait", (s, m, o) => { s.SetFd(0); s.SetInt(2); s.SetInt(3); }, EpollWaitExit);
        r.Add("epoll_pwait", (s, m, o) =>
        {
            s.SetFd(0); s.SetInt(2); s.SetInt(3); s.SetText(4, SigmaskText(m, s.Args[4], s.Args[5])); s.SetULong(5);
        }, EpollWaitExit);
        r.Add("epoll_pwait2", (s, m, o) =>
        {
            s.SetFd(0); s.SetInt(2); s.SetText(3, TimeDecoders.TimespecAt(m, s.Args[3])); s.SetText(4, SigmaskText(m, s.Args[4], s.Args[5])); s.SetULong(5);
        }, EpollWaitExit);
    }

    private static string SigmaskText(ITraceeMemory m, ulong address, ulong size)
    {
        if (address == 0)
        {
            return "NULL";
        }

        Span<byte> set = stackalloc byte[8];
        return size == 8 && TraceeReader.TryRead(m, address, set) ? SignalDecoders.FormatSigset(set) : StraceText.Pointer(address);
    }

    private static string PollfdsText(ITraceeMemory m, DecodeOptions o, ulong address, ulong count, bool revents)
    {
        // The kernel refuses more than RLIMIT_NOFILE entries; a bound keeps a hostile count from spinning here.
        count = Math.Min(count, 1UL << 20);
        return revents
            ? ArrayText.Format(m, o, address, count, 8, AppendPollfdRevents, ArrayProbe.FirstElement, filter: HasRevents)
            : ArrayText.Format(m, o, address, count, 8, AppendPollfdEvents, ArrayProbe.FirstElement, ArrayUnreadable.EllipsisAndAddress);
    }

    private static ArrayElement HasRevents(ReadOnlySpan<byte> pfd) =>
        BinaryPrimitives.ReadInt16LittleEndian(pfd[6..]) == 0 ? ArrayElement.Skip : ArrayElement.Show;

    private static void AppendPollfdEvents(StringBuilder sb, ReadOnlySpan<byte> pfd, ulong index)
    {
        int fd = BinaryPrimitives.ReadInt32LittleEndian(pfd);
        sb.Append("{fd=").Append(StraceText.Dec(fd));
        if (fd >= 0)
        {
            // The kernel ignores the events of a negative fd, and strace leaves them out.
            sb.Append(", events=").Append(PollTables.PollEvents.Format((ushort)BinaryPrimitives.ReadInt16LittleEndian(pfd[4..])));
        }

        sb.Append('}');
    }

    private static void AppendPollfdRevents(StringBuilder sb, ReadOnlySpan<byte> pfd, ulong index) =>
        sb.Append("{fd=").Append(StraceText.Dec(BinaryPrimitives.ReadInt32LittleEndian(pfd)))
          .Append(", revents=").Append(PollTables.PollEvents.Format((ushort)BinaryPrimitives.ReadInt16LittleEndian(pfd[6..]))).Append('}');

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
        if (address == 0)
        {
            return "NULL";
        }

        if (n < 0 || n > 1024 * 1024)
        {
            return StraceText.Pointer(address);
        }

        int bytes = ((n + 63) / 64) * 8;
        var buf = bytes <= 1024 ? stackalloc byte[bytes] : new byte[bytes];
        if (bytes > 0 && !TraceeReader.TryRead(m, address, buf))
        {
            return StraceText.Pointer(address);
        }

        return StraceText.BitList(buf, n);
    }

    private static string Pselect6MaskText(ITraceeMemory m, ulong address)
    {
        if (address == 0)
        {
            return "NULL";
        }

        Span<ulong> data = stackalloc ulong[2];
        if (!TraceeReader.TryRead(m, address, System.Runtime.InteropServices.MemoryMarshal.AsBytes(data)))
        {
            return StraceText.Pointer(address);
        }

        return "{sigmask=" + SigmaskText(m, data[0], data[1]) + ", sigsetsize=" + StraceText.UDec(data[1]) + "}";
    }

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
        var sb = new StringBuilder();
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

        return sb.Append(')').ToString();
    }

    private static string EpollEventsText(ITraceeMemory m, DecodeOptions o, ulong address, long count) =>
        ArrayText.Format(
            m, o, address, count > 0 ? (ulong)count : 0, Abi.EpollEventSize, static (sb, ev, _) => sb.Append(EventText(ev)), ArrayProbe.FirstElementEvenWhenEmpty);

    private static string EpollEventAt(ITraceeMemory m, ulong address)
    {
        if (address == 0)
        {
            return "NULL";
        }

        Span<byte> ev = stackalloc byte[Abi.EpollEventSize];
        return TraceeReader.TryRead(m, address, ev) ? EventText(ev) : StraceText.Pointer(address);
    }

    private static string EventText(ReadOnlySpan<byte> ev)
    {
        uint events = BinaryPrimitives.ReadUInt32LittleEndian(ev);
        ulong data = BinaryPrimitives.ReadUInt64LittleEndian(ev[Abi.EpollDataOffset..]);
        return "{events=" + PollTables.EpollEvents.Format(events) + ", data={u32=" + StraceText.UDec((uint)data) + ", u64=" + StraceText.UDec(data) + "}}";
    }

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
