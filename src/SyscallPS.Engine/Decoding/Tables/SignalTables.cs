namespace SyscallPS.Decoding.Tables;

/// <summary>Signal constants (asm/signal.h, asm-generic/siginfo.h; x86_64 values).</summary>
internal static class SignalTables
{
    /// <summary>Names of signals 0..32 as strace prints them; 33..64 are SIGRT_n.</summary>
    public static readonly string[] Names =
    [
        "0", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1",
        "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP",
        "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR",
        "SIGSYS", "SIGRTMIN",
    ];

    public static readonly FlagTable SigactionFlags = new("SA_",
    [
        (0x04000000, "SA_RESTORER"), (0x08000000, "SA_ONSTACK"), (0x10000000, "SA_RESTART"), (0x20000000, "SA_INTERRUPT"),
        (0x40000000, "SA_NODEFER"), (0x80000000, "SA_RESETHAND"), (4, "SA_SIGINFO"), (1, "SA_NOCLDSTOP"), (2, "SA_NOCLDWAIT"),
        (0x400, "SA_UNSUPPORTED"), (0x800, "SA_EXPOSE_TAGBITS"),
    ]);

    public static readonly ValueTable SigprocmaskHow = new("SIG_", [(0, "SIG_BLOCK"), (1, "SIG_UNBLOCK"), (2, "SIG_SETMASK")]);

    public static readonly FlagTable SigaltstackFlags = new("SS_", [(1, "SS_ONSTACK"), (2, "SS_DISABLE"), (0x80000000, "SS_AUTODISARM")]);

    public static readonly FlagTable SignalfdFlags = new("SFD_", [(0x80000, "SFD_CLOEXEC"), (0x800, "SFD_NONBLOCK")]);

    /// <summary>si_code values common to every signal.</summary>
    public static readonly ValueTable SiCodes = new("SI_",
    [
        (0, "SI_USER"), (0x80, "SI_KERNEL"), (-1, "SI_QUEUE"), (-2, "SI_TIMER"), (-3, "SI_MESGQ"), (-4, "SI_ASYNCIO"),
        (-5, "SI_SIGIO"), (-6, "SI_TKILL"), (-7, "SI_DETHREAD"), (-60, "SI_ASYNCNL"),
    ], hexUnknown: false);

    public static readonly ValueTable ChldCodes = new("CLD_",
    [
        (1, "CLD_EXITED"), (2, "CLD_KILLED"), (3, "CLD_DUMPED"), (4, "CLD_TRAPPED"), (5, "CLD_STOPPED"), (6, "CLD_CONTINUED"),
    ], hexUnknown: false);

    public static readonly ValueTable SegvCodes = new("SEGV_",
    [
        (1, "SEGV_MAPERR"), (2, "SEGV_ACCERR"), (3, "SEGV_BNDERR"), (4, "SEGV_PKUERR"), (5, "SEGV_ACCADI"),
        (6, "SEGV_ADIDERR"), (7, "SEGV_ADIPERR"), (8, "SEGV_MTEAERR"), (9, "SEGV_MTESERR"), (10, "SEGV_CPERR"),
    ], hexUnknown: false);

    public static readonly ValueTable BusCodes = new("BUS_",
    [
        (1, "BUS_ADRALN"), (2, "BUS_ADRERR"), (3, "BUS_OBJERR"), (4, "BUS_MCEERR_AR"), (5, "BUS_MCEERR_AO"),
    ], hexUnknown: false);

    public static readonly ValueTable IllCodes = new("ILL_",
    [
        (1, "ILL_ILLOPC"), (2, "ILL_ILLOPN"), (3, "ILL_ILLADR"), (4, "ILL_ILLTRP"), (5, "ILL_PRVOPC"), (6, "ILL_PRVREG"),
        (7, "ILL_COPROC"), (8, "ILL_BADSTK"), (9, "ILL_BADIADDR"),
    ], hexUnknown: false);

    public static readonly ValueTable FpeCodes = new("FPE_",
    [
        (1, "FPE_INTDIV"), (2, "FPE_INTOVF"), (3, "FPE_FLTDIV"), (4, "FPE_FLTOVF"), (5, "FPE_FLTUND"), (6, "FPE_FLTRES"),
        (7, "FPE_FLTINV"), (8, "FPE_FLTSUB"), (14, "FPE_FLTUNK"), (15, "FPE_CONDTRAP"),
    ], hexUnknown: false);

    public static readonly ValueTable TrapCodes = new("TRAP_",
    [
        (1, "TRAP_BRKPT"), (2, "TRAP_TRACE"), (3, "TRAP_BRANCH"), (4, "TRAP_HWBKPT"), (5, "TRAP_UNK"), (6, "TRAP_PERF"),
    ], hexUnknown: false);

    public static readonly ValueTable PollCodes = new("POLL_",
    [
        (1, "POLL_IN"), (2, "POLL_OUT"), (3, "POLL_MSG"), (4, "POLL_ERR"), (5, "POLL_PRI"), (6, "POLL_HUP"),
    ], hexUnknown: false);

    public static readonly ValueTable SysCodes = new("SYS_", [(1, "SYS_SECCOMP"), (2, "SYS_USER_DISPATCH")], hexUnknown: false);
}
