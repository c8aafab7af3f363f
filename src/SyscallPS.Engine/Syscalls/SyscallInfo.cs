namespace SyscallPS;

/// <summary>One parameter of a system call, as the kernel declares it.</summary>
/// <param name="Name">The kernel's parameter name (<c>filename</c>, <c>flags</c> ...).</param>
/// <param name="CType">The C type (<c>const char *</c>, <c>int</c> ...).</param>
public sealed record SyscallParameter(string Name, string CType)
{
    /// <summary>True when the C type is a pointer.</summary>
    public bool IsPointer => CType.Contains('*', StringComparison.Ordinal);

    /// <inheritdoc />
    public override string ToString() => CType.EndsWith('*') ? CType + Name : CType + " " + Name;
}

/// <summary>A system call of one architecture: its name, number, classes and parameters.</summary>
public sealed class SyscallInfo
{
    internal SyscallInfo(string name, int number, string architecture, SyscallCategory categories, IReadOnlyList<SyscallParameter> parameters, string? advice,
        SyscallEffects effects = SyscallEffects.None, int dataArgument = -1, DataShape dataShape = DataShape.None)
    {
        Name = name;
        Number = number;
        Architecture = architecture;
        Categories = categories;
        Category = PrimaryOf(categories);
        Parameters = parameters;
        Advice = advice;
        Effects = effects;
        DataArgument = dataArgument;
        DataShape = dataShape;
    }

    /// <summary>The syscall's name (<c>openat</c>).</summary>
    public string Name { get; }

    /// <summary>The syscall's number on <see cref="Architecture"/>.</summary>
    public int Number { get; }

    /// <summary>The architecture the number belongs to (<c>x86_64</c>, <c>aarch64</c>).</summary>
    public string Architecture { get; }

    /// <summary>Every strace class the syscall belongs to.</summary>
    public SyscallCategory Categories { get; }

    /// <summary>The primary class: the first of File, Network, Process, Signal, Ipc, Memory, Credentials, Clock, Stat, Descriptor that applies.</summary>
    public SyscallCategory Category { get; }

    /// <summary>Parameter names and C types, in order.</summary>
    public IReadOnlyList<SyscallParameter> Parameters { get; }

    /// <summary>Why the syscall is worth watching, for the seed article's watch list; null otherwise.</summary>
    public string? Advice { get; }

    /// <summary>What the syscall does beyond its return value (creates a descriptor, moves data, never returns ...).</summary>
    public SyscallEffects Effects { get; }

    /// <summary>For a data-moving syscall (<see cref="SyscallEffectGroups.MovesData"/>): the argument that holds the data; else -1.</summary>
    public int DataArgument { get; }

    /// <summary>For a data-moving syscall: how its data argument is laid out.</summary>
    public DataShape DataShape { get; }

    /// <summary>
    /// True when the syscall belongs to <paramref name="category"/>; for <see cref="SyscallCategory.Other"/>, when it
    /// belongs to no class at all (strace puts such calls in no <c>%</c> group).
    /// </summary>
    public bool IsIn(SyscallCategory category) => category == SyscallCategory.Other ? Categories == SyscallCategory.Other : (Categories & category) != 0;

    /// <summary>True when the syscall changes its process's descriptor table or working directory.</summary>
    public bool ChangesDescriptorTable => (Effects & SyscallEffectGroups.DescriptorTable) != 0;

    /// <summary>The C prototype, e.g. <c>openat(int dfd, const char *filename, int flags, umode_t mode)</c>.</summary>
    public string Signature => Name + "(" + string.Join(", ", Parameters) + ")";

    /// <inheritdoc />
    public override string ToString() => Name;

    private static readonly SyscallCategory[] PrimaryOrder =
    [
        SyscallCategory.Network, SyscallCategory.Process, SyscallCategory.Signal, SyscallCategory.Ipc,
        SyscallCategory.Memory, SyscallCategory.Credentials, SyscallCategory.Clock, SyscallCategory.Stat,
        SyscallCategory.File, SyscallCategory.Descriptor,
    ];

    internal static SyscallCategory PrimaryOf(SyscallCategory categories)
    {
        foreach (var c in PrimaryOrder)
        {
            if ((categories & c) != 0)
            {
                return c;
            }
        }

        return SyscallCategory.Other;
    }
}
