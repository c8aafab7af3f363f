using System.Management.Automation;
using SyscallPS.Analysis;

namespace SyscallPS.Commands;

/// <summary>
/// <para type="synopsis">Writes events as a Chrome/Perfetto trace-event JSON timeline (ui.perfetto.dev, chrome://tracing, speedscope).</para>
/// </summary>
[Cmdlet(VerbsData.Export, "SyscallTimeline", DefaultParameterSetName = OutFileSet, SupportsShouldProcess = true)]
[OutputType(typeof(void))]
public sealed class ExportSyscallTimelineCommand : PSCmdlet, IDisposable
{
    private const string OutFileSet = "OutFile";
    private const string LiteralPathSet = "LiteralPath";

    private TimelineWriter? _writer;
    private string _file = string.Empty;
    private bool _restoreReadOnly;
    private volatile bool _stopping;

    /// <summary>Events to write, from the pipeline.</summary>
    [Parameter(ValueFromPipeline = true)]
    public SyscallEvent? InputObject { get; set; }

    /// <summary>Capture files written by Start-SyscallTrace -OutFile, read as input.</summary>
    /// <remarks>Not bound from the pipeline: piped events have a Path property of their own.</remarks>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Path { get; set; }

    /// <summary>The JSON file to write (wildcards resolve to one existing file).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = OutFileSet)]
    [ValidateNotNullOrEmpty]
    public string OutFile { get; set; } = string.Empty;

    /// <summary>The JSON file to write, taken literally.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string LiteralPath { get; set; } = string.Empty;

    /// <summary>Do not overwrite an existing file.</summary>
    [Parameter]
    public SwitchParameter NoClobber { get; set; }

    /// <summary>Overwrite a read-only file (its read-only attribute is restored afterwards).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        _file = ParameterSetName == LiteralPathSet ? GetUnresolvedProviderPathFromPSPath(LiteralPath) : ResolveOutFile(OutFile);
        if (Directory.Exists(_file))
        {
            ThrowTerminatingError(Error(new IOException($"'{_file}' is a directory."), "OutFileIsDirectory", ErrorCategory.InvalidArgument, "Give the path of a file to write."));
        }

        if (NoClobber && File.Exists(_file))
        {
            ThrowTerminatingError(Error(new IOException($"The file '{_file}' already exists."), "NoClobber", ErrorCategory.ResourceExists, "Choose another file, or leave out -NoClobber to overwrite it."));
        }

        if (!ShouldProcess(_file, "Write syscall timeline"))
        {
            return;
        }

        var info = new FileInfo(_file);
        if (Force && info.Exists && info.IsReadOnly)
        {
            info.IsReadOnly = false;
            _restoreReadOnly = true;
        }

        try
        {
            _writer = new TimelineWriter(new FileStream(_file, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            RestoreReadOnly();
            ThrowTerminatingError(Error(ex, "FileOpenFailure", ErrorCategory.OpenError, "Check the directory exists and is writable; -Force overwrites a read-only file."));
        }
    }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (_writer is null)
        {
            return;
        }

        if (InputObject is not null)
        {
            _writer.Write(InputObject);
        }

        if (Path is not null)
        {
            foreach (var e in FileInput.ReadCaptures(this, Path))
            {
                if (_stopping)
                {
                    return;
                }

                _writer.Write(e);
            }
        }
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        if (_writer is { LostCount: > 0 } w)
        {
            WriteWarning($"{w.LostCount} events were lost; the timeline marks where (category 'lost').");
        }

        Dispose();
    }

    /// <inheritdoc />
    protected override void StopProcessing() => _stopping = true;

    /// <summary>Ends the JSON document (also when the pipeline is stopped), so the file is always valid.</summary>
    public void Dispose()
    {
        _writer?.Dispose();
        _writer = null;
        RestoreReadOnly();
    }

    private void RestoreReadOnly()
    {
        if (_restoreReadOnly)
        {
            _restoreReadOnly = false;
            new FileInfo(_file).IsReadOnly = true;
        }
    }

    // As Out-File -FilePath: wildcards may name one existing file; otherwise the path is taken as written.
    private string ResolveOutFile(string path)
    {
        if (System.Management.Automation.WildcardPattern.ContainsWildcardCharacters(path))
        {
            try
            {
                var matches = GetResolvedProviderPathFromPSPath(path, out _);
                if (matches.Count > 1)
                {
                    ThrowTerminatingError(Error(new IOException($"'{path}' names {matches.Count} files."), "OutFileAmbiguous", ErrorCategory.InvalidArgument, "Name one file, or use -LiteralPath for a name with wildcard characters."));
                }

                return matches[0];
            }
            catch (ItemNotFoundException)
            {
            }
        }

        return GetUnresolvedProviderPathFromPSPath(path);
    }

    private ErrorRecord Error(Exception ex, string id, ErrorCategory category, string hint) =>
        new(ex, id, category, _file.Length > 0 ? _file : OutFile)
        {
            ErrorDetails = new ErrorDetails(ex.Message) { RecommendedAction = hint },
        };
}
