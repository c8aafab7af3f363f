using System.Diagnostics;
using System.Globalization;
using SyscallPS.Tracing;
using Xunit;

namespace SyscallPS.Tests.Ptrace;

public class FollowTests
{
    [SkippableFact]
    public void ForksAndThreadsAreFollowed()
    {
        var (events, session) = TraceHelper.Run(TraceHelper.Launch(Fixtures.Path("forker")));
        Assert.Equal(0, session.ExitCode);
        int leader = session.ProcessIds[0];
        var fork = events.Single(e => e.Kind == SyscallEventKind.Syscall && e.Syscall == "clone" && e.ProcessId == leader && e.ReturnValue > 0 && e.ChildProcessId is null || e.Syscall == "clone" && e.ProcessId == leader && e.ReturnValue > 0 && events.Any(c => c.ProcessId == e.ReturnValue && c.Syscall == "openat"));
        int child = (int)fork.ReturnValue;
        Assert.Contains(events, e => e.ProcessId == child && e.Syscall == "openat");
        Assert.Contains(events, e => e.ProcessId == child && e.Kind == SyscallEventKind.Exited && e.ExitCode == 3);

        // The thread: same process id, another thread id, making getppid.
        Assert.Contains(events, e => e.ProcessId == leader && e.ThreadId != leader && e.Syscall == "getppid");
    }

    [SkippableFact]
    public void NoFollowTracesOnlyTheProgram()
    {
        var request = new TraceRequest { FilePath = Fixtures.Path("forker"), Engine = EngineKind.Ptrace, FollowChildren = false };
        var (events, session) = TraceHelper.Run(request);
        Assert.Equal(0, session.ExitCode);
        Assert.All(events, e => Assert.Equal(session.ProcessIds[0], e.ThreadId));
        Assert.DoesNotContain(events, e => e.Syscall == "getppid");
    }

    [SkippableFact]
    public void ExecveFromANonLeaderThread()
    {
        var (events, session) = TraceHelper.Run(TraceHelper.Launch(Fixtures.Path("thread_exec")));
        Assert.Equal(0, session.ExitCode);
        var execs = events.Where(e => e.Syscall == "execve" && e.Kind == SyscallEventKind.Syscall).ToList();
        Assert.Equal(2, execs.Count);
        Assert.Equal(0, execs[1].ReturnValue);

        // After the exec, /bin/true runs under the leader's id.
        Assert.Contains(events, e => e.Syscall == "exit_group" && e.ThreadId == session.ProcessIds[0]);
    }

    [SkippableFact]
    public void VforkChildIsFollowed()
    {
        var (events, session) = TraceHelper.Run(TraceHelper.Launch(Fixtures.Path("vforker")));
        Assert.Equal(0, session.ExitCode);
        var vfork = events.Single(e => e.Syscall == "vfork" && e.ProcessId == session.ProcessIds[0]);
        Assert.Contains(events, e => e.ProcessId == (int)vfork.ReturnValue && e.Syscall == "execve" && e.Kind == SyscallEventKind.Syscall && e.ReturnValue == 0);
    }

    [SkippableFact]
    public void ChildrenThatDieBeforeTheirForkEventEndTheTrace()
    {
        // The fixture runs under sh, so it is not the tracer's own child: wait4 then reports a new child (the
        // newest tracee) before its parent's fork event, and a child killed at once is reported dead first.
        // Such a child used to become a tracee again at the fork event, and the trace waited for the limit.
        const int children = 100;
        var request = TraceHelper.Launch("/bin/sh", "-c", "\"$0\" \"$1\"; exit $?", Fixtures.Path("fork_killed_early"), children.ToString(CultureInfo.InvariantCulture));
        var elapsed = Stopwatch.StartNew();
        var (events, session) = TraceHelper.Run(request, TimeSpan.FromSeconds(20));
        elapsed.Stop();

        Assert.True(session.State == TraceSessionState.Completed, $"the trace should end when its processes end; it ended {session.State} after {elapsed.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(0, session.ExitCode);

        // Every child's death is reported, also those that came before the fork that made them.
        var killed = events.Where(e => e.Kind == SyscallEventKind.Killed && e.Signal == "SIGKILL").ToList();
        Assert.Equal(children, killed.Count);

        // Named as their parent, whose name a new process has until it executes something: also those whose
        // /proc entry was gone before any of their events needed the name.
        Assert.All(killed, e => Assert.Equal("fork_killed_ear", e.ProcessName));
    }

    [SkippableFact]
    public void LeaderExitingBeforeItsThreads()
    {
        var (events, session) = TraceHelper.Run(TraceHelper.Launch(Fixtures.Path("leader_exit")));
        Assert.Equal(5, session.ExitCode);
        Assert.Contains(events, e => e.Syscall == "write" && e.ThreadId != session.ProcessIds[0]);
    }

    [SkippableFact]
    public void SigkilledTraceeEndsTheTrace()
    {
        var (events, session) = TraceHelper.Run(TraceHelper.Launch(Fixtures.Path("selfkill")));
        Assert.Equal(128 + 9, session.ExitCode);
        Assert.Equal(SyscallEventKind.Killed, events[^1].Kind);
        Assert.Equal("SIGKILL", events[^1].Signal);
        Assert.DoesNotContain(events, e => e.Syscall == "write" && e.Arguments.ToString().Contains("never", StringComparison.Ordinal));
    }
}
