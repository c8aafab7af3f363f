using System.Management.Automation;
using SyscallPS.Analysis;
using SyscallPS.Tracing;

namespace SyscallPS.Commands;

/// <summary>
/// <para type="synopsis">Counts calls, errors and time per syscall (strace -c), or per any other event property, with latency histograms.</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Measure, "SyscallEvent", DefaultParameterSetName = InputObjectSet)]
[OutputType(typeof(SyscallStatistic), typeof(SyscallHistogram))]
public sealed class MeasureSyscallEventCommand : PSCmdlet
{
    private const string InputObjectSet = "InputObject";
    private const string PathSet = "Path";

    /// <summary>The type name that selects the view whose last column reads "syscall", as strace -c's does.</summary>
    private const string BySyscallTypeName = "SyscallPS.Analysis.SyscallStatistic#Syscall";

    private SyscallStatistics? _statistics;
    private volatile bool _stopping;

    /// <summary>Events to measure, from the pipeline.</summary>
    [Parameter(ValueFromPipeline = true, ParameterSetName = InputObjectSet)]
    public SyscallEvent? InputObject { get; set; }

    /// <summary>Capture files written by Start-SyscallTrace -OutFile.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    /// <summary>The event properties to group by; Syscall by default.</summary>
    [Parameter(Position = 0)]
    [Alias("Property")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(EventPropertyCompleter))]
    public string[] GroupBy { get; set; } = [nameof(SyscallEvent.Syscall)];

    /// <summary>Write a latency histogram per group instead of the table.</summary>
    [Parameter]
    public SwitchParameter Histogram { get; set; }

    /// <summary>The order of the rows, as strace's -S.</summary>
    [Parameter]
    public SyscallStatisticsSort SortBy { get; set; } = SyscallStatisticsSort.Time;

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        try
        {
            _statistics = new SyscallStatistics(GroupBy);
        }
        catch (TraceException ex)
        {
            ThrowTerminatingError(TraceErrors.From(ex));
        }
    }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (ParameterSetName == PathSet)
        {
            foreach (var e in FileInput.ReadCaptures(this, Path))
            {
                if (_stopping)
                {
                    return;
                }

                _statistics!.Add(e);
            }
        }
        else if (InputObject is not null)
        {
            _statistics!.Add(InputObject);
        }
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        var statistics = _statistics!;
        if (statistics.LostCount > 0)
        {
            WriteWarning($"The input says {statistics.LostCount} events were lost: the counts are lower bounds.");
        }

        if (Histogram)
        {
            foreach (var h in statistics.GetHistograms(SortBy))
            {
                WriteObject(WithKeyProperties(h, h.GroupBy, h.Key));
            }

            return;
        }

        bool bySyscall = statistics.GroupBy is [nameof(SyscallEvent.Syscall)];
        foreach (var row in statistics.GetRows(SortBy))
        {
            var o = WithKeyProperties(row, row.GroupBy, row.Key);
            if (bySyscall)
            {
                o.TypeNames.Insert(0, BySyscallTypeName);
            }

            WriteObject(o);
        }
    }

    /// <inheritdoc />
    protected override void StopProcessing() => _stopping = true;

    // Each group property becomes a property of the row (Syscall, ProcessName ...), so Where-Object and
    // Sort-Object work on them as on events.
    private static PSObject WithKeyProperties(object row, IReadOnlyList<string> names, IReadOnlyList<object?> key)
    {
        var o = new PSObject(row);
        for (int i = 0; i < names.Count; i++)
        {
            o.Properties.Add(new PSNoteProperty(names[i], key[i]));
        }

        return o;
    }
}
