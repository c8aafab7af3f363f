using System.Management.Automation;
using SyscallPS.Tracing;

namespace SyscallPS.Commands;

/// <summary>
/// <para type="synopsis">Gets the events of a background trace session or capture files, or filters events piped in.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "SyscallEvent", DefaultParameterSetName = SessionSet)]
[OutputType(typeof(SyscallEvent))]
public sealed class GetSyscallEventCommand : PSCmdlet
{
    private const string SessionSet = "Session";
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";
    private const string InputObjectSet = "InputObject";
    private readonly List<string> _pipedPaths = [];
    private bool _pipedLiteral;
    private EventFilter? _filter;
    private Capture.EventFilter? _stored;
    private volatile bool _stopping;

    /// <summary>The background sessions to read (from Start-SyscallTrace -AsJob or Get-SyscallTrace).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = SessionSet)]
    [ValidateNotNull]
    public TraceSession[] Session { get; set; } = [];

    /// <summary>Capture files written by Start-SyscallTrace -OutFile (wildcards allowed).</summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    /// <summary>Capture files, taken literally; piped files bind here by their PSPath.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = [];

    /// <summary>Events to filter (from Start-SyscallTrace, Import-StraceLog, a variable): those the filter parameters select pass.</summary>
    [Parameter(Mandatory = true, ParameterSetName = InputObjectSet, ValueFromPipeline = true)]
    [AllowEmptyCollection]
    public SyscallEvent[] InputObject { get; set; } = [];

    /// <summary>Keep returning new events until the session ends.</summary>
    [Parameter(ParameterSetName = SessionSet)]
    public SwitchParameter Wait { get; set; }

    /// <summary>Only these syscalls (wildcards).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SyscallNameCompleter))]
    public string[]? Syscall { get; set; }

    /// <summary>Only events of these processes (thread group ids).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ProcessIdCompleter))]
    public int[]? ProcessId { get; set; }

    /// <summary>Only events of processes with these names (wildcards).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ProcessNameCompleter))]
    public string[]? ProcessName { get; set; }

    /// <summary>Only failed syscalls.</summary>
    [Parameter]
    public SwitchParameter Failed { get; set; }

    /// <summary>Only events whose Path or FdName matches one of these wildcards (sysdig's fd.name).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? FileName { get; set; }

    /// <summary>Only events on sockets whose local or remote port is one of these (sysdig's fd.port).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ValidateRange(0, 65535)]
    public int[]? Port { get; set; }

    /// <summary>Only events after this time (exclusive).</summary>
    [Parameter]
    public DateTime After { get; set; }

    /// <summary>Only events before this time (exclusive).</summary>
    [Parameter]
    public DateTime Before { get; set; }

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        // The filter parameters are not bound from the pipeline: built once, not for every piped event or file.
        _filter = new EventFilter(Syscall, ProcessId, ProcessName, Failed, FileName, Port);
        _stored = StoredFilter();
    }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var filter = _filter!;
        var stored = _stored!;
        if (ParameterSetName is PathSet or LiteralPathSet)
        {
            bool literal = ParameterSetName == LiteralPathSet;
            if (MyInvocation.ExpectingInput)
            {
                // Files piped in one by one (Get-ChildItem *.trace) are read together at the end, as one -Path list
                // would be: merged in timestamp order, not in the order their names sort.
                _pipedPaths.AddRange(literal ? LiteralPath : Path);
                _pipedLiteral = literal;
                return;
            }

            ReadFiles(literal, literal ? LiteralPath : Path);
            return;
        }

        if (ParameterSetName == InputObjectSet)
        {
            foreach (var e in InputObject)
            {
                if (e is not null && filter.Matches(e) && stored.InTimeRange(e.Timestamp))
                {
                    WriteObject(e);
                }
            }

            return;
        }

        foreach (var session in Session)
        {
            if (!session.IsBackground)
            {
                WriteError(TraceErrors.Create("SessionNotBackground", ErrorCategory.InvalidArgument,
                    $"Session {session.Id} streams into its own pipeline; it has no stored events.", "Start the trace with -AsJob to read it with Get-SyscallEvent.", session));
                continue;
            }

            long next = 0;
            var batch = new List<SyscallEvent>();
            while (!_stopping)
            {
                batch.Clear();
                long skipped = session.ReadSpool(ref next, batch);
                if (skipped > 0)
                {
                    WriteWarning($"Session {session.Id} dropped {skipped} events: its buffer holds {session.BufferCapacity}. Use a larger -BufferCapacity, a -Syscall filter, or read with -Wait while it runs.");
                }

                foreach (var e in batch)
                {
                    if (filter.Matches(e) && stored.InTimeRange(e.Timestamp))
                    {
                        WriteObject(e);
                    }
                }

                if (!Wait || !session.WaitSpool(next, TimeSpan.FromMilliseconds(250)) && session.Completion.IsCompleted)
                {
                    break;
                }
            }

            if (Wait && !_stopping)
            {
                // A job takes the session's end a moment later: after -Wait it is finished and holds every event.
                var clock = System.Diagnostics.Stopwatch.StartNew();
                while (session.FollowerCaughtUp is { } caughtUp && !_stopping && clock.Elapsed < TimeSpan.FromSeconds(10) && !caughtUp.Wait(100))
                {
                }
            }

            if (session.LostCount > 0)
            {
                WriteWarning($"Session {session.Id}: " + LossWarning.For(session, session.LostCount));
            }

            if (session.Failure is { } failure)
            {
                WriteError(TraceErrors.From(failure));
            }
        }
    }

    /// <summary>
    /// The conditions a capture reader applies to stored values before it builds an event. The port condition is
    /// left to <see cref="EventFilter"/>, which also looks at the address a socket call names.
    /// </summary>
    private Capture.EventFilter StoredFilter()
    {
        static Func<string, bool>? AnyOf(string[]? patterns, WildcardOptions options)
        {
            var compiled = patterns?.Select(p => new System.Management.Automation.WildcardPattern(p, options)).ToArray();
            return compiled is null ? null : text => compiled.Any(p => p.IsMatch(text));
        }

        var bound = MyInvocation.BoundParameters;
        return new Capture.EventFilter
        {
            Syscall = AnyOf(Syscall, WildcardOptions.IgnoreCase),
            ProcessIds = ProcessId?.ToHashSet(),
            ProcessName = AnyOf(ProcessName, WildcardOptions.IgnoreCase),
            FailedOnly = Failed,
            FileName = AnyOf(FileName, WildcardOptions.None),
            After = bound.ContainsKey(nameof(After)) ? After : null,
            Before = bound.ContainsKey(nameof(Before)) ? Before : null,
        };
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        if (_pipedPaths.Count > 0)
        {
            ReadFiles(_pipedLiteral, _pipedPaths);
        }
    }

    private void ReadFiles(bool literal, IEnumerable<string> paths)
    {
        var filter = _filter!;
        foreach (var e in FileInput.ReadCaptures(this, paths, _stored, literal))
        {
            if (_stopping)
            {
                return;
            }

            if (filter.Matches(e))
            {
                WriteObject(e);
            }
        }
    }

    /// <inheritdoc />
    protected override void StopProcessing() => _stopping = true;
}
