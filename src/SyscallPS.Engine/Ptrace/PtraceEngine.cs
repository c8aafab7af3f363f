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
        var why = WhyUnavailable(request);
        if (why is not null)
        {
            throw new TraceException(request.SystemWide ? "SystemWideNeedsEbpf" : "EngineUnavailable",
                request.SystemWide ? TraceErrorKind.InvalidArgument : TraceErrorKind.NotSupported,
                why, request.SystemWide ? "Use -Engine Ebpf (or Auto) as root, or trace given processes with -ProcessId." : "Run on Linux.");
        }

        string? launchPath = null;
        if (request.IsLaunch)
        {
            launchPath = ProgramResolver.ResolveForLaunch(request);
        }
        else
        {
            if (request.ProcessIds.Count == 0)
            {
                throw new TraceException("NothingToTrace", TraceErrorKind.InvalidArgument, "Neither a program nor process ids were given.", "Use -FilePath to launch a program or -ProcessId to attach.");
            }

            foreach (var pid in request.ProcessIds)
            {
                if (pid == Environment.ProcessId)
                {
                    throw new TraceException("CannotTraceSelf", TraceErrorKind.InvalidArgument,
                        $"Process {pid} is this PowerShell process, which cannot trace itself.", "Trace it from another pwsh session.", pid);
                }

                if (pid <= 0 || !ProcFs.Exists(pid))
                {
                    throw new TraceException("ProcessNotFound", TraceErrorKind.NotFound, $"No process with id {pid} exists.", "Check the id with Get-Process; the process may have ended.", pid);
                }

                if (ProcFs.StatusField(pid, "PPid") == Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture))
                {
                    // The kernel reports a tracee's stops to every wait in the tracer's thread group, and .NET
                    // waits for the children it started: it would steal the stops of this process and hang it.
                    throw new TraceException("ProcessIsChildOfThisSession", TraceErrorKind.InvalidArgument,
                        $"Process {pid} is a child of this PowerShell process and cannot be attached to from it.",
                        "Trace it from another pwsh session, launch it under the trace with -FilePath, or start it detached: sh -c 'program & echo $!'.", pid);
                }
            }
        }

        var run = new PtraceRun(request, sink, launchPath, ReportedSyscalls(request), ForceRegisterFallback);
        run.Begin();
        return run;
    }

    /// <summary>A lookup of the syscall numbers to report, or null for all.</summary>
    internal static bool[]? ReportedSyscalls(TraceRequest request)
    {
        if (request.SyscallNumbers is null)
        {
            return null;
        }

        var table = new bool[Math.Max(SyscallTable.Current.MaxNumber, request.SyscallNumbers.DefaultIfEmpty(0).Max()) + 1];
        foreach (var n in request.SyscallNumbers)
        {
            if (n >= 0)
            {
                table[n] = true;
            }
        }

        return table;
    }
}
