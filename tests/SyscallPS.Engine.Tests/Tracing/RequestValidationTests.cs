using System.Diagnostics;
using SyscallPS.Tracing;
using Xunit;

namespace SyscallPS.Tests.Tracing;

/// <summary>Bad requests fail before anything runs, with the same error id under both engines.</summary>
[Collection("ebpf")]
public class RequestValidationTests
{
    public static TheoryData<EngineKind> Engines => new() { EngineKind.Ptrace, EngineKind.Ebpf };

    private static TraceException Refused(TraceRequest request)
    {
        if (request.Engine == EngineKind.Ebpf)
        {
            var why = Ebpf.EbpfTestSupport.SkipReason();
            Skip.If(why is not null, why);
        }

        return Assert.Throws<TraceException>(() => TraceSession.Start(request, 0, null));
    }

    [SkippableTheory]
    [MemberData(nameof(Engines))]
    public void TargetsAreOneOfProgramProcessesOrSystemWide(EngineKind engine)
    {
        Assert.Equal("NoTraceTarget", Refused(new TraceRequest { Engine = engine }).ErrorId);
        Assert.Equal("ConflictingTraceTargets", Refused(new TraceRequest { Engine = engine, FilePath = "true", ProcessIds = [1] }).ErrorId);
    }

    [SkippableTheory]
    [MemberData(nameof(Engines))]
    public void ProgramsThatCannotRunAreNamed(EngineKind engine)
    {
        var missing = Refused(new TraceRequest { Engine = engine, FilePath = "no-such-program-sps" });
        Assert.Equal("ProgramNotFound", missing.ErrorId);
        Assert.Equal(TraceErrorKind.NotFound, missing.Kind);
        Assert.False(string.IsNullOrEmpty(missing.Hint));

        var directory = Refused(new TraceRequest { Engine = engine, FilePath = "/tmp" });
        Assert.Equal("ProgramIsDirectory", directory.ErrorId);
        Assert.Contains("is a directory", directory.Message, StringComparison.Ordinal);

        Assert.Equal("WorkingDirectoryNotFound", Refused(new TraceRequest { Engine = engine, FilePath = "true", WorkingDirectory = "/no/such/dir" }).ErrorId);
    }

    [SkippableTheory]
    [MemberData(nameof(Engines))]
    public void ProcessesThatCannotBeTracedAreNamed(EngineKind engine)
    {
        var notFound = Refused(new TraceRequest { Engine = engine, ProcessIds = [int.MaxValue - 1] });
        Assert.Equal("ProcessNotFound", notFound.ErrorId);
        Assert.Equal(TraceErrorKind.NotFound, notFound.Kind);

        // This process, by its id and by one of its other threads.
        Assert.Equal("CannotTraceSelf", Refused(new TraceRequest { Engine = engine, ProcessIds = [Environment.ProcessId] }).ErrorId);
        int otherThread = ProcFs.Threads(Environment.ProcessId).First(t => t != Environment.ProcessId);
        Assert.Equal("CannotTraceSelf", Refused(new TraceRequest { Engine = engine, ProcessIds = [otherThread] }).ErrorId);

        // A kernel thread (kthreadd is pid 2 in the initial pid namespace).
        Skip.IfNot(ProcFs.Comm(2) == "kthreadd", "kthreadd is not visible as pid 2 here (a pid namespace)");
        var kernel = Refused(new TraceRequest { Engine = engine, ProcessIds = [2] });
        Assert.Equal("ProcessNotTraceable", kernel.ErrorId);
        Assert.Contains("kernel thread", kernel.Message, StringComparison.Ordinal);
    }

    [SkippableTheory]
    [MemberData(nameof(Engines))]
    public void AZombieIsNotTraceable(EngineKind engine)
    {
        // The child ends after its parent has become `sleep 10`, which never collects it: a zombie while sleep runs.
        using var parent = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", "sleep 0.2 & echo $!; exec sleep 10"]) { RedirectStandardOutput = true })!;
        try
        {
            int zombie = int.Parse(parent.StandardOutput.ReadLine()!, System.Globalization.CultureInfo.InvariantCulture);
            var clock = Stopwatch.StartNew();
            while (ProcFs.StatusField(zombie, "State") is not ['Z', ..] && clock.Elapsed < TimeSpan.FromSeconds(3))
            {
                Thread.Sleep(10);
            }

            var ex = Refused(new TraceRequest { Engine = engine, ProcessIds = [zombie] });
            Assert.Equal("ProcessNotTraceable", ex.ErrorId);
            Assert.Contains("zombie", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            parent.Kill();
            parent.WaitForExit();
        }
    }

    [SkippableFact]
    public void TheEbpfRingMustBeAPowerOfTwo()
    {
        var ex = Refused(new TraceRequest { Engine = EngineKind.Ebpf, SystemWide = true, RingBufferBytes = 5000 });
        Assert.Equal("InvalidBufferSize", ex.ErrorId);
    }
}
