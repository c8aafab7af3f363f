using System.Management.Automation;
using System.Text;
using SyscallPS.Analysis;

namespace SyscallPS.Commands;

/// <summary>
/// <para type="synopsis">Reads strace output files (strace -o, -f, -ff, -t/-tt/-ttt/-r, -T, -y/-yy) as SyscallEvent objects.</para>
/// </summary>
[Cmdlet(VerbsData.Import, "StraceLog", DefaultParameterSetName = PathSet)]
[OutputType(typeof(SyscallEvent))]
public sealed class ImportStraceLogCommand : PSCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    private StraceLogInput? _input;
    private volatile bool _stopping;

    /// <summary>strace output files (wildcards allowed).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    /// <summary>strace output files, taken literally.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = [];

    /// <inheritdoc />
    protected override void BeginProcessing() => _input = new StraceLogInput(this);

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        bool literal = ParameterSetName == LiteralPathSet;
        var files = FileInput.Resolve(this, literal ? LiteralPath : Path, literal, "StraceLogNotFound", "Check the path of the strace output file (strace -o FILE).");
        foreach (var file in files)
        {
            // strace -ff -o NAME writes NAME.<pid>, without pid prefixes on the lines.
            _input!.Start(file, StraceLogParser.ProcessIdFromFileName(file));
            using var reader = new StreamReader(file, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, 1 << 16);
            long number = 0;
            string? line;
            while ((line = reader.ReadLine()) is not null)
            {
                if (_stopping)
                {
                    return;
                }

                _input.Read(line, ++number);
            }
        }
    }

    /// <inheritdoc />
    protected override void EndProcessing() => _input!.End();

    /// <inheritdoc />
    protected override void StopProcessing() => _stopping = true;
}
