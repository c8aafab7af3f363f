using SyscallPS.Tracing;

namespace SyscallPS.Tests;

/// <summary>Runs a trace to its end and collects every event (the engine tests' way to look at a trace).</summary>
internal static class TraceHelper
{
    internal static (List<SyscallEvent> Events, TraceSession Session) Run(TraceRequest request, TimeSpan? timeout = null)
    {
        var session = TraceSession.Start(request, 0, timeout ?? TimeSpan.FromSeconds(30));
        var events = new List<SyscallEvent>();
        events.AddRange(session.ReadEvents(CancellationToken.None));

        session.Completion.GetAwaiter().GetResult();
        TraceSession.Forget(session);
        return (events, session);
    }

    internal static TraceRequest Launch(string file, params string[] args) =>
        new() { FilePath = file, ArgumentList = args, Engine = EngineKind.Ptrace };

    /// <summary>The kernel's view of a process: its one-letter state and its tracer.</summary>
    internal static (char State, string? TracerPid) ProcState(int pid)
    {
        var status = File.ReadAllLines($"/proc/{pid}/status");
        var state = status.First(l => l.StartsWith("State:", StringComparison.Ordinal))[6..].Trim()[0];
        var tracer = status.First(l => l.StartsWith("TracerPid:", StringComparison.Ordinal))[10..].Trim();
        return (state, tracer);
    }
}
