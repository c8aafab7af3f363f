using System.Management.Automation;
using SyscallPS.Tracing;

namespace SyscallPS.Commands;

/// <summary>
/// <para type="synopsis">Lists the background trace sessions of this PowerShell process.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "SyscallTrace")]
[OutputType(typeof(TraceSession))]
public sealed class GetSyscallTraceCommand : PSCmdlet
{
    /// <summary>Only the sessions with these ids.</summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(TraceSessionIdCompleter))]
    public int[]? Id { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (Id is null)
        {
            WriteObject(TraceSession.All, enumerateCollection: true);
            return;
        }

        foreach (var id in Id)
        {
            var s = TraceSession.Find(id);
            if (s is null)
            {
                WriteError(TraceErrors.Create("SessionNotFound", ErrorCategory.ObjectNotFound, $"No trace session has id {id}.", "List the sessions with Get-SyscallTrace.", id));
            }
            else
            {
                WriteObject(s);
            }
        }
    }
}
