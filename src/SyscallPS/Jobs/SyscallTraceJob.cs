using System.Management.Automation;
using SyscallPS.Commands;
using SyscallPS.Tracing;

namespace SyscallPS.Jobs;

/// <summary>
/// A background trace (<c>Start-SyscallTrace -AsJob</c>) as a PowerShell job: Get-Job lists it, Wait-Job waits for
/// the trace to end, Receive-Job returns its events, Stop-Job stops the trace the normal way (launched programs get
/// SIGTERM, then SIGKILL after the grace period; attached ones are detached), Remove-Job lets go of its events.
/// Get-SyscallEvent and Stop-SyscallTrace take the job where they take a session.
/// </summary>
public sealed class SyscallTraceJob : Job
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    // PowerShellStandard 5.1 has only SetJobState(state); the PowerShell that loads the module also has the
    // non-public overload that sets JobStateInfo.Reason, which Wait-Job and $job.JobStateInfo show.
    private static readonly System.Reflection.MethodInfo? SetJobStateWithReason = typeof(Job).GetMethod(
        "SetJobState", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic, null, [typeof(JobState), typeof(Exception)], null);

    private readonly TraceSession _session;
    private readonly TaskCompletionSource _caughtUp = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _gate = new();
    private int _finished;
    private volatile bool _removed;

    internal SyscallTraceJob(TraceSession session)
        : base(session.Command)
    {
        _session = session;
        _session.FollowerCaughtUp = _caughtUp.Task;
        PSJobTypeName = nameof(SyscallTraceJob);
        SetJobState(JobState.Running);
        new Thread(Pump) { IsBackground = true, Name = $"SyscallPS job {Id} (session {session.Id})" }.Start();
    }

    /// <summary>The trace session behind the job (what Get-SyscallTrace lists).</summary>
    public TraceSession Session => _session;

    /// <summary>The session's number, as Get-SyscallTrace -Id takes it.</summary>
    public int SessionId => _session.Id;

    /// <summary>The engine that traces.</summary>
    public EngineKind Engine => _session.Engine;

    /// <summary>Why this engine was chosen.</summary>
    public string EngineReason => _session.EngineReason;

    /// <summary>The launched process id, or the attached ones.</summary>
    public IReadOnlyList<int> ProcessIds => _session.ProcessIds;

    /// <summary>Events traced so far.</summary>
    public long EventCount => _session.EventCount;

    /// <summary>Events dropped because the session's buffer was full (oldest first).</summary>
    public long DroppedCount => _session.DroppedCount;

    /// <summary>Events the engine lost (eBPF ring buffer overrun).</summary>
    public long LostCount => _session.LostCount;

    /// <summary>The launched program's exit code once it ended (128+signal when killed).</summary>
    public int? ExitCode => _session.ExitCode;

    /// <summary>How many events the job keeps (-BufferCapacity).</summary>
    public int BufferCapacity => _session.BufferCapacity;

    /// <summary>The capture file events are also written to, or null.</summary>
    public string? OutFile => _session.OutFile;

    /// <summary>The failure, with its stable error id, when the job failed.</summary>
    public TraceException? Failure => _session.Failure;

    /// <inheritdoc />
    public override string StatusMessage => $"{_session.State}: {_session.EventCount} events";

    /// <inheritdoc />
    public override bool HasMoreData => Output.Count > 0 || Error.Count > 0 || Warning.Count > 0 || !IsFinished(JobStateInfo.State);

    /// <inheritdoc />
    public override string Location => "localhost";

    /// <summary>The session behind a job, so -Session parameters take jobs.</summary>
    public static implicit operator TraceSession(SyscallTraceJob job) => job.Session;

    /// <inheritdoc />
    public override void StopJob()
    {
        if (IsFinished(JobStateInfo.State))
        {
            return;
        }

        _session.Stop();
        // The pump sets the final state once the session has ended and its events are in Output.
        Finished.WaitOne(_session.Request.StopGracePeriod + TraceStop.KillWait + TimeSpan.FromSeconds(5));
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (_gate)
            {
                if (!_removed)
                {
                    _removed = true;
                    _caughtUp.TrySetResult();
                    _session.Release();
                    Output.Clear();
                }
            }
        }

        base.Dispose(disposing);
    }

    private static bool IsFinished(JobState state) => state is JobState.Completed or JobState.Stopped or JobState.Failed;

    /// <summary>
    /// Moves the session's events into Output for Receive-Job. While the trace runs Output holds at most
    /// -BufferCapacity unreceived events: past that the pump waits for Receive-Job, and the session's own ring keeps
    /// the newest (and counts the ones it drops), so a job nobody reads still has bounded memory. When the trace has
    /// ended the ring's events join Output (at most another -BufferCapacity) before the job takes its final state.
    /// </summary>
    private void Pump()
    {
        long next = 0;
        var batch = new List<SyscallEvent>();
        try
        {
            while (!_removed)
            {
                // Once the trace has ended the rest of the ring moves in regardless, so that the final state
                // (which Wait-Job waits for) comes with every kept event already in Output.
                if (Output.Count >= _session.BufferCapacity && !_session.Completion.IsCompleted)
                {
                    Thread.Sleep(PollInterval);
                    continue;
                }

                batch.Clear();
                long skipped = _session.ReadSpool(ref next, batch);
                if (skipped > 0)
                {
                    Warning.Add(new WarningRecord($"Job {Id} dropped {skipped} events: it holds {_session.BufferCapacity}. Receive the events sooner, use a larger -BufferCapacity, or a -Syscall filter."));
                }

                foreach (var e in batch)
                {
                    Output.Add(PSObject.AsPSObject(e));
                }

                if (!_session.WaitSpool(next, PollInterval))
                {
                    // Every event is in; the session's state is final once its completion has run.
                    _session.Completion.Wait();
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException)
        {
            // Output was closed by Remove-Job while the pump wrote.
        }

        try
        {
            Finish();
        }
        catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException)
        {
            // Removed while finishing: on this thread an exception would end PowerShell.
        }
    }

    /// <summary>Sets the job's final state from the session's, once.</summary>
    private void Finish()
    {
        // Remove-Job (Dispose) closes the streams this writes to: one at a time.
        lock (_gate)
        {
            FinishLocked();
        }
    }

    private void FinishLocked()
    {
        if (Interlocked.Exchange(ref _finished, 1) != 0 || _removed)
        {
            return;
        }

        if (_session.LostCount > 0)
        {
            Warning.Add(new WarningRecord(LossWarning.For(_session, _session.LostCount)));
        }

        switch (_session.State)
        {
            case TraceSessionState.Failed when _session.Failure is { } failure:
                Error.Add(TraceErrors.From(failure));
                SetFailed(failure);
                break;
            case TraceSessionState.Stopped:
                SetJobState(JobState.Stopped);
                break;
            default:
                SetJobState(JobState.Completed);
                break;
        }

        _caughtUp.TrySetResult();
    }

    private void SetFailed(Exception reason)
    {
        if (SetJobStateWithReason is { } withReason)
        {
            withReason.Invoke(this, [JobState.Failed, reason]);
        }
        else
        {
            SetJobState(JobState.Failed);
        }
    }
}
