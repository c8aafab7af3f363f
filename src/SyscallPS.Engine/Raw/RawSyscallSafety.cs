using static SyscallPS.Raw.RawSafetyChecks;

namespace SyscallPS.Raw;

/// <summary>
/// One entry of the raw syscall safety policy: a syscall that would end, hang or corrupt the calling process
/// (always, or only for the arguments <see cref="AppliesTo"/> accepts). A syscall can have several entries,
/// each with its own reason.
/// </summary>
public sealed class RawSyscallRule
{
    internal RawSyscallRule(string syscall, string reason, Func<ulong[], bool>? appliesTo = null)
    {
        Syscall = syscall;
        Reason = reason;
        _appliesTo = appliesTo;
    }

    private readonly Func<ulong[], bool>? _appliesTo;

    /// <summary>The syscall name.</summary>
    public string Syscall { get; }

    /// <summary>Why the call is refused, completing "&lt;name&gt; is refused because it ...".</summary>
    public string Reason { get; }

    /// <summary>True when only some arguments make the call dangerous (kill to oneself, close of the shell's descriptor ...).</summary>
    public bool IsConditional => _appliesTo != null;

    /// <summary>True when the rule refuses the call with these six register values.</summary>
    public bool AppliesTo(ulong[] registers) => _appliesTo?.Invoke(registers) ?? true;

    /// <inheritdoc />
    public override string ToString() => $"{Syscall}: {Reason}";
}

/// <summary>
/// The syscalls Invoke-RawSyscall refuses unless forced, because calling them from inside the PowerShell process
/// would end it, hang it, or corrupt the state the .NET runtime, the C library or its terminal session rely on.
/// Descriptors and memory mappings count as the shell's unless a raw call in this process returned them.
/// </summary>
public static class RawSyscallSafety
{
    // Signals whose default action neither ends nor stops the process, and that .NET does not treat as fatal.
    private static readonly HashSet<int> HarmlessSignals = [0, 17 /* SIGCHLD */, 18 /* SIGCONT */, 23 /* SIGURG */, 28 /* SIGWINCH */];

    // prctl options that break the runtime or cannot be undone: PR_SET_SECCOMP, PR_CAPBSET_DROP, PR_SET_TSC, PR_SET_MM,
    // PR_SET_NO_NEW_PRIVS, PR_SET_FP_MODE, PR_SVE_SET_VL, PR_PAC_RESET_KEYS, PR_SET_TAGGED_ADDR_CTRL, PR_SET_SYSCALL_USER_DISPATCH,
    // PR_PAC_SET_ENABLED_KEYS, PR_SME_SET_VL, PR_SET_MDWE (forbids the JIT's writable+executable memory).
    private static readonly HashSet<int> DangerousPrctlOptions = [22, 24, 26, 35, 38, 45, 50, 54, 55, 59, 60, 63, 65];

    // fcntl commands that only read or make a new descriptor: F_DUPFD, F_GETFD, F_GETFL, F_GETLK, F_GETOWN, F_GETSIG,
    // F_GETOWN_EX, F_GETOWNER_UIDS, F_OFD_GETLK, F_GETLEASE, F_DUPFD_CLOEXEC, F_GETPIPE_SZ, F_GET_SEALS, F_GET_RW_HINT, F_GET_FILE_RW_HINT.
    private static readonly HashSet<int> ReadingFcntlCommands = [0, 1, 3, 5, 9, 11, 16, 17, 36, 1025, 1030, 1032, 1034, 1035, 1037];

    // ioctl requests that only read and predate the _IOR encoding: FIGETBSZ, TCGETS, TCGETA, TIOCGPGRP, TIOCOUTQ, TIOCGWINSZ,
    // TIOCMGET, FIONREAD, TIOCGSERIAL, TIOCGETD, TIOCGSID, TCGETX, TIOCGLCKTRMIOS, TIOCGICOUNT, FIOQSIZE, FIOGETOWN,
    // SIOCGPGRP, SIOCATMARK, SIOCGSTAMP, SIOCGSTAMPNS.
    private static readonly HashSet<uint> ReadingIoctlRequests =
        [2, 0x5401, 0x5405, 0x540F, 0x5411, 0x5413, 0x5415, 0x541B, 0x541E, 0x5424, 0x5429, 0x5432, 0x5456, 0x545D, 0x5460, 0x8903, 0x8904, 0x8905, 0x8906, 0x8907];

    // Terminal requests that take the terminal from PowerShell or change it under it: TCSETS, TCSETSW, TCSETSF, TCSETA,
    // TCSETAW, TCSETAF, TCXONC, TIOCEXCL, TIOCSCTTY, TIOCSPGRP, TIOCSTI, TIOCCONS, TIOCNOTTY, TIOCSETD, TCSETX, TCSETXF,
    // TCSETXW, TIOCVHANGUP, TIOCSLCKTRMIOS, TCSETS2, TCSETSW2, TCSETSF2.
    private static readonly HashSet<uint> TerminalChangingRequests =
        [0x5402, 0x5403, 0x5404, 0x5406, 0x5407, 0x5408, 0x540A, 0x540C, 0x540E, 0x5410, 0x5412, 0x541D, 0x5422, 0x5423, 0x5433, 0x5434, 0x5435, 0x5437, 0x5457, 0x402C542B, 0x402C542C, 0x402C542D];

    // madvise advice that changes neither memory contents nor what a forked child sees: NORMAL, RANDOM, SEQUENTIAL, WILLNEED,
    // DOFORK, MERGEABLE, UNMERGEABLE, HUGEPAGE, NOHUGEPAGE, DONTDUMP, DODUMP, KEEPONFORK, COLD, PAGEOUT, POPULATE_READ,
    // POPULATE_WRITE, COLLAPSE.
    private static readonly HashSet<int> HarmlessAdvice = [0, 1, 2, 3, 11, 12, 13, 14, 15, 16, 17, 19, 20, 21, 22, 23, 25];

    // arch_prctl codes that only read: ARCH_GET_FS, ARCH_GET_GS, ARCH_GET_CPUID, ARCH_GET_XCOMP_SUPP, ARCH_GET_XCOMP_PERM,
    // ARCH_GET_XCOMP_GUEST_PERM, ARCH_GET_UNTAG_MASK, ARCH_GET_MAX_TAG_BITS, ARCH_SHSTK_STATUS.
    private static readonly HashSet<int> ReadingArchPrctlCodes = [0x1003, 0x1004, 0x1011, 0x1021, 0x1022, 0x1024, 0x4001, 0x4003, 0x5005];

    private const ulong MapShared = 0x01;
    private const ulong MapFixed = 0x10;
    private const ulong MapAnonymous = 0x20;
    private const ulong ProtWrite = 0x2;
    private const ulong MremapFixedOrDontUnmap = 0x2 | 0x4;
    private const ulong MclFuture = 0x2;
    private const ulong ShmRemap = 0x4000;
    private const ulong CloseRangeUnshare = 0x2;
    private const int PtraceTraceMe = 0;
    private const int PtraceAttach = 16;
    private const int PtraceSeize = 0x4206;
    private const int PrSetPdeathsig = 1;
    private const ulong SchedResetOnFork = 0x40000000;
    private const int SigevSignal = 0;
    private const int SigevNone = 1;
    private const int WaitNoHangNoWait = 0x1 | 0x01000000;
    private const int PPid = 1;
    private const ulong FanMarkRemoveOrFlush = 0x2 | 0x80;
    private const ulong FanPermissionEvents = 0x00010000 | 0x00020000 | 0x00040000 | 0x00100000; // OPEN_PERM, ACCESS_PERM, OPEN_EXEC_PERM, PRE_ACCESS
    private const int FSetown = 8;
    private const int FSetownEx = 15;
    private const int FOwnerPgrp = 2;
    private const int FSetlease = 1024;
    private const int FNotify = 1026;
    private const int FUnlck = 2;
    private const uint FioSetown = 0x8901;
    private const uint SiocSpgrp = 0x8902;
    private const uint UffdioRegister = 0xC020AA00;

    private const string RuntimeMemory = "changes memory mappings that the .NET runtime and the C library own (only memory mapped by Invoke-RawSyscall in this process is yours), which corrupts or crashes the process";
    private const string SignalToShell = "sends a signal that ends or stops the process to PowerShell itself, its process group, or a process it runs under";
    private const string ThreadCredentials = "changes the identity of the calling thread only (the C library's wrapper changes every thread), leaving PowerShell with mixed credentials";
    private const string SignalHandling = "takes signal handling away from the .NET runtime, which needs it for garbage collection and crash handling";
    private const string ThreadState = "changes per-thread state that the C library and the runtime own";
    private const string SignalWait = "waits for a signal to the calling thread, which never comes (the runtime's other threads take signals, Ctrl+C included), so PowerShell hangs";
    private const string ReapsShellChild = "reaps or waits for a child process the shell started, taking its exit status from the runtime";
    private const string LowersOwnLimitReason = "lowers a resource limit of PowerShell itself that the runtime cannot do without (open files, address space, data, stack, processes, CPU time, file size)";
    private const string RealtimeSelf = "puts a PowerShell thread in a realtime scheduling class, where a busy thread starves the runtime's other threads and the machine";
    private const string IoSignalToShell = "makes a descriptor signal PowerShell (SIGIO by default, which ends it) on I/O, lease breaks or directory changes";
    private const string ShellMemoryFile = "writes into the memory of PowerShell, or of a process it runs under, through its /proc memory file";
    private const string ReplacesShellDescriptor = "closes or replaces a descriptor the shell holds (only descriptors returned by Invoke-RawSyscall in this process are yours)";
    private const string ChangesShellDescriptor = "changes a descriptor the shell holds, or the open file, pipe or socket behind it (only descriptors returned by Invoke-RawSyscall in this process, and not copied from the shell's, are yours)";
    private const string MovesShellData = "reads, writes or seeks a descriptor the shell holds other than standard input, output and error (or a copy of one), taking or forging data the runtime expects";

    /// <summary>The policy: one rule per syscall and reason, most specific first.</summary>
    public static IReadOnlyList<RawSyscallRule> Rules { get; } =
    [
        // Ending, replacing or copying the process.
        new("exit", "ends the calling PowerShell thread, which hangs or ends the session"),
        new("exit_group", "ends the PowerShell process"),
        new("execve", "replaces the PowerShell process with another program"),
        new("execveat", "replaces the PowerShell process with another program"),
        new("fork", "copies the multithreaded .NET process into a child that has only one thread of a running runtime"),
        new("vfork", "runs a child on PowerShell's own memory and stack, which it then corrupts"),
        new("clone", "creates a process or thread that has no .NET runtime behind it"),
        new("clone3", "creates a process or thread that has no .NET runtime behind it"),
        new("rt_sigreturn", "restores registers from a signal frame that does not exist, which crashes the process"),

        // Signals that end or stop PowerShell, now or later.
        new("kill", SignalToShell, r => IsFatal(r[1]) && SignalReachesShell((int)r[0])),
        new("rt_sigqueueinfo", SignalToShell, r => IsFatal(r[1]) && SignalReachesShell((int)r[0])),
        new("tkill", SignalToShell, r => IsFatal(r[1]) && IsShellOrAncestor((int)r[0])),
        new("tgkill", SignalToShell, r => IsFatal(r[2]) && IsShellOrAncestor((int)r[0])),
        new("rt_tgsigqueueinfo", SignalToShell, r => IsFatal(r[2]) && IsShellOrAncestor((int)r[0])),
        new("pidfd_send_signal", SignalToShell, r => IsFatal(r[1]) && ProcessOfPidfd(Descriptor(r[0])) is { } pid && IsShellOrAncestor(pid)),
        new("alarm", "schedules SIGALRM, which ends PowerShell", r => (uint)r[0] != 0),
        new("setitimer", "arms a timer whose signal (SIGALRM, SIGVTALRM or SIGPROF) ends PowerShell", r => r[1] != 0 && (ReadUInt64(r[1], 16) != 0 || ReadUInt64(r[1], 24) != 0)),
        new("timer_create", "creates a timer that sends PowerShell a signal that ends it (SIGALRM unless the sigevent names SIGEV_NONE or a harmless signal)", r => r[1] == 0 || Sigevent(r[1]) is not { } e || (e.Notify != SigevNone && IsFatal(e.Signal))),
        new("mq_notify", "asks for a signal that ends PowerShell when a message arrives", r => r[1] != 0 && (Sigevent(r[1]) is not { } e || (e.Notify == SigevSignal && IsFatal(e.Signal)))),
        new("prctl", "asks for a signal that ends PowerShell when its parent thread ends (PR_SET_PDEATHSIG)", r => (int)r[0] == PrSetPdeathsig && IsFatal(r[1])),
        new("fcntl", IoSignalToShell, FcntlSignalsShell),
        new("ioctl", IoSignalToShell, r => (uint)r[1] is FioSetown or SiocSpgrp && (ReadInt32(r[2], 0) is not { } owner || OwnerIsShell(owner))),

        // Waits nothing ends.
        new("pause", SignalWait),
        new("rt_sigsuspend", SignalWait),
        new("rt_sigtimedwait", "waits without a timeout for a signal that the runtime's other threads take first, so PowerShell hangs", r => r[2] == 0),
        new("fanotify_mark", "asks for permission events: every matching open or read then waits for PowerShell to answer, which it never does", r => (r[1] & FanMarkRemoveOrFlush) == 0 && (r[2] & FanPermissionEvents) != 0),
        new("ioctl", "registers memory that Invoke-RawSyscall did not map with userfaultfd: the first thread to touch it waits for an answer that never comes", r => (uint)r[1] == UffdioRegister && (ReadUInt64(r[2], 0) is not { } start || ReadUInt64(r[2], 8) is not { } length || !RawOwnership.OwnsMemory(start, length))),
        new("wait4", ReapsShellChild, r => (int)r[0] <= 0 || IsChild((int)r[0])),
        new("waitid", ReapsShellChild, r => ((int)r[3] & WaitNoHangNoWait) != WaitNoHangNoWait && ((int)r[0] != PPid || IsChild((int)r[1]))),

        // Memory the runtime and the C library own.
        new("munmap", RuntimeMemory, r => !RawOwnership.OwnsMemory(r[0], r[1])),
        new("mprotect", RuntimeMemory, r => !RawOwnership.OwnsMemory(r[0], r[1])),
        new("pkey_mprotect", RuntimeMemory, r => !RawOwnership.OwnsMemory(r[0], r[1])),
        new("madvise", RuntimeMemory, r => !HarmlessAdvice.Contains((int)r[2]) && !RawOwnership.OwnsMemory(r[0], r[1])),
        new("mremap", RuntimeMemory, r => (r[3] & MremapFixedOrDontUnmap) != 0 || !RawOwnership.OwnsMemory(r[0], r[1])),
        new("remap_file_pages", RuntimeMemory),
        new("mseal", RuntimeMemory),
        new("mmap", "with MAP_FIXED replaces whatever is mapped at the address, including the runtime's own memory", r => (r[3] & MapFixed) != 0 && !RawOwnership.OwnsMemory(r[0], r[1])),
        new("mmap", "maps a descriptor the shell holds (or the object behind it) shared and writable", r => (r[3] & (MapAnonymous | MapShared)) == MapShared && (r[2] & ProtWrite) != 0 && ReachesShell(Descriptor(r[4]))),
        new("shmat", "with SHM_REMAP replaces whatever is mapped at the address, including the runtime's own memory", r => (r[2] & ShmRemap) != 0),
        new("brk", "moves the end of the heap that the C library's allocator owns", r => r[0] != 0),
        new("mlockall", "locks every future mapping: without CAP_IPC_LOCK the runtime's next allocation past RLIMIT_MEMLOCK fails and PowerShell aborts", r => (r[0] & MclFuture) != 0),
        new("process_vm_writev", "writes into the memory of PowerShell or of a process it runs under", r => IsShellOrAncestor((int)r[0])),
        new("write", ShellMemoryFile, r => IsShellMemoryFile(Descriptor(r[0]))),
        new("writev", ShellMemoryFile, r => IsShellMemoryFile(Descriptor(r[0]))),
        new("pwrite64", ShellMemoryFile, r => IsShellMemoryFile(Descriptor(r[0]))),
        new("pwritev", ShellMemoryFile, r => IsShellMemoryFile(Descriptor(r[0]))),
        new("pwritev2", ShellMemoryFile, r => IsShellMemoryFile(Descriptor(r[0]))),

        // The machine and its root file system.
        new("reboot", "reboots, halts or powers off the machine"),
        new("kexec_load", "replaces the running kernel"),
        new("kexec_file_load", "replaces the running kernel"),
        new("pivot_root", "moves the root file system of every process in the mount namespace"),

        // Process-wide and per-thread state the runtime relies on.
        new("seccomp", "installs a filter that can kill PowerShell on its next syscall"),
        new("rt_sigaction", SignalHandling, r => r[1] != 0),
        new("rt_sigprocmask", SignalHandling, r => r[1] != 0),
        new("sigaltstack", SignalHandling, r => r[0] != 0),
        new("set_robust_list", ThreadState),
        new("set_tid_address", ThreadState),
        new("rseq", ThreadState),
        new("arch_prctl", ThreadState, r => !ReadingArchPrctlCodes.Contains((int)r[0])),
        new("set_thread_area", ThreadState),
        new("modify_ldt", ThreadState),
        new("uretprobe", "kills the caller unless it is called from a uprobe trampoline"),
        new("uprobe", "kills the caller unless it is called from a uprobe trampoline"),
        new("setuid", ThreadCredentials),
        new("setgid", ThreadCredentials),
        new("setreuid", ThreadCredentials),
        new("setregid", ThreadCredentials),
        new("setresuid", ThreadCredentials),
        new("setresgid", ThreadCredentials),
        new("setfsuid", ThreadCredentials),
        new("setfsgid", ThreadCredentials),
        new("setgroups", ThreadCredentials),
        new("capset", ThreadCredentials),
        new("unshare", "moves only the calling thread into new namespaces or a private file table"),
        new("setns", "moves only the calling thread into another namespace"),
        new("landlock_restrict_self", "confines the calling thread's file access for good, leaving PowerShell half sandboxed"),
        new("chroot", "changes PowerShell's root directory, so files the runtime has not loaded yet (assemblies, modules, /proc) are looked up under the new root"),
        new("personality", "changes the execution domain that PowerShell and every program it starts run under", r => ChangesPersonality(r[0])),
        new("prctl", "with this option breaks the runtime or cannot be undone (seccomp, TSC, mm, FP mode, no_new_privs, vector length, pointer authentication keys, tagged addresses, syscall user dispatch, MDWE, capability drop)", r => DangerousPrctlOptions.Contains((int)r[0])),
        new("setrlimit", LowersOwnLimitReason, r => LowersOwnLimit(r[0], r[1])),
        new("prlimit64", LowersOwnLimitReason, r => IsSelf((int)r[0]) && LowersOwnLimit(r[1], r[2])),
        new("sched_setscheduler", RealtimeSelf, r => IsSelf((int)r[0]) && IsRealtime(r[1])),
        new("sched_setattr", RealtimeSelf, r => IsSelf((int)r[0]) && r[1] != 0 && (ReadInt32(r[1], 4) is not { } policy || IsRealtime((uint)policy))),

        // The terminal session and the processes PowerShell runs under.
        new("setsid", "moves PowerShell into a new session: it loses its controlling terminal and Ctrl+C no longer reaches it"),
        new("setpgid", "moves PowerShell into another process group, out of its terminal's foreground: reading the terminal then stops it and Ctrl+C misses it", MovesOwnProcessGroup),
        new("vhangup", "hangs up the terminal PowerShell is using"),
        new("ioctl", "takes PowerShell's terminal from it or changes it under it (controlling terminal, foreground group, modes, line discipline, typed-in input, output flow)", r => TerminalChangingRequests.Contains((uint)r[1]) && IsShellTerminal(Descriptor(r[0]))),
        new("ptrace", "makes PowerShell a tracee (PTRACE_TRACEME), targets its own threads, or attaches to a process it runs under (which stops it and the terminal with it)", r => (int)r[0] == PtraceTraceMe || IsOwnThread((int)r[1]) || ((int)r[0] is PtraceAttach or PtraceSeize && IsShellOrAncestor((int)r[1]))),

        // Descriptors the shell holds: closing or replacing them.
        new("close", ReplacesShellDescriptor, r => HeldByShell(Descriptor(r[0]))),
        new("dup2", ReplacesShellDescriptor, r => HeldByShell(Descriptor(r[1]))),
        new("dup3", ReplacesShellDescriptor, r => HeldByShell(Descriptor(r[1]))),
        new("close_range", "closes descriptors the shell holds (only descriptors returned by Invoke-RawSyscall in this process are yours), or gives the calling thread a descriptor table of its own", r => (r[2] & CloseRangeUnshare) != 0 || AnyHeldByShell((uint)r[0], (uint)r[1])),

        // Descriptors the shell holds: changing them or what they refer to.
        Changes("fcntl", 0, r => !ReadingFcntlCommands.Contains((int)r[1])),
        Changes("ioctl", 0, r => !IsReadingIoctl((uint)r[1])),
        Changes("ftruncate", 0),
        Changes("fallocate", 0),
        Changes("flock", 0),
        Changes("shutdown", 0),
        Changes("setsockopt", 0),
        Changes("bind", 0),
        Changes("connect", 0),
        Changes("listen", 0),
        Changes("epoll_ctl", 0),
        Changes("inotify_add_watch", 0),
        Changes("inotify_rm_watch", 0),
        Changes("fanotify_mark", 0),
        Changes("timerfd_settime", 0),
        Changes("signalfd", 0),
        Changes("signalfd4", 0),
        Changes("io_uring_register", 0),

        // Descriptors the shell holds: reading, writing or seeking them.
        Moves("read", 0),
        Moves("readv", 0),
        Moves("write", 0),
        Moves("writev", 0),
        Moves("pwrite64", 0),
        Moves("pwritev", 0),
        Moves("pwritev2", 0),
        Moves("lseek", 0),
        Moves("getdents", 0),
        Moves("getdents64", 0),
        Moves("recvfrom", 0),
        Moves("recvmsg", 0),
        Moves("recvmmsg", 0),
        Moves("sendto", 0),
        Moves("sendmsg", 0),
        Moves("sendmmsg", 0),
        Moves("accept", 0),
        Moves("accept4", 0),
        Moves("epoll_wait", 0),
        Moves("epoll_pwait", 0),
        Moves("epoll_pwait2", 0),
        Moves("vmsplice", 0),
        Moves("sendfile", 0, 1),
        Moves("splice", 0, 2),
        Moves("tee", 0, 1),
        Moves("copy_file_range", 0, 2),
    ];

    // The rules of each syscall, in table order; declared after Rules so that it is initialized after it.
    private static readonly ILookup<string, RawSyscallRule> RulesBySyscall = Rules.ToLookup(r => r.Syscall, StringComparer.Ordinal);

    /// <summary>The names of every syscall the policy can refuse.</summary>
    public static IReadOnlyCollection<string> RefusedNames => Rules.Select(r => r.Syscall).ToHashSet(StringComparer.Ordinal);

    /// <summary>The rule that refuses <paramref name="syscall"/> with these register values, or null when the call is allowed.</summary>
    /// <param name="syscall">The syscall's name in the table.</param>
    /// <param name="registers">The argument registers (missing ones count as 0).</param>
    public static RawSyscallRule? FindRefusal(string syscall, IReadOnlyList<ulong> registers)
    {
        var r = new ulong[6];
        for (int i = 0; i < Math.Min(6, registers.Count); i++)
        {
            r[i] = registers[i];
        }

        return RulesBySyscall[syscall].FirstOrDefault(rule => rule.AppliesTo(r));
    }

    private static RawSyscallRule Changes(string syscall, int descriptor, Func<ulong[], bool>? when = null) =>
        new(syscall, ChangesShellDescriptor, r => (when?.Invoke(r) ?? true) && ReachesShell(Descriptor(r[descriptor])));

    private static RawSyscallRule Moves(string syscall, params int[] descriptors) =>
        new(syscall, MovesShellData, r => descriptors.Any(d => ReachesShellBeyondStandardStreams(Descriptor(r[d]))));

    private static bool IsFatal(ulong signal) => !HarmlessSignals.Contains((int)signal);

    // _IOR requests only copy data out to the caller.
    private static bool IsReadingIoctl(uint request) => request >> 30 == 2 || ReadingIoctlRequests.Contains(request);

    private static bool IsRealtime(ulong policy) => (policy & ~SchedResetOnFork) is 1 /* FIFO */ or 2 /* RR */ or 6 /* DEADLINE */;

    // A SIGEV_* notification of struct sigevent: sigev_signo at offset 8, sigev_notify at 12.
    private static (int Notify, ulong Signal)? Sigevent(ulong address) =>
        ReadInt32(address, 8) is { } signal && ReadInt32(address, 12) is { } notify ? (notify, (ulong)signal) : null;

    // An F_SETOWN-style owner: a process (> 0) or a process group (< 0); 0 clears the owner.
    private static bool OwnerIsShell(int owner) => owner != 0 && SignalReachesShell(owner);

    private static bool FcntlSignalsShell(ulong[] r)
    {
        int fd = Descriptor(r[0]);
        return (int)r[1] switch
        {
            FSetown => OwnerIsShell((int)r[2]),
            FSetownEx => ReadInt32(r[2], 0) is not { } type || ReadInt32(r[2], 4) is not { } pid || OwnerIsShell(type == FOwnerPgrp ? -pid : pid),
            FNotify => (int)r[2] != 0 && IsFatal((ulong)IoSignal(fd)),
            FSetlease => (int)r[2] != FUnlck && IsFatal((ulong)IoSignal(fd)),
            _ => false,
        };
    }

    // setpgid(0 or own pid, pgid) that changes PowerShell's group; pgid 0 means a group named after the process.
    private static bool MovesOwnProcessGroup(ulong[] r)
    {
        int pid = (int)r[0];
        if (!IsSelf(pid))
        {
            return false;
        }

        int group = (int)r[1] == 0 ? (pid == 0 ? Environment.ProcessId : pid) : (int)r[1];
        return group != (int)Tmds.Linux.LibC.getpgrp();
    }
}
