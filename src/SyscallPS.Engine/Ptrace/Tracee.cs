using SyscallPS.Decoding;

namespace SyscallPS.Ptrace;

/// <summary>What the tracer knows about one traced thread.</summary>
internal sealed class Tracee
{
    internal Tracee(int tid, int tgid)
    {
        Tid = tid;
        Tgid = tgid;
        Memory = new PtraceMemory(tid);
    }

    /// <summary>The kernel thread id.</summary>
    internal int Tid { get; set; }

    /// <summary>The thread group (process) id.</summary>
    internal int Tgid { get; set; }

    /// <summary>The syscall in flight: reused from one syscall to the next.</summary>
    internal SyscallDecodeState Call { get; } = new();

    /// <summary>Reads this thread's memory.</summary>
    internal PtraceMemory Memory { get; }

    /// <summary>True between a syscall's entry stop and its exit stop.</summary>
    internal bool InSyscall { get; set; }

    /// <summary>True when the syscall in flight passes the filters and will be reported.</summary>
    internal bool ReportCall { get; set; }

    /// <summary>True while the launcher runs before the program's own execve (nothing reported).</summary>
    internal bool Prelude { get; set; }

    /// <summary>True while the thread sits in a group-stop restarted with PTRACE_LISTEN.</summary>
    internal bool Listening { get; set; }

    /// <summary>Fault injection's counts and pending actions for this thread; null until it makes a call some fault names.</summary>
    internal FaultState? Faults { get; set; }

    /// <summary>True when the register fallback is in use and the next syscall stop is an exit.</summary>
    internal bool FallbackExpectExit { get; set; }
}
