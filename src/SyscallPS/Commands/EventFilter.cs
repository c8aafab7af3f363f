using System.Globalization;
using System.Management.Automation;

namespace SyscallPS.Commands;

/// <summary>
/// The conditions Get-SyscallEvent and Should -HaveSyscall select events by: syscall names, process ids and names
/// (wildcards, case-insensitive), failure and errno, a path (Path or FdName; case-sensitive wildcards, sysdig's
/// fd.name) and a socket port (the descriptor's endpoints, or the address a socket call names). A condition left null
/// is not applied.
/// </summary>
internal sealed class EventFilter
{
    private readonly System.Management.Automation.WildcardPattern[]? _syscalls;
    private readonly System.Management.Automation.WildcardPattern[]? _names;
    private readonly System.Management.Automation.WildcardPattern[]? _paths;
    private readonly int[]? _processIds;
    private readonly int[]? _ports;
    private readonly bool _failed;
    private readonly string? _errno;

    internal EventFilter(string[]? syscall = null, int[]? processId = null, string[]? processName = null, bool failed = false,
        string[]? path = null, int[]? port = null, string? errno = null)
    {
        Syscalls = syscall;
        Paths = path;
        _syscalls = syscall?.Select(s => new System.Management.Automation.WildcardPattern(s, WildcardOptions.IgnoreCase)).ToArray();
        _names = processName?.Select(s => new System.Management.Automation.WildcardPattern(s, WildcardOptions.IgnoreCase)).ToArray();
        _paths = path?.Select(s => new System.Management.Automation.WildcardPattern(s, WildcardOptions.None)).ToArray();
        _processIds = processId;
        _ports = port;
        _failed = failed;
        _errno = errno;
        ProcessNames = processName;
    }

    internal string[]? Syscalls { get; }

    internal string[]? Paths { get; }

    internal string[]? ProcessNames { get; }

    /// <summary>True when the event meets every condition.</summary>
    internal bool Matches(SyscallEvent e) =>
        SyscallMatches(e) && ProcessIdMatches(e) && NameMatches(e) && FailedMatches(e) && ErrnoMatches(e) && PathMatches(e) && PortMatches(e);

    /// <summary>
    /// How close an event comes: the syscall name counts twice, every other condition met once, and a socket call on
    /// another port half (a connect to 443 is nearer to "port 8443" than a connect to a Unix socket).
    /// </summary>
    internal int Closeness(SyscallEvent e) =>
        (_syscalls is not null && SyscallMatches(e) ? 4 : 0)
        + (_processIds is not null && ProcessIdMatches(e) ? 2 : 0)
        + (_names is not null && NameMatches(e) ? 2 : 0)
        + (_failed && FailedMatches(e) ? 2 : 0)
        + (_errno is not null && ErrnoMatches(e) ? 2 : 0)
        + (_paths is not null && PathMatches(e) ? 2 : 0)
        + (_ports is null ? 0 : PortMatches(e) ? 2 : HasPort(e) ? 1 : 0);

    /// <summary>The selected calls in words: <c>openat calls on a path like '/etc/*' that failed with ENOENT</c>.</summary>
    internal string Describe(bool plural)
    {
        var text = (Syscalls is null ? "syscall" : string.Join(" or ", Syscalls)) + (plural ? " calls" : " call");
        if (Paths is not null)
        {
            text += " on a path like " + Quoted(Paths);
        }

        if (_ports is not null)
        {
            text += " on port " + string.Join(" or ", _ports.Select(p => p.ToString(CultureInfo.InvariantCulture)));
        }

        if (_processIds is not null)
        {
            text += " by process " + string.Join(" or ", _processIds.Select(p => p.ToString(CultureInfo.InvariantCulture)));
        }

        if (ProcessNames is not null)
        {
            text += " by a process named " + Quoted(ProcessNames);
        }

        if (_errno is not null)
        {
            text += " that failed with " + _errno;
        }
        else if (_failed)
        {
            text += " that failed";
        }

        return text;
    }

    private static string Quoted(string[] values) => string.Join(" or ", values.Select(v => "'" + v + "'"));

    private bool SyscallMatches(SyscallEvent e) => _syscalls is null || _syscalls.Any(p => p.IsMatch(e.Syscall));

    private bool ProcessIdMatches(SyscallEvent e) => _processIds is null || _processIds.Contains(e.ProcessId);

    private bool NameMatches(SyscallEvent e) => _names is null || _names.Any(p => p.IsMatch(e.ProcessName));

    private bool FailedMatches(SyscallEvent e) => !_failed || !e.Succeeded;

    private bool ErrnoMatches(SyscallEvent e) => _errno is null || string.Equals(e.Errno, _errno, StringComparison.OrdinalIgnoreCase);

    private bool PathMatches(SyscallEvent e) =>
        _paths is null || _paths.Any(p => (e.Path is not null && p.IsMatch(e.Path)) || (e.FdName is not null && p.IsMatch(e.FdName)));

    private bool PortMatches(SyscallEvent e) =>
        _ports is null || (e.LocalPort is int lp && _ports.Contains(lp)) || (e.RemotePort is int rp && _ports.Contains(rp)) || AddressArgumentMatches(e);

    /// <summary>A socket call's address argument (connect's target, sendto's destination): counts even when the call failed.</summary>
    private bool AddressArgumentMatches(SyscallEvent e) => AddressArgumentPorts(e).Any(_ports!.Contains);

    private static bool HasPort(SyscallEvent e) => e.LocalPort is not null || e.RemotePort is not null || AddressArgumentPorts(e).Any();

    private static IEnumerable<int> AddressArgumentPorts(SyscallEvent e)
    {
        if ((e.Category & SyscallCategory.Network) == 0)
        {
            yield break;
        }

        foreach (var argument in e.Arguments)
        {
            if (argument.Value is string endpoint && Decoding.FdTable.TrySplitEndpoint(endpoint, out _, out int port))
            {
                yield return port;
            }
        }
    }
}
