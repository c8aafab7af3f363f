namespace SyscallPS.Decoding.Tables;

/// <summary>File constants (asm-generic/fcntl.h, linux/fcntl.h, linux/stat.h, linux/fs.h; x86_64 values).</summary>
internal static class FileTables
{
    /// <summary>AT_FDCWD as the kernel sees it in an int register.</summary>
    public const int AtFdCwd = -100;

    public const ulong O_ACCMODE = 3;
    public const ulong O_CREAT = 0x40;
    public static readonly ulong O_TMPFILE = Abi.OTmpfile;

    /// <summary>__O_TMPFILE, O_TMPFILE without O_DIRECTORY: strace prints the mode whenever it is set, as for O_CREAT.</summary>
    public const ulong TmpfileBit = 0x400000;

    public static readonly ValueTable AccessModes = new("O_", [(0, "O_RDONLY"), (1, "O_WRONLY"), (2, "O_RDWR"), (3, "O_ACCMODE")]);

    /// <summary>Open flags other than the access mode, in strace's print order (composites first).</summary>
    public static readonly FlagTable OpenFlags = Abi.IsArm64 ? OpenFlagsArm64() : OpenFlagsX86();

    private static FlagTable OpenFlagsX86() => new("O_",
    [
        (0x40, "O_CREAT"), (0x80, "O_EXCL"), (0x100, "O_NOCTTY"), (0x200, "O_TRUNC"), (0x400, "O_APPEND"),
        (0x800, "O_NONBLOCK"), (0x101000, "O_SYNC"), (0x1000, "O_DSYNC"), (0x4000, "O_DIRECT"), (0x8000, "O_LARGEFILE"),
        (0x20000, "O_NOFOLLOW"), (0x40000, "O_NOATIME"), (0x80000, "O_CLOEXEC"), (0x200000, "O_PATH"),
        (0x410000, "O_TMPFILE"), (0x10000, "O_DIRECTORY"), (0x2000, "FASYNC"), (0x100000, "__O_SYNC"), (0x400000, "__O_TMPFILE"),
    ]);

    // aarch64 (asm-generic with arm64's own O_DIRECTORY, O_NOFOLLOW, O_DIRECT, O_LARGEFILE).
    private static FlagTable OpenFlagsArm64() => new("O_",
    [
        (0x40, "O_CREAT"), (0x80, "O_EXCL"), (0x100, "O_NOCTTY"), (0x200, "O_TRUNC"), (0x400, "O_APPEND"),
        (0x800, "O_NONBLOCK"), (0x101000, "O_SYNC"), (0x1000, "O_DSYNC"), (0x10000, "O_DIRECT"), (0x20000, "O_LARGEFILE"),
        (0x8000, "O_NOFOLLOW"), (0x40000, "O_NOATIME"), (0x80000, "O_CLOEXEC"), (0x200000, "O_PATH"),
        (0x404000, "O_TMPFILE"), (0x4000, "O_DIRECTORY"), (0x2000, "FASYNC"), (0x100000, "__O_SYNC"), (0x400000, "__O_TMPFILE"),
    ]);

    /// <summary>*at() flags.</summary>
    public static readonly FlagTable AtFlags = new("AT_",
    [
        (0x100, "AT_SYMLINK_NOFOLLOW"), (0x200, "AT_REMOVEDIR"), (0x400, "AT_SYMLINK_FOLLOW"),
        (0x800, "AT_NO_AUTOMOUNT"), (0x1000, "AT_EMPTY_PATH"), (0x8000, "AT_RECURSIVE"),
    ]);

    /// <summary>faccessat flags (AT_EACCESS shares AT_REMOVEDIR's bit).</summary>
    public static readonly FlagTable AccessAtFlags = new("AT_",
    [
        (0x100, "AT_SYMLINK_NOFOLLOW"), (0x200, "AT_EACCESS"), (0x1000, "AT_EMPTY_PATH"),
    ]);

    /// <summary>statx flags: the sync type comes first (AT_STATX_SYNC_AS_STAT is 0).</summary>
    public static readonly FlagTable StatxFlags = new("AT_",
    [
        (0x2000, "AT_STATX_FORCE_SYNC"), (0x4000, "AT_STATX_DONT_SYNC"), (0x100, "AT_SYMLINK_NOFOLLOW"),
        (0x400, "AT_SYMLINK_FOLLOW"), (0x800, "AT_NO_AUTOMOUNT"), (0x1000, "AT_EMPTY_PATH"), (0x8000, "AT_RECURSIVE"),
    ]);

    public static readonly FlagTable StatxMask = new("STATX_",
    [
        (0xfff, "STATX_ALL"), (0x7ff, "STATX_BASIC_STATS"), (0x1, "STATX_TYPE"), (0x2, "STATX_MODE"), (0x4, "STATX_NLINK"), (0x8, "STATX_UID"),
        (0x10, "STATX_GID"), (0x20, "STATX_ATIME"), (0x40, "STATX_MTIME"), (0x80, "STATX_CTIME"), (0x100, "STATX_INO"),
        (0x200, "STATX_SIZE"), (0x400, "STATX_BLOCKS"), (0x800, "STATX_BTIME"), (0x1000, "STATX_MNT_ID"),
        (0x2000, "STATX_DIOALIGN"),
    ]);

    public static readonly FlagTable StatxAttributes = new("STATX_ATTR_",
    [
        (0x4, "STATX_ATTR_COMPRESSED"), (0x10, "STATX_ATTR_IMMUTABLE"), (0x20, "STATX_ATTR_APPEND"),
        (0x40, "STATX_ATTR_NODUMP"), (0x800, "STATX_ATTR_ENCRYPTED"), (0x1000, "STATX_ATTR_AUTOMOUNT"),
        (0x2000, "STATX_ATTR_MOUNT_ROOT"), (0x100000, "STATX_ATTR_VERITY"), (0x200000, "STATX_ATTR_DAX"),
    ]);

    /// <summary>File type bits (S_IFMT = 0170000).</summary>
    public static readonly ValueTable FileTypes = new("S_IF",
    [
        (0xC000, "S_IFSOCK"), (0xA000, "S_IFLNK"), (0x8000, "S_IFREG"), (0x6000, "S_IFBLK"),
        (0x4000, "S_IFDIR"), (0x2000, "S_IFCHR"), (0x1000, "S_IFIFO"),
    ]);

    /// <summary>Special mode bits printed by name before the octal permissions.</summary>
    public static readonly FlagTable ModeSpecialBits = new("S_", [(0x800, "S_ISUID"), (0x400, "S_ISGID"), (0x200, "S_ISVTX")]);

    public static readonly FlagTable AccessModesFlags = new("?_OK", [(4, "R_OK"), (2, "W_OK"), (1, "X_OK")], unknownMarker: string.Empty); // strace's "/* ?_OK */"

    public static readonly ValueTable SeekWhence = new("SEEK_",
    [
        (0, "SEEK_SET"), (1, "SEEK_CUR"), (2, "SEEK_END"), (3, "SEEK_DATA"), (4, "SEEK_HOLE"),
    ]);

    public static readonly FlagTable RenameFlags = new("RENAME_", [(1, "RENAME_NOREPLACE"), (2, "RENAME_EXCHANGE"), (4, "RENAME_WHITEOUT")], unknownMarker: "??"); // strace's spelling

    public static readonly ValueTable FcntlCommands = new("F_",
    [
        (0, "F_DUPFD"), (1, "F_GETFD"), (2, "F_SETFD"), (3, "F_GETFL"), (4, "F_SETFL"), (5, "F_GETLK"), (6, "F_SETLK"),
        (7, "F_SETLKW"), (8, "F_SETOWN"), (9, "F_GETOWN"), (10, "F_SETSIG"), (11, "F_GETSIG"), (15, "F_SETOWN_EX"),
        (16, "F_GETOWN_EX"), (17, "F_GETOWNER_UIDS"), (36, "F_OFD_GETLK"), (37, "F_OFD_SETLK"), (38, "F_OFD_SETLKW"),
        (1024, "F_SETLEASE"), (1025, "F_GETLEASE"), (1026, "F_NOTIFY"), (1029, "F_CANCELLK"), (1030, "F_DUPFD_CLOEXEC"),
        (1031, "F_SETPIPE_SZ"), (1032, "F_GETPIPE_SZ"), (1033, "F_ADD_SEALS"), (1034, "F_GET_SEALS"),
        (1035, "F_GET_RW_HINT"), (1036, "F_SET_RW_HINT"), (1037, "F_GET_FILE_RW_HINT"), (1038, "F_SET_FILE_RW_HINT"),
    ]);

    public static readonly FlagTable FdFlags = new("FD_", [(1, "FD_CLOEXEC")]);

    public static readonly FlagTable Seals = new("F_SEAL_",
    [
        (1, "F_SEAL_SEAL"), (2, "F_SEAL_SHRINK"), (4, "F_SEAL_GROW"), (8, "F_SEAL_WRITE"), (0x10, "F_SEAL_FUTURE_WRITE"),
    ]);

    /// <summary>struct f_owner_ex's type (F_SETOWN_EX, F_GETOWN_EX).</summary>
    public static readonly ValueTable OwnerTypes = new("F_OWNER_", [(0, "F_OWNER_TID"), (1, "F_OWNER_PID"), (2, "F_OWNER_PGRP")], hexUnknown: false);

    public static readonly ValueTable LockTypes = new("F_", [(0, "F_RDLCK"), (1, "F_WRLCK"), (2, "F_UNLCK")]);

    public static readonly ValueTable LeaseTypes = new("F_", [(0, "F_RDLCK"), (1, "F_WRLCK"), (2, "F_UNLCK")]);

    public static readonly FlagTable FlockOps = new("LOCK_", [(1, "LOCK_SH"), (2, "LOCK_EX"), (4, "LOCK_NB"), (8, "LOCK_UN"), (32, "LOCK_MAND"), (64, "LOCK_READ"), (128, "LOCK_WRITE")]);

    public static readonly FlagTable DirNotify = new("DN_",
    [
        (1, "DN_ACCESS"), (2, "DN_MODIFY"), (4, "DN_CREATE"), (8, "DN_DELETE"), (0x10, "DN_RENAME"), (0x20, "DN_ATTRIB"),
        (0x80000000, "DN_MULTISHOT"),
    ]);

    /// <summary>openat2's resolve flags (linux/openat2.h).</summary>
    public static readonly FlagTable ResolveFlags = new("RESOLVE_",
    [
        (1, "RESOLVE_NO_XDEV"), (2, "RESOLVE_NO_MAGICLINKS"), (4, "RESOLVE_NO_SYMLINKS"), (8, "RESOLVE_BENEATH"),
        (0x10, "RESOLVE_IN_ROOT"), (0x20, "RESOLVE_CACHED"),
    ]);

    public static readonly FlagTable EventFdFlags = new("EFD_", [(1, "EFD_SEMAPHORE"), (0x80000, "EFD_CLOEXEC"), (0x800, "EFD_NONBLOCK")]);

    public static readonly FlagTable InotifyInitFlags = new("IN_", [(0x800, "IN_NONBLOCK"), (0x80000, "IN_CLOEXEC")]);

    public static readonly FlagTable PipeFlags = new("O_",
    [
        (0x80000, "O_CLOEXEC"), (0x4000, "O_DIRECT"), (0x800, "O_NONBLOCK"), (0x80, "O_NOTIFICATION_PIPE"),
    ]);

    public static readonly FlagTable GetRandomFlags = new("GRND_", [(1, "GRND_NONBLOCK"), (2, "GRND_RANDOM"), (4, "GRND_INSECURE")]);

    public static readonly FlagTable MemfdFlags = new("MFD_",
    [
        (1, "MFD_CLOEXEC"), (2, "MFD_ALLOW_SEALING"), (4, "MFD_HUGETLB"), (8, "MFD_NOEXEC_SEAL"), (0x10, "MFD_EXEC"),
    ]);

    public static readonly FlagTable CloseRangeFlags = new("CLOSE_RANGE_", [(2, "CLOSE_RANGE_UNSHARE"), (4, "CLOSE_RANGE_CLOEXEC")]);

    public static readonly ValueTable FadviseAdvice = new("POSIX_FADV_",
    [
        (0, "POSIX_FADV_NORMAL"), (1, "POSIX_FADV_RANDOM"), (2, "POSIX_FADV_SEQUENTIAL"), (3, "POSIX_FADV_WILLNEED"),
        (4, "POSIX_FADV_DONTNEED"), (5, "POSIX_FADV_NOREUSE"),
    ]);

    public static readonly FlagTable FallocateModes = new("FALLOC_FL_",
    [
        (1, "FALLOC_FL_KEEP_SIZE"), (2, "FALLOC_FL_PUNCH_HOLE"), (4, "FALLOC_FL_NO_HIDE_STALE"),
        (8, "FALLOC_FL_COLLAPSE_RANGE"), (0x10, "FALLOC_FL_ZERO_RANGE"), (0x20, "FALLOC_FL_INSERT_RANGE"),
        (0x40, "FALLOC_FL_UNSHARE_RANGE"),
    ]);

    public static readonly FlagTable SyncFileRangeFlags = new("SYNC_FILE_RANGE_",
    [
        (1, "SYNC_FILE_RANGE_WAIT_BEFORE"), (2, "SYNC_FILE_RANGE_WRITE"), (4, "SYNC_FILE_RANGE_WAIT_AFTER"),
    ]);

    public static readonly FlagTable SpliceFlags = new("SPLICE_F_",
    [
        (1, "SPLICE_F_MOVE"), (2, "SPLICE_F_NONBLOCK"), (4, "SPLICE_F_MORE"), (8, "SPLICE_F_GIFT"),
    ]);

    public static readonly FlagTable UmountFlags = new("MNT_",
    [
        (1, "MNT_FORCE"), (2, "MNT_DETACH"), (4, "MNT_EXPIRE"), (8, "UMOUNT_NOFOLLOW"),
    ]);

    /// <summary>inotify event mask bits (linux/inotify.h).</summary>
    public static readonly FlagTable InotifyMask = new("IN_",
    [
        (0x1, "IN_ACCESS"), (0x2, "IN_MODIFY"), (0x4, "IN_ATTRIB"), (0x8, "IN_CLOSE_WRITE"), (0x10, "IN_CLOSE_NOWRITE"),
        (0x20, "IN_OPEN"), (0x40, "IN_MOVED_FROM"), (0x80, "IN_MOVED_TO"), (0x100, "IN_CREATE"), (0x200, "IN_DELETE"),
        (0x400, "IN_DELETE_SELF"), (0x800, "IN_MOVE_SELF"), (0x2000, "IN_UNMOUNT"), (0x4000, "IN_Q_OVERFLOW"),
        (0x8000, "IN_IGNORED"), (0x1000000, "IN_ONLYDIR"), (0x2000000, "IN_DONT_FOLLOW"), (0x4000000, "IN_EXCL_UNLINK"),
        (0x10000000, "IN_MASK_CREATE"), (0x20000000, "IN_MASK_ADD"), (0x40000000, "IN_ISDIR"), (0x80000000, "IN_ONESHOT"),
    ]);

    public static readonly FlagTable XattrFlags = new("XATTR_", [(1, "XATTR_CREATE"), (2, "XATTR_REPLACE")]);
}
