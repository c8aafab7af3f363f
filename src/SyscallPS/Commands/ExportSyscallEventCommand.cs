using System.Management.Automation;
using SyscallPS.Capture;
using SyscallPS.Tracing;

namespace SyscallPS.Commands;

/// <summary>
/// <para type="synopsis">Writes events to a Parquet, JSON Lines or CSV file for analysis engines.</para>
/// </summary>
[Cmdlet(VerbsData.Export, "SyscallEvent")]
[OutputType(typeof(System.IO.FileInfo))]
public sealed class ExportSyscallEventCommand : PSCmdlet, IDisposable
{
    private EventExporter? _exporter;
    private string _path = string.Empty;

    /// <summary>The file to write.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>The events (from Start-SyscallTrace or Get-SyscallEvent).</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public SyscallEvent? InputObject { get; set; }

    /// <summary>The file format; by default chosen from the extension (.parquet, .csv, .jsonl).</summary>
    [Parameter]
    public ExportFormat Format { get; set; }

    /// <summary>Refuse to replace an existing file.</summary>
    [Parameter]
    public SwitchParameter NoClobber { get; set; }

    /// <summary>Replace a read-only file, and write through a symbolic link.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Write the file's FileInfo when done.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        _path = GetUnresolvedProviderPathFromPSPath(Path);
        ExportFormat format;
        if (MyInvocation.BoundParameters.ContainsKey(nameof(Format)))
        {
            format = Format;
        }
        else if (EventExporter.FormatOf(_path) is { } byExtension)
        {
            format = byExtension;
        }
        else
        {
            ThrowTerminatingError(TraceErrors.Create("ExportFormatUnknown", ErrorCategory.InvalidArgument,
                $"The format of '{_path}' cannot be told from its extension.", "Add -Format Parquet, -Format JsonLines or -Format Csv, or name the file *.parquet, *.jsonl or *.csv.", Path));
            return;
        }

        try
        {
            _exporter = EventExporter.Create(_path, format, NoClobber, Force);
        }
        catch (TraceException ex)
        {
            ThrowTerminatingError(TraceErrors.From(ex));
        }
    }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (InputObject is not null)
        {
            _exporter!.Write(InputObject);
        }
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        var exporter = _exporter;
        _exporter = null;
        try
        {
            exporter?.Dispose();
        }
        catch (IOException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "ExportWriteFailed", ErrorCategory.WriteError, _path)
            {
                ErrorDetails = new ErrorDetails($"Writing '{_path}' failed: {ex.Message}") { RecommendedAction = "Check the disk space and the path, then export again." },
            });
        }

        WriteVerbose($"Exported {exporter?.Count} events to {_path}.");
        if (PassThru)
        {
            WriteObject(new System.IO.FileInfo(_path));
        }
    }

    /// <summary>Closes the file when the pipeline stops early, with what was written so far.</summary>
    public void Dispose() => _exporter?.Dispose();
}
