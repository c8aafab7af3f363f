using SyscallPS.Ptrace;
using SyscallPS.Tracing;
using Xunit;

namespace SyscallPS.Tests.Ptrace;

public class FilterTests
{
    private static HashSet<int> Numbers(params string[] names) =>
        names.Select(n => SyscallTable.Current.TryGetByName(n, out var i) ? i.Number : throw new ArgumentException(n)).ToHashSet();

    [SkippableFact]
    public void FilteredLaunchReportsOnlyTheSetAndRunsUnderSeccomp()
    {
        var request = new TraceRequest { FilePath = Fixtures.Path("spinner"), ArgumentList = ["busy", "1"], Engine = EngineKind.Ptrace, SyscallNumbers = Numbers("openat", "nanosleep") };
        var session = TraceSession.Start(request, 1000, null);
        try
        {
            Thread.Sleep(300);
            int pid = session.ProcessIds[0];
            var status = File.ReadAllLines($"/proc/{pid}/status");

            // Mode 2 = filter: the kernel, not the tracer, decides which syscalls stop the program.
            Assert.Contains("Seccomp:\t2", status);
        }
        finally
        {
            session.Stop();
            session.Completion.Wait(TimeSpan.FromSeconds(5));
        }

        var events = new List<SyscallEvent>();
        long next = 0;
        session.ReadSpool(ref next, events);
        TraceSession.Forget(session);
        Assert.Contains(events, e => e.Syscall == "openat");
        Assert.All(events.Where(e => e.Kind == SyscallEventKind.Syscall), e => Assert.Contains(e.Syscall, new[] { "openat", "nanosleep" }));
        Assert.Equal(128 + 15, session.ExitCode);
    }

    [SkippableFact]
    public void FilteredLaunchStillFollowsChildren()
    {
        var request = new TraceRequest { FilePath = Fixtures.Path("forker"), Engine = EngineKind.Ptrace, SyscallNumbers = Numbers("openat", "getppid") };
        var (events, session) = TraceHelper.Run(request);
        Assert.Equal(0, session.ExitCode);
        Assert.Contains(events, e => e.Syscall == "openat" && e.ProcessId != session.ProcessIds[0]);
        Assert.Contains(events, e => e.Syscall == "getppid" && e.ThreadId != session.ProcessIds[0]);
        Assert.DoesNotContain(events, e => e.Kind == SyscallEventKind.Syscall && e.Syscall is not ("openat" or "getppid"));
    }

    [Fact]
    public void SeccompProgramShape()
    {
        var bytes = SeccompFilter.Build([257, 2, 257], "x86_64");

        // 4 header instructions, 2 per distinct syscall, 1 final allow; 8 bytes each.
        Assert.Equal((4 + 2 * 2 + 1) * 8, bytes.Length);
        Assert.Equal(0x3eu, bytes[12]);   // AUDIT_ARCH_X86_64 low byte in the arch comparison
        Assert.Equal(2u, BitConverter.ToUInt32(bytes, 4 * 8 + 4));
        Assert.Equal(257u, BitConverter.ToUInt32(bytes, 6 * 8 + 4));
    }

    [SkippableFact]
    public void FailedOnlyReportsFailures()
    {
        var request = new TraceRequest { FilePath = Fixtures.Path("seed_watchlist"), Engine = EngineKind.Ptrace, FailedOnly = true };
        var (events, _) = TraceHelper.Run(request);
        var calls = events.Where(e => e.Kind == SyscallEventKind.Syscall).ToList();
        Assert.NotEmpty(calls);
        Assert.All(calls, e => Assert.False(e.Succeeded));
        Assert.Contains(calls, e => e.Syscall == "openat" && e.ReturnValue == -1);
    }

    [SkippableFact]
    public void RegisterFallbackDecodesTheSameCalls()
    {
        var request = TraceHelper.Launch(Fixtures.Path("seed_watchlist"));
        var (info, _) = TraceHelper.Run(request);
        var session = TraceSession.Start(request, 100000, null, _ => (new PtraceEngine { ForceRegisterFallback = true }, "test"));
        session.Completion.Wait(TimeSpan.FromSeconds(20));
        var regs = new List<SyscallEvent>();
        long next = 0;
        Thread.Sleep(100);
        session.ReadSpool(ref next, regs);
        TraceSession.Forget(session);
        // Each process's calls in order; how the parent's and the child's calls interleave is the scheduler's
        // business (the child's exit_group may come before or after the parent's fork returns).
        string Lines(IEnumerable<SyscallEvent> evs) => string.Join("\n---\n", evs
            .Where(e => e.Kind == SyscallEventKind.Syscall && e.Syscall != "execve")
            .GroupBy(e => e.ProcessId)
            .Select(g => string.Join("\n", g.Select(e => e.Syscall + " " + e.Succeeded)))
            .Order(StringComparer.Ordinal));
        Assert.Equal(Lines(info), Lines(regs));
    }
}
