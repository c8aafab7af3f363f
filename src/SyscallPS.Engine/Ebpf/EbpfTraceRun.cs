using System.Runtime.InteropServices;
using SyscallPS.Native;
using SyscallPS.Tracing;

namespace SyscallPS.Ebpf;

/// <summary>
/// One running eBPF trace: a consumer thread drains the ring buffer (the kernel wakes it only in batches),
/// decodes records into events for the sink, counts losses, and unloads everything when tracing ends.
/// </summary>
internal sealed unsafe class EbpfTraceRun : ITraceRun
{
    private const int PollMilliseconds = 50;
    private const int NoExitCode = int.MinValue;

    // A consume returns after this many records, so a busy machine cannot keep the loop from checking Stop.
    private const int BatchLimit = 65536;

    private readonly EbpfProgram _program;
    private readonly TimeSpan _stopGracePeriod;
    private readonly EventAssembler _assembler;
    private readonly EbpfEventDecoder _decoder;
    private readonly bool _systemWide;
    private readonly HashSet<int> _liveProcesses;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly int _possibleCpus;
    private readonly List<byte[]> _processRecords = [];
    private readonly EbpfRingReader.RecordHandler _handleRecord;
    private readonly EbpfRingReader.RecordHandler _queueRecord;
    private EbpfRingReader? _events;
    private EbpfRingReader? _processEvents;
    private int _ringBytes;   // the events ring's size, for mapping it on the consumer thread
    private DateTime _nextLivenessCheck = DateTime.UtcNow.AddSeconds(1);
    private Thread? _consumer;
    private volatile bool _stopRequested;
    private Exception? _failure;
    private long _lostEvents;
    private long _dropsReported;
    private int _exitCode = NoExitCode;

    private EbpfTraceRun(Libbpf.Exports bpf, EbpfProgram program, TraceRequest request, ITraceEventSink sink, IEnumerable<int> roots, int? launched, bool descriptorCallsSent)
    {
        _program = program;
        _stopGracePeriod = request.StopGracePeriod;
        _systemWide = request.SystemWide;
        _liveProcesses = [.. roots];
        LaunchedProcessId = launched;
        _possibleCpus = Math.Max(1, bpf.NumPossibleCpus());

        // Events arrive a little after the fact, so what /proc shows (pipe and socket names, a connect's local
        // port) is best effort: right while the process keeps the descriptor, the common case. A name filter
        // hides calls from the descriptor table; a syscall filter does unless the descriptor calls come hidden
        // (EbpfArgumentSpecs.Build): then each used descriptor is checked against /proc.
        _assembler = new EventAssembler(request, sink, engineNamesThreads: true,
            descriptorCallsHidden: request.ProcessNames.Count > 0 || (request.SyscallNumbers is not null && !descriptorCallsSent),
            containersFiltered: request.ContainerIds.Count > 0);
        _decoder = new EbpfEventDecoder(_assembler) { ResumedProcessId = launched };
        _handleRecord = HandleRecord;
        _queueRecord = record =>
        {
            _processRecords.Add(record.ToArray());
            return true;
        };
    }

    /// <inheritdoc />
    public Task Completion => _completion.Task;

    /// <inheritdoc />
    public int? LaunchedProcessId { get; }

    /// <inheritdoc />
    public int? ExitCode => Volatile.Read(ref _exitCode) is var code && code != NoExitCode ? code : null;

    /// <inheritdoc />
    public long LostEvents => Interlocked.Read(ref _lostEvents);

    /// <summary>True when the per-syscall tracepoints were attached instead of the raw ones.</summary>
    public bool PerSyscallTracepoints => _program.PerSyscallTracepoints;

    /// <summary>Loads, fills and attaches the program for <paramref name="request"/> and starts consuming.</summary>
    internal static EbpfTraceRun Start(Libbpf.Exports bpf, TraceRequest request, ITraceEventSink sink, IReadOnlyList<int> rootProcesses, int? launched, Action<SyscallEvent, SyscallPS.Decoding.ITraceeMemory>? observer)
    {
        var table = SyscallTable.Current;
        var (config, exactNames) = BuildConfig(request);
        // strace -s 0 prints no buffer contents: then the kernel copies none, which saves a user-memory read per call.
        int bufferCap = request.Decode.StringLimit <= 0 ? 0 : Math.Max(request.Decode.StringLimit + 1, 32);
        if (request.CaptureData)
        {
            // -CaptureData needs the data bytes too, not only what the strace text shows.
            bufferCap = Math.Max(bufferCap, Math.Min(request.DataSize, EbpfArgumentSpecs.StringCap));
        }

        var specs = EbpfArgumentSpecs.Build(table, request.SyscallNumbers, bufferCap);

        // The calls that change descriptors come too, hidden (see Build): their tracepoints are attached as well.
        var attached = request.SyscallNumbers is null ? null : Enumerable.Range(0, specs.Length).Where(n => specs[n].Traced != 0).ToHashSet();
        var perSyscallNames = EbpfProgram.PerSyscallTracepointNames(table, attached);
        bool signals = config.Signals != 0;
        var program = EbpfProgram.Load(bpf, config, specs, request.RingBufferBytes, attachForkExit: !request.SystemWide, perSyscall: perSyscallNames is not null, signals);
        EbpfTraceRun? run = null;
        try
        {
            foreach (var pid in rootProcesses)
            {
                program.AddProcess(pid);
            }

            foreach (var name in exactNames)
            {
                program.AddProcessName(name);
            }

            // -ContainerId: the containers' cgroups (checked to exist by the request validator), filtered in the kernel.
            foreach (var dir in ContainerCgroups.Directories(request.ContainerIds))
            {
                if (Native.FileStatus.InodeOf(dir) is ulong cgroup)
                {
                    program.AddCgroup(cgroup);
                }
            }

            bool descriptorCallsSent = Array.Exists(specs, s => s.Traced == EbpfArgumentSpecs.TrackOnly);
            run = new EbpfTraceRun(bpf, program, request, sink, rootProcesses, launched, descriptorCallsSent);
            run._assembler.Observer = observer;

            // Their context (parent, user, container ...) is read now, while they exist: a short-lived one may be
            // gone by the time its first record is read.
            foreach (var pid in rootProcesses)
            {
                run._assembler.ProcessMet(pid);
            }

            if (launched is int stopped)
            {
                // Stopped before its exec: its inherited descriptors (stdin, stdout ...) are readable now.
                run._assembler.Descriptors.SeedOnce(stopped);
            }
            run._ringBytes = request.RingBufferBytes;

            if (!request.SystemWide)
            {
                program.AttachProcessTracking();
            }

            if (signals)
            {
                program.AttachSignals();
            }

            program.AttachSyscalls(perSyscallNames);
            if (!request.SystemWide)
            {
                // A root that ended before the probes were attached would never report its exit.
                run._liveProcesses.RemoveWhere(pid => !Directory.Exists("/proc/" + pid));
            }

            run._consumer = new Thread(run.ConsumeLoop) { IsBackground = true, Name = "SyscallPS eBPF consumer" };
            run._consumer.Start();
            return run;
        }
        catch
        {
            if (run is not null)
            {
                run.ReleaseNative();
            }
            else
            {
                program.Dispose();
            }

            throw;
        }
    }

    /// <inheritdoc />
    public void Stop(TraceStopReason reason)
    {
        if (_stopRequested)
        {
            return;
        }

        _stopRequested = true;
        if (LaunchedProcessId is int pid && ExitCode is null)
        {
            Native.Signals.Kill(pid, TraceStop.SignalFor(reason));
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Stop(TraceStopReason.Requested);
        Completion.Wait(_stopGracePeriod + TraceStop.KillWait + TimeSpan.FromSeconds(5));
    }

    private static (EbpfConfig Config, List<string> ExactNames) BuildConfig(TraceRequest request)
    {
        var config = new EbpfConfig
        {
            SelfTgid = (uint)Environment.ProcessId,
            SystemWide = request.SystemWide ? 1u : 0u,
            FailedOnly = request.FailedOnly ? 1u : 0u,
            FollowChildren = request.FollowChildren ? 1u : 0u,
            WakeBytes = (uint)Math.Clamp(request.RingBufferBytes / 8, 4096, 256 << 10),
            ArgvStringCap = (uint)Math.Clamp(request.Decode.StringLimit + 1, 64, 4096),
            BufferCap = (uint)Math.Clamp(Math.Max(request.Decode.StringLimit + 1, request.CaptureData ? request.DataSize : 0), 32, 4096),
            CgroupFilter = request.ContainerIds.Count > 0 ? 1u : 0u,

            // Signals and group-stops come with the calls, as in strace (also under -Failed, as strace -Z), except
            // in a system-wide trace of chosen calls: `-SystemWide -Syscall chdir` is about chdir, not every SIGCHLD
            // or stopped job on the machine (as sysdig's evt.type filter).
            Signals = request.SystemWide && request.SyscallNumbers is not null ? 0u : 1u,

            // strace shows -s argv strings and "..." when there are more: one more pointer says which.
            ArgvEntries = (uint)Math.Clamp(request.Decode.StringLimit + 1, 1, EbpfArgumentSpecs.ArgvEntriesCap),
        };

        // The kernel pre-filters names it can match cheaply (exact names, "prefix*"); the consumer applies
        // the full wildcard afterwards. Any other pattern switches the kernel filter off.
        var exact = new List<string>();
        var prefixes = new List<string>();
        bool kernelCanFilter = request.ProcessNames.Count > 0;
        foreach (var pattern in request.ProcessNames)
        {
            var lower = pattern.ToLowerInvariant();
            if (!WildcardPattern.HasWildcards(lower))
            {
                exact.Add(lower.Length > 15 ? lower[..15] : lower);
            }
            else if (lower.IndexOfAny(['*', '?', '[']) == lower.Length - 1 && lower[^1] == '*' && lower.Length > 1 && prefixes.Count < EbpfConfig.MaxPrefixes)
            {
                var prefix = lower[..^1];
                prefixes.Add(prefix.Length > 15 ? prefix[..15] : prefix);
            }
            else
            {
                kernelCanFilter = false;
            }
        }

        if (kernelCanFilter)
        {
            config.CommFilter = 1;
            config.PrefixCount = (uint)prefixes.Count;
            for (int i = 0; i < prefixes.Count; i++)
            {
                var bytes = System.Text.Encoding.UTF8.GetBytes(prefixes[i]);
                int n = Math.Min(bytes.Length, 15);
                config.PrefixLength[i] = (uint)n;
                for (int j = 0; j < n; j++)
                {
                    config.Prefix[(i * 16) + j] = bytes[j];
                }
            }
        }

        return (config, kernelCanFilter ? exact : []);
    }

    private bool HandleRecord(ReadOnlySpan<byte> record)
    {
        try
        {
            var outcome = _decoder.Process(record);
            if (outcome.Started != 0)
            {
                _liveProcesses.Add(outcome.Started);
            }

            if (outcome.Ended != 0)
            {
                _liveProcesses.Remove(outcome.Ended);
                if (outcome.Ended == LaunchedProcessId)
                {
                    Volatile.Write(ref _exitCode, SyscallEvent.ExitCodeOf(outcome.WaitStatus));
                }
            }

            return outcome.Continue;
        }
        catch (Exception ex)
        {
            _failure ??= ex;
            return false;
        }
    }

    private void ConsumeLoop()
    {
        DateTime? stopDeadline = null;
        bool killSent = false;
        try
        {
            // Mapped here, not in Start: mapping a 64 MiB ring takes milliseconds, and meanwhile the traced
            // program already runs (its records wait in the ring).
            try
            {
                _events = new EbpfRingReader(_program.EventsFd, _ringBytes);
                _processEvents = new EbpfRingReader(_program.ProcessEventsFd, EbpfProgram.ProcessRingBytes);
            }
            catch when (LaunchedProcessId is int launched)
            {
                // The program was started for this trace and is running by now: it must not go on untraced.
                Native.Signals.Kill(launched, Native.Signals.SIGKILL);
                throw;
            }

            while (true)
            {
                EbpfRingReader.WaitEither(_events!, _processEvents!, PollMilliseconds);
                if (!Drain())
                {
                    break;
                }

                ReportDrops();
                if (!_systemWide && _liveProcesses.Count == 0)
                {
                    break;
                }

                if (_stopRequested)
                {
                    // Attached processes run on. A launched program was sent its signal and is traced while it
                    // ends (its last calls and its death are reported); past the grace period it gets SIGKILL.
                    // What it leaves running runs on untraced.
                    if (LaunchedProcessId is not int launched || ExitCode is not null)
                    {
                        break;
                    }

                    stopDeadline ??= DateTime.UtcNow + _stopGracePeriod;
                    if (DateTime.UtcNow >= stopDeadline)
                    {
                        if (killSent)
                        {
                            break;
                        }

                        Native.Signals.Kill(launched, Native.Signals.SIGKILL);
                        killSent = true;
                        stopDeadline = DateTime.UtcNow + TraceStop.KillWait;
                    }
                }
            }

            // Whatever is still in the ring (a backlog larger than one batch) is delivered before the end.
            if (_failure is null && !_assembler.ConsumerGone && _events!.ConsumeThrough(_handleRecord) && Drain())
            {
                ReportDrops();
            }

            if (_failure is null && !_assembler.ConsumerGone)
            {
                _decoder.ReleaseSignalsBefore(long.MaxValue);
            }
        }
        catch (Exception ex)
        {
            _failure ??= ex;
        }
        finally
        {
            ReleaseNative();
            CollectLaunched();
            if (_failure is not null)
            {
                _completion.TrySetException(_failure is TraceException ? _failure : new TraceException("EbpfConsumerFailed", TraceErrorKind.EngineFailure, "eBPF engine: " + _failure.Message, "Report this as a bug; use -Engine Ptrace meanwhile.", inner: _failure));
            }
            else
            {
                _completion.TrySetResult();
            }
        }
    }

    /// <summary>
    /// The launcher is this process's child (posix_spawn). A program that has ended is collected before the run
    /// completes, so no zombie outlives the trace; one still running (it runs on untraced) is collected when it ends.
    /// </summary>
    private void CollectLaunched()
    {
        if (LaunchedProcessId is not int launched)
        {
            return;
        }

        if (ExitCode is not null)
        {
            StoppedLaunch.Reap(launched, TraceStop.KillWait);
        }
        else
        {
            _ = Task.Run(() => StoppedLaunch.Reap(launched, TimeSpan.FromSeconds(10)));
        }
    }

    /// <summary>
    /// Consumes both rings. Fork and exit records are held back until the syscall ring has been read again,
    /// so a process's last syscalls come before its exit in the stream. False when tracing must end.
    /// </summary>
    private bool Drain()
    {
        // Processes seen gone before reading the rings have their exit record in the ring by now.
        List<int>? gone = null;
        if (!_systemWide && DateTime.UtcNow >= _nextLivenessCheck)
        {
            _nextLivenessCheck = DateTime.UtcNow.AddSeconds(1);
            gone = _liveProcesses.Where(pid => !IsAlive(pid)).ToList();
        }
        else if (_systemWide && DateTime.UtcNow >= _nextLivenessCheck)
        {
            // No exit records system-wide: tables of ended processes are dropped here, or they would pile up.
            _nextLivenessCheck = DateTime.UtcNow.AddSeconds(10);
            _assembler.Descriptors.ForgetEnded(pid => !IsAlive(pid));
        }

        // Records submitted without a wakeup are only seen by an explicit consume.
        _events!.Consume(_handleRecord, BatchLimit);
        _processEvents!.Consume(_queueRecord, int.MaxValue);
        if (_processRecords.Count > 0)
        {
            // A process's syscall records were all submitted before its exit record: read the ring up to where
            // it stands now, past the batch limit, or the run could end with them unread.
            _events.ConsumeThrough(_handleRecord);
            foreach (var record in _processRecords)
            {
                if (_failure is null && !_assembler.ConsumerGone)
                {
                    HandleRecord(record);
                }
            }

            _processRecords.Clear();
        }

        if (gone is not null)
        {
            // Their exit record was lost: stop waiting for them.
            _liveProcesses.ExceptWith(gone);
        }

        if (_failure is null && !_assembler.ConsumerGone)
        {
            // A signal waiting for its receiver's next syscall (a long blocking call, a thread that makes no more) is not held forever.
            _decoder.ReleaseSignalsBefore(EventAssembler.Now() - EbpfEventDecoder.SignalHoldNanoseconds);
        }

        return _failure is null && !_assembler.ConsumerGone;
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText("/proc/" + pid.ToString(System.Globalization.CultureInfo.InvariantCulture) + "/stat");
            int close = stat.LastIndexOf(')');
            return close > 0 && close + 2 < stat.Length && stat[close + 2] is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }

    private void ReportDrops()
    {
        long drops = _program.ReadDrops(_possibleCpus);
        if (drops > _dropsReported)
        {
            long delta = drops - _dropsReported;
            _dropsReported = drops;
            Interlocked.Add(ref _lostEvents, delta);
            _assembler.Loss(delta, EventAssembler.Now());
        }
    }

    private void ReleaseNative()
    {
        _events?.Dispose();
        _events = null;
        _processEvents?.Dispose();
        _processEvents = null;
        _program.Dispose();
    }
}
