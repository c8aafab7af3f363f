using System.Diagnostics;
using SyscallPS.Decoding;
using SyscallPS.Native;
using SyscallPS.Tracing;

namespace SyscallPS.Ptrace;

/// <summary>
/// Injects the faults of a trace (strace's <c>-e inject=</c>) into the tracees of one <see cref="PtraceRun"/>. Everything
/// runs on the tracer thread, at the run's syscall stops:
/// <list type="bullet">
/// <item>entry (<see cref="OnEntry"/>): counts the call per thread and syscall, and for a hit replaces the call (syscall
/// number -1, so the kernel skips it), queues the signal and arms the delays;</item>
/// <item>exit (<see cref="OnExit"/>): writes -errno or the return value in place of the skipped call's -ENOSYS;</item>
/// <item>resume (<see cref="Defer"/>): holds the thread for a delay instead of resuming it;</item>
/// <item>signal delivery (<see cref="OnSignalDelivery"/>): makes the queued signal's siginfo the kernel's, as strace's.</item>
/// </list>
/// strace queues the signal by resuming the entry stop with it, which the kernel turns into a signal "from the kernel"
/// (SI_KERNEL) that interrupts a blocking call. A seccomp stop (a filtered launch) ignores a resume signal, so the signal
/// is sent with tgkill at the entry stop instead, with the same effect, and its siginfo rewritten when it is delivered.
/// A held thread stays in its ptrace-stop while the others run on. The tracer sleeps in wait4, so a timer wakes it by
/// killing a child of its own (a paused launcher), whose death wait4 reports (<see cref="OnWaitResult"/>).
/// </summary>
internal sealed class FaultInjector : IDisposable
{
    private const int ESRCH = 3;
    private const int MaxErrno = 4095;
    private const int SI_KERNEL = 0x80;
    private const int SI_TKILL = -6;

    private readonly SyscallFault?[] _byNumber;
    private readonly Action<Tracee, int> _resume;
    private readonly SyscallTable _table;
    private readonly SyscallDecodeState _scratch = new();
    private readonly List<Held> _held = [];
    private readonly object _timerGate = new();
    private readonly long _startTicks = Stopwatch.GetTimestamp();
    private readonly byte[] _siginfo = new byte[128];
    private Timer? _timer;
    private int _timerPid;
    private bool _noSetSyscallInfo;

    private FaultInjector(IReadOnlyList<SyscallFault> faults, SyscallTable table, Action<Tracee, int> resume, bool writeRegisters)
    {
        _table = table;
        _noSetSyscallInfo = writeRegisters;
        _resume = resume;
        _byNumber = new SyscallFault?[table.MaxNumber + 1];

        // strace keeps one fault per syscall: a later one naming it replaces an earlier one.
        foreach (var fault in faults)
        {
            foreach (var n in fault.Numbers)
            {
                if (n >= 0 && n < _byNumber.Length)
                {
                    _byNumber[n] = fault;
                }
            }
        }
    }

    /// <summary>The injector for a request, or null when it has no faults.</summary>
    /// <param name="request">The trace request.</param>
    /// <param name="table">The syscall table of the tracees.</param>
    /// <param name="resume">The run's own resume, used for threads held by a delay.</param>
    /// <param name="writeRegisters">Write the registers (PTRACE_POKEUSER) even where PTRACE_SET_SYSCALL_INFO exists: the engine's register fallback.</param>
    internal static FaultInjector? For(TraceRequest request, SyscallTable table, Action<Tracee, int> resume, bool writeRegisters)
    {
        if (request.Faults.Count == 0)
        {
            return null;
        }

        foreach (var fault in request.Faults)
        {
            if (fault.Architecture != table.Architecture)
            {
                throw new TraceException("FaultForOtherArchitecture", TraceErrorKind.InvalidArgument,
                    $"The fault '{fault}' was made for {fault.Architecture}; the tracees are {table.Architecture}.", "Create the fault again on this machine.", fault);
            }
        }

        return new FaultInjector(request.Faults, table, resume, writeRegisters);
    }

    /// <summary>The syscalls some fault names: a seccomp filter must stop at them too.</summary>
    internal IEnumerable<int> TargetNumbers => Enumerable.Range(0, _byNumber.Length).Where(n => _byNumber[n] is not null);

    /// <summary>
    /// At a syscall entry, before the run looks at it: counts the call and, when a fault hits it, applies the fault.
    /// Nothing is counted or injected while the launcher runs, up to and including the program's own execve (as strace).
    /// </summary>
    internal void OnEntry(Tracee t, int number, ReadOnlySpan<ulong> args)
    {
        t.Call.Injected = false;
        t.Call.Delayed = false;
        var fault = number >= 0 && number < _byNumber.Length ? _byNumber[number] : null;
        if (fault is null || t.Prelude)
        {
            return;
        }

        if (fault.HasPath && !PathMatches(fault, t, number, args))
        {
            return;   // as strace -P: calls on other paths are neither hit nor counted
        }

        var state = t.Faults ??= new FaultState();
        int invocation = state.Counts.TryGetValue(number, out int seen) ? seen + 1 : 1;
        state.Counts[number] = invocation;
        if (!fault.Hits(invocation))
        {
            return;
        }

        if (fault.ReplacesCall)
        {
            SkipCall(t);
            state.PendingReturn = fault.InjectedReturn;
            t.Call.Injected = true;
        }

        if (fault.SignalNumber != 0
            && NativeSyscalls.Call(NativeSyscalls.Tgkill, t.Tgid, t.Tid, fault.SignalNumber) == 0)
        {
            state.SignalSent = fault.SignalNumber;
        }

        if (fault.DelayEnter is TimeSpan enter)
        {
            state.Hold = enter;
            t.Call.Delayed = true;
        }

        if (fault.DelayExit is TimeSpan exit)
        {
            state.HoldAtExit = exit;
            t.Call.Delayed = true;
        }
    }

    /// <summary>At the syscall's exit: writes the injected return value and arms what follows the call; returns the value the call returns.</summary>
    internal long OnExit(Tracee t, long returnValue)
    {
        var state = t.Faults;
        if (state is null)
        {
            return returnValue;
        }

        if (state.PendingReturn is long injected)
        {
            state.PendingReturn = null;
            WriteReturn(t, injected);
            returnValue = injected;
        }

        if (state.HoldAtExit is TimeSpan hold)
        {
            state.Hold = hold;
            state.HoldAtExit = null;
        }

        return returnValue;
    }

    /// <summary>Before a tracee is resumed (with <paramref name="signal"/>): true when a delay holds it instead.</summary>
    internal bool Defer(Tracee t, int signal)
    {
        if (t.Faults is not { Hold: TimeSpan hold } state)
        {
            return false;
        }

        state.Hold = null;
        _held.Add(new Held(t, signal, Now() + hold.Ticks * 100));
        ArmTimer();
        return true;
    }

    /// <summary>
    /// At a signal-delivery stop, before the run reports it: the signal this injector sent with tgkill gets the siginfo
    /// of a signal queued by the kernel (<c>{si_signo=SIG, si_code=SI_KERNEL}</c>), as strace's injected signals have.
    /// </summary>
    internal void OnSignalDelivery(Tracee t, int signal)
    {
        var state = t.Faults;
        if (state is null || state.SignalSent != signal)
        {
            return;
        }

        unsafe
        {
            fixed (byte* p = _siginfo)
            {
                if (Native.Ptrace.Call(Native.Ptrace.PTRACE_GETSIGINFO, t.Tid, 0, (long)p) < 0
                    || BitConverter.ToInt32(_siginfo, 8) != SI_TKILL || BitConverter.ToInt32(_siginfo, 16) != Environment.ProcessId)
                {
                    return;   // not ours: the same signal from elsewhere came first (a real-time one queues; ours follows)
                }

                state.SignalSent = 0;
                Array.Clear(_siginfo);
                BitConverter.TryWriteBytes(_siginfo.AsSpan(0, 4), signal);
                BitConverter.TryWriteBytes(_siginfo.AsSpan(8, 4), SI_KERNEL);
                Native.Ptrace.Call(Native.Ptrace.PTRACE_SETSIGINFO, t.Tid, 0, (long)p);
            }
        }
    }

    /// <summary>For each wait4 result: true when it was the timer child, whose death means held threads are due.</summary>
    internal bool OnWaitResult(int pid)
    {
        if (pid != _timerPid || pid == 0)
        {
            return false;
        }

        lock (_timerGate)
        {
            _timerPid = 0;
        }

        long now = Now();
        var due = _held.Where(h => h.DueNanoseconds <= now).ToList();
        _held.RemoveAll(h => h.DueNanoseconds <= now);
        foreach (var h in due)
        {
            _resume(h.Tracee, h.Signal);
        }

        ArmTimer();
        return true;
    }

    /// <summary>
    /// When a launched program is being stopped: every held thread goes on now, its delay cut short, so the program
    /// can act on the signal it was sent.
    /// </summary>
    internal void ResumeHeld()
    {
        var held = _held.ToList();
        _held.Clear();
        StopTimer();
        foreach (var h in held)
        {
            _resume(h.Tracee, h.Signal);
        }
    }

    /// <summary>
    /// Before the run releases its tracees: detaches every held one where it stands (it is in a ptrace-stop, so it
    /// needs no interrupt) and returns their thread ids, which the run forgets.
    /// </summary>
    internal IReadOnlyList<int> DetachHeld()
    {
        var tids = new List<int>(_held.Count);
        foreach (var h in _held)
        {
            Native.Ptrace.Call(Native.Ptrace.PTRACE_DETACH, h.Tracee.Tid, 0, h.Signal);
            tids.Add(h.Tracee.Tid);
        }

        _held.Clear();
        StopTimer();
        return tids;
    }

    /// <inheritdoc />
    public void Dispose() => StopTimer();

    private long Now() => (long)((Stopwatch.GetTimestamp() - _startTicks) * (1e9 / Stopwatch.Frequency));

    /// <summary>Makes sure a timer child exists and the timer kills it when the earliest held thread is due.</summary>
    private void ArmTimer()
    {
        if (_held.Count == 0)
        {
            return;
        }

        if (_timerPid == 0)
        {
            // Spawned from the tracer thread, so its death wakes this thread's wait4.
            int pid = Spawn.Start(ProgramResolver.Launcher(), ["syscallps-launch", "--pause"]);
            lock (_timerGate)
            {
                _timerPid = pid;
            }
        }

        long wait = Math.Max(0, _held.Min(h => h.DueNanoseconds) - Now());
        var dueMs = (long)Math.Ceiling(wait / 1e6);
        if (_timer is null)
        {
            _timer = new Timer(_ => KillTimerChild(), null, dueMs, Timeout.Infinite);
        }
        else
        {
            _timer.Change(dueMs, Timeout.Infinite);
        }
    }

    private void KillTimerChild()
    {
        lock (_timerGate)
        {
            if (_timerPid > 0)
            {
                Signals.Kill(_timerPid, Signals.SIGKILL);
            }
        }
    }

    /// <summary>Ends the timer and reaps its child, so no process is left behind.</summary>
    private void StopTimer()
    {
        using (var done = new ManualResetEvent(false))
        {
            if (_timer is not null && _timer.Dispose(done))
            {
                done.WaitOne(TimeSpan.FromSeconds(5));
            }
        }

        _timer = null;
        int pid;
        lock (_timerGate)
        {
            pid = _timerPid;
            _timerPid = 0;
        }

        if (pid > 0)
        {
            Signals.Kill(pid, Signals.SIGKILL);
            Wait.Wait4(pid, out _, Wait.__WNOTHREAD);
        }
    }

    /// <summary>True when the call's path, or the path of its descriptor, matches the fault's wildcard.</summary>
    private bool PathMatches(SyscallFault fault, Tracee t, int number, ReadOnlySpan<ulong> args)
    {
        // The run decodes the call after this hook (and only when it is reported): decode its inputs here.
        var call = _scratch;
        call.Number = number;
        call.Info = _table.ByNumber(number);
        args.CopyTo(call.Args);
        SyscallDecoder.OnEntry(call, t.Memory, DecodeOptions.Default);

        if (call.Path is string path)
        {
            if (fault.PathMatches(path))
            {
                return true;
            }

            if (!path.StartsWith('/') && FdTable.ReadLink($"/proc/{t.Tid}/cwd") is string cwd
                && fault.PathMatches(cwd.TrimEnd('/') + "/" + path))
            {
                return true;
            }
        }

        return call.Fd >= 0 && FdTable.ReadLink($"/proc/{t.Tgid}/fd/{call.Fd}") is string target && fault.PathMatches(target);
    }

    /// <summary>Makes the kernel skip the call (syscall number -1), as strace does for error= and retval=.</summary>
    private void SkipCall(Tracee t)
    {
        if (!_noSetSyscallInfo && Native.Ptrace.GetSyscallInfo(t.Tid, out var info) >= 0
            && info.Op is Native.Ptrace.PTRACE_SYSCALL_INFO_ENTRY or Native.Ptrace.PTRACE_SYSCALL_INFO_SECCOMP)
        {
            info.NrOrReturn = ulong.MaxValue;
            if (Native.Ptrace.SetSyscallInfo(t.Tid, info) >= 0 || Gone())
            {
                return;
            }

            _noSetSyscallInfo = true;   // before Linux 6.16: write the register
        }

        if (!(Registers.Supported && Registers.WriteNumber(t.Tid, -1)) && !Gone())
        {
            throw Failed("replace the syscall number");
        }
    }

    private void WriteReturn(Tracee t, long value)
    {
        if (!_noSetSyscallInfo && Native.Ptrace.GetSyscallInfo(t.Tid, out var info) >= 0 && info.Op == Native.Ptrace.PTRACE_SYSCALL_INFO_EXIT)
        {
            info.NrOrReturn = unchecked((ulong)value);
            unsafe
            {
                info.Args[0] = value is < 0 and >= -MaxErrno ? 1UL : 0UL;   // exit.is_error
            }

            if (Native.Ptrace.SetSyscallInfo(t.Tid, info) >= 0 || Gone())
            {
                return;
            }

            _noSetSyscallInfo = true;
        }

        if (!(Registers.Supported && Registers.WriteReturn(t.Tid, value)) && !Gone())
        {
            throw Failed("write the return value");
        }
    }

    /// <summary>True when the last ptrace request failed because the thread is gone (killed meanwhile): nothing to inject into.</summary>
    private static bool Gone() => NativeSyscalls.LastErrno == ESRCH;

    private static TraceException Failed(string what) =>
        new("InjectionFailed", TraceErrorKind.NotSupported,
            $"Fault injection could not {what} (errno {NativeSyscalls.LastErrno}): this kernel and architecture offer neither PTRACE_SET_SYSCALL_INFO (Linux 6.16) nor the x86_64 register layout.",
            "Run the trace without -Inject, or on x86_64 or Linux 6.16 and later.");

    /// <summary>A thread held in its ptrace-stop by a delay, and the signal to resume it with.</summary>
    private readonly record struct Held(Tracee Tracee, int Signal, long DueNanoseconds);
}

/// <summary>One thread's fault injection state: its invocation counts and what the current call still has to do.</summary>
internal sealed class FaultState
{
    /// <summary>Calls seen per syscall number (strace counts per syscall and per thread, across execve).</summary>
    internal Dictionary<int, int> Counts { get; } = [];

    /// <summary>The raw return value to write at the exit of a skipped call.</summary>
    internal long? PendingReturn { get; set; }

    /// <summary>The signal sent to the thread at an injected call's entry, until its delivery.</summary>
    internal int SignalSent { get; set; }

    /// <summary>A delay to apply after the exit stop.</summary>
    internal TimeSpan? HoldAtExit { get; set; }

    /// <summary>A delay to apply at the next resume.</summary>
    internal TimeSpan? Hold { get; set; }
}
