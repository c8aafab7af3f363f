namespace SyscallPS.Decoding.Tables;

/// <summary>Memory-management constants (asm-generic/mman*.h, x86_64 values).</summary>
internal static class MemoryTables
{
    public static readonly FlagTable Protection = new("PROT_",
    [
        (1, "PROT_READ"), (2, "PROT_WRITE"), (4, "PROT_EXEC"), (8, "PROT_SEM"), (0x01000000, "PROT_GROWSDOWN"),
        (0x02000000, "PROT_GROWSUP"),
    ]);

    /// <summary>MAP_TYPE (the low four bits): the sharing type, printed first.</summary>
    public static readonly ValueTable MapType = new("MAP_", [(0, "MAP_FILE"), (1, "MAP_SHARED"), (2, "MAP_PRIVATE"), (3, "MAP_SHARED_VALIDATE")]);

    public static readonly FlagTable MapFlags = new("MAP_",
    [
        (0x10, "MAP_FIXED"), (0x20, "MAP_ANONYMOUS"), (0x40, "MAP_32BIT"), (0x4000, "MAP_NORESERVE"),
        (0x8000, "MAP_POPULATE"), (0x10000, "MAP_NONBLOCK"), (0x100, "MAP_GROWSDOWN"), (0x800, "MAP_DENYWRITE"),
        (0x1000, "MAP_EXECUTABLE"), (0x2000, "MAP_LOCKED"), (0x20000, "MAP_STACK"), (0x40000, "MAP_HUGETLB"),
        (0x80000, "MAP_SYNC"), (0x100000, "MAP_FIXED_NOREPLACE"), (0x4000000, "MAP_UNINITIALIZED"),
    ]);

    public static readonly FlagTable MremapFlags = new("MREMAP_", [(1, "MREMAP_MAYMOVE"), (2, "MREMAP_FIXED"), (4, "MREMAP_DONTUNMAP")]);

    public static readonly FlagTable MsyncFlags = new("MS_", [(1, "MS_ASYNC"), (4, "MS_SYNC"), (2, "MS_INVALIDATE")]);

    public static readonly ValueTable Madvise = new("MADV_",
    [
        (0, "MADV_NORMAL"), (1, "MADV_RANDOM"), (2, "MADV_SEQUENTIAL"), (3, "MADV_WILLNEED"), (4, "MADV_DONTNEED"),
        (8, "MADV_FREE"), (9, "MADV_REMOVE"), (10, "MADV_DONTFORK"), (11, "MADV_DOFORK"), (12, "MADV_MERGEABLE"),
        (13, "MADV_UNMERGEABLE"), (14, "MADV_HUGEPAGE"), (15, "MADV_NOHUGEPAGE"), (16, "MADV_DONTDUMP"),
        (17, "MADV_DODUMP"), (18, "MADV_WIPEONFORK"), (19, "MADV_KEEPONFORK"), (20, "MADV_COLD"), (21, "MADV_PAGEOUT"),
        (22, "MADV_POPULATE_READ"), (23, "MADV_POPULATE_WRITE"), (24, "MADV_DONTNEED_LOCKED"), (25, "MADV_COLLAPSE"),
        (100, "MADV_HWPOISON"), (101, "MADV_SOFT_OFFLINE"),
    ]);

    public static readonly FlagTable MlockallFlags = new("MCL_", [(1, "MCL_CURRENT"), (2, "MCL_FUTURE"), (4, "MCL_ONFAULT")]);

    public static readonly FlagTable Mlock2Flags = new("MLOCK_", [(1, "MLOCK_ONFAULT")]);

    /// <summary>NUMA memory policy modes (linux/mempolicy.h).</summary>
    public static readonly ValueTable MempolicyModes = new("MPOL_",
    [
        (0, "MPOL_DEFAULT"), (1, "MPOL_PREFERRED"), (2, "MPOL_BIND"), (3, "MPOL_INTERLEAVE"), (4, "MPOL_LOCAL"),
        (5, "MPOL_PREFERRED_MANY"), (6, "MPOL_WEIGHTED_INTERLEAVE"),
    ]);

    public static readonly FlagTable MempolicyModeFlags = new("MPOL_F_",
    [
        (0x8000, "MPOL_F_STATIC_NODES"), (0x4000, "MPOL_F_RELATIVE_NODES"), (0x2000, "MPOL_F_NUMA_BALANCING"),
    ]);

    public static readonly FlagTable GetMempolicyFlags = new("MPOL_F_", [(1, "MPOL_F_NODE"), (2, "MPOL_F_ADDR"), (4, "MPOL_F_MEMS_ALLOWED")]);

    public static readonly FlagTable PkeyAccess = new("PKEY_", [(1, "PKEY_DISABLE_ACCESS"), (2, "PKEY_DISABLE_WRITE")]);
}
