using System.Management.Automation;

namespace SyscallPS.Commands;

/// <summary>Turns -Syscall names (wildcards) and -Category values into the syscall numbers to trace.</summary>
internal static class SyscallSelection
{
    /// <summary>The numbers to trace, or null for every syscall; throws a terminating error for unknown names.</summary>
    internal static HashSet<int>? Resolve(PSCmdlet cmdlet, string[]? names, SyscallCategory[]? categories)
    {
        if ((names is null || names.Length == 0) && (categories is null || categories.Length == 0))
        {
            return null;
        }

        var table = SyscallTable.Current;
        var numbers = new HashSet<int>();
        foreach (var raw in names ?? [])
        {
            // Accept "openat,close" as well as separate values, as strace's -e trace= does.
            foreach (var name in raw.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var matches = table.Match(name).ToList();
                if (matches.Count == 0)
                {
                    cmdlet.ThrowTerminatingError(TraceErrors.Create("UnknownSyscall", ErrorCategory.InvalidArgument,
                        $"'{name}' matches no syscall on {table.Architecture}.",
                        "Look the name up with Get-SyscallInfo -Name '*part*'; wildcards are allowed.", name));
                }

                numbers.UnionWith(matches.Select(m => m.Number));
            }
        }

        foreach (var category in categories ?? [])
        {
            numbers.UnionWith(table.All.Where(s => s.IsIn(category)).Select(s => s.Number));
        }

        return numbers;
    }
}
