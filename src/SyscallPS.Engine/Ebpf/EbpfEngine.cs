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
        var bpf = Ready();
        if (request.IsLaunch)
        {
            var path = ProgramResolver.ResolveForLaunch(request);

            int pid = StoppedLaunch.Start(path, request, seccompFilter: null);
            EbpfTraceRun run;
            try
            {
                run = EbpfTraceRun.Start(bpf, request, sink, [pid], launched: pid, DecodedObserver);
                Native.Signals.Kill(pid, Native.Signals.SIGCONT);
            }
            catch
            {
                Native.Signals.Kill(pid, Native.Signals.SIGKILL);
                StoppedLaunch.Reap(pid, TimeSpan.FromSeconds(5));
                throw;
            }

            return run;
        }

        // A thread id stands for its whole process.
        var roots = request.SystemWide ? [] : request.ProcessIds.Select(ProcFs.Tgid).Distinct().ToList();
        return EbpfTraceRun.Start(bpf, request, sink, roots, launched: null, DecodedObserver);
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

    /// <summary>
    /// CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN) in the effective set: root in a container or under
    /// <c>capsh --drop</c> lacks them, so being uid 0 is not enough.
    /// </summary>
    private static bool HasBpfCapabilities()
    {
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
