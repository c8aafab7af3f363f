using SyscallPS.Tracing;
using Xunit;

namespace SyscallPS.Tests.Tracing;

/// <summary>-Engine Auto falls back to ptrace when the kernel refuses the eBPF engine for lack of privilege, and only then.</summary>
public class EngineSelectionTests
{
    private static readonly ITraceEngine Ebpf = EngineSelector.Engines.Single(e => e.Kind == EngineKind.Ebpf);

    private static TraceException Refusal(TraceErrorKind kind) =>
        new("EbpfLoadFailed", kind, "eBPF engine: the kernel refused the eBPF program (Operation not permitted, errno 1).", "Run as root.");

    [Fact]
    public void AutoFallsBackToPtraceWhenEbpfIsRefusedForLackOfPrivilege()
    {
        var fallback = EngineSelector.Fallback(new TraceRequest { FilePath = "true" }, Ebpf, Refusal(TraceErrorKind.PermissionDenied));
        Assert.NotNull(fallback);
        Assert.Equal(EngineKind.Ptrace, fallback.Value.Engine.Kind);
        Assert.Contains("refused the Ebpf engine", fallback.Value.Reason, StringComparison.Ordinal);
        Assert.Contains("Operation not permitted", fallback.Value.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void NoFallbackForANamedEngineAnotherFailureOrWhatPtraceCannotDo()
    {
        Assert.Null(EngineSelector.Fallback(new TraceRequest { FilePath = "true", Engine = EngineKind.Ebpf }, Ebpf, Refusal(TraceErrorKind.PermissionDenied)));
        Assert.Null(EngineSelector.Fallback(new TraceRequest { FilePath = "true" }, Ebpf, Refusal(TraceErrorKind.EngineFailure)));
        Assert.Null(EngineSelector.Fallback(new TraceRequest { SystemWide = true }, Ebpf, Refusal(TraceErrorKind.PermissionDenied)));
    }
}
