using System.Diagnostics;
using System.Globalization;
using SyscallPS.Decoding;
using SyscallPS.Native;
using SyscallPS.Tracing;

namespace SyscallPS.Ptrace;

/// <summary>
/// One ptrace trace. Every ptrace request is made from one dedicated thread: the kernel ties a tracee to
/// the thread that attached it, and wait4 with __WNOTHREAD then sees only this thread's tracees and
/// children, never the other children of the PowerShell process.
/// </summary>
internal sealed class PtraceRun : ITraceRun
{
    private const int SeizeOptions =
        Native.Ptrace.PTRACE_O_TRACESYSGOOD | Native.Ptrace.PTRACE_O_TRACEEXEC | Native.Ptrace.PTRACE_O_TRACESECCOMP;

    private const int FollowOptions =
        Native.Ptrace.PTRACE_O_TRACEFORK | Native.Ptrace.PTRACE_O_TRACEVFORK | Native.Ptrace.PTRACE_O_TRACECLONE;

    private readonly TraceRequest _request;
    private readonly EventAssembler _assembler;
    private readonly SyscallTable _table = SyscallTable.Current;
    private readonly Dictionary<int, Tracee> _tracees = [];

    // Threads that wait4 reported before the fork/vfork/clone event that made them (it reports the newest
    // tracee first, and a busy parent reaches its event stop late), with the status when that first report
    // was already their death. Such a child must not become a tracee again at the event: the loop would
    // wait for an exit that has been reported.
    private readonly Dictionary<int, int?> _reportedBeforeCreation = [];
    private readonly bool _seccomp;
    private readonly int _options;
    private readonly string? _launchPath;
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Thread _thread;
    private readonly int _execve;
    private readonly int _execveat;
    private readonly byte[] _siginfo = new byte[128];

    // -Inject: null when the request has no faults.
    private readonly FaultInjector? _faults;

    // The sentinel child that Stop kills to wake wait4. Guarded by _sentinelGate: the tracer thread clears the pid
    // under it before reaping, so Stop never signals a reaped (reusable) pid, nor pid 0 (kill(0) is the whole group).
    private readonly object _sentinelGate = new();
    private int _sentinelPid;
    private int _launchedPid;
    private volatile int _stopReason = NotStopping;
    private long _stopSignalSentAt;   // Stopwatch ticks; 0 until a stopped launched program was sent its signal
    private long _killSentAt;
    private bool _useRegisterFallback;
    private int? _exitCode;

    private const int NotStopping = -1;

    internal PtraceRun(TraceRequest request, ITraceEventSink sink, string? launchPath, bool forceRegisterFallback)
    {
        _request = request;
        _launchPath = launchPath;
        _useRegisterFallback = forceRegisterFallback;

        // The tracee is stopped at each exit, so /proc is live for names and descriptors; filters that hide calls
        // which open and close descriptors make each used descriptor be checked there.
        _assembler = new EventAssembler(request, sink, engineNamesThreads: false,
            descriptorCallsHidden: request.SyscallNumbers is not null || request.ProcessNames.Count > 0);

        // A launched program with a syscall filter gets a seccomp filter, so untraced syscalls never stop it.
        _seccomp = launchPath is not null && request.SyscallNumbers is not null;
        // A launched program is this trace's to end: if the tracer dies without ending it (pwsh killed), the kernel
        // kills it, rather than leave it running where every call under the seccomp filter fails with ENOSYS.
        _options = SeizeOptions | (request.FollowChildren ? FollowOptions : 0) | (launchPath is not null ? Native.Ptrace.PTRACE_O_EXITKILL : 0);
        _faults = FaultInjector.For(request, _table, Resume, forceRegisterFallback);
        _execve = NumberOf("execve");
        _execveat = NumberOf("execveat");
        _thread = new Thread(ThreadMain) { IsBackground = true, Name = "SyscallPS ptrace tracer" };
    }

    /// <inheritdoc />
    public Task Completion => _completion.Task;

    /// <inheritdoc />
    public int? LaunchedProcessId => _launchedPid == 0 ? null : _launchedPid;

    /// <inheritdoc />
    public int? ExitCode => _exitCode;

    /// <inheritdoc />
    public long LostEvents => 0;

    /// <summary>Starts the tracer thread and waits until the tracees are under trace (or the start failed).</summary>
    internal void Begin()
    {
        // .NET installs its SIGCHLD handler lazily (at its first child process), so check at every start.
        ChildStopSignals.SuppressStopNotifications();
        _thread.Start();
        try
        {
            _started.Task.GetAwaiter().GetResult();
        }
        catch (TraceException)
        {
            _thread.Join();
            throw;
        }
    }

    /// <inheritdoc />
    public void Stop(TraceStopReason reason)
    {
        if (Interlocked.CompareExchange(ref _stopReason, (int)reason, NotStopping) != NotStopping)
        {
            return;
        }

        lock (_sentinelGate)
        {
            // The tracer thread sleeps in wait4; the sentinel child's death wakes it.
            if (_sentinelPid > 0)
            {
                Signals.Kill(_sentinelPid, Signals.SIGKILL);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Stop(TraceStopReason.Requested);
        _completion.Task.Wait(_request.StopGracePeriod + TraceStop.KillWait + TimeSpan.FromSeconds(5));
    }

    private int NumberOf(string name) => _table.TryGetByName(name, out var info) ? info.Number : -1;

    private void ThreadMain()
    {
        try
        {
            int sentinel = Spawn.Start(ProgramResolver.Launcher(), ["syscallps-launch", "--pause"]);
            lock (_sentinelGate)
            {
                _sentinelPid = sentinel;
            }

            if (_launchPath is not null)
            {
                Launch(_launchPath);
            }
            else
            {
                Attach();
            }
        }
        catch (Exception ex)
        {
            ReleaseAll();
            ReapSentinel();
            _started.TrySetException(ex is TraceException ? ex : new TraceException("TracerStartFailed", TraceErrorKind.EngineFailure, ex.Message, "Report this as a bug with the command you ran.", null, ex));
            _completion.TrySetResult();
            return;
        }

        _started.TrySetResult();
        try
        {
            Loop();
        }
        catch (Exception ex)
        {
            // The trace cannot go on: a launched program ends with it (detached under its seccomp filter, it
            // would fail every filtered call), attached processes are released.
            SignalLaunched(Signals.SIGKILL);
            ReleaseAll();
            _completion.TrySetException(ex);
            return;
        }
        finally
        {
            ReapSentinel();
            _faults?.Dispose();
        }

        _completion.TrySetResult();
    }

    // ---- starting -------------------------------------------------------------------------------

    private void Launch(string path)
    {
        var filter = _seccomp
            ? SeccompFilter.Build(_request.SyscallNumbers!.Concat(_faults?.TargetNumbers ?? []), _table.Architecture)
            : null;
        int pid = StoppedLaunch.Start(path, _request, filter);

        if (Native.Ptrace.Call(Native.Ptrace.PTRACE_SEIZE, pid, 0, _options) < 0)
        {
            int errno = NativeSyscalls.LastErrno;
            Signals.Kill(pid, Signals.SIGKILL);
            Wait.Wait4(pid, out _, Wait.__WNOTHREAD);
            throw SeizeError(pid, errno);
        }

        _launchedPid = pid;
        _tracees[pid] = new Tracee(pid, pid) { Prelude = true };
        Signals.Kill(pid, Signals.SIGCONT);
    }

    private void Attach()
    {
        var attached = new List<int>();
        try
        {
            foreach (var pid in _request.ProcessIds)
            {
                bool more = true;
                while (more)
                {
                    // Threads may be born while we attach: rescan until every thread is ours.
                    more = false;
                    foreach (var tid in ProcFs.Threads(pid))
                    {
                        if (_tracees.ContainsKey(tid))
                        {
                            continue;
                        }

                        if (Native.Ptrace.Call(Native.Ptrace.PTRACE_SEIZE, tid, 0, _options) < 0)
                        {
                            int errno = NativeSyscalls.LastErrno;
                            if (errno == 3 /* ESRCH: the thread ended meanwhile */ && tid != pid)
                            {
                                continue;
                            }

                            throw SeizeError(pid, errno);
                        }

                        _tracees[tid] = new Tracee(tid, pid);
                        attached.Add(tid);
                        Native.Ptrace.Call(Native.Ptrace.PTRACE_INTERRUPT, tid);
                        more = true;
                    }
                }

                if (!_tracees.ContainsKey(pid))
                {
                    throw new TraceException("ProcessNotFound", TraceErrorKind.NotFound, $"No process with id {pid} exists.", "Check the id with Get-Process; the process may have ended.", pid);
                }
            }
        }
        catch
        {
            // ThreadMain releases what was attached before the failure; nothing may stay traced.
            throw;
        }
    }

    private static TraceException SeizeError(int pid, int errno)
    {
        if (errno == 3)
        {
            return new TraceException("ProcessNotFound", TraceErrorKind.NotFound, $"No process with id {pid} exists.", "Check the id with Get-Process; the process may have ended.", pid);
        }

        if (errno == 1)
        {
            var tracer = ProcFs.StatusField(pid, "TracerPid");
            if (tracer is not null && tracer != "0")
            {
                return new TraceException("ProcessAlreadyTraced", TraceErrorKind.PermissionDenied,
                    $"Process {pid} is already traced by process {tracer}.", "A process has one tracer at a time: stop the other tracer (strace, gdb) first.", pid);
            }

            return new TraceException("ProcessAccessDenied", TraceErrorKind.PermissionDenied,
                $"Not allowed to trace process {pid}.",
                "Tracing another user's process needs root or CAP_SYS_PTRACE (and kernel.yama.ptrace_scope may restrict non-children): run pwsh with sudo.", pid);
        }

        return new TraceException("AttachFailed", TraceErrorKind.EngineFailure, $"ptrace(PTRACE_SEIZE, {pid}) failed with errno {errno}.", "Check that the process is alive and traceable.", pid);
    }

    // ---- the event loop -------------------------------------------------------------------------

    private void Loop()
    {
        while (_tracees.Count > 0)
        {
            int flags = Wait.__WALL | Wait.__WNOTHREAD;
            if (_stopReason != NotStopping)
            {
                if (!StopStep())
                {
                    return;
                }

                // Ending a launched program has deadlines: poll.
                flags |= Wait.WNOHANG;
            }

            int tid = Wait.Wait4(-1, out int status, flags);
            if (tid == 0)
            {
                Thread.Sleep(1);
                continue;
            }

            if (tid < 0)
            {
                int errno = NativeSyscalls.LastErrno;
                if (errno == 4 /* EINTR */)
                {
                    continue;
                }

                return;   // ECHILD: nothing left to wait for
            }

            if (IsSentinel(tid))
            {
                continue;
            }

            if (_faults is not null && _faults.OnWaitResult(tid))
            {
                continue;
            }

            Handle(tid, status);
        }
    }

    /// <summary>
    /// One step of ending the trace once Stop was asked; false when nothing is left to wait for. Attached
    /// processes are detached at once. A launched program gets its signal and stays traced while it ends, so its
    /// last calls, the signal and its death are reported; it is sent SIGKILL if it outlives the grace period.
    /// What it leaves running is detached, except under the seccomp filter: the filter stays with every
    /// descendant and fails each filtered call with ENOSYS once nobody traces it, so those get the signals too.
    /// </summary>
    private bool StopStep()
    {
        if (_launchedPid == 0 || (_exitCode is not null && !_seccomp))
        {
            ReleaseAll();
            return false;
        }

        long now = Stopwatch.GetTimestamp();
        if (_stopSignalSentAt == 0)
        {
            SignalLaunched(TraceStop.SignalFor((TraceStopReason)_stopReason));
            _faults?.ResumeHeld();
            _stopSignalSentAt = now;
        }
        else if (_killSentAt == 0 && Stopwatch.GetElapsedTime(_stopSignalSentAt, now) >= _request.StopGracePeriod)
        {
            SignalLaunched(Signals.SIGKILL);
            _killSentAt = now;
        }
        else if (_killSentAt != 0 && Stopwatch.GetElapsedTime(_killSentAt, now) >= TraceStop.KillWait)
        {
            // Not dead long after SIGKILL (an uninterruptible sleep): stop waiting. Exit-kill ends what is still
            // traced when this thread ends.
            ReleaseAll();
            return false;
        }

        return true;
    }

    /// <summary>Sends <paramref name="signal"/> to the launched program (while it lives) and, under the seccomp filter, to every traced process.</summary>
    private void SignalLaunched(int signal)
    {
        if (_launchedPid == 0)
        {
            return;
        }

        if (_exitCode is null)
        {
            Signals.Kill(_launchedPid, signal);
        }

        if (_seccomp)
        {
            foreach (var tgid in _tracees.Values.Select(t => t.Tgid).Where(p => p != _launchedPid).Distinct().ToList())
            {
                Signals.Kill(tgid, signal);
            }
        }
    }

    /// <summary>True when wait4 reported the sentinel's death (it is reaped by then): it is forgotten.</summary>
    private bool IsSentinel(int tid)
    {
        lock (_sentinelGate)
        {
            if (tid != _sentinelPid || tid == 0)
            {
                return false;
            }

            _sentinelPid = 0;
            return true;
        }
    }

    private Tracee TraceeFor(int tid)
    {
        if (!_tracees.TryGetValue(tid, out var t))
        {
            // A new child's first stop can arrive before its parent's fork event.
            t = new Tracee(tid, ProcFs.Tgid(tid));
            _tracees[tid] = t;
            _reportedBeforeCreation[tid] = null;

            // Its name, read while it is stopped and /proc still has it: a child killed before any of its events
            // needed the name would otherwise be reported nameless.
            _ = _assembler.ProcessName(t.Tgid);
        }

        return t;
    }

    private void Handle(int tid, int status)
    {
        if (Wait.IfExited(status) || Wait.IfSignaled(status))
        {
            OnGone(tid, status);
            return;
        }

        if (!Wait.IfStopped(status))
        {
            return;
        }

        var t = TraceeFor(tid);
        t.Listening = false;
        int sig = Wait.StopSig(status);
        int evt = Wait.PtraceEvent(status);

        if (sig == (Signals.SIGTRAP | 0x80))
        {
            OnSyscallStop(t);
            Resume(t, 0);
            return;
        }

        if (sig == Signals.SIGTRAP && evt != 0)
        {
            OnEventStop(t, evt);
            return;
        }

        if (evt == Native.Ptrace.PTRACE_EVENT_STOP)
        {
            if (Signals.IsStopSignal(sig))
            {
                // Group-stop, reported as strace does for every such stop (also one found stopped at attach).
                if (!t.Prelude)
                {
                    Check(_assembler.GroupStop(t.Tgid, tid, EventAssembler.Now(), sig));
                }

                // Stay stopped, but keep reporting (PTRACE_LISTEN) so SIGCONT and our own PTRACE_INTERRUPT still reach us.
                t.Listening = true;
                Native.Ptrace.Call(Native.Ptrace.PTRACE_LISTEN, tid);
            }
            else
            {
                Resume(t, 0);
            }

            return;
        }

        // Signal-delivery-stop: report it, then deliver it (never swallow a signal).
        _faults?.OnSignalDelivery(t, sig);
        if (!t.Prelude)
        {
            ReportSignal(t, sig);
        }

        Resume(t, sig);
    }

    private void Resume(Tracee t, int signal)
    {
        if (_faults is not null && _faults.Defer(t, signal))
        {
            return;
        }

        // Under the seccomp filter a thread runs freely (PTRACE_CONT) unless we await its syscall exit.
        int request = _seccomp && !t.InSyscall ? Native.Ptrace.PTRACE_CONT : Native.Ptrace.PTRACE_SYSCALL;
        Native.Ptrace.Call(request, t.Tid, 0, signal);
    }

    private void OnEventStop(Tracee t, int evt)
    {
        switch (evt)
        {
            case Native.Ptrace.PTRACE_EVENT_FORK:
            case Native.Ptrace.PTRACE_EVENT_VFORK:
            case Native.Ptrace.PTRACE_EVENT_CLONE:
                long child = Native.Ptrace.GetEventMessage(t.Tid);
                if (child > 0)
                {
                    OnCreated(t, (int)child, evt);
                }

                break;

            case Native.Ptrace.PTRACE_EVENT_EXEC:
                long former = Native.Ptrace.GetEventMessage(t.Tid);
                if (former > 0 && former != t.Tid && _tracees.Remove((int)former, out var execer))
                {
                    // A non-leader thread ran execve: it takes over the leader's id. Keep its syscall state.
                    execer.Tid = t.Tid;
                    execer.Memory.Tid = t.Tid;
                    execer.Tgid = t.Tgid;
                    _tracees[t.Tid] = execer;
                    t = execer;
                }

                t.Prelude = false;
                _assembler.ProgramReplaced(t.Tgid);
                break;

            case Native.Ptrace.PTRACE_EVENT_SECCOMP:
                OnSyscallStop(t);
                break;
        }

        Resume(t, 0);
    }

    /// <summary>A fork/vfork/clone event names a new thread: it becomes a tracee unless wait4 has reported it already.</summary>
    private void OnCreated(Tracee parent, int childTid, int evt)
    {
        bool reportedEarly = _reportedBeforeCreation.Remove(childTid, out int? earlyDeath);
        if (_tracees.ContainsKey(childTid) || (reportedEarly && earlyDeath is null))
        {
            return;   // already a tracee, or one that has come and gone
        }

        int tgid = evt == Native.Ptrace.PTRACE_EVENT_CLONE ? ProcFs.Tgid(childTid) : childTid;
        _tracees[childTid] = new Tracee(childTid, tgid);
        if (tgid == childTid)
        {
            // Named now, while /proc has it (or after its parent, once it has gone): a child killed before any of
            // its events needed the name would otherwise be reported nameless. Its descriptors come from the
            // parent's clone exit (CLONE_FILES is in its flags), or from /proc when that call is not traced.
            _ = _assembler.ProcessName(childTid);
            _assembler.ProcessStarted(parent.Tgid, childTid, copyDescriptors: false);
        }

        if (earlyDeath is int status)
        {
            // It died (SIGKILL) before its first stop, so before this event: report its end now that it is known.
            OnGone(childTid, status);
        }
    }

    private void OnSyscallStop(Tracee t)
    {
        long number;
        Span<ulong> args = stackalloc ulong[6];
        bool isEntry;
        long returnValue = 0;
        if (!_useRegisterFallback)
        {
            if (Native.Ptrace.GetSyscallInfo(t.Tid, out var info) < 0)
            {
                if (NativeSyscalls.LastErrno == 5 /* EIO: kernel before 5.3 */ && Registers.Supported)
                {
                    _useRegisterFallback = true;
                    OnSyscallStop(t);
                }

                return;
            }

            if (info.Op == Native.Ptrace.PTRACE_SYSCALL_INFO_EXIT)
            {
                isEntry = false;
                number = t.Call.Number;
                returnValue = (long)info.NrOrReturn;
            }
            else if (info.Op is Native.Ptrace.PTRACE_SYSCALL_INFO_ENTRY or Native.Ptrace.PTRACE_SYSCALL_INFO_SECCOMP)
            {
                isEntry = true;
                number = (long)info.NrOrReturn;
                t.Call.StackPointer = info.StackPointer;
                unsafe
                {
                    for (int i = 0; i < 6; i++)
                    {
                        args[i] = info.Args[i];
                    }
                }
            }
            else
            {
                return;
            }
        }
        else
        {
            if (!Registers.Read(t.Tid, out number, args, out returnValue))
            {
                return;
            }

            // Registers do not say which stop this is: alternate, starting with an entry.
            isEntry = !t.FallbackExpectExit;
            t.FallbackExpectExit = isEntry;
        }

        if (isEntry)
        {
            _faults?.OnEntry(t, (int)number, args);
            OnEntry(t, (int)number, args);
        }
        else
        {
            OnExit(t, _faults?.OnExit(t, returnValue) ?? returnValue);
        }
    }

    private void OnEntry(Tracee t, int number, ReadOnlySpan<ulong> args)
    {
        if (t.Prelude && (number == _execve || number == _execveat))
        {
            // The launcher's execve is the program's own: report from here on.
            t.Prelude = false;
        }

        var call = t.Call;
        t.InSyscall = true;
        call.Number = number;
        t.ReportCall = !t.Prelude && _assembler.Reports(number) && _assembler.ProcessAllowed(t.Tgid);
        if (!t.ReportCall)
        {
            return;
        }

        args.CopyTo(call.Args);
        call.EntryNanoseconds = EventAssembler.Now();
        _assembler.DecodeEntry(call, t.Memory);
        if (call.Info is { } info && (info.Effects & SyscallEffects.NeverReturns) != 0)
        {
            // exit and exit_group: reported at their entry, where strace prints them ("exit_group(0) = ?"); a main
            // thread's end is reported only once its whole group has ended.
            t.ReportCall = false;
            Check(_assembler.UnfinishedCall(call, call.EntryNanoseconds, t.Tgid, t.Tid));
        }
    }

    private void OnExit(Tracee t, long returnValue)
    {
        if (!t.InSyscall)
        {
            return;   // attached in the middle of a syscall: its entry was never seen
        }

        t.InSyscall = false;
        if (!t.ReportCall)
        {
            return;
        }

        Check(_assembler.CompleteCall(t.Call, returnValue, EventAssembler.Now(), t.Tgid, t.Tid, t.Memory));
    }

    /// <summary>When the consumer has gone (the pipeline ended), tracing ends.</summary>
    private void Check(bool consumerStillThere)
    {
        if (!consumerStillThere)
        {
            Stop(TraceStopReason.Requested);
        }
    }

    private void ReportSignal(Tracee t, int sig)
    {
        unsafe
        {
            fixed (byte* p = _siginfo)
            {
                bool known = Native.Ptrace.Call(Native.Ptrace.PTRACE_GETSIGINFO, t.Tid, 0, (long)p) >= 0;
                Check(_assembler.Signal(t.Tgid, t.Tid, EventAssembler.Now(), sig, known ? _siginfo : []));
            }
        }
    }

    private void OnGone(int tid, int status)
    {
        if (!_tracees.Remove(tid, out var t))
        {
            // Not (yet) a tracee: a new child that died before its parent's fork event came.
            _reportedBeforeCreation[tid] = status;
            return;
        }

        long now = EventAssembler.Now();
        if (t.InSyscall && t.ReportCall)
        {
            Check(_assembler.UnfinishedCall(t.Call, now, t.Tgid, t.Tid));
        }

        if (tid == _launchedPid)
        {
            _exitCode = SyscallEvent.ExitCodeOf(status);
        }

        // wait4 reports a thread group's leader last, once the group is empty: its end is the process's.
        Check(_assembler.ThreadExited(t.Tgid, tid, now, status, processEnded: tid == t.Tgid, report: !t.Prelude));
    }

    // ---- ending ---------------------------------------------------------------------------------

    /// <summary>
    /// Detaches every tracee so it runs on untraced. Each must be in a ptrace-stop to detach: interrupt the
    /// running ones, then detach each at its next stop, handing back any signal that stop was delivering.
    /// </summary>
    private void ReleaseAll()
    {
        foreach (var held in _faults?.DetachHeld() ?? [])
        {
            _tracees.Remove(held);
        }

        foreach (var t in _tracees.Values)
        {
            Native.Ptrace.Call(Native.Ptrace.PTRACE_INTERRUPT, t.Tid);
        }

        var deadline = Stopwatch.StartNew();
        while (_tracees.Count > 0)
        {
            int tid = Wait.Wait4(-1, out int status, Wait.__WALL | Wait.__WNOTHREAD | Wait.WNOHANG);
            if (tid == 0)
            {
                if (deadline.Elapsed > TimeSpan.FromSeconds(5))
                {
                    // A tracee that never stops (e.g. stuck in an uninterruptible sleep): the kernel detaches it when this thread ends.
                    break;
                }

                Thread.Sleep(1);
                continue;
            }

            if (tid < 0)
            {
                if (NativeSyscalls.LastErrno == 4)
                {
                    continue;
                }

                break;
            }

            if (IsSentinel(tid))
            {
                continue;
            }

            if (!_tracees.ContainsKey(tid) && Wait.IfStopped(status))
            {
                // A new child whose fork we never reported: it is ours too, release it.
                _tracees[tid] = new Tracee(tid, tid);
            }

            if (Wait.IfExited(status) || Wait.IfSignaled(status))
            {
                OnGone(tid, status);
                continue;
            }

            int sig = Wait.StopSig(status);
            int evt = Wait.PtraceEvent(status);
            bool signalDelivery = evt == 0 && sig != (Signals.SIGTRAP | 0x80);
            Native.Ptrace.Call(Native.Ptrace.PTRACE_DETACH, tid, 0, signalDelivery ? sig : 0);
            _tracees.Remove(tid);
        }
    }

    private void ReapSentinel()
    {
        int pid;
        lock (_sentinelGate)
        {
            pid = _sentinelPid;
            _sentinelPid = 0;
        }

        if (pid > 0)
        {
            Signals.Kill(pid, Signals.SIGKILL);
            Wait.Wait4(pid, out _, Wait.__WNOTHREAD);
        }
    }

    /// <summary>A description for diagnostics.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"ptrace run: {_tracees.Count} tracees, launched {_launchedPid}, seccomp {_seccomp}");
}
