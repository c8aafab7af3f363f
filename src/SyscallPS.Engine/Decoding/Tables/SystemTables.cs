namespace SyscallPS.Decoding.Tables;

/// <summary>Constants for ptrace, seccomp, capabilities, mount, personality and bpf (linux/ptrace.h, linux/seccomp.h, linux/capability.h, linux/mount.h, linux/personality.h, linux/bpf.h).</summary>
internal static class SystemTables
{
    public static readonly ValueTable PtraceRequests = new("PTRACE_",
    [
        (0, "PTRACE_TRACEME"), (1, "PTRACE_PEEKTEXT"), (2, "PTRACE_PEEKDATA"), (3, "PTRACE_PEEKUSER"), (4, "PTRACE_POKETEXT"),
        (5, "PTRACE_POKEDATA"), (6, "PTRACE_POKEUSER"), (7, "PTRACE_CONT"), (8, "PTRACE_KILL"), (9, "PTRACE_SINGLESTEP"),
        (12, "PTRACE_GETREGS"), (13, "PTRACE_SETREGS"), (14, "PTRACE_GETFPREGS"), (15, "PTRACE_SETFPREGS"), (16, "PTRACE_ATTACH"),
        (17, "PTRACE_DETACH"), (18, "PTRACE_GETFPXREGS"), (19, "PTRACE_SETFPXREGS"), (24, "PTRACE_SYSCALL"),
        (25, "PTRACE_GET_THREAD_AREA"), (26, "PTRACE_SET_THREAD_AREA"), (30, "PTRACE_ARCH_PRCTL"), (31, "PTRACE_SYSEMU"),
        (32, "PTRACE_SYSEMU_SINGLESTEP"), (33, "PTRACE_SINGLEBLOCK"), (0x4200, "PTRACE_SETOPTIONS"), (0x4201, "PTRACE_GETEVENTMSG"),
        (0x4202, "PTRACE_GETSIGINFO"), (0x4203, "PTRACE_SETSIGINFO"), (0x4204, "PTRACE_GETREGSET"), (0x4205, "PTRACE_SETREGSET"),
        (0x4206, "PTRACE_SEIZE"), (0x4207, "PTRACE_INTERRUPT"), (0x4208, "PTRACE_LISTEN"), (0x4209, "PTRACE_PEEKSIGINFO"),
        (0x420a, "PTRACE_GETSIGMASK"), (0x420b, "PTRACE_SETSIGMASK"), (0x420c, "PTRACE_SECCOMP_GET_FILTER"),
        (0x420d, "PTRACE_SECCOMP_GET_METADATA"), (0x420e, "PTRACE_GET_SYSCALL_INFO"), (0x420f, "PTRACE_GET_RSEQ_CONFIGURATION"),
    ]);

    public static readonly FlagTable PtraceOptions = new("PTRACE_O_",
    [
        (1, "PTRACE_O_TRACESYSGOOD"), (2, "PTRACE_O_TRACEFORK"), (4, "PTRACE_O_TRACEVFORK"), (8, "PTRACE_O_TRACECLONE"),
        (0x10, "PTRACE_O_TRACEEXEC"), (0x20, "PTRACE_O_TRACEVFORKDONE"), (0x40, "PTRACE_O_TRACEEXIT"),
        (0x80, "PTRACE_O_TRACESECCOMP"), (0x100000, "PTRACE_O_EXITKILL"), (0x200000, "PTRACE_O_SUSPEND_SECCOMP"),
    ]);

    public static readonly ValueTable SeccompOps = new("SECCOMP_",
    [
        (0, "SECCOMP_SET_MODE_STRICT"), (1, "SECCOMP_SET_MODE_FILTER"), (2, "SECCOMP_GET_ACTION_AVAIL"), (3, "SECCOMP_GET_NOTIF_SIZES"),
    ]);

    public static readonly FlagTable SeccompFilterFlags = new("SECCOMP_FILTER_FLAG_",
    [
        (1, "SECCOMP_FILTER_FLAG_TSYNC"), (2, "SECCOMP_FILTER_FLAG_LOG"), (4, "SECCOMP_FILTER_FLAG_SPEC_ALLOW"),
        (8, "SECCOMP_FILTER_FLAG_NEW_LISTENER"), (0x10, "SECCOMP_FILTER_FLAG_TSYNC_ESRCH"),
        (0x20, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"),
    ]);

    public static readonly ValueTable SeccompActions = new("SECCOMP_RET_",
    [
        (0x80000000, "SECCOMP_RET_KILL_PROCESS"), (0, "SECCOMP_RET_KILL_THREAD"), (0x30000, "SECCOMP_RET_TRAP"),
        (0x50000, "SECCOMP_RET_ERRNO"), (0x7fc00000, "SECCOMP_RET_USER_NOTIF"), (0x7ff00000, "SECCOMP_RET_TRACE"),
        (0x7ffc0000, "SECCOMP_RET_LOG"), (0x7fff0000, "SECCOMP_RET_ALLOW"),
    ]);

    public static readonly ValueTable CapabilityVersions = new("_LINUX_CAPABILITY_VERSION_",
    [
        (0x19980330, "_LINUX_CAPABILITY_VERSION_1"), (0x20071026, "_LINUX_CAPABILITY_VERSION_2"), (0x20080522, "_LINUX_CAPABILITY_VERSION_3"),
    ]);

    public static readonly FlagTable MountFlags = new("MS_",
    [
        (1, "MS_RDONLY"), (2, "MS_NOSUID"), (4, "MS_NODEV"), (8, "MS_NOEXEC"), (0x10, "MS_SYNCHRONOUS"), (0x20, "MS_REMOUNT"),
        (0x40, "MS_MANDLOCK"), (0x80, "MS_DIRSYNC"), (0x100, "MS_NOSYMFOLLOW"), (0x400, "MS_NOATIME"), (0x800, "MS_NODIRATIME"),
        (0x1000, "MS_BIND"), (0x2000, "MS_MOVE"), (0x4000, "MS_REC"), (0x8000, "MS_SILENT"), (0x10000, "MS_POSIXACL"),
        (0x20000, "MS_UNBINDABLE"), (0x40000, "MS_PRIVATE"), (0x80000, "MS_SLAVE"), (0x100000, "MS_SHARED"), (0x200000, "MS_RELATIME"),
        (0x400000, "MS_KERNMOUNT"), (0x800000, "MS_I_VERSION"), (0x1000000, "MS_STRICTATIME"), (0x2000000, "MS_LAZYTIME"),
        (0x40000000, "MS_ACTIVE"), (0x80000000, "MS_NOUSER"),
    ]);

    public static readonly FlagTable PersonalityFlags = new("",
    [
        (0x20000, "UNAME26"), (0x40000, "ADDR_NO_RANDOMIZE"), (0x80000, "FDPIC_FUNCPTRS"), (0x100000, "MMAP_PAGE_ZERO"),
        (0x200000, "ADDR_COMPAT_LAYOUT"), (0x400000, "READ_IMPLIES_EXEC"), (0x800000, "ADDR_LIMIT_32BIT"), (0x1000000, "SHORT_INODE"),
        (0x2000000, "WHOLE_SECONDS"), (0x4000000, "STICKY_TIMEOUTS"), (0x8000000, "ADDR_LIMIT_3GB"),
    ]);

    public static readonly ValueTable BpfCommands = new("BPF_",
    [
        (0, "BPF_MAP_CREATE"), (1, "BPF_MAP_LOOKUP_ELEM"), (2, "BPF_MAP_UPDATE_ELEM"), (3, "BPF_MAP_DELETE_ELEM"),
        (4, "BPF_MAP_GET_NEXT_KEY"), (5, "BPF_PROG_LOAD"), (6, "BPF_OBJ_PIN"), (7, "BPF_OBJ_GET"), (8, "BPF_PROG_ATTACH"),
        (9, "BPF_PROG_DETACH"), (10, "BPF_PROG_TEST_RUN"), (11, "BPF_PROG_GET_NEXT_ID"), (12, "BPF_MAP_GET_NEXT_ID"),
        (13, "BPF_PROG_GET_FD_BY_ID"), (14, "BPF_MAP_GET_FD_BY_ID"), (15, "BPF_OBJ_GET_INFO_BY_FD"), (16, "BPF_PROG_QUERY"),
        (17, "BPF_RAW_TRACEPOINT_OPEN"), (18, "BPF_BTF_LOAD"), (19, "BPF_BTF_GET_FD_BY_ID"), (20, "BPF_TASK_FD_QUERY"),
        (21, "BPF_MAP_LOOKUP_AND_DELETE_ELEM"), (22, "BPF_MAP_FREEZE"), (23, "BPF_BTF_GET_NEXT_ID"), (24, "BPF_MAP_LOOKUP_BATCH"),
        (25, "BPF_MAP_LOOKUP_AND_DELETE_BATCH"), (26, "BPF_MAP_UPDATE_BATCH"), (27, "BPF_MAP_DELETE_BATCH"), (28, "BPF_LINK_CREATE"),
        (29, "BPF_LINK_UPDATE"), (30, "BPF_LINK_GET_FD_BY_ID"), (31, "BPF_LINK_GET_NEXT_ID"), (32, "BPF_ENABLE_STATS"),
        (33, "BPF_ITER_CREATE"), (34, "BPF_LINK_DETACH"), (35, "BPF_PROG_BIND_MAP"),
    ]);
}
