using System.Diagnostics;
using SyscallPS.Ptrace;
using SyscallPS.Tests.Ebpf;
using SyscallPS.Tracing;
using Xunit;

namespace SyscallPS.Tests.Ptrace;

/// <summary>The ptrace engine's fault injection mechanics on real processes (the strace comparisons are in FaultInjection.Tests.ps1).</summary>
public sealed class FaultInjectorTests
{
    private static (List<SyscallEvent> Events, TraceSession Session) Run(TraceRequest request, bool registerFallback)
    {
        var session = TraceSession.Start(request, 0, TimeSpan.FromSeconds(30), _ => (new PtraceEngine { ForceRegisterFallback = registerFallback }, "test"));
        var events = session.ReadEvents(CancellationToken.None).ToList();
        session.Completion.GetAwaiter().GetResult();
        TraceSession.Forget(session);
        return (events, session);
    }

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReplacesCallsWithSetSyscallInfoAndWithRegisterWrites(bool registerFallback)
    {
        using var work = new TempDirectory("syscallps-fault-");
        var log = Path.Combine(work.Path, "report.txt");
        var request = new TraceRequest
        {
            FilePath = Fixtures.Path("faultprobe"),
            ArgumentList = [log, "uid:3", "open:/etc/hostname", "open:/etc/hostname"],
            Engine = EngineKind.Ptrace,
            Faults = [FaultSpec.Parse("getuid:retval=42:when=2"), FaultSpec.Parse("openat:error=ENOENT:when=1")],
        };

        var (events, session) = Run(request, registerFallback);
        Assert.Equal(
            ["getuid 1: 0", "getuid 2: 42", "getuid 3: 0", "open /etc/hostname: ENOENT", "open /etc/hostname: ok", "failures: 1"],
            File.ReadAllLines(log));
        Assert.Equal(1, session.ExitCode);
        var injected = events.Where(e => e.Injected).Select(e => e.ToStraceLine()).ToList();
        Assert.Equal(["getuid() = 42 (INJECTED)", "openat(AT_FDCWD, \"/etc/hostname\", O_RDONLY) = -1 ENOENT (No such file or directory) (INJECTED)"], injected);
    }

    [SkippableFact]
    public void ADelayHoldsOnlyTheDelayedProcess()
    {
        using var work = new TempDirectory("syscallps-fault-");
        var probe = Fixtures.Path("faultprobe");
        var a = Path.Combine(work.Path, "a.txt");
        var b = Path.Combine(work.Path, "b.txt");
        var request = new TraceRequest
        {
            FilePath = "/bin/sh",
            ArgumentList = ["-c", $"'{probe}' '{a}' open:/etc/hostname & '{probe}' '{b}' sleep:100 open:/etc/passwd; wait"],
            Engine = EngineKind.Ptrace,
            Faults = [FaultSpec.Create("openat", delayEnter: TimeSpan.FromMilliseconds(800), path: "/etc/hostname")],
        };

        var (events, _) = Run(request, registerFallback: false);
        var held = Assert.Single(events, e => e.Delayed);
        Assert.Equal("/etc/hostname", held.Path);
        Assert.True(held.Duration >= TimeSpan.FromMilliseconds(799), $"the held call took {held.Duration}");

        // B opened its file and ended while A was still held: the tracer went on serving it.
        var bOpen = Assert.Single(events, e => e.Syscall == "openat" && e.Path == "/etc/passwd");
        var bExit = Assert.Single(events, e => e.Kind == SyscallEventKind.Exited && e.ProcessId == bOpen.ProcessId);
        Assert.True(bExit.Timestamp < held.Timestamp + TimeSpan.FromMilliseconds(600),
            $"B ended {(bExit.Timestamp - held.Timestamp).TotalMilliseconds:F0} ms after A's held call began");
        Assert.Equal("open /etc/hostname: ok", File.ReadAllLines(a)[0]);
    }

    [SkippableFact]
    public void StoppingDuringADelayReleasesEverything()
    {
        using var work = new TempDirectory("syscallps-fault-");
        var request = new TraceRequest
        {
            FilePath = Fixtures.Path("faultprobe"),
            ArgumentList = [Path.Combine(work.Path, "r.txt"), "uid:1", "sleep:5000"],
            Engine = EngineKind.Ptrace,
            Faults = [FaultSpec.Parse("getuid:delay_enter=20s")],
        };

        var session = TraceSession.Start(request, 1000, null, _ => (new PtraceEngine(), "test"));
        Thread.Sleep(300);
        int pid = session.ProcessIds[0];
        Assert.Equal('t', TraceHelper.ProcState(pid).State);   // held in its ptrace-stop
        var watch = Stopwatch.StartNew();
        session.Stop();
        Assert.True(session.Completion.Wait(TimeSpan.FromSeconds(10)), "the session did not end");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"stopping took {watch.Elapsed}");
        TraceSession.Forget(session);
        Assert.Equal(128 + 15, session.ExitCode);   // the launched program got SIGTERM, as after any stop
    }
}
