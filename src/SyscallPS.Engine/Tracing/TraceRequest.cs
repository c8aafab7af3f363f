using SyscallPS.Decoding;

namespace SyscallPS.Tracing;

/// <summary>Which engine traces.</summary>
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]
public enum EngineKind
{
    /// <summary>eBPF when privileged and supported, else ptrace.</summary>
    Auto = 0,

    /// <summary>ptrace: stops each tracee at every traced syscall; works unprivileged on one's own processes.</summary>
    Ptrace = 1,

    /// <summary>eBPF raw tracepoints and a ring buffer: near-native speed; needs root or CAP_BPF+CAP_PERFMON.</summary>
    Ebpf = 2,
}

/// <summary>Everything a trace needs to know, independent of the engine.</summary>
public sealed class TraceRequest
{
    /// <summary>The program to launch (resolved through PATH), or null when attaching.</summary>
    public string? FilePath { get; init; }

    /// <summary>Arguments for the launched program.</summary>
    public IReadOnlyList<string> ArgumentList { get; init; } = [];

    /// <summary>Working directory of the launched program; the caller's when null.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Running processes to attach to.</summary>
    public IReadOnlyList<int> ProcessIds { get; init; } = [];

    /// <summary>Trace every process on the machine but the tracer (eBPF only).</summary>
    public bool SystemWide { get; init; }

    /// <summary>Syscall numbers to report; null reports all.</summary>
    public IReadOnlySet<int>? SyscallNumbers { get; init; }

    /// <summary>Process name wildcards (eBPF filter); empty means any.</summary>
    public IReadOnlyList<string> ProcessNames { get; init; } = [];

    /// <summary>Report failed syscalls only.</summary>
    public bool FailedOnly { get; init; }

    /// <summary>
    /// Path wildcards: report only the calls on a matching path (their path arguments or their descriptor's name),
    /// as strace -P and sysdig's fd.name; empty means any.
    /// </summary>
    public IReadOnlyList<string> FileNames { get; init; } = [];

    /// <summary>Containers to trace (ids as docker ps shows them, 12 hex digits or the whole 64); empty means any.</summary>
    public IReadOnlyList<string> ContainerIds { get; init; } = [];

    /// <summary>Report only the calls that took at least this long (perf trace --duration); zero reports all.</summary>
    public TimeSpan MinimumDuration { get; init; }

    /// <summary>Follow forks, vforks and new threads (on by default).</summary>
    public bool FollowChildren { get; init; } = true;

    /// <summary>How decoders print.</summary>
    public DecodeOptions Decode { get; init; } = DecodeOptions.Default;

    /// <summary>The engine asked for.</summary>
    public EngineKind Engine { get; init; } = EngineKind.Auto;

    /// <summary>Record the bytes of read/write/send/recv-family calls (off unless asked: it copies user data).</summary>
    public bool CaptureData { get; init; }

    /// <summary>With <see cref="CaptureData"/>: at most this many bytes per call.</summary>
    public int DataSize { get; init; } = 256;

    /// <summary>eBPF ring buffer size in bytes (a power of two).</summary>
    public int RingBufferBytes { get; init; } = 64 << 20;

    /// <summary>
    /// When a trace of a launched program is stopped, how long the program may take to end after its signal
    /// (SIGTERM, or SIGINT for Ctrl+C) before it is sent SIGKILL, as <c>timeout -k</c> does.
    /// </summary>
    public TimeSpan StopGracePeriod { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Faults to inject (strace's -e inject=; ptrace engine only). When several name a syscall, the last one applies to it.</summary>
    public IReadOnlyList<SyscallFault> Faults { get; init; } = [];

    /// <summary>
    /// The file the launched program reads as standard input (it must exist), or null to share this process's
    /// standard input.
    /// </summary>
    public string? StandardInput { get; init; }

    /// <summary>The file the launched program writes as standard output (created or truncated), or null to share this process's.</summary>
    public string? StandardOutput { get; init; }

    /// <summary>The file the launched program writes as standard error (created or truncated), or null to share this process's.</summary>
    public string? StandardError { get; init; }

    /// <summary>True when the request launches a program.</summary>
    public bool IsLaunch => FilePath is not null;
}
