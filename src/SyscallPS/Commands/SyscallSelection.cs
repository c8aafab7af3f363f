using System.Management.Automation;

namespace SyscallPS.Commands;

/// <summary>Turns -Syscall names (wildcards) and -Category values into the syscall numbers to trace.</summary>
internal static class SyscallSelection
{
    /// <summary>
    /// The numbers to trace, or null for every syscall; throws a terminating error for unknown names. Names that
    /// start with <c>!</c> (strace's <c>-e trace=!futex</c>) and <paramref name="excluded"/> are left out; with only
    /// exclusions, every other syscall is traced.
    /// </summary>
    internal static HashSet<int>? Resolve(PSCmdlet cmdlet, string[]? names, SyscallCategory[]? categories, string[]? excluded = null)
    {
        var table = SyscallTable.Current;
        var chosen = new HashSet<int>();
        var left = new HashSet<int>();
        bool anyChosen = false;
        foreach (var name in Split(names))
        {
            if (name.StartsWith('!'))
            {
                left.UnionWith(Numbers(cmdlet, table, name[1..]));
            }
            else
            {
                chosen.UnionWith(Numbers(cmdlet, table, name));
                anyChosen = true;
            }
        }

        foreach (var name in Split(excluded))
        {
            left.UnionWith(Numbers(cmdlet, table, name.TrimStart('!')));
        }

        foreach (var category in categories ?? [])
        {
            chosen.UnionWith(table.All.Where(s => s.IsIn(category)).Select(s => s.Number));
            anyChosen = true;
        }

        if (!anyChosen && left.Count == 0)
        {
            return null;
        }

        if (!anyChosen)
        {
            chosen.UnionWith(table.All.Select(s => s.Number));
        }

        chosen.ExceptWith(left);
        return chosen;
    }

    // Accept "openat,close" as well as separate values, as strace's -e trace= does.
    private static IEnumerable<string> Split(string[]? values) =>
        (values ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static IEnumerable<int> Numbers(PSCmdlet cmdlet, SyscallTable table, string name)
    {
        var matches = table.Match(name).ToList();
        if (matches.Count == 0)
        {
            cmdlet.ThrowTerminatingError(TraceErrors.Create("UnknownSyscall", ErrorCategory.InvalidArgument,
                $"'{name}' matches no syscall on {table.Architecture}.",
                "Look the name up with Get-SyscallInfo -Name '*part*'; wildcards are allowed.", name));
        }

        return matches.Select(m => m.Number);
    }
}
