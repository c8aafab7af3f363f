using System.Diagnostics;
using System.Globalization;
using SyscallPS.Native;
using SyscallPS.Tracing;

namespace SyscallPS.Ebpf;

/// <summary>
/// The eBPF engine: BTF raw tracepoints (or per-syscall tracepoints for a small syscall set) pair entry and
/// exit in the kernel, filter there, and send one record per syscall through a ring buffer.
/// Needs root (or CAP_BPF and CAP_PERFMON), libbpf 1.x, kernel BTF and Linux 5.17 or later.
/// </summary>
public sealed class EbpfEngine : ITraceEngine
{
    private const string BtfPath = "/sys/kernel/btf/vmlinux";
    private const int CapPerfmon = 38;
    private const int CapBpf = 39;
    private static readonly Version MinimumKernel = new(5, 17);

    /// <inheritdoc />
    public EngineKind Kind => EngineKind.Ebpf;

    /// <summary>Test hook: sees each decoded syscall with the bytes the kernel program copied (consumer thread).</summary>
    internal Action<SyscallEvent, SyscallPS.Decoding.ITraceeMemory>? DecodedObserver { get; init; }

    /// <inheritdoc />
    public string? WhyUnavailable(TraceRequest request) => Unavailability()?.Message;

    /// <inheritdoc />
    public ITraceRun Start(TraceRequest request, ITraceEventSink sink)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(sink);
        Validate(request);
        var bpf = Ready();
        if (request.IsLaunch)
        {
            var path = ProgramResolver.ResolveForLaunch(request);

            int pid = StoppedLaunch.Start(path, request, seccompFilter: null);
            EbpfTraceRun run;
            try
            {
                run = StartForStoppedProcess(bpf, request, pid, sink, DecodedObserver);
            }
            catch
            {
                Native.Signals.Kill(pid, Native.Signals.SIGKILL);
                StoppedLaunch.Reap(pid, TimeSpan.FromSeconds(5));
                throw;
            }

            // The launcher is this process's child (posix_spawn): collect it once the trace is over.
            _ = run.Completion.ContinueWith(_ => StoppedLaunch.Reap(pid, TimeSpan.FromSeconds(10)), TaskScheduler.Default);
            return run;
        }

        var roots = request.SystemWide ? [] : ResolveProcesses(request.ProcessIds);
        return EbpfTraceRun.Start(bpf, request, sink, roots, launched: null, DecodedObserver);
    }

    /// <summary>
    /// Launch mode for a process started stopped (SIGSTOP before its exec): registers it as the root
    /// process, attaches, then sends SIGCONT. On failure the process is left stopped for the caller to kill.
    /// </summary>
    internal ITraceRun StartForStoppedProcess(TraceRequest request, int pid, ITraceEventSink sink)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(sink);
        Validate(request, ignoreLaunch: true);
        return StartForStoppedProcess(Ready(), request, pid, sink, DecodedObserver);
    }

    private static EbpfTraceRun StartForStoppedProcess(Libbpf.Exports bpf, TraceRequest request, int pid, ITraceEventSink sink, Action<SyscallEvent, SyscallPS.Decoding.ITraceeMemory>? observer)
    {
        var run = EbpfTraceRun.Start(bpf, request, sink, [pid], launched: pid, observer);
        Native.Signals.Kill(pid, Native.Signals.SIGCONT);
        return run;
    }

    private static Libbpf.Exports Ready()
    {
        var problem = Unavailability();
        if (problem is not null)
        {
            throw problem;
        }

        return Libbpf.Get();
    }

    private static void Validate(TraceRequest request, bool ignoreLaunch = false)
    {
        int bytes = request.RingBufferBytes;
        if (bytes < Environment.SystemPageSize || (bytes & (bytes - 1)) != 0)
        {
            throw new TraceException("InvalidBufferSize", TraceErrorKind.InvalidArgument,
                $"The eBPF ring buffer size {bytes} is not a power of two of at least {Environment.SystemPageSize} bytes.",
                "Give a power of two such as 16MB, 64MB or 256MB.", bytes);
        }

        bool launch = request.IsLaunch && !ignoreLaunch;
        int targets = (launch ? 1 : 0) + (request.ProcessIds.Count > 0 ? 1 : 0) + (request.SystemWide ? 1 : 0);
        if (targets == 0 && !ignoreLaunch)
        {
            throw new TraceException("NoTraceTarget", TraceErrorKind.InvalidArgument, "Nothing to trace: give a program, process ids, or -SystemWide.", "Use -FilePath, -ProcessId or -SystemWide.");
        }

        if (targets > 1)
        {
            throw new TraceException("ConflictingTraceTargets", TraceErrorKind.InvalidArgument, "A program, process ids and -SystemWide cannot be combined.", "Choose one of -FilePath, -ProcessId, -SystemWide.");
        }

        if (request.SyscallNumbers is { } set)
        {
            foreach (var n in set)
            {
                if (n < 0 || n >= EbpfArgumentSpecs.MaxSyscalls)
                {
                    throw new TraceException("InvalidSyscallNumber", TraceErrorKind.InvalidArgument, $"Syscall number {n} is outside 0..{EbpfArgumentSpecs.MaxSyscalls - 1}.", "Use syscall names from Get-Syscall.", n);
                }
            }
        }
    }

    private static List<int> ResolveProcesses(IReadOnlyList<int> pids)
    {
        var tgids = new List<int>();
        foreach (var pid in pids)
        {
            // A thread id stands for its whole process.
            string? tgidLine = pid > 0 ? ProcFs.StatusField(pid, "Tgid") : null;
            if (pid <= 0 || tgidLine is null)
            {
                throw new TraceException("ProcessNotFound", TraceErrorKind.NotFound, $"No process has the id {pid}.", "Check the id with Get-Process.", pid);
            }

            int tgid = int.Parse(tgidLine, CultureInfo.InvariantCulture);
            if (tgid == Environment.ProcessId)
            {
                throw new TraceException("CannotTraceSelf", TraceErrorKind.InvalidArgument, "The tracer cannot trace its own process.", "Trace another process, or start a new pwsh and trace that.", pid);
            }

            if (!tgids.Contains(tgid))
            {
                tgids.Add(tgid);
            }
        }

        return tgids;
    }

    private static TraceException? Unavailability()
    {
        if (!OperatingSystem.IsLinux())
        {
            return new TraceException("EbpfNotSupported", TraceErrorKind.NotSupported, "eBPF tracing needs Linux.", "Use Linux 5.17 or later.");
        }

        if (!HasBpfCapabilities())
        {
            return new TraceException("EbpfNotPermitted", TraceErrorKind.PermissionDenied,
                "The eBPF engine needs root, or the CAP_BPF and CAP_PERFMON capabilities.",
                "Run pwsh with sudo, grant the capabilities (setcap cap_bpf,cap_perfmon+ep), or use -Engine Ptrace.");
        }

        if (Libbpf.TryGet() is null)
        {
            try
            {
                Libbpf.Get();
            }
            catch (TraceException ex)
            {
                return ex;
            }
        }

        if (!File.Exists(BtfPath))
        {
            return new TraceException("KernelBtfMissing", TraceErrorKind.NotSupported,
                $"The kernel exposes no BTF type information ({BtfPath}), which the eBPF engine needs.",
                "Use a kernel built with CONFIG_DEBUG_INFO_BTF=y (most distribution kernels are), or use -Engine Ptrace.");
        }

        var kernel = KernelVersion();
        if (kernel is not null && kernel < MinimumKernel)
        {
            return new TraceException("KernelTooOld", TraceErrorKind.NotSupported,
                $"Kernel {kernel} is too old for the eBPF engine (needs {MinimumKernel} or later).",
                "Upgrade the kernel, or use -Engine Ptrace.");
        }

        return null;
    }

    private static bool HasBpfCapabilities()
    {
        if (EbpfNative.GetEffectiveUserId() == 0)
        {
            return true;
        }

        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("CapEff:", StringComparison.Ordinal));
            if (line is null || !ulong.TryParse(line.AsSpan(7).Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var caps))
            {
                return false;
            }

            const int CapSysAdmin = 21;
            bool bpf = (caps & (1UL << CapBpf)) != 0 || (caps & (1UL << CapSysAdmin)) != 0;
            bool perfmon = (caps & (1UL << CapPerfmon)) != 0 || (caps & (1UL << CapSysAdmin)) != 0;
            return bpf && perfmon;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static Version? KernelVersion()
    {
        try
        {
            var release = File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
            var parts = release.Split('.', '-');
            return parts.Length >= 2 && int.TryParse(parts[0], out var major) && int.TryParse(parts[1], out var minor) ? new Version(major, minor) : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
