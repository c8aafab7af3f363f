using System.Diagnostics;
using SyscallPS.Tracing;
using Xunit;

namespace SyscallPS.Tests.Tracing;

/// <summary>How a trace of a launched program ends when it is stopped, for both engines.</summary>
[Collection("ebpf")]
public class StopTests
{
    private static readonly TimeSpan Grace = TimeSpan.FromMilliseconds(400);

    public static TheoryData<EngineKind, bool> Engines => new()
    {
        { EngineKind.Ptrace, true },
        { EngineKind.Ptrace, false },
        { EngineKind.Ebpf, true },
        { EngineKind.Ebpf, false },
    };

    private static void SkipUnavailable(EngineKind engine)
    {
        if (engine == EngineKind.Ebpf)
        {
            var why = Ebpf.EbpfTestSupport.SkipReason();
            Skip.If(why is not null, why);
        }
    }

    /// <summary>
    /// A program that ignores SIGTERM, stopped by -Duration: it gets SIGTERM, then SIGKILL once the grace period is
    /// over, and the trace reports both and its death. Under the seccomp filter of a filtered ptrace launch a
    /// detached program would spin on ENOSYS; none may outlive its trace.
    /// </summary>
    [SkippableTheory]
    [MemberData(nameof(Engines))]
    public void AProgramThatIgnoresSigtermIsKilledAfterTheGracePeriod(EngineKind engine, bool filtered)
    {
        SkipUnavailable(engine);
        var request = new TraceRequest
        {
            FilePath = Fixtures.Path("term_ignorer"),
            Engine = engine,
            SyscallNumbers = filtered ? new HashSet<int> { Number("openat") } : null,
            StopGracePeriod = Grace,
        };
        var clock = Stopwatch.StartNew();
        var (events, session) = TraceHelper.Run(request, TimeSpan.FromMilliseconds(500));
        int pid = session.ProcessIds[0];

        Assert.Equal(TraceSessionState.Stopped, session.State);
        Assert.Equal(128 + 9, session.ExitCode);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(500) + Grace, $"ended after {clock.Elapsed}, before the grace period was over");
        Assert.Contains(events, e => e.Kind == SyscallEventKind.Signal && e.Signal == "SIGTERM" && e.ProcessId == pid);
        var killed = Assert.Single(events, e => e.Kind == SyscallEventKind.Killed);
        Assert.Equal("SIGKILL", killed.Signal);
        Assert.Equal(pid, killed.ProcessId);
        Assert.Same(killed, events[^1]);
        Assert.False(Directory.Exists($"/proc/{pid}"), $"process {pid} is still there");
    }

    /// <summary>A program that ends on SIGTERM ends with it: no SIGKILL, exit code 143, its death reported last.</summary>
    [SkippableTheory]
    [MemberData(nameof(Engines))]
    public void AProgramEndsOnTheStopSignal(EngineKind engine, bool filtered)
    {
        SkipUnavailable(engine);
        var request = new TraceRequest
        {
            FilePath = "sleep",
            ArgumentList = ["30"],
            Engine = engine,
            SyscallNumbers = filtered ? new HashSet<int> { Number("clock_nanosleep") } : null,
        };
        var (events, session) = TraceHelper.Run(request, TimeSpan.FromMilliseconds(500));
        Assert.Equal(128 + 15, session.ExitCode);
        var killed = Assert.Single(events, e => e.Kind == SyscallEventKind.Killed);
        Assert.Equal("SIGTERM", killed.Signal);
        Assert.Same(killed, events[^1]);
    }

    private static int Number(string name) => SyscallTable.Current.TryGetByName(name, out var info) ? info.Number : throw new ArgumentException(name);
}
