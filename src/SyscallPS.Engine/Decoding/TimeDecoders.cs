using SyscallPS.Decoding.Tables;

namespace SyscallPS.Decoding;

/// <summary>Decoders for clocks, sleeps and timers; timespec/timeval formatting shared by other families.</summary>
internal static class TimeDecoders
{
    public static void Register(DecoderRegistry r)
    {
        r.Add("nanosleep", (s, m, o) => s.SetText(0, TimespecAt(m, s.Args[0])), NanosleepExit);
        r.Add("clock_nanosleep", ClockNanosleepEntry, ClockNanosleepExit);
        r.Add("clock_gettime clock_getres", (s, m, o) => SetClock(s, 0), ArgFormat.OutStruct<Timespec>(1, Format));
        r.Add("clock_settime", (s, m, o) => { SetClock(s, 0); s.SetText(1, TimespecAt(m, s.Args[1])); });
        r.Add("gettimeofday", null, GettimeofdayExit);
        r.Add("settimeofday", (s, m, o) => { s.SetText(0, TimevalAt(m, s.Args[0])); s.SetStruct<Timezone>(1, m, Format); });
        r.Add("time", null, ArgFormat.OutStruct<long>(0, ArgFormat.Bracketed));
        r.Add("timerfd_create", (s, m, o) => { SetClock(s, 0); s.SetFlags(1, ProcessTables.TimerfdCreateFlags); });
        r.Add("timerfd_settime", TimerfdSettimeEntry, ArgFormat.OutStruct<Itimerspec>(3, Format));
        r.Add("timerfd_gettime", (s, m, o) => s.SetFd(0), ArgFormat.OutStruct<Itimerspec>(1, Format));
        r.Add("setitimer", SetitimerEntry, ArgFormat.OutStruct<Itimerval>(2, Format));
        r.Add("getitimer", (s, m, o) => s.SetEnum(0, ProcessTables.ItimerWhich), ArgFormat.OutStruct<Itimerval>(1, Format));
    }

    private static string? NanosleepExit(SyscallDecodeState s, long ret, ITraceeMemory m, DecodeOptions o, bool failed)
    {
        s.SetText(1, RemainingText(s, 1, m, ret));
        return null;
    }

    private static void ClockNanosleepEntry(SyscallDecodeState s, ITraceeMemory m, DecodeOptions o)
    {
        SetClock(s, 0);
        s.SetFlags(1, ProcessTables.TimerFlags);
        s.SetText(2, TimespecAt(m, s.Args[2]));
    }

    private static string? ClockNanosleepExit(SyscallDecodeState s, long ret, ITraceeMemory m, DecodeOptions o, bool failed)
    {
        s.SetText(3, RemainingText(s, 3, m, ret));
        return null;
    }

    private static string? GettimeofdayExit(SyscallDecodeState s, long ret, ITraceeMemory m, DecodeOptions o, bool failed)
    {
        s.SetStruct<Timeval>(0, m, Format, failed);
        s.SetStruct<Timezone>(1, m, Format, failed);
        return null;
    }

    private static void TimerfdSettimeEntry(SyscallDecodeState s, ITraceeMemory m, DecodeOptions o)
    {
        s.SetFd(0);
        s.SetFlags(1, ProcessTables.TimerfdSetFlags);
        s.SetStruct<Itimerspec>(2, m, Format);
    }

    private static void SetitimerEntry(SyscallDecodeState s, ITraceeMemory m, DecodeOptions o)
    {
        s.SetEnum(0, ProcessTables.ItimerWhich);
        s.SetStruct<Itimerval>(1, m, Format);
    }

    private static string RemainingText(SyscallDecodeState s, int i, ITraceeMemory m, long ret)
    {
        // The remaining time is only written when a signal interrupted the sleep (EINTR or a restart code).
        bool written = ret == -1 && (s.Errno == 4 || ErrnoTable.IsRestart(s.Errno));
        return TraceeReader.StructOrAddress<Timespec>(m, s.Args[i], Format, failed: !written);
    }

    private static void SetClock(SyscallDecodeState s, int i) => s.SetEnum(i, ProcessTables.ClockIds);

    /// <summary>A struct timespec: <c>{tv_sec=1, tv_nsec=500}</c>, NULL, or the address.</summary>
    public static string TimespecAt(ITraceeMemory m, ulong address) => TraceeReader.StructOrAddress<Timespec>(m, address, Format);

    /// <summary>Formats a timespec.</summary>
    public static string FormatTimespec(long sec, long nsec) => "{tv_sec=" + StraceText.Dec(sec) + ", tv_nsec=" + StraceText.Dec(nsec) + "}";

    /// <summary>A struct timespec: <c>{tv_sec=1, tv_nsec=500}</c>.</summary>
    public static string Format(Timespec t) => FormatTimespec(t.tv_sec, t.tv_nsec);

    /// <summary>A struct timeval: <c>{tv_sec=1, tv_usec=500}</c>, NULL, or the address.</summary>
    public static string TimevalAt(ITraceeMemory m, ulong address) => TraceeReader.StructOrAddress<Timeval>(m, address, Format);

    /// <summary>A struct timeval: <c>{tv_sec=1, tv_usec=500}</c>.</summary>
    public static string Format(Timeval t) => "{tv_sec=" + StraceText.Dec(t.tv_sec) + ", tv_usec=" + StraceText.Dec(t.tv_usec) + "}";

    private static string Format(Timezone tz) =>
        "{tz_minuteswest=" + StraceText.Dec(tz.tz_minuteswest) + ", tz_dsttime=" + StraceText.Dec(tz.tz_dsttime) + "}";

    private static string Format(Itimerspec t) => "{it_interval=" + Format(t.it_interval) + ", it_value=" + Format(t.it_value) + "}";

    private static string Format(Itimerval t) => "{it_interval=" + Format(t.it_interval) + ", it_value=" + Format(t.it_value) + "}";

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
