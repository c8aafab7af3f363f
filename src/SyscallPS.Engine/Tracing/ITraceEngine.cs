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

    /// <summary>
    /// Asks the engine to end: attached processes are released and run on. A launched program is sent
    /// <see cref="TraceStop.SignalFor"/> the reason and traced while it ends (its last calls and its death are
    /// reported), then killed if it outlives <see cref="TraceRequest.StopGracePeriod"/>. Only the first call counts.
    /// </summary>
    void Stop(TraceStopReason reason);
}

/// <summary>Why a trace is asked to end; it decides the signal a launched program gets.</summary>
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]
public enum TraceStopReason
{
    /// <summary>Stop-SyscallTrace, -Duration, the end of the pipeline, PowerShell exiting: a launched program gets SIGTERM.</summary>
    Requested,

    /// <summary>Ctrl+C: a launched program gets SIGINT, as under strace.</summary>
    Interrupted,
}

/// <summary>The stop rules both engines share.</summary>
public static class TraceStop
{
    /// <summary>The signal a launched program gets when its trace is stopped for <paramref name="reason"/>.</summary>
    public static int SignalFor(TraceStopReason reason) => reason == TraceStopReason.Interrupted ? Native.Signals.SIGINT : Native.Signals.SIGTERM;

    /// <summary>How long a launched program that was sent SIGKILL may take to be reported dead before the engine gives up waiting.</summary>
    internal static readonly TimeSpan KillWait = TimeSpan.FromSeconds(5);
}

/// <summary>One tracing back end (ptrace, eBPF). All engines produce <see cref="SyscallEvent"/> objects.</summary>
public interface ITraceEngine
{
    /// <summary>Which engine this is.</summary>
    EngineKind Kind { get; }

    /// <summary>Null when the engine can serve the request on this machine, else why not.</summary>
    string? WhyUnavailable(TraceRequest request);

    /// <summary>
    /// Starts tracing a request that <see cref="TraceRequestValidator"/> has accepted for this engine; returns once
    /// the tracees are under trace. Throws <see cref="TraceException"/> when starting fails, with nothing left running.
    /// </summary>
    ITraceRun Start(TraceRequest request, ITraceEventSink sink);
}
