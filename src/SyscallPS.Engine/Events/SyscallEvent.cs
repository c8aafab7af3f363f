using System.Globalization;
using System.Text;

namespace SyscallPS;

/// <summary>
/// One line of a trace: a system call (entry and exit paired), a delivered signal, a process exit, or a
/// loss record. Every engine produces this same type.
/// </summary>
public sealed class SyscallEvent
{
    // The fields most events leave empty live in one side object, made only for an event that sets one:
    // an engine makes hundreds of thousands of events a second, and every byte of each is allocated,
    // written and (while queued) kept alive across a garbage collection.
    private RareFields? _rare;

    /// <summary>What this event records.</summary>
    public SyscallEventKind Kind { get; init; }

    /// <summary>Wall-clock time of the syscall's entry (or of the signal, exit, loss).</summary>
    public DateTime Timestamp { get; init; }

    /// <summary>CLOCK_MONOTONIC time of entry, in nanoseconds: exact ordering and differences.</summary>
    public long MonotonicNanoseconds { get; init; }

    // -1 when not known (the ptrace engine): a short keeps the event as small as it was.
    private readonly short _cpu = -1;

    /// <summary>The CPU the thread ran on when the event was recorded (sysdig's evt.cpu); known under the eBPF engine only.</summary>
    public int? Cpu
    {
        get => _cpu < 0 ? null : _cpu;
        init => _cpu = value is int cpu and >= 0 and <= short.MaxValue ? (short)cpu : (short)-1;
    }

    /// <summary>The thread group id (what <c>ps</c> calls the PID).</summary>
    public int ProcessId { get; init; }

    /// <summary>The kernel thread id (equals <see cref="ProcessId"/> for the main thread).</summary>
    public int ThreadId { get; init; }

    /// <summary>
    /// The process's command name: its main thread's <c>comm</c> (at most 15 characters), as after the event.
    /// The same for every thread of the process, whatever the threads call themselves.
    /// </summary>
    public string ProcessName { get; init; } = string.Empty;

    /// <summary>The thread's own <c>comm</c> (<c>prctl(PR_SET_NAME)</c>, <c>pthread_setname_np</c>); the process's name unless the thread renamed itself.</summary>
    public string ThreadName
    {
        get => _rare?.ThreadName ?? ProcessName;
        init
        {
            if (value != ProcessName || _rare is not null)
            {
                Rare().ThreadName = value;
            }
        }
    }

    /// <summary>The syscall name (<c>openat</c>); empty for signal, exit and loss records.</summary>
    public string Syscall { get; init; } = string.Empty;

    /// <summary>The syscall number on this machine's architecture; -1 for non-syscall records.</summary>
    public int Number { get; init; } = -1;

    /// <summary>The syscall's primary strace class.</summary>
    public SyscallCategory Category { get; init; }

    /// <summary>The decoded arguments.</summary>
    public SyscallArgumentList Arguments { get; init; } = SyscallArgumentList.Empty;

    /// <summary>The raw return value (negative errno values are turned into -1 with <see cref="Errno"/> set, as libc does).</summary>
    public long ReturnValue { get; init; }

    /// <summary>The return value as strace prints it (<c>3</c>, <c>0x55d4c000</c>, <c>-1 ENOENT (No such file or directory)</c>, <c>?</c>).</summary>
    public string ReturnText { get; init; } = string.Empty;

    /// <summary>The error name (<c>ENOENT</c>) when the call failed, else null.</summary>
    public string? Errno { get; init; }

    /// <summary>The error's message (<c>No such file or directory</c>) when the call failed, else null.</summary>
    public string? ErrorMessage { get; init; }

    /// <summary>True when the call returned without an error (always true for non-syscall records).</summary>
    public bool Succeeded => Errno is null;

    /// <summary>Time spent inside the syscall (entry to exit), as strace -T.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary><see cref="Duration"/> in microseconds (0.1 µs resolution): a number that sums, sorts and exports as one.</summary>
    public double DurationMicroseconds => Duration.Ticks / 10.0;

    /// <summary>The file path argument, where the syscall takes one (open, execve, chdir, unlink, rename's source ...).</summary>
    public string? Path { get; init; }

    /// <summary>A second path (rename's and link's target), else null.</summary>
    public string? TargetPath
    {
        get => _rare?.TargetPath;
        init
        {
            if (value is not null || _rare is not null)
            {
                Rare().TargetPath = value;
            }
        }
    }

    /// <summary>For clone/fork/vfork: the new child's id, as seen in the parent.</summary>
    public int? ChildProcessId
    {
        get => _rare?.ChildProcessId;
        init
        {
            if (value is not null || _rare is not null)
            {
                Rare().ChildProcessId = value;
            }
        }
    }

    /// <summary>For signal records, group-stop records (the stop signal) and signal-sending syscalls (kill, tgkill ...): the signal name (<c>SIGCHLD</c>).</summary>
    public string? Signal
    {
        get => _rare?.Signal;
        init
        {
            if (value is not null || _rare is not null)
            {
                Rare().Signal = value;
            }
        }
    }

    /// <summary>For signal records: the decoded siginfo, as strace prints it inside braces.</summary>
    public string? SignalInfo
    {
        get => _rare?.SignalInfo;
        init
        {
            if (value is not null || _rare is not null)
            {
                Rare().SignalInfo = value;
            }
        }
    }

    /// <summary>For <see cref="SyscallEventKind.Exited"/>: the exit status; for <see cref="SyscallEventKind.Killed"/>: 128 + signal.</summary>
    public int? ExitCode
    {
        get => _rare?.ExitCode;
        init
        {
            if (value is not null || _rare is not null)
            {
                Rare().ExitCode = value;
            }
        }
    }

    /// <summary>For <see cref="SyscallEventKind.Lost"/>: how many events were lost.</summary>
    public long LostCount
    {
        get => _rare?.LostCount ?? 0;
        init
        {
            if (value != 0 || _rare is not null)
            {
                Rare().LostCount = value;
            }
        }
    }

    /// <summary>The file descriptor the event is about (the fd argument, or the one returned by open/socket/accept/dup ...), else null.</summary>
    public int? Fd { get; init; }

    /// <summary>What <see cref="Fd"/> refers to: a path, <c>127.0.0.1:40000->127.0.0.1:8080</c>, <c>pipe:[1234]</c>, <c>anon_inode:[eventfd]</c> (sysdig's fd.name, strace -yy).</summary>
    public string? FdName { get; init; }

    /// <summary>The kind of object <see cref="Fd"/> refers to (File, Pipe, Ipv4Socket ...), else null.</summary>
    public Decoding.FdType? FdType { get; init; }

    /// <summary>For socket descriptors: the local address (sysdig's fd.cip / fd.sip side), when known.</summary>
    public string? LocalAddress
    {
        get => _rare?.LocalAddress;
        init
        {
            if (value is not null || _rare is not null)
            {
                Rare().LocalAddress = value;
            }
        }
    }

    /// <summary>For socket descriptors: the local port, when known.</summary>
    public int? LocalPort
    {
        get => _rare?.LocalPort;
        init
        {
            if (value is not null || _rare is not null)
            {
                Rare().LocalPort = value;
            }
        }
    }

    /// <summary>For socket descriptors: the peer address (connect's target, accept's client), when known.</summary>
    public string? RemoteAddress
    {
        get => _rare?.RemoteAddress;
        init
        {
            if (value is not null || _rare is not null)
            {
                Rare().RemoteAddress = value;
            }
        }
    }

    /// <summary>For socket descriptors: the peer port, when known.</summary>
    public int? RemotePort
    {
        get => _rare?.RemotePort;
        init
        {
            if (value is not null || _rare is not null)
            {
                Rare().RemotePort = value;
            }
        }
    }

    /// <summary>With -CaptureData: the bytes a read/write/send/recv-family call moved (prints as hexadecimal, as Export-Csv writes it; <see cref="DataText"/> is the text).</summary>
    public Capture.IoData? Data
    {
        get => _rare?.Data;
        init
        {
            if (value is not null || _rare is not null)
            {
                Rare().Data = value;
            }
        }
    }

    /// <summary>True when fault injection (-Inject) replaced the call's result: strace's <c>(INJECTED)</c>.</summary>
    public bool Injected
    {
        get => _rare?.Injected ?? false;
        init
        {
            if (value || _rare is not null)
            {
                Rare().Injected = value;
            }
        }
    }

    /// <summary>True when fault injection (-Inject) held the thread before or after the call: strace's <c>(DELAYED)</c>.</summary>
    public bool Delayed
    {
        get => _rare?.Delayed ?? false;
        init
        {
            if (value || _rare is not null)
            {
                Rare().Delayed = value;
            }
        }
    }

    /// <summary>With -CaptureData: <see cref="Data"/> as printable text (sysdig's echo_fds).</summary>
    public string? DataText => Data?.Text;

    /// <summary>The process's context, shared by all its events (null for records of no process, and imported ones).</summary>
    internal Tracing.ProcessContext? Context { get; init; }

    /// <summary>The parent process's id (sysdig's proc.ppid).</summary>
    public int? ParentProcessId => Context?.ParentProcessId;

    /// <summary>The process's command line, its arguments separated by spaces (sysdig's proc.cmdline).</summary>
    public string? CommandLine => Context?.CommandLine;

    /// <summary>The program the process runs (sysdig's proc.exepath).</summary>
    public string? ExecutablePath => Context?.ExecutablePath;

    /// <summary>The process's effective user id (sysdig's user.uid).</summary>
    public int? UserId => Context?.UserId;

    /// <summary>The name of <see cref="UserId"/> (sysdig's user.name).</summary>
    public string? UserName => Context?.UserName;

    /// <summary>The process's id inside its own pid namespace, as a container sees it (sysdig's proc.vpid).</summary>
    public int? VirtualProcessId => Context?.VirtualProcessId;

    /// <summary>The container the process runs in: 12 hex digits, as docker ps and sysdig show it; null outside containers.</summary>
    public string? ContainerId => Context?.ContainerId;

    /// <summary>The process's cgroup (its cgroup v2 path).</summary>
    public string? Cgroup => Context?.Cgroup;

    /// <summary>For events read from a capture file: the host it was recorded on (from the file's header); null for live events.</summary>
    public string? ComputerName => Context?.ComputerName;

    /// <summary>True for the calls that move data: read, write, recvmsg, sendto, sendfile ... (sysdig's evt.is_io).</summary>
    public bool IsIo => IoDirection is not null;

    /// <summary>For the calls that move data: in (Read), out (Write), or between two descriptors in the kernel (Transfer).</summary>
    public IoDirection? IoDirection => Kind is SyscallEventKind.Syscall or SyscallEventKind.Unfinished && SyscallTable.Current.ByNumber(Number) is { } info
        ? (info.Effects & SyscallEffects.ReadsData) != 0 ? SyscallPS.IoDirection.Read
        : (info.Effects & SyscallEffects.WritesData) != 0 ? SyscallPS.IoDirection.Write
        : (info.Effects & SyscallEffects.TransfersData) != 0 ? SyscallPS.IoDirection.Transfer : null
        : null;

    /// <summary>For sockets: the server's address, the side that listened (sysdig's fd.sip), whichever side made the call.</summary>
    public string? ServerAddress => ServerIsLocal switch { true => LocalAddress, false => RemoteAddress, _ => null };

    /// <summary>For sockets: the server's port (sysdig's fd.sport).</summary>
    public int? ServerPort => ServerIsLocal switch { true => LocalPort, false => RemotePort, _ => null };

    /// <summary>For sockets: the client's address, the side that connected (sysdig's fd.cip).</summary>
    public string? ClientAddress => ServerIsLocal switch { true => RemoteAddress, false => LocalAddress, _ => null };

    /// <summary>For sockets: the client's port (sysdig's fd.cport).</summary>
    public int? ClientPort => ServerIsLocal switch { true => RemotePort, false => LocalPort, _ => null };

    /// <summary>
    /// Whether this end of the socket is the server's: known when the descriptor came from accept (yes) or connect
    /// (no); for one met already connected, the end with the lower port is taken for the server's (client ports
    /// are the ephemeral, high ones).
    /// </summary>
    internal bool? ServerIsLocal
    {
        get => _rare?.ServerIsLocal ?? (LocalPort is int local && RemotePort is int remote && local != remote ? local < remote : null);
        init
        {
            if (value is not null || _rare is not null)
            {
                Rare().ServerIsLocal = value;
            }
        }
    }

    private RareFields Rare() => _rare ??= new RareFields();

    /// <summary>
    /// The one place a syscall record is built, for every engine: the decoded call, its descriptor and data.
    /// </summary>
    internal static SyscallEvent ForCall(
        SyscallEventKind kind,
        Decoding.SyscallDecodeState call,
        in Decoding.DecodedExit decoded,
        string syscall,
        in EventOrigin origin,
        TimeSpan duration,
        Decoding.FdInfo? fd,
        Capture.IoData? data) => new()
        {
            Kind = kind,
            Timestamp = origin.Timestamp,
            MonotonicNanoseconds = origin.MonotonicNanoseconds,
            ProcessId = origin.ProcessId,
            ThreadId = origin.ThreadId,
            ProcessName = origin.ProcessName,
            ThreadName = origin.ThreadName,
            Cpu = origin.Cpu,
            Syscall = syscall,
            Number = call.Number,
            Category = call.Info?.Category ?? SyscallCategory.Other,
            Arguments = decoded.Arguments,
            ReturnValue = decoded.ReturnValue,
            ReturnText = decoded.ReturnText,
            Errno = decoded.Errno,
            ErrorMessage = decoded.ErrorMessage,
            Duration = duration,
            Path = call.Path,
            TargetPath = call.TargetPath,
            ChildProcessId = decoded.ChildProcessId,
            Signal = call.Signal,
            Data = data,
            Fd = fd?.Fd ?? (call.Fd >= 0 ? call.Fd : null),
            FdName = fd?.Name,
            FdType = fd?.Type,
            LocalAddress = fd?.LocalAddress,
            LocalPort = fd?.LocalPort,
            RemoteAddress = fd?.RemoteAddress,
            RemotePort = fd?.RemotePort,
            ServerIsLocal = fd?.ServerIsLocal,
            Context = origin.Context,
            Injected = call.Injected,
            Delayed = call.Delayed,
        };

    /// <summary>
    /// A signal delivered to a thread (strace's <c>--- SIGCHLD {...} ---</c>), or, as <see cref="SyscallEventKind.Stopped"/>
    /// without a siginfo, the group-stop it started (<c>--- stopped by SIGSTOP ---</c>).
    /// </summary>
    internal static SyscallEvent ForSignal(in EventOrigin origin, string signal, string? signalInfo, SyscallEventKind kind = SyscallEventKind.Signal) => new()
    {
        Kind = kind,
        Timestamp = origin.Timestamp,
        MonotonicNanoseconds = origin.MonotonicNanoseconds,
        ProcessId = origin.ProcessId,
        ThreadId = origin.ThreadId,
        ProcessName = origin.ProcessName,
        ThreadName = origin.ThreadName,
        Cpu = origin.Cpu,
        Context = origin.Context,
        Signal = signal,
        SignalInfo = signalInfo,
    };

    /// <summary>A thread's end from its wait status: <see cref="SyscallEventKind.Exited"/> or <see cref="SyscallEventKind.Killed"/> (exit code 128 + signal).</summary>
    internal static SyscallEvent ForExit(in EventOrigin origin, int waitStatus)
    {
        int signal = waitStatus & 0x7f;
        return new SyscallEvent
        {
            Kind = signal == 0 ? SyscallEventKind.Exited : SyscallEventKind.Killed,
            Timestamp = origin.Timestamp,
            MonotonicNanoseconds = origin.MonotonicNanoseconds,
            ProcessId = origin.ProcessId,
            ThreadId = origin.ThreadId,
            ProcessName = origin.ProcessName,
            ThreadName = origin.ThreadName,
            Cpu = origin.Cpu,
            Context = origin.Context,
            ExitCode = ExitCodeOf(waitStatus),
            Signal = signal == 0 ? null : Decoding.SyscallDecoder.SignalName(signal),
        };
    }

    /// <summary>A record of <paramref name="count"/> events the engine could not deliver.</summary>
    internal static SyscallEvent ForLoss(long count, long monotonicNanoseconds, DateTime timestamp) => new()
    {
        Kind = SyscallEventKind.Lost,
        Timestamp = timestamp,
        MonotonicNanoseconds = monotonicNanoseconds,
        LostCount = count,
    };

    /// <summary>The exit code a shell reports for a wait status: the exit status, or 128 + the signal that killed it.</summary>
    internal static int ExitCodeOf(int waitStatus) => (waitStatus & 0x7f) is var signal and not 0 ? 128 + signal : (waitStatus >> 8) & 0xff;

    /// <summary>The event as one strace -f line, with its <c>[pid N]</c> prefix.</summary>
    public override string ToString() => "[pid " + ThreadId.ToString(CultureInfo.InvariantCulture) + "] " + ToStraceLine();

    /// <summary>The event as strace prints it for a single process (no pid prefix).</summary>
    public string ToStraceLine()
    {
        switch (Kind)
        {
            case SyscallEventKind.Signal:
                return "--- " + Signal + " " + (SignalInfo ?? "{}") + " ---";
            case SyscallEventKind.Stopped:
                return "--- stopped by " + Signal + " ---";
            case SyscallEventKind.Exited:
                return "+++ exited with " + ExitCode?.ToString(CultureInfo.InvariantCulture) + " +++";
            case SyscallEventKind.Killed:
                return "+++ killed by " + Signal + " +++";
            case SyscallEventKind.Lost:
                return "+++ lost " + LostCount.ToString(CultureInfo.InvariantCulture) + " events +++";
            case SyscallEventKind.Unfinished:
                return Syscall + "(" + Arguments + " <unfinished ...>) = ?";
            default:
                var sb = new StringBuilder(Syscall.Length + 64);
                sb.Append(Syscall).Append('(').Append(Arguments.ToString()).Append(") = ").Append(ReturnText);
                if (Injected)
                {
                    sb.Append(" (INJECTED)");
                }

                if (Delayed)
                {
                    sb.Append(" (DELAYED)");
                }

                return sb.ToString();
        }
    }

    /// <summary>The fields of <see cref="SyscallEvent"/> that most events leave empty.</summary>
    private sealed class RareFields
    {
        public string? ThreadName;
        public bool? ServerIsLocal;
        public string? TargetPath;
        public int? ChildProcessId;
        public string? Signal;
        public string? SignalInfo;
        public int? ExitCode;
        public long LostCount;
        public string? LocalAddress;
        public int? LocalPort;
        public string? RemoteAddress;
        public int? RemotePort;
        public Capture.IoData? Data;
        public bool Injected;
        public bool Delayed;
    }
}

/// <summary>Who and when, the same for every kind of record: the thread, its process, their names and the instant.</summary>
/// <param name="ProcessId">The thread group id.</param>
/// <param name="ThreadId">The thread id.</param>
/// <param name="ProcessName">The process's (main thread's) name.</param>
/// <param name="ThreadName">The thread's own name.</param>
/// <param name="MonotonicNanoseconds">CLOCK_MONOTONIC in nanoseconds.</param>
/// <param name="Timestamp">The same instant as local wall-clock time.</param>
/// <param name="Context">The process's context (parent, command line, user, container ...), when known.</param>
/// <param name="Cpu">The CPU, when the engine knows it; else -1.</param>
internal readonly record struct EventOrigin(int ProcessId, int ThreadId, string ProcessName, string ThreadName, long MonotonicNanoseconds, DateTime Timestamp, Tracing.ProcessContext? Context = null, int Cpu = -1);

/// <summary>Which way a call moves data.</summary>
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]
public enum IoDirection
{
    /// <summary>Into the process (read, recvmsg ...).</summary>
    Read,

    /// <summary>Out of the process (write, sendto ...).</summary>
    Write,

    /// <summary>From one descriptor to another inside the kernel (sendfile, splice, tee, copy_file_range).</summary>
    Transfer,
}
