namespace SyscallPS.Decoding.Tables;

// The tables are generated from data/FileTables.tsv (Generated/FileTables.g.cs); these constants carry C# names.
internal static partial class FileTables
{
    /// <summary>AT_FDCWD as the kernel sees it in an int register.</summary>
    public const int AtFdCwd = -100;

    /// <summary>__O_TMPFILE, O_TMPFILE without O_DIRECTORY: strace prints the mode whenever it is set, as for O_CREAT.</summary>
    public const ulong TmpfileBit = 0x400000;
}
