using SyscallPS.Tracing;
using Xunit;

namespace SyscallPS.Tests.Tracing;

/// <summary>The launched program's standard streams, redirected in the launch both engines share.</summary>
[Collection("ebpf")]
public sealed class StandardStreamTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("syscallps-streams-").FullName;

    public static TheoryData<EngineKind> Engines => new() { EngineKind.Ptrace, EngineKind.Ebpf };

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static void SkipWithoutEngine(EngineKind engine)
    {
        if (engine == EngineKind.Ebpf)
        {
            var why = Ebpf.EbpfTestSupport.SkipReason();
            Skip.If(why is not null, why);
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Engines))]
    public void ReadsInputAndWritesOutputAndErrorFiles(EngineKind engine)
    {
        SkipWithoutEngine(engine);
        var input = Path.Combine(_dir, "in.txt");
        var output = Path.Combine(_dir, "out.txt");
        var error = Path.Combine(_dir, "err.txt");
        File.WriteAllText(input, "from the input file\n");
        // An existing output file is replaced, not appended to.
        File.WriteAllText(output, new string('x', 4096));
        var request = new TraceRequest
        {
            FilePath = "sh",
            ArgumentList = ["-c", "cat; echo to-stderr >&2"],
            Engine = engine,
            StandardInput = input,
            StandardOutput = output,
            StandardError = error,
        };

        var (events, session) = TraceHelper.Run(request);

        Assert.Equal(0, session.ExitCode);
        Assert.Equal("from the input file\n", File.ReadAllText(output));
        Assert.Equal("to-stderr\n", File.ReadAllText(error));
        // The program's descriptor 1 is the file, as the trace itself shows (cat may copy with copy_file_range, not write).
        Assert.Contains(events, e => e.Fd == 1 && e.FdName == output);
    }

    [SkippableTheory]
    [MemberData(nameof(Engines))]
    public void DevNullTakesEverything(EngineKind engine)
    {
        SkipWithoutEngine(engine);
        var request = new TraceRequest
        {
            FilePath = "sh",
            ArgumentList = ["-c", "echo out; echo err >&2; cat"],
            Engine = engine,
            StandardInput = "/dev/null",
            StandardOutput = "/dev/null",
            StandardError = "/dev/null",
        };

        var (events, session) = TraceHelper.Run(request);

        Assert.Equal(0, session.ExitCode);
        var writes = events.Where(e => e.Syscall == "write" && e.Fd is 1 or 2).ToList();
        Assert.Equal(2, writes.Count);
        Assert.All(writes, w => Assert.Equal("/dev/null", w.FdName));
    }

    [Fact]
    public void MissingInputIsRefusedBeforeAnythingRuns()
    {
        var error = Assert.Throws<TraceException>(() => TraceSession.Start(
            new TraceRequest { FilePath = "cat", Engine = EngineKind.Ptrace, StandardInput = Path.Combine(_dir, "missing") }, 0, null));
        Assert.Equal("StandardInputNotFound", error.ErrorId);
        Assert.Equal(TraceErrorKind.NotFound, error.Kind);
    }

    [Fact]
    public void OutputAndErrorCannotBeOneFile()
    {
        var same = Path.Combine(_dir, "both.txt");
        var error = Assert.Throws<TraceException>(() => TraceSession.Start(
            new TraceRequest { FilePath = "true", Engine = EngineKind.Ptrace, StandardOutput = same, StandardError = same }, 0, null));
        Assert.Equal("RedirectToSameFile", error.ErrorId);
        Assert.False(File.Exists(same), "nothing was launched, so nothing created the file");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void InputCannotBeAnOutputFile(bool asOutput)
    {
        var file = Path.Combine(_dir, "input.txt");
        File.WriteAllText(file, "kept\n");
        var request = asOutput
            ? new TraceRequest { FilePath = "cat", Engine = EngineKind.Ptrace, StandardInput = file, StandardOutput = file }
            : new TraceRequest { FilePath = "cat", Engine = EngineKind.Ptrace, StandardInput = file, StandardError = file };
        var error = Assert.Throws<TraceException>(() => TraceSession.Start(request, 0, null));
        Assert.Equal("RedirectToSameFile", error.ErrorId);
        Assert.Equal("kept\n", File.ReadAllText(file));
    }

    [Fact]
    public void RedirectionNeedsALaunchedProgram()
    {
        var error = Assert.Throws<TraceException>(() => TraceSession.Start(
            new TraceRequest { ProcessIds = [Environment.ProcessId], Engine = EngineKind.Ptrace, StandardOutput = "/dev/null" }, 0, null));
        Assert.Equal("RedirectNeedsLaunch", error.ErrorId);
    }
}
