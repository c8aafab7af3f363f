using SyscallPS.Ptrace;

namespace SyscallPS.Tracing;

/// <summary>Picks the engine for a request: the one asked for, or for Auto the fastest one allowed here.</summary>
public static class EngineSelector
{
    /// <summary>Every engine this build has, fastest first.</summary>
    internal static IReadOnlyList<ITraceEngine> Engines { get; } = [new Ebpf.EbpfEngine(), new PtraceEngine()];

    /// <summary>Returns the engine and a sentence saying why it was chosen.</summary>
    /// <exception cref="TraceException">The requested engine cannot serve the request here.</exception>
    public static (ITraceEngine Engine, string Reason) Choose(TraceRequest request)
    {
        if (request.Faults.Count > 0)
        {
            return ChooseForFaults(request);
        }

        if (request.Engine != EngineKind.Auto)
        {
            var engine = Engines.FirstOrDefault(e => e.Kind == request.Engine)
                ?? throw new TraceException("EngineNotAvailable", TraceErrorKind.NotSupported,
                    $"The {request.Engine} engine is not part of this build.", "Use -Engine Ptrace or -Engine Auto.", request.Engine);
            var why = engine.WhyUnavailable(request);
            if (why is not null)
            {
                throw new TraceException(request.SystemWide && request.Engine == EngineKind.Ptrace ? "SystemWideNeedsEbpf" : "EngineUnavailable",
                    request.SystemWide && request.Engine == EngineKind.Ptrace ? TraceErrorKind.InvalidArgument : TraceErrorKind.NotSupported,
                    why, "Use -Engine Auto to let SyscallPS pick an engine that works here.", request.Engine);
            }

            return (engine, $"-Engine {request.Engine} was requested.");
        }

        var reasons = new List<string>();
        foreach (var engine in Engines)
        {
            var why = engine.WhyUnavailable(request);
            if (why is null)
            {
                return (engine, reasons.Count == 0 ? $"{engine.Kind} is the fastest engine available." : $"{engine.Kind} chosen: " + string.Join(" ", reasons));
            }

            reasons.Add($"{engine.Kind} unavailable ({why}).");
        }

        throw new TraceException("NoEngineAvailable", TraceErrorKind.NotSupported, "No tracing engine can serve this request: " + string.Join(" ", reasons), "See the reasons above.");
    }

    /// <summary>
    /// For -Engine Auto: the engine to start instead when the chosen one was refused at its start for lack of
    /// privilege (root without CAP_BPF in a container, a seccomp policy on bpf(), lockdown), with the reason; null
    /// when the request named its engine, the refusal was of another kind, or no slower engine can serve.
    /// </summary>
    internal static (ITraceEngine Engine, string Reason)? Fallback(TraceRequest request, ITraceEngine refused, TraceException refusal)
    {
        if (request.Engine != EngineKind.Auto || refusal.Kind != TraceErrorKind.PermissionDenied)
        {
            return null;
        }

        foreach (var engine in Engines.SkipWhile(e => e != refused).Skip(1))
        {
            if (engine.WhyUnavailable(request) is null)
            {
                return (engine, $"{engine.Kind} chosen: the kernel refused the {refused.Kind} engine ({refusal.Message})");
            }
        }

        return null;
    }

    /// <summary>Fault injection changes system calls, which only the ptrace engine can do here.</summary>
    private static (ITraceEngine Engine, string Reason) ChooseForFaults(TraceRequest request)
    {
        const string Why = "the eBPF engine only observes system calls: changing one needs kprobe (bpf_override_return) or fmod_ret programs, which this kernel does not allow";
        if (request.SystemWide)
        {
            throw new TraceException("InjectNotSystemWide", TraceErrorKind.InvalidArgument,
                "-Inject cannot be used with -SystemWide: faults are injected by the ptrace engine, which traces given processes only.",
                "Launch the program with -FilePath, or attach to it with -ProcessId.");
        }

        if (request.Engine == EngineKind.Ebpf)
        {
            throw new TraceException("InjectNeedsPtrace", TraceErrorKind.NotSupported,
                $"-Inject needs the ptrace engine: {Why}.", "Use -Engine Ptrace (or Auto, which picks ptrace when -Inject is given).", request.Engine);
        }

        var ptrace = Engines.First(e => e.Kind == EngineKind.Ptrace);
        var unavailable = ptrace.WhyUnavailable(request);
        if (unavailable is not null)
        {
            throw new TraceException("EngineUnavailable", TraceErrorKind.NotSupported, unavailable, "-Inject needs the ptrace engine; run on Linux.", EngineKind.Ptrace);
        }

        return (ptrace, request.Engine == EngineKind.Ptrace
            ? "-Engine Ptrace was requested."
            : $"Ptrace chosen: -Inject injects faults, and {Why}.");
    }
}
