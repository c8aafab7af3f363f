using System.Management.Automation;
using SyscallPS.Raw;
using SyscallPS.Tracing;

namespace SyscallPS.Commands;

/// <summary>
/// <para type="synopsis">Calls a Linux system call directly, by name or number, with up to six arguments.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "RawSyscall", DefaultParameterSetName = NameSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(RawSyscallResult))]
public sealed class InvokeRawSyscallCommand : PSCmdlet
{
    private const string NameSet = "Name";
    private const string NumberSet = "Number";

    /// <summary>The syscall's name on this machine (<c>write</c>, <c>openat</c>).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = NameSet, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(SyscallNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = string.Empty;

    /// <summary>The syscall number on this machine, also one the table does not know.</summary>
    [Parameter(Mandatory = true, ParameterSetName = NumberSet)]
    public long Number { get; set; }

    /// <summary>Up to six arguments: integers (also hex text like '0x10'), strings, byte arrays, SyscallBuffers, or $null.</summary>
    [Parameter(Position = 1, ParameterSetName = NameSet)]
    [Parameter(Position = 0, ParameterSetName = NumberSet)]
    [AllowNull]
    [AllowEmptyCollection]
    public object?[] ArgumentList { get; set; } = [];

    /// <summary>Makes the call even when the safety policy refuses it.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var arguments = (ArgumentList ?? [null]).Select(a => a is PSObject pso ? pso.BaseObject : a).ToArray();
        RawSyscallRequest request;
        try
        {
            request = ParameterSetName == NumberSet ? RawSyscall.Prepare(Number, arguments) : RawSyscall.Prepare(Name, arguments);
        }
        catch (TraceException e)
        {
            WriteError(TraceErrors.From(e));
            return;
        }

        using (request)
        {
            if (request.Refusal != null && !Force)
            {
                WriteError(TraceErrors.From(request.RefusedError()));
                return;
            }

            string action = request.Refusal == null
                ? "Invoke syscall"
                : $"Invoke syscall, forced although it {request.Refusal.Reason}";
            if (!ShouldProcess(request.Description, action))
            {
                return;
            }

            if (request.Refusal != null)
            {
                WriteWarning($"Forcing {request.Syscall}, which {request.Refusal.Reason}.");
            }

            WriteObject(request.Invoke(force: Force));
        }
    }
}
