namespace SyscallPS.Capture;

/// <summary>
/// The event selection of <c>Get-SyscallEvent</c>: every condition given must hold. Reading a v2 capture applies
/// it before an event object is built (string conditions are asked once per distinct string of a block).
/// </summary>
public sealed class EventFilter
{
    /// <summary>Keeps events whose syscall name matches.</summary>
    public Func<string, bool>? Syscall { get; init; }

    /// <summary>Keeps events of these processes (thread group ids).</summary>
    public IReadOnlySet<int>? ProcessIds { get; init; }

    /// <summary>Keeps events whose process name matches.</summary>
    public Func<string, bool>? ProcessName { get; init; }

    /// <summary>Keeps failed syscalls only.</summary>
    public bool FailedOnly { get; init; }

    /// <summary>Keeps events whose Path or FdName matches (sysdig's fd.name).</summary>
    public Func<string, bool>? FileName { get; init; }

    /// <summary>Keeps events whose local or remote port is one of these (sysdig's fd.port).</summary>
    public IReadOnlySet<int>? Ports { get; init; }

    /// <summary>Keeps events after this time (exclusive, as Get-EventLog -After).</summary>
    public DateTime? After { get; init; }

    /// <summary>Keeps events before this time (exclusive).</summary>
    public DateTime? Before { get; init; }

    /// <summary>True when nothing is filtered.</summary>
    public bool IsEmpty => Syscall is null && ProcessIds is null && ProcessName is null && !FailedOnly && FileName is null && Ports is null && After is null && Before is null;

    /// <summary>Whether <paramref name="e"/> is kept.</summary>
    public bool Matches(SyscallEvent e) =>
        (Syscall is null || Syscall(e.Syscall))
        && (ProcessIds is null || ProcessIds.Contains(e.ProcessId))
        && (ProcessName is null || ProcessName(e.ProcessName))
        && (!FailedOnly || !e.Succeeded)
        && (FileName is null || (e.Path is not null && FileName(e.Path)) || (e.FdName is not null && FileName(e.FdName)))
        && (Ports is null || (e.LocalPort is int lp && Ports.Contains(lp)) || (e.RemotePort is int rp && Ports.Contains(rp)))
        && InTimeRange(e.Timestamp);

    /// <summary>Whether a timestamp lies inside <see cref="After"/> .. <see cref="Before"/>, both exclusive; compared as UTC.</summary>
    public bool InTimeRange(DateTime timestamp)
    {
        if (After is null && Before is null)
        {
            return true;
        }

        var t = timestamp.ToUniversalTime();
        return (After is not { } after || t > after.ToUniversalTime()) && (Before is not { } before || t < before.ToUniversalTime());
    }
}
