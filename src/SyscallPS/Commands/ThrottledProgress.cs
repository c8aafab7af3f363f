using System.Diagnostics;
using System.Management.Automation;

namespace SyscallPS.Commands;

/// <summary>
/// Write-Progress from a cmdlet's pipeline thread at most four times a second, and only where a person watches
/// (standard output is a terminal): scripts, jobs and remoting get none. $ProgressPreference still decides the rest.
/// </summary>
internal sealed class ThrottledProgress(PSCmdlet cmdlet, int activityId, string activity, bool wanted = true)
{
    private readonly bool _show = wanted && !Console.IsOutputRedirected;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _lastShown = -1000;
    private bool _shown;

    /// <summary>Time since this progress began.</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>True when an update now would be shown; lets callers skip building the status text.</summary>
    public bool Due => _show && _clock.ElapsedMilliseconds - _lastShown >= 250;

    /// <summary>Shows <paramref name="status"/> if it is <see cref="Due"/>.</summary>
    public void Update(string status, int percentComplete, int secondsRemaining = -1)
    {
        if (!Due)
        {
            return;
        }

        _lastShown = _clock.ElapsedMilliseconds;
        _shown = true;
        cmdlet.WriteProgress(new ProgressRecord(activityId, activity, status)
        {
            PercentComplete = Math.Clamp(percentComplete, 0, 100),
            SecondsRemaining = secondsRemaining,
        });
    }

    /// <summary>Removes the bar, if one was shown.</summary>
    public void Complete()
    {
        if (_shown)
        {
            cmdlet.WriteProgress(new ProgressRecord(activityId, activity, "Done") { RecordType = ProgressRecordType.Completed });
        }
    }
}
