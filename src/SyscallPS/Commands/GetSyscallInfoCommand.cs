using System.Management.Automation;

namespace SyscallPS.Commands;

/// <summary>
/// <para type="synopsis">Looks up system calls in the syscall table: name, number, categories, parameters and advice.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "SyscallInfo", DefaultParameterSetName = NameSet)]
[OutputType(typeof(SyscallInfo))]
public sealed class GetSyscallInfoCommand : PSCmdlet
{
    private const string NameSet = "Name";
    private const string NumberSet = "Number";

    private SyscallTable? _table;

    /// <summary>Names or wildcard patterns; all syscalls when omitted.</summary>
    [Parameter(Position = 0, ParameterSetName = NameSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(SyscallNameCompleter))]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    /// <summary>A syscall number of the chosen architecture.</summary>
    [Parameter(Mandatory = true, ParameterSetName = NumberSet, ValueFromPipelineByPropertyName = true)]
    public int Number { get; set; }

    /// <summary>Only syscalls in at least one of these strace classes (Other: in none).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(SyscallCategoryCompleter))]
    public SyscallCategory[]? Category { get; set; }

    /// <summary>The architecture whose table to use (<c>x86_64</c>, <c>aarch64</c>); the running machine's by default.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(SyscallArchitectureCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Architecture { get; set; }

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        string architecture = Architecture ?? SyscallTable.CurrentArchitecture;
        string? known = SyscallTable.Architectures.FirstOrDefault(a => string.Equals(a, architecture, StringComparison.OrdinalIgnoreCase));
        if (known == null)
        {
            ThrowTerminatingError(TraceErrors.Create("UnknownArchitecture", ErrorCategory.InvalidArgument,
                $"The syscall table has no architecture '{architecture}'.",
                $"Use one of: {string.Join(", ", SyscallTable.Architectures)}.", architecture));
        }

        _table = SyscallTable.For(known!);
    }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var table = _table!;
        if (ParameterSetName == NumberSet)
        {
            var info = table.ByNumber(Number);
            if (info == null)
            {
                WriteError(TraceErrors.Create("SyscallNumberNotFound", ErrorCategory.ObjectNotFound,
                    $"There is no syscall number {Number} on {table.Architecture}.",
                    $"{table.Architecture} numbers run from 0 to {table.MaxNumber} with gaps; Get-SyscallInfo -Architecture {table.Architecture} lists them.", Number));
            }
            else if (InCategory(info))
            {
                WriteObject(info);
            }

            return;
        }

        if (Name == null || Name.Length == 0)
        {
            WriteObject(table.All.Where(InCategory), enumerateCollection: true);
            return;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var found = new List<SyscallInfo>();
        foreach (var pattern in Name)
        {
            var matches = table.Match(pattern).ToList();
            if (matches.Count == 0 && !WildcardPattern.HasWildcards(pattern))
            {
                var similar = table.Match("*" + pattern + "*").Take(5).Select(s => s.Name).ToList();
                WriteError(TraceErrors.Create("SyscallNotFound", ErrorCategory.ObjectNotFound,
                    $"There is no syscall named '{pattern}' on {table.Architecture}.",
                    similar.Count > 0 ? $"Did you mean {string.Join(", ", similar)}?" : $"Use wildcards, e.g. Get-SyscallInfo -Name '*{pattern}*'.", pattern));
                continue;
            }

            found.AddRange(matches.Where(m => seen.Add(m.Name) && InCategory(m)));
        }

        WriteObject(found.OrderBy(s => s.Number), enumerateCollection: true);
    }

    private bool InCategory(SyscallInfo info)
    {
        if (Category == null || Category.Length == 0)
        {
            return true;
        }

        return Category.Any(info.IsIn);
    }
}
