using SyscallPS.Tracing;

namespace SyscallPS.Ptrace;

/// <summary>The ptrace engine: stops each tracee at its traced syscalls; works unprivileged on one's own processes.</summary>
public sealed class PtraceEngine : ITraceEngine
{
    /// <inheritdoc />
    public EngineKind Kind => EngineKind.Ptrace;

    /// <summary>Testing aid: decode from PTRACE_GETREGS instead of PTRACE_GET_SYSCALL_INFO.</summary>
    internal bool ForceRegisterFallback { get; init; }

    /// <inheritdoc />
    public string? WhyUnavailable(TraceRequest request)
    {
        if (!OperatingSystem.IsLinux())
        {
            return "ptrace tracing needs Linux.";
        }

        if (request.SystemWide)
        {
            return "-SystemWide needs the eBPF engine: ptrace can only trace given processes.";
        }

        return null;
    }

    /// <inheritdoc />
    public ITraceRun Start(TraceRequest request, ITraceEventSink sink)
    {
        var launchPath = request.IsLaunch ? ProgramResolver.ResolveForLaunch(request) : null;
        var run = new PtraceRun(request, sink, launchPath, ForceRegisterFallback);
        run.Begin();
        return run;
    }
}
