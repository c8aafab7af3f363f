using Xunit;

namespace SyscallPS.Tests.Tracing;

/// <summary>The fields an event keeps in its side object read back exactly as set, and as empty when not set.</summary>
public class SyscallEventStorageTests
{
    [Fact]
    public void FieldsLeftOutReadAsEmpty()
    {
        var e = new SyscallEvent { Kind = SyscallEventKind.Syscall, Syscall = "read", Fd = 0 };
        Assert.Null(e.TargetPath);
        Assert.Null(e.ChildProcessId);
        Assert.Null(e.Signal);
        Assert.Null(e.SignalInfo);
        Assert.Null(e.ExitCode);
        Assert.Equal(0, e.LostCount);
        Assert.Null(e.LocalAddress);
        Assert.Null(e.LocalPort);
        Assert.Null(e.RemoteAddress);
        Assert.Null(e.RemotePort);
        Assert.Null(e.Data);
        Assert.Null(e.DataText);
        Assert.Equal(0, e.Fd);
    }

    [Fact]
    public void EveryRareFieldReadsBackWhatWasSet()
    {
        var e = new SyscallEvent
        {
            Kind = SyscallEventKind.Killed,
            TargetPath = "/tmp/b",
            ChildProcessId = 0,
            Signal = "SIGKILL",
            SignalInfo = "{si_signo=SIGKILL}",
            ExitCode = 137,
            LostCount = 5,
            LocalAddress = "127.0.0.1",
            LocalPort = 0,
            RemoteAddress = "10.0.0.1",
            RemotePort = 443,
        };
        Assert.Equal("/tmp/b", e.TargetPath);
        Assert.Equal(0, e.ChildProcessId);
        Assert.Equal("SIGKILL", e.Signal);
        Assert.Equal("{si_signo=SIGKILL}", e.SignalInfo);
        Assert.Equal(137, e.ExitCode);
        Assert.Equal(5, e.LostCount);
        Assert.Equal("127.0.0.1", e.LocalAddress);
        Assert.Equal(0, e.LocalPort);
        Assert.Equal("10.0.0.1", e.RemoteAddress);
        Assert.Equal(443, e.RemotePort);
        Assert.Equal("+++ killed by SIGKILL +++", e.ToStraceLine());
        Assert.Equal("+++ lost 5 events +++", new SyscallEvent { Kind = SyscallEventKind.Lost, LostCount = 5 }.ToStraceLine());
        Assert.Equal("--- stopped by SIGTTOU ---", new SyscallEvent { Kind = SyscallEventKind.Stopped, Signal = "SIGTTOU" }.ToStraceLine());
    }

    [Fact]
    public void ALaterEmptyValueReplacesAnEarlierOne()
    {
        // Once one rare field made the side object, an empty value set after it is stored there too.
        var e = new SyscallEvent { Signal = "SIGTERM", ExitCode = 1 };
        var copy = new SyscallEvent { Signal = e.Signal, ExitCode = e.ExitCode, LostCount = 3 };
        Assert.Equal("SIGTERM", copy.Signal);
        var cleared = new SyscallEvent { ExitCode = 2, Signal = null, LostCount = 0 };
        Assert.Null(cleared.Signal);
        Assert.Equal(2, cleared.ExitCode);
        Assert.Equal(0, cleared.LostCount);
    }

    [Fact]
    public void ArgumentsKeepTheirParameterNamesAndValues()
    {
        var arg = new SyscallArgument("fd", "unsigned int", 3, 3L, "3");
        Assert.Equal("fd", arg.Name);
        Assert.Equal("unsigned int", arg.CType);
        Assert.Equal(3UL, arg.Raw);
        Assert.Equal(3L, arg.Value);
        Assert.Equal("3", arg.ToString());
    }
}
