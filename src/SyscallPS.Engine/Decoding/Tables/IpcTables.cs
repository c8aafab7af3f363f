namespace SyscallPS.Decoding.Tables;

/// <summary>System V IPC constants (linux/ipc.h, linux/shm.h, linux/sem.h, linux/msg.h).</summary>
internal static class IpcTables
{
    /// <summary>Flag bits of *get(); the low nine bits are the permissions, printed in octal after them.</summary>
    public static readonly FlagTable GetFlags = new("IPC_",
    [
        (0x200, "IPC_CREAT"), (0x400, "IPC_EXCL"), (0x800, "IPC_NOWAIT"),
    ]);

    public static readonly FlagTable ShmGetFlags = new("IPC_",
    [
        (0x200, "IPC_CREAT"), (0x400, "IPC_EXCL"), (0x800, "SHM_HUGETLB"), (0x1000, "SHM_NORESERVE"),
    ]);

    public static readonly FlagTable ShmatFlags = new("SHM_", [(0x1000, "SHM_RDONLY"), (0x2000, "SHM_RND"), (0x4000, "SHM_REMAP"), (0x8000, "SHM_EXEC")]);

    public static readonly FlagTable MsgFlags = new("IPC_", [(0x800, "IPC_NOWAIT"), (0x1000, "MSG_NOERROR"), (0x2000, "MSG_EXCEPT"), (0x4000, "MSG_COPY")]);

    public static readonly ValueTable ShmCommands = new("SHM_",
    [
        (0, "IPC_RMID"), (1, "IPC_SET"), (2, "IPC_STAT"), (3, "IPC_INFO"), (11, "SHM_LOCK"), (12, "SHM_UNLOCK"),
        (13, "SHM_STAT"), (14, "SHM_INFO"), (15, "SHM_STAT_ANY"),
    ]);

    public static readonly ValueTable SemCommands = new("SEM_",
    [
        (0, "IPC_RMID"), (1, "IPC_SET"), (2, "IPC_STAT"), (3, "IPC_INFO"), (11, "GETPID"), (12, "GETVAL"), (13, "GETALL"),
        (14, "GETNCNT"), (15, "GETZCNT"), (16, "SETVAL"), (17, "SETALL"), (18, "SEM_STAT"), (19, "SEM_INFO"),
        (20, "SEM_STAT_ANY"),
    ]);

    public static readonly ValueTable MsgCommands = new("MSG_",
    [
        (0, "IPC_RMID"), (1, "IPC_SET"), (2, "IPC_STAT"), (3, "IPC_INFO"), (11, "MSG_STAT"), (12, "MSG_INFO"),
        (13, "MSG_STAT_ANY"),
    ]);
}
