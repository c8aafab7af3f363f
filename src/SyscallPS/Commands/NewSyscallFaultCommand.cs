using System.Globalization;
using System.Management.Automation;
using SyscallPS.Tracing;

namespace SyscallPS.Commands;

/// <summary>
/// <para type="synopsis">Creates a fault for Start-SyscallTrace -Inject (strace's -e inject=, as parameters).</para>
/// </summary>
[Cmdlet(VerbsCommon.New, "SyscallFault")]
[OutputType(typeof(SyscallFault))]
public sealed class NewSyscallFaultCommand : PSCmdlet
{
    /// <summary>The syscalls to hit (names, wildcards, comma lists, strace sets such as %file).</summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SyscallNameCompleter))]
    public string[]? Syscall { get; set; }

    /// <summary>Hit every syscall of these strace classes.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SyscallCategoryCompleter))]
    public SyscallCategory[]? Category { get; set; }

    /// <summary>The call fails with this errno (name or number) instead of running.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Errno { get; set; }

    /// <summary>The call returns this value instead of running.</summary>
    [Parameter]
    public long ReturnValue { get; set; }

    /// <summary>This signal is delivered to the thread as the call returns.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Signal { get; set; }

    /// <summary>The thread is held this long before the call runs.</summary>
    [Parameter]
    [DurationTransformation]
    public TimeSpan DelayEnter { get; set; }

    /// <summary>The thread is held this long after the call returns.</summary>
    [Parameter]
    [DurationTransformation]
    public TimeSpan DelayExit { get; set; }

    /// <summary>Which calls are hit, in strace's when= syntax: 3, 2+, 2..4, 1+2, 2..10+3.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? When { get; set; }

    /// <summary>The first call hit (1: the first call of each syscall in each thread).</summary>
    [Parameter]
    [ValidateRange(1, 65535)]
    public int First { get; set; } = 1;

    /// <summary>The last call that may be hit.</summary>
    [Parameter]
    [ValidateRange(1, 65534)]
    public int Last { get; set; }

    /// <summary>Calls between two hits; without -Step and -Last, only the -First call is hit.</summary>
    [Parameter]
    [ValidateRange(1, 65535)]
    public int Step { get; set; }

    /// <summary>Hit only calls whose path, or whose descriptor's path, matches this wildcard.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        var bound = MyInvocation.BoundParameters;
        bool counted = bound.ContainsKey(nameof(First)) || bound.ContainsKey(nameof(Last)) || bound.ContainsKey(nameof(Step));
        if (When is not null && counted)
        {
            ThrowTerminatingError(TraceErrors.Create("WhenAndFirstTogether", ErrorCategory.InvalidArgument,
                "-When cannot be combined with -First, -Last or -Step: both say which calls are hit.", "Use either -When '2..4' or -First 2 -Last 4.", When));
        }

        var target = string.Join(",", (Syscall ?? []).Concat((Category ?? []).Select(c => "%" + c.ToString())));
        if (target.Length == 0)
        {
            ThrowTerminatingError(TraceErrors.Create("NoSyscallForFault", ErrorCategory.InvalidArgument,
                "A fault needs the syscalls it hits.", "Add -Syscall (e.g. -Syscall openat) or -Category (e.g. -Category File).", null));
        }

        var when = When ?? (counted ? WhenFromCounts(bound) : null);
        try
        {
            WriteObject(FaultSpec.Create(target,
                errno: Errno,
                returnValue: bound.ContainsKey(nameof(ReturnValue)) ? ReturnValue : null,
                signal: Signal,
                delayEnter: bound.ContainsKey(nameof(DelayEnter)) ? DelayEnter : null,
                delayExit: bound.ContainsKey(nameof(DelayExit)) ? DelayExit : null,
                when: when,
                path: Path));
        }
        catch (TraceException ex)
        {
            ThrowTerminatingError(TraceErrors.From(ex));
        }
    }

    /// <summary>-First, -Last and -Step as strace's when= expression.</summary>
    private string WhenFromCounts(IDictionary<string, object> bound)
    {
        var text = First.ToString(CultureInfo.InvariantCulture);
        if (bound.ContainsKey(nameof(Last)))
        {
            text += ".." + Last.ToString(CultureInfo.InvariantCulture);
        }

        if (bound.ContainsKey(nameof(Step)))
        {
            text += "+" + Step.ToString(CultureInfo.InvariantCulture);
        }

        return text;
    }
}
