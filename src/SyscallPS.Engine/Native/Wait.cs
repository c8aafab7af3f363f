namespace SyscallPS.Native;

/// <summary>wait4(2) and the status macros of &lt;sys/wait.h&gt;.</summary>
internal static class Wait
{
    internal const int WNOHANG = 1;
    internal const int WUNTRACED = 2;
    internal const int __WNOTHREAD = 0x20000000;
    internal const int __WALL = 0x40000000;

    /// <summary>wait4(pid, &amp;status, options, NULL); returns the pid, 0 (WNOHANG, nothing), or -1 with errno.</summary>
    internal static unsafe int Wait4(int pid, out int status, int options)
    {
        int s = 0;
        long r = NativeSyscalls.Call(NativeSyscalls.Wait4, pid, (long)&s, options, 0);
        status = s;
        return (int)r;
    }

    internal static bool IfExited(int status) => (status & 0x7f) == 0;

    internal static int ExitStatus(int status) => (status >> 8) & 0xff;

    internal static bool IfSignaled(int status) => ((status & 0x7f) + 1) >> 1 > 0 && (status & 0x7f) != 0x7f;

    internal static int TermSig(int status) => status & 0x7f;

    internal static bool IfStopped(int status) => (status & 0xff) == 0x7f;

    internal static int StopSig(int status) => (status >> 8) & 0xff;

    /// <summary>The PTRACE_EVENT_* number of an event-stop (status &gt;&gt; 16).</summary>
    internal static int PtraceEvent(int status) => (status >> 16) & 0xffff;
}
