namespace SyscallPS.Decoding.Tables;

// The tables and constants are generated from data/ProcessTables.tsv (Generated/ProcessTables.g.cs).
internal static partial class ProcessTables
{
    /// <summary>unshare takes clone's flags.</summary>
    public static FlagTable UnshareFlags => CloneFlags;
}
