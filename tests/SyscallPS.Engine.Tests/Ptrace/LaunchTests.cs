using SyscallPS.Tracing;
using Xunit;

namespace SyscallPS.Tests.Ptrace;

public class LaunchTests
{
    [Fact]
    public void LaunchReportsFromTheProgramsOwnExecve()
    {
        var (events, session) = TraceHelper.Run(TraceHelper.Launch("true"));
        var calls = events.Where(e => e.Kind == SyscallEventKind.Syscall).ToList();
        Assert.Equal("execve", calls[0].Syscall);
        Assert.Equal("exit_group", calls[^1].Syscall);
        Assert.Equal("?", calls[^1].ReturnText);
        Assert.Equal(SyscallEventKind.Exited, events[^1].Kind);
        Assert.Equal(0, session.ExitCode);
        Assert.DoesNotContain(events, e => e.Syscall == "seccomp" || e.Syscall == "kill" || e.Syscall == "tgkill");
    }

    [Fact]
    public void ExitCodeIsKept()
    {
        var (_, session) = TraceHelper.Run(TraceHelper.Launch("sh", "-c", "exit 7"));
        Assert.Equal(7, session.ExitCode);
        Assert.Equal(TraceSessionState.Completed, session.State);
    }
}
