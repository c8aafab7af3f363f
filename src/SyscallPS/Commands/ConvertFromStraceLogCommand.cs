using System.Management.Automation;

namespace SyscallPS.Commands;

/// <summary>
/// <para type="synopsis">Converts strace output lines (strings) into SyscallEvent objects.</para>
/// </summary>
[Cmdlet(VerbsData.ConvertFrom, "StraceLog")]
[OutputType(typeof(SyscallEvent))]
public sealed class ConvertFromStraceLogCommand : PSCmdlet
{
    private static readonly char[] LineBreaks = ['\n'];

    private StraceLogInput? _input;
    private long _number;

    /// <summary>Lines of strace output; a string with several lines (Get-Content -Raw) is split.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [AllowEmptyString]
    [AllowEmptyCollection]
    public string[] InputObject { get; set; } = [];

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        _input = new StraceLogInput(this);
        _input.Start("input", defaultProcessId: null);
    }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        foreach (var text in InputObject)
        {
            foreach (var line in (text ?? string.Empty).Split(LineBreaks))
            {
                _input!.Read(line.TrimEnd('\r'), ++_number);
            }
        }
    }

    /// <inheritdoc />
    protected override void EndProcessing() => _input!.End();
}
