using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using SyscallPS.Native;
using SyscallPS.Tracing;

namespace SyscallPS.Ebpf;

/// <summary>
/// The loaded kernel program of one trace: the libbpf object, its maps and its attachments. Every kernel
/// object is held through a file descriptor of this process, so the kernel frees them when the process ends.
/// </summary>
internal sealed unsafe class EbpfProgram : IDisposable
{
    /// <summary>Prefix of every program and map name, to recognise ours in <c>bpftool prog show</c>.</summary>
    internal const string NamePrefix = "sps_";

    /// <summary>Above this many syscalls the raw tracepoints (all syscalls) are cheaper to attach than per-syscall ones.</summary>
    // Attaching a per-syscall tracepoint is quick, but detaching one waits for the kernel's tracepoint grace
    // periods (40-80 ms each here, only partly shared when done in parallel): past a few syscalls the two raw
    // tracepoints are the better deal.
    internal const int MaxPerSyscallTracepoints = 8;

    /// <summary>Size of the fork/exit ring (<c>sps_procs</c> in syscallps.bpf.c).</summary>
    internal const int ProcessRingBytes = 1 << 18;

    private const string ResourceName = "SyscallPS.Ebpf.syscallps.bpf.o";
    private const string TracefsSyscalls = "/sys/kernel/tracing/events/syscalls";

    private readonly Libbpf.Exports _bpf;
    private readonly List<nint> _links = [];
    private readonly List<nint> _tracepointLinks = [];
    private nint _object;

    private EbpfProgram(Libbpf.Exports bpf) => _bpf = bpf;

    /// <summary>True when the per-syscall tracepoints are attached instead of the raw ones.</summary>
    public bool PerSyscallTracepoints { get; private set; }

    /// <summary>The ring buffer map's fd.</summary>
    public int EventsFd { get; private set; }

    /// <summary>The fork/exit ring buffer map's fd.</summary>
    public int ProcessEventsFd { get; private set; }

    /// <summary>The per-CPU drop counter map's fd.</summary>
    public int DropsFd { get; private set; }

    /// <summary>The compiled object embedded in the assembly.</summary>
    internal static byte[] EmbeddedObject()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException("The embedded eBPF object is missing from SyscallPS.Engine.");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>The names of the syscalls' per-syscall tracepoints, or null when one is missing (then the raw ones are used).</summary>
    internal static List<string>? PerSyscallTracepointNames(SyscallTable table, IReadOnlySet<int>? syscalls)
    {
        if (syscalls is null || syscalls.Count == 0 || syscalls.Count > MaxPerSyscallTracepoints || !Directory.Exists(TracefsSyscalls))
        {
            return null;
        }

        var names = new List<string>();
        foreach (var n in syscalls)
        {
            var name = table.ByNumber(n)?.Name;
            if (name is null || !Directory.Exists(Path.Combine(TracefsSyscalls, "sys_enter_" + name)) || !Directory.Exists(Path.Combine(TracefsSyscalls, "sys_exit_" + name)))
            {
                return null;
            }

            names.Add(name);
        }

        return names;
    }

    /// <summary>Opens, configures and loads the program; attaches nothing yet.</summary>
    internal static EbpfProgram Load(Libbpf.Exports bpf, in EbpfConfig config, EbpfSyscallSpec[] specs, int ringBufferBytes, bool attachForkExit, bool perSyscall, bool signals)
    {
        var program = new EbpfProgram(bpf);
        try
        {
            program.LoadCore(config, specs, ringBufferBytes, attachForkExit, perSyscall, signals);
            return program;
        }
        catch
        {
            program.Dispose();
            throw;
        }
    }

    private void LoadCore(in EbpfConfig config, EbpfSyscallSpec[] specs, int ringBufferBytes, bool attachForkExit, bool perSyscall, bool signals)
    {
        var image = EmbeddedObject();
        const int LogSize = 1 << 20;
        var log = (byte*)NativeMemory.AllocZeroed(LogSize);
        try
        {
            fixed (byte* data = image)
            fixed (byte* name = "sps\0"u8)
            {
                var opts = new Libbpf.OpenOptions
                {
                    Size = (nuint)sizeof(Libbpf.OpenOptions),
                    ObjectName = (nint)name,
                    KernelLogBuffer = (nint)log,
                    KernelLogSize = LogSize,
                };
                _object = _bpf.ObjectOpenMem(data, (nuint)image.Length, &opts);
                if (_object == 0)
                {
                    throw Failure("EbpfOpenFailed", "libbpf could not open the embedded eBPF object", Libbpf.LastErrno, null);
                }
            }

            var events = Map("sps_events");
            if (_bpf.MapSetMaxEntries(events, (uint)ringBufferBytes) != 0)
            {
                throw Failure("EbpfRingBufferSize", $"the ring buffer size {ringBufferBytes} was refused", Libbpf.LastErrno, null);
            }

            var rodata = Map(".rodata");
            nuint size;
            var initial = _bpf.MapInitialValue(rodata, &size);
            if (initial == null || size < (nuint)sizeof(EbpfConfig))
            {
                throw Failure("EbpfObjectLayout", "the embedded eBPF object has an unexpected .rodata layout", 0, null);
            }

            *(EbpfConfig*)initial = config;

            // The syscall specs are a global array: written here, before the load, in one copy.
            var specData = _bpf.MapInitialValue(Map(".data.specs"), &size);
            if (specData == null || size != (nuint)(sizeof(EbpfSyscallSpec) * specs.Length))
            {
                throw Failure("EbpfObjectLayout", "the embedded eBPF object has an unexpected syscall spec table", 0, null);
            }

            specs.AsSpan().CopyTo(new Span<EbpfSyscallSpec>(specData, specs.Length));
            PerSyscallTracepoints = perSyscall;
            SetAutoload("sps_raw_enter", !perSyscall);
            SetAutoload("sps_raw_exit", !perSyscall);
            SetAutoload("sps_tp_enter", perSyscall);
            SetAutoload("sps_tp_exit", perSyscall);
            SetAutoload("sps_fork", attachForkExit);
            SetAutoload("sps_exit", attachForkExit);

            // Off only for a -SystemWide trace of chosen calls (EbpfTraceRun sets config.signals the same way).
            SetAutoload("sps_signal_deliver", signals);
            SetAutoload("sps_signal_generate", signals);
            if (_bpf.ObjectLoad(_object) != 0)
            {
                int errno = Libbpf.LastErrno;
                var text = Marshal.PtrToStringUTF8((nint)log) ?? string.Empty;
                throw Failure("EbpfLoadFailed", "the kernel refused the eBPF program", errno, text);
            }

            EventsFd = _bpf.MapFd(events);
            ProcessEventsFd = _bpf.MapFd(Map("sps_procs"));
            DropsFd = _bpf.MapFd(Map("sps_drops"));
        }
        finally
        {
            NativeMemory.Free(log);
        }
    }

    /// <summary>Adds a process (thread group) to the traced set.</summary>
    internal void AddProcess(int tgid)
    {
        int fd = _bpf.MapFd(Map("sps_tgids"));
        uint key = (uint)tgid;
        byte one = 1;
        if (_bpf.MapUpdateElem(fd, &key, &one, 0) != 0)
        {
            throw Failure("EbpfMapUpdate", "could not fill the process map", Libbpf.LastErrno, null);
        }
    }

    /// <summary>Adds an exact (lower-case) process name to the in-kernel name filter.</summary>
    internal void AddProcessName(string lowerName)
    {
        int fd = _bpf.MapFd(Map("sps_comms"));
        var key = stackalloc byte[16];
        new Span<byte>(key, 16).Clear();
        Encoding.UTF8.GetBytes(lowerName.AsSpan(0, Math.Min(lowerName.Length, 15)), new Span<byte>(key, 15));
        byte one = 1;
        if (_bpf.MapUpdateElem(fd, key, &one, 0) != 0)
        {
            throw Failure("EbpfMapUpdate", "could not fill the process-name map", Libbpf.LastErrno, null);
        }
    }

    /// <summary>Adds a cgroup v2 id to the in-kernel container filter.</summary>
    internal void AddCgroup(ulong id)
    {
        int fd = _bpf.MapFd(Map("sps_cgroups"));
        byte one = 1;
        if (_bpf.MapUpdateElem(fd, &id, &one, 0) != 0)
        {
            throw Failure("EbpfMapUpdate", "could not fill the cgroup map", Libbpf.LastErrno, null);
        }
    }

    /// <summary>Attaches the fork and exit tracepoints (before the syscall ones, so no child escapes).</summary>
    internal void AttachProcessTracking()
    {
        Attach("sps_fork");
        Attach("sps_exit");
    }

    /// <summary>Attaches the signal programs (before the syscall ones, so a signal is never missing between two reported calls).</summary>
    internal void AttachSignals()
    {
        Attach("sps_signal_deliver");
        Attach("sps_signal_generate");
    }

    /// <summary>Attaches the syscall programs: raw tracepoints, or the per-syscall ones of <paramref name="perSyscallNames"/>.</summary>
    internal void AttachSyscalls(IReadOnlyList<string>? perSyscallNames)
    {
        // First the switch program, which keeps a syscall's entry when its task leaves the CPU in mid-call: a
        // syscall program without it would lose the calls that block.
        Attach("sps_switch");
        if (!PerSyscallTracepoints || perSyscallNames is null)
        {
            Attach("sps_raw_enter");
            Attach("sps_raw_exit");
            return;
        }

        var enter = Program("sps_tp_enter");
        var exit = Program("sps_tp_exit");
        foreach (var name in perSyscallNames)
        {
            AttachTracepoint(enter, "sys_enter_" + name);
            AttachTracepoint(exit, "sys_exit_" + name);
        }
    }

    /// <summary>Total events the kernel dropped (ring buffer full), over all CPUs.</summary>
    internal long ReadDrops(int possibleCpus)
    {
        var values = stackalloc ulong[Math.Max(possibleCpus, 1)];
        uint key = 0;
        if (_bpf.MapLookupElem(DropsFd, &key, values) != 0)
        {
            return 0;
        }

        long sum = 0;
        for (int i = 0; i < possibleCpus; i++)
        {
            sum += (long)values[i];
        }

        return sum;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        // Per-syscall tracepoint links go in parallel: each detach waits for a grace period, and waiting
        // together shares part of it.
        var waiters = new List<Thread>();
        foreach (var link in _tracepointLinks)
        {
            var thread = new Thread(() => _bpf.LinkDestroy(link)) { IsBackground = true, Name = "SyscallPS tracepoint detach" };
            thread.Start();
            waiters.Add(thread);
        }

        waiters.ForEach(t => t.Join());
        _tracepointLinks.Clear();
        for (int i = _links.Count - 1; i >= 0; i--)
        {
            _bpf.LinkDestroy(_links[i]);
        }

        _links.Clear();
        if (_object != 0)
        {
            _bpf.ObjectClose(_object);
            _object = 0;
        }
    }

    private void Attach(string name)
    {
        var link = _bpf.ProgramAttach(Program(name));
        if (link == 0)
        {
            throw Failure("EbpfAttachFailed", $"could not attach {name}", Libbpf.LastErrno, null);
        }

        _links.Add(link);
    }

    private void AttachTracepoint(nint program, string tracepoint)
    {
        var category = Encoding.UTF8.GetBytes("syscalls\0");
        var name = Encoding.UTF8.GetBytes(tracepoint + "\0");
        nint link;
        fixed (byte* c = category)
        fixed (byte* n = name)
        {
            link = _bpf.ProgramAttachTracepoint(program, c, n);
        }

        if (link == 0)
        {
            throw Failure("EbpfAttachFailed", $"could not attach to the tracepoint syscalls:{tracepoint}", Libbpf.LastErrno, null);
        }

        _tracepointLinks.Add(link);
    }

    private void SetAutoload(string name, bool load) => _bpf.ProgramSetAutoload(Program(name), load ? (byte)1 : (byte)0);

    private nint Map(string name)
    {
        var bytes = Encoding.UTF8.GetBytes(name + "\0");
        fixed (byte* p = bytes)
        {
            var map = _bpf.FindMapByName(_object, p);
            return map != 0 ? map : throw Failure("EbpfObjectLayout", $"the embedded eBPF object has no map {name}", 0, null);
        }
    }

    private nint Program(string name)
    {
        var bytes = Encoding.UTF8.GetBytes(name + "\0");
        fixed (byte* p = bytes)
        {
            var prog = _bpf.FindProgramByName(_object, p);
            return prog != 0 ? prog : throw Failure("EbpfObjectLayout", $"the embedded eBPF object has no program {name}", 0, null);
        }
    }

    private static TraceException Failure(string id, string what, int errno, string? verifierLog)
    {
        var message = "eBPF engine: " + what + (errno != 0 ? $" ({Marshal.GetPInvokeErrorMessage(errno)}, errno {errno})" : string.Empty) + ".";
        if (!string.IsNullOrWhiteSpace(verifierLog))
        {
            var tail = verifierLog.Length > 2000 ? verifierLog[^2000..] : verifierLog;
            message += " Verifier log (end): " + tail.Trim();
        }

        var kind = errno is 1 or 13 ? TraceErrorKind.PermissionDenied : TraceErrorKind.EngineFailure;
        return new TraceException(id, kind, message, kind == TraceErrorKind.PermissionDenied
            ? "Run as root or grant CAP_BPF and CAP_PERFMON, or use -Engine Ptrace."
            : "Check the kernel (5.17 or later with BTF); use -Engine Ptrace meanwhile.");
    }
}
