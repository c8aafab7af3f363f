using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace SyscallPS.Tracing;

/// <summary>The life-cycle state of a <see cref="TraceSession"/>.</summary>
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]
public enum TraceSessionState
{
    /// <summary>Attaching or launching.</summary>
    Starting,

    /// <summary>Tracing.</summary>
    Running,

    /// <summary>The traced processes ended.</summary>
    Completed,

    /// <summary>Stopped by the user (Stop-SyscallTrace, Ctrl+C, -Duration, end of pipeline).</summary>
    Stopped,

    /// <summary>The engine failed; see <see cref="TraceSession.Error"/>.</summary>
    Failed,
}

/// <summary>
/// A trace over one engine, as Get-SyscallTrace shows it. In streaming use the pipeline drains its events; in
/// background use (<c>-AsJob</c>) a pump moves them into a bounded ring that <c>Get-SyscallEvent</c> and the
/// session's job read. Starting, stopping and reading are the cmdlets' business, so those members are internal.
/// </summary>
public sealed class TraceSession
{
    /// <summary>
    /// Events between the engine and the consumer. Small on purpose: each one still queued at a garbage
    /// collection is copied into an older generation, and at 16384 those copies took a third of a fast
    /// trace's time. The engine's own buffer (the kernel ring, or the stopped tracee) holds any backlog.
    /// </summary>
    private const int QueueCapacity = 1024;

    // Task.Delay waits at most about 49.7 days at a time; a longer -Duration is waited in steps.
    private static readonly TimeSpan LongestDelay = TimeSpan.FromDays(40);

    private static readonly ConcurrentDictionary<int, TraceSession> Registry = new();
    private static int _lastId;
    private static PosixSignalRegistration[]? _shellEndingSignals;

    private readonly EventQueue _queue;
    private readonly object _stateGate = new();
    private CancellationTokenSource? _durationTimer;
    private ITraceRun? _run;
    private EventSpool? _spool;
    private long _eventCount;
    private long _lostInStream;
    private int _reading;
    private bool _stopRequested;
    private Capture.CaptureWriter? _capture;

    private TraceSession(TraceRequest request, EngineKind engine, string engineReason)
    {
        Id = Interlocked.Increment(ref _lastId);
        Request = request;
        Engine = engine;
        EngineReason = engineReason;
        Command = request.IsLaunch
            ? string.Join(' ', new[] { request.FilePath! }.Concat(request.ArgumentList))
            : request.SystemWide ? "(system-wide)" : "-ProcessId " + string.Join(',', request.ProcessIds);
        StartTime = DateTime.Now;
        _queue = new EventQueue(QueueCapacity, TimeSpan.FromMilliseconds(2));
    }

    /// <summary>The session number, unique in this PowerShell process.</summary>
    public int Id { get; }

    /// <summary>The engine that traces.</summary>
    public EngineKind Engine { get; private set; }

    /// <summary>Why this engine was chosen (matters for -Engine Auto).</summary>
    public string EngineReason { get; private set; }

    /// <summary>The session's state.</summary>
    public TraceSessionState State { get; private set; } = TraceSessionState.Starting;

    /// <summary>What is traced: the command line, or the attached process ids.</summary>
    public string Command { get; }

    /// <summary>The launched process id, or the attached ones.</summary>
    public IReadOnlyList<int> ProcessIds => _run?.LaunchedProcessId is int pid ? [pid] : Request.ProcessIds;

    /// <summary>Events produced so far.</summary>
    public long EventCount => Interlocked.Read(ref _eventCount);

    /// <summary>Events a background session dropped because its ring was full (oldest first).</summary>
    public long DroppedCount => _spool?.Dropped ?? 0;

    /// <summary>Events the engine lost (eBPF ring buffer overrun).</summary>
    public long LostCount => _run?.LostEvents ?? 0;

    /// <summary>The launched program's exit code once it ended (128+signal when killed).</summary>
    public int? ExitCode => _run?.ExitCode;

    /// <summary>How many events a background session keeps (its ring size); 0 for a streaming session.</summary>
    public int BufferCapacity => _spool?.Capacity ?? 0;

    /// <summary>When the session started.</summary>
    public DateTime StartTime { get; }

    /// <summary>When it ended, or null.</summary>
    public DateTime? EndTime { get; private set; }

    /// <summary>The failure's message, when <see cref="State"/> is Failed.</summary>
    public string? Error => Failure?.Message;

    /// <summary>The failure, with its stable error id, when <see cref="State"/> is Failed.</summary>
    public TraceException? Failure { get; private set; }

    /// <summary>True for a background (<c>-AsJob</c>) session.</summary>
    public bool IsBackground => _spool is not null;

    /// <summary>The capture file events are also written to (strace -o, sysdig -w), or null.</summary>
    public string? OutFile { get; private set; }

    /// <summary>The request this session serves.</summary>
    internal TraceRequest Request { get; }

    /// <summary>Completes when tracing has ended and every tracee is released.</summary>
    internal Task Completion { get; private set; } = Task.CompletedTask;

    /// <summary>
    /// The live events of a streaming session, blocking until the next arrives; ends when tracing ends.
    /// Cancelling (or abandoning the enumeration) makes the engine stop.
    /// </summary>
    internal IEnumerable<SyscallEvent> ReadEvents(CancellationToken cancellation)
    {
        // The hand-over queue serves one reader (see EventQueue): a second would take events from the first.
        if (Interlocked.Exchange(ref _reading, 1) != 0)
        {
            throw new InvalidOperationException($"The events of session {Id} are already being read; a session's events are read once.");
        }

        try
        {
            while (_queue.WaitForEvents(cancellation))
            {
                while (_queue.TryTake(out var e))
                {
                    if (_capture is not null)
                    {
                        WriteCapture(e);
                    }

                    yield return e;
                }
            }
        }
        finally
        {
            if (!_queue.IsCompleted)
            {
                _queue.Abandon();
            }

            CloseCapture();
        }
    }

    /// <summary>Every session of this process, oldest first.</summary>
    internal static IReadOnlyList<TraceSession> All => Registry.Values.OrderBy(s => s.Id).ToList();

    /// <summary>The session with this id, or null.</summary>
    internal static TraceSession? Find(int id) => Registry.TryGetValue(id, out var s) ? s : null;

    /// <summary>Forgets a finished session.</summary>
    internal static void Forget(TraceSession session) => Registry.TryRemove(session.Id, out _);

    /// <summary>
    /// Chooses the engine, validates the request and starts tracing. Throws <see cref="TraceException"/> for
    /// bad input, with nothing left running. <paramref name="backgroundCapacity"/> &gt; 0 makes a background session.
    /// </summary>
    internal static TraceSession Start(TraceRequest request, int backgroundCapacity, TimeSpan? duration, Func<TraceRequest, (ITraceEngine Engine, string Reason)>? chooseEngine = null, Capture.CaptureOutput? output = null)
    {
        var (engine, reason) = (chooseEngine ?? EngineSelector.Choose)(request);
        TraceRequestValidator.Validate(request, engine.Kind);
        var session = new TraceSession(request, engine.Kind, reason);
        if (backgroundCapacity > 0)
        {
            session._spool = new EventSpool(backgroundCapacity);
        }

        if (output is not null)
        {
            try
            {
                session._capture = Capture.CaptureWriter.Create(output, engine.Kind.ToString(), session.Command);
                session.OutFile = output.Path;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new TraceException("CaptureFileUnwritable", TraceErrorKind.PermissionDenied, $"Cannot write the capture file '{output.Path}': {ex.Message}", "Choose a writable path for -OutFile.", output.Path, ex);
            }
        }

        try
        {
            try
            {
                session._run = engine.Start(request, new ChannelSink(session));
            }
            catch (TraceException refusal) when (chooseEngine is null && EngineSelector.Fallback(request, engine, refusal) is { } fallback)
            {
                TraceRequestValidator.Validate(request, fallback.Engine.Kind);
                session.Engine = fallback.Engine.Kind;
                session.EngineReason = fallback.Reason;
                session._run = fallback.Engine.Start(request, new ChannelSink(session));
            }
        }
        catch
        {
            session._capture?.Dispose();
            throw;
        }

        WatchShellEnding();
        session.State = TraceSessionState.Running;
        Registry[session.Id] = session;
        // The token is taken before the watcher can end the session and dispose its source.
        session._durationTimer = duration > TimeSpan.Zero ? new CancellationTokenSource() : null;
        var durationToken = session._durationTimer?.Token ?? CancellationToken.None;
        var watch = session.WatchAsync();
        session.Completion = watch;
        if (session._spool is not null)
        {
            // A background session is complete once its last event is in the ring, not just traced.
            var pumped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            new Thread(() =>
            {
                try
                {
                    session.Pump();
                }
                finally
                {
                    pumped.SetResult();
                }
            })
            { IsBackground = true, Name = $"SyscallPS session {session.Id} pump" }.Start();
            session.Completion = Task.WhenAll(watch, pumped.Task);
        }

        if (duration is { } d && d > TimeSpan.Zero)
        {
            _ = session.StopAfterAsync(d, durationToken);
        }

        return session;
    }

    /// <summary>
    /// Ends tracing: attached processes are detached and keep running; a launched program gets SIGTERM (SIGINT
    /// for <see cref="TraceStopReason.Interrupted"/>), is traced while it ends, and is killed if it outlives
    /// <see cref="TraceRequest.StopGracePeriod"/>.
    /// </summary>
    internal void Stop(TraceStopReason reason = TraceStopReason.Requested)
    {
        _stopRequested = true;
        _run?.Stop(reason);
    }

    /// <summary>
    /// Completes when what follows this session's stored events (a job moving them into its output and taking the
    /// session's final state) has caught up; readers that wait for the end wait for it too, so that after
    /// <c>Get-SyscallEvent -Wait</c> the job is finished and Receive-Job returns every event.
    /// </summary>
    internal Task? FollowerCaughtUp { get; set; }

    /// <summary>Reads the events a background session holds, from sequence number <paramref name="next"/> on.</summary>
    internal long ReadSpool(ref long next, List<SyscallEvent> into) => _spool?.ReadFrom(ref next, into) ?? 0;

    /// <summary>Waits for more background events; false when the session has ended and all were read.</summary>
    internal bool WaitSpool(long next, TimeSpan timeout) => _spool?.WaitForMore(next, timeout) ?? false;

    /// <summary>
    /// Lets go of a finished background session (Remove-Job): it leaves the registry and its ring's events become
    /// garbage. A session still running is stopped first.
    /// </summary>
    internal void Release()
    {
        if (!Completion.IsCompleted)
        {
            Stop(TraceStopReason.Requested);
            Completion.Wait(Request.StopGracePeriod + TraceStop.KillWait + TimeSpan.FromSeconds(5));
        }

        Forget(this);
        _spool?.Release();
    }

    private async Task StopAfterAsync(TimeSpan duration, CancellationToken traceEnded)
    {
        try
        {
            for (var left = duration; left > TimeSpan.Zero; left -= LongestDelay)
            {
                await Task.Delay(left < LongestDelay ? left : LongestDelay, traceEnded).ConfigureAwait(false);
            }

            Stop(TraceStopReason.Requested);
        }
        catch (OperationCanceledException)
        {
            // The trace ended first.
        }
    }

    private async Task WatchAsync()
    {
        try
        {
            await _run!.Completion.ConfigureAwait(false);
            lock (_stateGate)
            {
                State = Failure is not null ? TraceSessionState.Failed : _stopRequested ? TraceSessionState.Stopped : TraceSessionState.Completed;
            }
        }
        catch (Exception ex)
        {
            Fail(ex as TraceException ?? new TraceException("TraceFailed", TraceErrorKind.EngineFailure, "The trace failed: " + ex.Message, "Run again with -Verbose; report the message if it persists.", this, ex));
        }
        finally
        {
            EndTime = DateTime.Now;
            if (_durationTimer is { } timer)
            {
                await timer.CancelAsync().ConfigureAwait(false);
                timer.Dispose();
            }

            // Loss is never silent: the stream carries a record of it. Engines write their own loss records as
            // they notice; only what none of them covered gets a closing one, so the LostCount values add up.
            if (_run?.LostEvents is > 0 and var lost && lost > Interlocked.Read(ref _lostInStream))
            {
                _queue.Add(SyscallEvent.ForLoss(lost - Interlocked.Read(ref _lostInStream), EventAssembler.Now(), DateTime.Now));
            }

            _queue.Complete();
        }
    }

    private void Pump()
    {
        try
        {
            foreach (var e in ReadEvents(CancellationToken.None))
            {
                _spool!.Add(e);
            }
        }
        catch (Exception ex)
        {
            // On this thread an exception would end the whole PowerShell process: the session carries it.
            if (ex is not TraceException)
            {
                Fail(new TraceException("SessionPumpFailed", TraceErrorKind.EngineFailure, "Storing the session's events failed: " + ex.Message, "Report this as a bug with the command you ran.", this, ex));
            }
        }
        finally
        {
            _spool!.Complete();
        }
    }

    /// <summary>Marks the session failed with <paramref name="failure"/> (the first failure wins) and ends its trace.</summary>
    private void Fail(TraceException failure)
    {
        lock (_stateGate)
        {
            Failure ??= failure;
            State = TraceSessionState.Failed;
        }

        Stop(TraceStopReason.Requested);
    }

    private void WriteCapture(SyscallEvent e)
    {
        try
        {
            _capture!.Write(e);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw CaptureFailed(ex);
        }
    }

    private void CloseCapture()
    {
        var capture = Interlocked.Exchange(ref _capture, null);
        try
        {
            capture?.Dispose();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw CaptureFailed(ex);
        }
    }

    /// <summary>A capture write failed: the session fails with CaptureWriteFailed and its trace ends the normal way.</summary>
    private TraceException CaptureFailed(Exception ex)
    {
        var failure = new TraceException("CaptureWriteFailed", TraceErrorKind.WriteError,
            $"Writing the capture file '{OutFile}' failed: {ex.Message}",
            "Free space on its file system or choose another -OutFile; the file holds the events written before the failure.", OutFile, ex);
        var capture = Interlocked.Exchange(ref _capture, null);
        try
        {
            capture?.Dispose();
        }
        catch (Exception again) when (again is IOException or UnauthorizedAccessException)
        {
            // The same failure again while closing: already reported.
        }

        Fail(failure);
        return Failure!;
    }

    /// <summary>
    /// When PowerShell is being ended (SIGTERM, or its terminal hung up) every session ends through its normal
    /// stop path before the process goes: launched programs get their signal, attached ones are released. The
    /// default action (the process ends) follows.
    /// </summary>
    private static void WatchShellEnding()
    {
        lock (Registry)
        {
            _shellEndingSignals ??=
            [
                PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnShellEnding),
                PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnShellEnding),
            ];
        }
    }

    private static void OnShellEnding(PosixSignalContext context)
    {
        var running = Registry.Values.Where(s => !s.Completion.IsCompleted).ToList();
        foreach (var session in running)
        {
            session.Stop(TraceStopReason.Requested);
        }

        var longest = running.Select(s => s.Request.StopGracePeriod).DefaultIfEmpty(TimeSpan.Zero).Max();
        try
        {
            Task.WaitAll(running.Select(s => s.Completion).ToArray(), longest + TraceStop.KillWait + TimeSpan.FromSeconds(2));
        }
        catch (AggregateException)
        {
            // Failed sessions have still ended.
        }
    }

    /// <summary>Counts events and applies back-pressure: the tracer waits while the consumer is behind.</summary>
    private sealed class ChannelSink(TraceSession session) : ITraceEventSink
    {
        public bool Write(SyscallEvent traceEvent)
        {
            Interlocked.Increment(ref session._eventCount);
            if (traceEvent.Kind == SyscallEventKind.Lost)
            {
                Interlocked.Add(ref session._lostInStream, traceEvent.LostCount);
            }

            return session._queue.Add(traceEvent);
        }
    }
}
