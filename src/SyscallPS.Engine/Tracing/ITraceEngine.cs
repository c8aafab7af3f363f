namespace SyscallPS.Tracing;

/// <summary>
/// Where an engine puts its events. Implementations block (back-pressure) when full. An engine calls
/// <see cref="Write"/> from one thread at a time (its tracer or ring consumer thread), in event order.
/// </summary>
public interface ITraceEventSink
{
    /// <summary>Adds an event; returns false when the consumer has gone and tracing should end.</summary>
    bool Write(SyscallEvent traceEvent);
}

/// <summary>A running trace of one engine.</summary>
public interface ITraceRun : IDisposable
{
    /// <summary>Completes when tracing has ended and every tracee is released (detached, or the BPF program unloaded).</summary>
    Task Completion { get; }

    /// <summary>The launched program's process id, or null when attaching.</summary>
    int? LaunchedProcessId { get; }

    /// <summary>The launched program's exit code once it has ended (128+signal when killed).</summary>
    int? ExitCode { get; }

    /// <summary>Events the engine had to drop (kernel ring buffer full).</summary>
    long LostEvents { get; }

    /// <summary>Asks the engine to end: detach attached processes; for launched ones, as strace does on Ctrl+C.</summary>
    void Stop();
}

/// <summary>One tracing back end (ptrace, eBPF). All engines produce <see cref="SyscallEvent"/> objects.</summary>
public interface ITraceEngine
{
    /// <summary>Which engine this is.</summary>
    EngineKind Kind { get; }

    /// <summary>Null when the engine can serve the request on this machine, else why not.</summary>
    string? WhyUnavailable(TraceRequest request);

    /// <summary>Starts tracing. Throws <see cref="TraceException"/> for bad input before anything runs; returns once the tracees are under trace.</summary>
    ITraceRun Start(TraceRequest request, ITraceEventSink sink);
}
