using System.Management.Automation;
using SyscallPS.Tracing;

namespace SyscallPS.Commands;

/// <summary>
/// <para type="synopsis">Stops background trace sessions: attached processes are detached, launched ones are ended.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Stop, "SyscallTrace", DefaultParameterSetName = SessionSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(TraceSession))]
public sealed class StopSyscallTraceCommand : PSCmdlet
{
    private const string SessionSet = "Session";
    private const string IdSet = "Id";

    /// <summary>The sessions to stop.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = SessionSet)]
    [ValidateNotNull]
    public TraceSession[] Session { get; set; } = [];

    /// <summary>The ids of the sessions to stop.</summary>
    [Parameter(Mandatory = true, ParameterSetName = IdSet)]
    [ArgumentCompleter(typeof(TraceSessionIdCompleter))]
    public int[] Id { get; set; } = [];

    /// <summary>Return the stopped sessions.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        IEnumerable<TraceSession?> sessions = ParameterSetName == IdSet ? Id.Select(FindOrError) : Session;
        foreach (var session in sessions)
        {
            if (session is null)
            {
                continue;
            }

            // An ended session has nothing to stop: -WhatIf and -Confirm name only the running ones.
            if (session.Completion.IsCompleted)
            {
                WriteVerbose($"Session {session.Id} has already ended ({session.State}).");
                if (PassThru)
                {
                    WriteObject(session);
                }

                continue;
            }

            if (!ShouldProcess($"trace session {session.Id} ({session.Command})", "Stop"))
            {
                continue;
            }

            session.Stop();
            // A job takes the session's end a moment later: once this returns, the job is Stopped too.
            if (!session.Completion.Wait(TimeSpan.FromSeconds(15)) || session.FollowerCaughtUp?.Wait(TimeSpan.FromSeconds(5)) == false)
            {
                WriteWarning($"Session {session.Id} is still releasing its processes.");
            }

            if (PassThru)
            {
                WriteObject(session);
            }
        }
    }

    private TraceSession? FindOrError(int id)
    {
        var s = TraceSession.Find(id);
        if (s is null)
        {
            WriteError(TraceErrors.Create("SessionNotFound", ErrorCategory.ObjectNotFound, $"No trace session has id {id}.", "List the sessions with Get-SyscallTrace.", id));
        }

        return s;
    }
}
