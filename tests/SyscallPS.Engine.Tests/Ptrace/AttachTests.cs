using System.Diagnostics;
using SyscallPS.Tracing;
using Xunit;

namespace SyscallPS.Tests.Ptrace;

public class AttachTests
{
    private static List<SyscallEvent> TraceFor(TraceRequest request, TimeSpan duration)
    {
        var session = TraceSession.Start(request, 0, duration);
        var events = new List<SyscallEvent>();
        events.AddRange(session.ReadEvents(CancellationToken.None));

        session.Completion.GetAwaiter().GetResult();
        Assert.Equal(TraceSessionState.Stopped, session.State);
        TraceSession.Forget(session);
        return events;
    }

    private static void AssertReleased(Fixtures.Detached p, char expectedState)
    {
        // Detached means: no tracer, and the scheduler state the process would have had anyway.
        var deadline = Stopwatch.StartNew();
        (char State, string? TracerPid) s;
        do
        {
            s = TraceHelper.ProcState(p.Id);
            if (s.State == expectedState && s.TracerPid == "0")
            {
                break;
            }

            Thread.Sleep(20);
        }
        while (deadline.Elapsed < TimeSpan.FromSeconds(3));
        Assert.Equal("0", s.TracerPid);
        Assert.Equal(expectedState, s.State);
        foreach (var tid in Directory.GetDirectories($"/proc/{p.Id}/task").Select(Path.GetFileName))
        {
            Assert.Equal("0", File.ReadAllLines($"/proc/{p.Id}/task/{tid}/status").First(l => l.StartsWith("TracerPid:", StringComparison.Ordinal))[10..].Trim());
        }
    }

    [SkippableFact]
    public void AttachToABusyMultithreadedProcessAndDetach()
    {
        using var p = Fixtures.Start("spinner", "busy", "3");
        try
        {
            var events = TraceFor(new TraceRequest { ProcessIds = [p.Id], Engine = EngineKind.Ptrace }, TimeSpan.FromMilliseconds(400));
            var threads = events.Where(e => e.Syscall == "getppid").Select(e => e.ThreadId).Distinct().Count();
            Assert.Equal(3, threads);
            Assert.All(events, e => Assert.Equal(p.Id, e.ProcessId));
            AssertReleased(p, 'R');
            Assert.False(p.HasExited);
        }
        finally
        {
            p.Kill();
        }
    }

    [SkippableFact]
    public void AttachToASleepingProcessAndDetach()
    {
        using var p = Fixtures.Start("spinner", "sleep", "1");
        try
        {
            var events = TraceFor(new TraceRequest { ProcessIds = [p.Id], Engine = EngineKind.Ptrace }, TimeSpan.FromMilliseconds(300));
            Assert.Contains(events, e => e.Syscall is "nanosleep" or "clock_nanosleep" or "restart_syscall");
            AssertReleased(p, 'S');
        }
        finally
        {
            p.Kill();
        }
    }

    [SkippableFact]
    public void AttachToAStoppedProcessLeavesItStopped()
    {
        using var p = Fixtures.Start("spinner", "sleep", "1");
        try
        {
            Assert.Equal(0, Tmds.Linux.LibC.kill(p.Id, 19 /* SIGSTOP */));
            Thread.Sleep(50);
            Assert.Equal('T', TraceHelper.ProcState(p.Id).State);
            var events = TraceFor(new TraceRequest { ProcessIds = [p.Id], Engine = EngineKind.Ptrace }, TimeSpan.FromMilliseconds(200));
            Assert.DoesNotContain(events, e => e.Kind == SyscallEventKind.Syscall);

            // As strace -p shows a process it finds stopped: "--- stopped by SIGSTOP ---".
            Assert.Equal("--- stopped by SIGSTOP ---", Assert.Single(events, e => e.Kind == SyscallEventKind.Stopped).ToStraceLine());
            AssertReleased(p, 'T');

            // And it still resumes normally.
            Assert.Equal(0, Tmds.Linux.LibC.kill(p.Id, 18 /* SIGCONT */));
            var deadline = Stopwatch.StartNew();
            char state;
            while ((state = TraceHelper.ProcState(p.Id).State) is 'T' or 't' && deadline.Elapsed < TimeSpan.FromSeconds(3))
            {
                Thread.Sleep(20);
            }

            // Running or sleeping between its naps, but no longer stopped.
            Assert.Contains(state, new[] { 'S', 'R' });
        }
        finally
        {
            p.Kill();
        }
    }

    [Fact]
    public void MissingProcessIsNotFound()
    {
        var ex = Assert.Throws<TraceException>(() => TraceSession.Start(new TraceRequest { ProcessIds = [int.MaxValue - 1], Engine = EngineKind.Ptrace }, 0, null));
        Assert.Equal("ProcessNotFound", ex.ErrorId);
        Assert.Equal(TraceErrorKind.NotFound, ex.Kind);
    }

    [Fact]
    public void MissingProgramIsNotFound()
    {
        var ex = Assert.Throws<TraceException>(() => TraceSession.Start(TraceHelper.Launch("no-such-program-syscallps"), 0, null));
        Assert.Equal("ProgramNotFound", ex.ErrorId);
        Assert.Equal(TraceErrorKind.NotFound, ex.Kind);
    }

    [Fact]
    public void TracingOneselfIsRefused()
    {
        var ex = Assert.Throws<TraceException>(() => TraceSession.Start(new TraceRequest { ProcessIds = [Environment.ProcessId], Engine = EngineKind.Ptrace }, 0, null));
        Assert.Equal("CannotTraceSelf", ex.ErrorId);
    }

    [SkippableFact]
    public void ChildOfThisProcessIsRefused()
    {
        using var p = Process.Start(new ProcessStartInfo(Fixtures.Path("spinner"), ["sleep", "1"]))!;
        try
        {
            var ex = Assert.Throws<TraceException>(() => TraceSession.Start(new TraceRequest { ProcessIds = [p.Id], Engine = EngineKind.Ptrace }, 0, null));
            Assert.Equal("ProcessIsChildOfThisSession", ex.ErrorId);
            Assert.Equal("0", TraceHelper.ProcState(p.Id).TracerPid);
        }
        finally
        {
            p.Kill();
        }
    }

    [SkippableFact]
    public void AnAlreadyTracedProcessIsPermissionDenied()
    {
        using var p = Fixtures.Start("spinner", "sleep", "1");
        var first = TraceSession.Start(new TraceRequest { ProcessIds = [p.Id], Engine = EngineKind.Ptrace }, 1000, null);
        try
        {
            var ex = Assert.Throws<TraceException>(() => TraceSession.Start(new TraceRequest { ProcessIds = [p.Id], Engine = EngineKind.Ptrace }, 0, null));
            Assert.Equal("ProcessAlreadyTraced", ex.ErrorId);
            Assert.Equal(TraceErrorKind.PermissionDenied, ex.Kind);
        }
        finally
        {
            first.Stop();
            first.Completion.Wait(TimeSpan.FromSeconds(5));
            TraceSession.Forget(first);
            AssertReleased(p, 'S');
            p.Kill();
        }
    }
}
