namespace SyscallPS.Analysis;

/// <summary>
/// One completed system call as <see cref="SyscallStatistics"/> needs it: cheap to fill from an event, a
/// capture file or a log line without building a <see cref="SyscallEvent"/>.
/// </summary>
public readonly struct SyscallSample
{
    /// <summary>Creates a sample.</summary>
    /// <param name="syscall">The syscall name (<c>openat</c>).</param>
    /// <param name="category">The syscall's primary strace class.</param>
    /// <param name="processId">The thread group id.</param>
    /// <param name="threadId">The thread id.</param>
    /// <param name="processName">The process's command name.</param>
    /// <param name="durationNanoseconds">Wall time from entry to exit, in nanoseconds.</param>
    /// <param name="errno">The error name when the call failed, else null.</param>
    /// <param name="path">The call's path argument, else null.</param>
    /// <param name="fdName">What the call's descriptor refers to, else null.</param>
    public SyscallSample(string syscall, SyscallCategory category, int processId, int threadId, string processName, long durationNanoseconds, string? errno, string? path, string? fdName)
    {
        Syscall = syscall;
        Category = category;
        ProcessId = processId;
        ThreadId = threadId;
        ProcessName = processName;
        DurationNanoseconds = durationNanoseconds;
        Errno = errno;
        Path = path;
        FdName = fdName;
    }

    /// <summary>The syscall name.</summary>
    public string Syscall { get; }

    /// <summary>The syscall's primary strace class.</summary>
    public SyscallCategory Category { get; }

    /// <summary>The thread group id.</summary>
    public int ProcessId { get; }

    /// <summary>The thread id.</summary>
    public int ThreadId { get; }

    /// <summary>The process's command name.</summary>
    public string ProcessName { get; }

    /// <summary>Wall time from entry to exit, in nanoseconds.</summary>
    public long DurationNanoseconds { get; }

    /// <summary>The error name when the call failed, else null.</summary>
    public string? Errno { get; }

    /// <summary>The call's path argument, else null.</summary>
    public string? Path { get; }

    /// <summary>What the call's descriptor refers to, else null.</summary>
    public string? FdName { get; }

    /// <summary>The sample of an event (whether the event counts is <see cref="SyscallStatistics.Counts(SyscallEvent)"/>'s question).</summary>
    public static SyscallSample From(SyscallEvent e) =>
        new(e.Syscall, e.Category, e.ProcessId, e.ThreadId, e.ProcessName, e.Duration.Ticks * 100, e.Errno, e.Path, e.FdName);
}
