using SyscallPS.Tracing;
using Xunit;

namespace SyscallPS.Tests.Ptrace;

public class SignalTests
{
    [SkippableFact]
    public void SignalsAreReportedAndDelivered()
    {
        var (events, session) = TraceHelper.Run(TraceHelper.Launch(Fixtures.Path("signals")));

        // Exit code 4 means the handler ran: the signal was re-injected, not swallowed; and the
        // group-stop ended with the child's SIGCONT.
        Assert.Equal(4, session.ExitCode);
        Assert.Contains(events, e => e.Kind == SyscallEventKind.Signal && e.Signal == SyscallPS.Decoding.SyscallDecoder.SignalName(10));
        Assert.Contains(events, e => e.Kind == SyscallEventKind.Signal && e.Signal == SyscallPS.Decoding.SyscallDecoder.SignalName(19));
        Assert.Contains(events, e => e.Kind == SyscallEventKind.Signal && e.Signal == SyscallPS.Decoding.SyscallDecoder.SignalName(18));
    }
}
