using System.Buffers.Binary;
using SyscallPS.Decoding.Tables;

namespace SyscallPS.Decoding;

/// <summary>Decoders for clocks, sleeps and timers; timespec/timeval formatting shared by other families.</summary>
internal static class TimeDecoders
{
    public static void Register(DecoderRegistry r)
    {
        r.Add("nanosleep", (s, m, o) => s.SetText(0, TimespecAt(m, s.Args[0])), (s, ret, m, o, failed) =>
        {
            s.SetText(1, RemainingText(s, 1, m, ret));
            return null;
        });
        r.Add("clock_nanosleep", (s, m, o) =>
        {
            SetClock(s, 0); s.SetFlags(1, ProcessTables.TimerFlags); s.SetText(2, TimespecAt(m, s.Args[2]));
        }, (s, ret, m, o, failed) =>
        {
            s.SetText(3, RemainingText(s, 3, m, ret));
            return null;
        });
        r.Add("clock_gettime clock_getres", (s, m, o) => SetClock(s, 0), (s, ret, m, o, failed) =>
        {
            s.SetText(1, failed ? StraceText.Pointer(s.Args[1]) : TimespecAt(m, s.Args[1]));
            return null;
        });
        r.Add("clock_settime", (s, m, o) => { SetClock(s, 0); s.SetText(1, TimespecAt(m, s.Args[1])); });
        r.Add("gettimeofday", null, (s, ret, m, o, failed) =>
        {
            s.SetText(0, failed ? StraceText.Pointer(s.Args[0]) : TimevalAt(m, s.Args[0]));
            s.SetText(1, failed || s.Args[1] == 0 ? StraceText.Pointer(s.Args[1]) : TimezoneAt(m, s.Args[1]));
            return null;
        });
        r.Add("settimeofday", (s, m, o) => { s.SetText(0, TimevalAt(m, s.Args[0])); s.SetText(1, TimezoneAt(m, s.Args[1])); });
        r.Add("time", null, (s, ret, m, o, failed) =>
        {
            s.SetText(0, failed ? StraceText.Pointer(s.Args[0]) : ArgFormat.LongRef(m, s.Args[0]));
            return null;
        });
        r.Add("timerfd_create", (s, m, o) => { SetClock(s, 0); s.SetFlags(1, ProcessTables.TimerfdCreateFlags); });
        r.Add("timerfd_settime", (s, m, o) =>
        {
            s.SetFd(0); s.SetFlags(1, ProcessTables.TimerfdSetFlags); s.SetText(2, ItimerspecAt(m, s.Args[2]));
        }, (s, ret, m, o, failed) =>
        {
            s.SetText(3, failed || s.Args[3] == 0 ? StraceText.Pointer(s.Args[3]) : ItimerspecAt(m, s.Args[3]));
            return null;
        });
        r.Add("timerfd_gettime", (s, m, o) => s.SetFd(0), (s, ret, m, o, failed) =>
        {
            s.SetText(1, failed ? StraceText.Pointer(s.Args[1]) : ItimerspecAt(m, s.Args[1]));
            return null;
        });
        r.Add("setitimer", (s, m, o) => { s.SetEnum(0, ProcessTables.ItimerWhich); s.SetText(1, ItimervalAt(m, s.Args[1])); }, (s, ret, m, o, failed) =>
        {
            s.SetText(2, failed || s.Args[2] == 0 ? StraceText.Pointer(s.Args[2]) : ItimervalAt(m, s.Args[2]));
            return null;
        });
        r.Add("getitimer", (s, m, o) => s.SetEnum(0, ProcessTables.ItimerWhich), (s, ret, m, o, failed) =>
        {
            s.SetText(1, failed ? StraceText.Pointer(s.Args[1]) : ItimervalAt(m, s.Args[1]));
            return null;
        });
    }

    private static string RemainingText(SyscallDecodeState s, int i, ITraceeMemory m, long ret)
    {
        // The remaining time is only written when a signal interrupted the sleep (EINTR or a restart code).
        if (s.Args[i] == 0)
        {
            return "NULL";
        }

        return ret == -1 && (s.Errno == 4 || ErrnoTable.IsRestart(s.Errno)) ? TimespecAt(m, s.Args[i]) : StraceText.Pointer(s.Args[i]);
    }

    private static void SetClock(SyscallDecodeState s, int i) => s.SetEnum(i, ProcessTables.ClockIds);

    /// <summary>A struct timespec: <c>{tv_sec=1, tv_nsec=500}</c>, NULL, or the address.</summary>
    public static string TimespecAt(ITraceeMemory m, ulong address)
    {
        if (address == 0)
        {
            return "NULL";
        }

        Span<long> ts = stackalloc long[2];
        return TraceeReader.TryRead(m, address, System.Runtime.InteropServices.MemoryMarshal.AsBytes(ts))
            ? FormatTimespec(ts[0], ts[1])
            : StraceText.Pointer(address);
    }

    /// <summary>Formats a timespec.</summary>
    public static string FormatTimespec(long sec, long nsec) => "{tv_sec=" + StraceText.Dec(sec) + ", tv_nsec=" + StraceText.Dec(nsec) + "}";

    /// <summary>A struct timeval: <c>{tv_sec=1, tv_usec=500}</c>.</summary>
    public static string TimevalAt(ITraceeMemory m, ulong address)
    {
        if (address == 0)
        {
            return "NULL";
        }

        Span<long> tv = stackalloc long[2];
        return TraceeReader.TryRead(m, address, System.Runtime.InteropServices.MemoryMarshal.AsBytes(tv))
            ? "{tv_sec=" + StraceText.Dec(tv[0]) + ", tv_usec=" + StraceText.Dec(tv[1]) + "}"
            : StraceText.Pointer(address);
    }

    private static string TimezoneAt(ITraceeMemory m, ulong address)
    {
        if (address == 0)
        {
            return "NULL";
        }

        Span<byte> tz = stackalloc byte[8];
        return TraceeReader.TryRead(m, address, tz)
            ? "{tz_minuteswest=" + StraceText.Dec(BinaryPrimitives.ReadInt32LittleEndian(tz)) + ", tz_dsttime=" + StraceText.Dec(BinaryPrimitives.ReadInt32LittleEndian(tz[4..])) + "}"
            : StraceText.Pointer(address);
    }

    private static string ItimerspecAt(ITraceeMemory m, ulong address)
    {
        if (address == 0)
        {
            return "NULL";
        }

        Span<long> t = stackalloc long[4];
        return TraceeReader.TryRead(m, address, System.Runtime.InteropServices.MemoryMarshal.AsBytes(t))
            ? "{it_interval=" + FormatTimespec(t[0], t[1]) + ", it_value=" + FormatTimespec(t[2], t[3]) + "}"
            : StraceText.Pointer(address);
    }

    private static string ItimervalAt(ITraceeMemory m, ulong address)
    {
        if (address == 0)
        {
            return "NULL";
        }

        Span<long> t = stackalloc long[4];
        return TraceeReader.TryRead(m, address, System.Runtime.InteropServices.MemoryMarshal.AsBytes(t))
            ? "{it_interval={tv_sec=" + StraceText.Dec(t[0]) + ", tv_usec=" + StraceText.Dec(t[1]) + "}, it_value={tv_sec="
              + StraceText.Dec(t[2]) + ", tv_usec=" + StraceText.Dec(t[3]) + "}}"
            : StraceText.Pointer(address);
    }

    /// <summary>strace's comment after an absolute time: <c> /* 1970-01-01T00:00:01.000000002+0000 */</c>, in local time.</summary>
    public static string DateComment(long sec, long nsec)
    {
        if (sec < -62135596800 || sec > 253402300799 || nsec < 0 || nsec >= 1_000_000_000)
        {
            return string.Empty;
        }

        var local = DateTimeOffset.FromUnixTimeSeconds(sec).ToLocalTime();
        var offset = local.Offset;
        string sign = offset < TimeSpan.Zero ? "-" : "+";
        offset = offset.Duration();
        return " /* " + local.ToString("yyyy-MM-dd'T'HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) + "."
            + nsec.ToString("D9", System.Globalization.CultureInfo.InvariantCulture) + sign
            + offset.Hours.ToString("D2", System.Globalization.CultureInfo.InvariantCulture)
            + offset.Minutes.ToString("D2", System.Globalization.CultureInfo.InvariantCulture) + " */";
    }
}
