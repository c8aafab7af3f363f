using System.Management.Automation;
using SyscallPS.Raw;

namespace SyscallPS.Commands;

/// <summary>
/// <para type="synopsis">Allocates zeroed unmanaged memory to pass to Invoke-RawSyscall as a pointer.</para>
/// </summary>
[Cmdlet(VerbsCommon.New, "SyscallBuffer")]
[OutputType(typeof(SyscallBuffer))]
public sealed class NewSyscallBufferCommand : PSCmdlet
{
    /// <summary>The buffer size in bytes.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateRange(1, SyscallBuffer.MaxSize)]
    public int Size { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord() => WriteObject(new SyscallBuffer(Size));
}
