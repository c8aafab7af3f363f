namespace SyscallPS.Decoding.Tables;

/// <summary>Process, scheduling, time and futex constants (linux/sched.h, linux/wait.h, asm-generic/resource.h, linux/prctl.h ...).</summary>
internal static class ProcessTables
{
    public const ulong CloneSignalMask = 0xff;

    public static readonly FlagTable CloneFlags = new("CLONE_",
    [
        (0x100, "CLONE_VM"), (0x200, "CLONE_FS"), (0x400, "CLONE_FILES"), (0x800, "CLONE_SIGHAND"), (0x1000, "CLONE_PIDFD"),
        (0x2000, "CLONE_PTRACE"), (0x4000, "CLONE_VFORK"), (0x8000, "CLONE_PARENT"), (0x10000, "CLONE_THREAD"),
        (0x20000, "CLONE_NEWNS"), (0x40000, "CLONE_SYSVSEM"), (0x80000, "CLONE_SETTLS"), (0x100000, "CLONE_PARENT_SETTID"),
        (0x200000, "CLONE_CHILD_CLEARTID"), (0x400000, "CLONE_DETACHED"), (0x800000, "CLONE_UNTRACED"),
        (0x1000000, "CLONE_CHILD_SETTID"), (0x2000000, "CLONE_NEWCGROUP"), (0x4000000, "CLONE_NEWUTS"),
        (0x8000000, "CLONE_NEWIPC"), (0x10000000, "CLONE_NEWUSER"), (0x20000000, "CLONE_NEWPID"),
        (0x40000000, "CLONE_NEWNET"), (0x80000000, "CLONE_IO"), (0x100000000, "CLONE_CLEAR_SIGHAND"),
        (0x200000000, "CLONE_INTO_CGROUP"), (0x80, "CLONE_NEWTIME"),
    ]);

    public static readonly FlagTable WaitOptions = new("W",
    [
        (1, "WNOHANG"), (2, "WSTOPPED"), (4, "WEXITED"), (8, "WCONTINUED"), (0x1000000, "WNOWAIT"),
        (0x20000000, "__WNOTHREAD"), (0x40000000, "__WALL"), (0x80000000, "__WCLONE"),
    ]);

    public static readonly ValueTable IdTypes = new("P_", [(0, "P_ALL"), (1, "P_PID"), (2, "P_PGID"), (3, "P_PIDFD")]);

    public static readonly ValueTable PtraceEvents = new("PTRACE_EVENT_",
    [
        (1, "PTRACE_EVENT_FORK"), (2, "PTRACE_EVENT_VFORK"), (3, "PTRACE_EVENT_CLONE"), (4, "PTRACE_EVENT_EXEC"),
        (5, "PTRACE_EVENT_VFORK_DONE"), (6, "PTRACE_EVENT_EXIT"), (7, "PTRACE_EVENT_SECCOMP"), (128, "PTRACE_EVENT_STOP"),
    ]);

    public static readonly ValueTable Resources = new("RLIMIT_",
    [
        (0, "RLIMIT_CPU"), (1, "RLIMIT_FSIZE"), (2, "RLIMIT_DATA"), (3, "RLIMIT_STACK"), (4, "RLIMIT_CORE"), (5, "RLIMIT_RSS"),
        (6, "RLIMIT_NPROC"), (7, "RLIMIT_NOFILE"), (8, "RLIMIT_MEMLOCK"), (9, "RLIMIT_AS"), (10, "RLIMIT_LOCKS"),
        (11, "RLIMIT_SIGPENDING"), (12, "RLIMIT_MSGQUEUE"), (13, "RLIMIT_NICE"), (14, "RLIMIT_RTPRIO"), (15, "RLIMIT_RTTIME"),
    ]);

    public static readonly ValueTable RusageWho = new("RUSAGE_", [(0, "RUSAGE_SELF"), (-1, "RUSAGE_CHILDREN"), (1, "RUSAGE_THREAD")]);

    public static readonly ValueTable PriorityWhich = new("PRIO_", [(0, "PRIO_PROCESS"), (1, "PRIO_PGRP"), (2, "PRIO_USER")]);

    public static readonly ValueTable ClockIds = new("CLOCK_",
    [
        (0, "CLOCK_REALTIME"), (1, "CLOCK_MONOTONIC"), (2, "CLOCK_PROCESS_CPUTIME_ID"), (3, "CLOCK_THREAD_CPUTIME_ID"),
        (4, "CLOCK_MONOTONIC_RAW"), (5, "CLOCK_REALTIME_COARSE"), (6, "CLOCK_MONOTONIC_COARSE"), (7, "CLOCK_BOOTTIME"),
        (8, "CLOCK_REALTIME_ALARM"), (9, "CLOCK_BOOTTIME_ALARM"), (10, "CLOCK_SGI_CYCLE"), (11, "CLOCK_TAI"),
    ]);

    public static readonly FlagTable TimerFlags = new("TIMER_", [(1, "TIMER_ABSTIME")]);

    public static readonly FlagTable TimerfdCreateFlags = new("TFD_", [(0x80000, "TFD_CLOEXEC"), (0x800, "TFD_NONBLOCK")]);

    public static readonly FlagTable TimerfdSetFlags = new("TFD_", [(1, "TFD_TIMER_ABSTIME"), (2, "TFD_TIMER_CANCEL_ON_SET")]);

    public static readonly ValueTable ItimerWhich = new("ITIMER_", [(0, "ITIMER_REAL"), (1, "ITIMER_VIRTUAL"), (2, "ITIMER_PROF")]);

    /// <summary>Futex commands (low 7 bits of op).</summary>
    public static readonly ValueTable FutexCommands = new("FUTEX_",
    [
        (0, "FUTEX_WAIT"), (1, "FUTEX_WAKE"), (2, "FUTEX_FD"), (3, "FUTEX_REQUEUE"), (4, "FUTEX_CMP_REQUEUE"),
        (5, "FUTEX_WAKE_OP"), (6, "FUTEX_LOCK_PI"), (7, "FUTEX_UNLOCK_PI"), (8, "FUTEX_TRYLOCK_PI"), (9, "FUTEX_WAIT_BITSET"),
        (10, "FUTEX_WAKE_BITSET"), (11, "FUTEX_WAIT_REQUEUE_PI"), (12, "FUTEX_CMP_REQUEUE_PI"), (13, "FUTEX_LOCK_PI2"),
    ]);

    public const int FutexPrivateFlag = 128;
    public const int FutexClockRealtime = 256;

    public static readonly ValueTable ArchPrctlCodes = new("ARCH_",
    [
        (0x1001, "ARCH_SET_GS"), (0x1002, "ARCH_SET_FS"), (0x1003, "ARCH_GET_FS"), (0x1004, "ARCH_GET_GS"),
        (0x1011, "ARCH_GET_CPUID"), (0x1012, "ARCH_SET_CPUID"), (0x1021, "ARCH_GET_XCOMP_SUPP"),
        (0x1022, "ARCH_GET_XCOMP_PERM"), (0x1023, "ARCH_REQ_XCOMP_PERM"), (0x1024, "ARCH_GET_XCOMP_GUEST_PERM"),
        (0x1025, "ARCH_REQ_XCOMP_GUEST_PERM"), (0x2001, "ARCH_MAP_VDSO_X32"), (0x2002, "ARCH_MAP_VDSO_32"),
        (0x2003, "ARCH_MAP_VDSO_64"), (0x5001, "ARCH_SHSTK_ENABLE"), (0x5002, "ARCH_SHSTK_DISABLE"),
        (0x5003, "ARCH_SHSTK_LOCK"), (0x5004, "ARCH_SHSTK_UNLOCK"), (0x5005, "ARCH_SHSTK_STATUS"),
    ]);

    public static readonly ValueTable PrctlOptions = new("PR_",
    [
        (1, "PR_SET_PDEATHSIG"), (2, "PR_GET_PDEATHSIG"), (3, "PR_GET_DUMPABLE"), (4, "PR_SET_DUMPABLE"),
        (5, "PR_GET_UNALIGN"), (6, "PR_SET_UNALIGN"), (7, "PR_GET_KEEPCAPS"), (8, "PR_SET_KEEPCAPS"), (9, "PR_GET_FPEMU"),
        (10, "PR_SET_FPEMU"), (11, "PR_GET_FPEXC"), (12, "PR_SET_FPEXC"), (13, "PR_GET_TIMING"), (14, "PR_SET_TIMING"),
        (15, "PR_SET_NAME"), (16, "PR_GET_NAME"), (19, "PR_GET_ENDIAN"), (20, "PR_SET_ENDIAN"), (21, "PR_GET_SECCOMP"),
        (22, "PR_SET_SECCOMP"), (23, "PR_CAPBSET_READ"), (24, "PR_CAPBSET_DROP"), (25, "PR_GET_TSC"), (26, "PR_SET_TSC"),
        (27, "PR_GET_SECUREBITS"), (28, "PR_SET_SECUREBITS"), (29, "PR_SET_TIMERSLACK"), (30, "PR_GET_TIMERSLACK"),
        (31, "PR_TASK_PERF_EVENTS_DISABLE"), (32, "PR_TASK_PERF_EVENTS_ENABLE"), (33, "PR_MCE_KILL"),
        (34, "PR_MCE_KILL_GET"), (35, "PR_SET_MM"), (36, "PR_SET_CHILD_SUBREAPER"), (37, "PR_GET_CHILD_SUBREAPER"),
        (38, "PR_SET_NO_NEW_PRIVS"), (39, "PR_GET_NO_NEW_PRIVS"), (40, "PR_GET_TID_ADDRESS"), (41, "PR_SET_THP_DISABLE"),
        (42, "PR_GET_THP_DISABLE"), (43, "PR_MPX_ENABLE_MANAGEMENT"), (44, "PR_MPX_DISABLE_MANAGEMENT"),
        (45, "PR_SET_FP_MODE"), (46, "PR_GET_FP_MODE"), (47, "PR_CAP_AMBIENT"), (50, "PR_SVE_SET_VL"), (51, "PR_SVE_GET_VL"),
        (52, "PR_GET_SPECULATION_CTRL"), (53, "PR_SET_SPECULATION_CTRL"), (54, "PR_PAC_RESET_KEYS"),
        (55, "PR_SET_TAGGED_ADDR_CTRL"), (56, "PR_GET_TAGGED_ADDR_CTRL"), (57, "PR_SET_IO_FLUSHER"),
        (58, "PR_GET_IO_FLUSHER"), (59, "PR_SET_SYSCALL_USER_DISPATCH"), (60, "PR_PAC_SET_ENABLED_KEYS"),
        (61, "PR_PAC_GET_ENABLED_KEYS"), (62, "PR_SCHED_CORE"), (63, "PR_SME_SET_VL"), (64, "PR_SME_GET_VL"),
        (65, "PR_SET_MDWE"), (66, "PR_GET_MDWE"), (0x53564d41, "PR_SET_VMA"),
    ]);

    /// <summary>PR_GET_DUMPABLE results (linux/sched/coredump.h).</summary>
    public static readonly ValueTable DumpableValues = new("SUID_DUMP_", [(0, "SUID_DUMP_DISABLE"), (1, "SUID_DUMP_USER"), (2, "SUID_DUMP_ROOT")]);

    public static readonly ValueTable SchedPolicies = new("SCHED_",
    [
        (0, "SCHED_OTHER"), (1, "SCHED_FIFO"), (2, "SCHED_RR"), (3, "SCHED_BATCH"), (5, "SCHED_IDLE"), (6, "SCHED_DEADLINE"),
    ]);

    public static readonly FlagTable Rseq = new("RSEQ_FLAG_", [(1, "RSEQ_FLAG_UNREGISTER")]);

    public static readonly FlagTable ExecveatFlags = new("AT_", [(0x100, "AT_SYMLINK_NOFOLLOW"), (0x1000, "AT_EMPTY_PATH")]);

    public static readonly FlagTable PidfdOpenFlags = new("PIDFD_", [(0x800, "PIDFD_NONBLOCK")]);

    public static readonly FlagTable UnshareFlags = CloneFlags;
}
