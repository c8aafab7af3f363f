namespace SyscallPS.Decoding.Tables;

// The tables are generated from data/ProcessTables.tsv (Generated/ProcessTables.g.cs); these constants carry C# names.
internal static partial class ProcessTables
{
    /// <summary>CSIGNAL: the exit signal in clone's flags.</summary>
    public const ulong CloneSignalMask = 0xff;

    /// <summary>FUTEX_PRIVATE_FLAG.</summary>
    public const int FutexPrivateFlag = 128;

    /// <summary>FUTEX_CLOCK_REALTIME.</summary>
    public const int FutexClockRealtime = 256;

    /// <summary>unshare takes clone's flags.</summary>
    public static FlagTable UnshareFlags => CloneFlags;
}
