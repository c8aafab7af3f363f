using Tmds.Linux;

namespace SyscallPS.Raw;

/// <summary>
/// One entry of the raw syscall safety policy: a syscall that would end, replace, fork or corrupt the calling
/// process (always, or only for the arguments <see cref="AppliesTo"/> accepts).
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

    /// <summary>True when only some arguments make the call dangerous (kill to oneself, mmap with MAP_FIXED ...).</summary>
    public bool IsConditional => _appliesTo != null;

    /// <summary>True when the rule refuses the call with these six register values.</summary>
    public bool AppliesTo(ulong[] registers) => _appliesTo?.Invoke(registers) ?? true;

    /// <inheritdoc />
    public override string ToString() => $"{Syscall}: {Reason}";
}

/// <summary>
/// The syscalls Invoke-RawSyscall refuses unless forced, because calling them from inside the PowerShell
/// process would end it, replace it, fork it, or corrupt the state the .NET runtime and C library rely on.
/// </summary>
public static class RawSyscallSafety
{
    // Signals whose default action neither ends nor stops the process, and that .NET does not treat as fatal.
    private static readonly HashSet<int> HarmlessSignals = [0, 17 /* SIGCHLD */, 18 /* SIGCONT */, 23 /* SIGURG */, 28 /* SIGWINCH */];

    // prctl options that break the runtime or cannot be undone: PR_CAPBSET_DROP, PR_SET_SECCOMP, PR_SET_TSC, PR_SET_MM,
    // PR_SET_FP_MODE, PR_SET_TAGGED_ADDR_CTRL, PR_SET_SYSCALL_USER_DISPATCH, PR_SET_MDWE (forbids the JIT's writable+executable memory).
    private static readonly HashSet<int> DangerousPrctlOptions = [22, 24, 26, 35, 45, 55, 59, 65];

    private const ulong MapFixed = 0x10;
    private const int PtraceTraceMe = 0;

    private const string RuntimeMemory = "changes memory mappings that the .NET runtime and the C library own, which corrupts or crashes the process";
    private const string SignalToSelf = "sends a signal that ends or stops the process to PowerShell itself";
    private const string ThreadCredentials = "changes the identity of the calling thread only (the C library's wrapper changes every thread), leaving PowerShell with mixed credentials";
    private const string SignalHandling = "takes signal handling away from the .NET runtime, which needs it for garbage collection and crash handling";
    private const string ThreadState = "changes per-thread state that the C library and the runtime own";

    /// <summary>The policy, one rule per syscall name.</summary>
    public static IReadOnlyList<RawSyscallRule> Rules { get; } =
    [
        new("exit", "ends the calling PowerShell thread, which hangs or ends the session"),
        new("exit_group", "ends the PowerShell process"),
        new("execve", "replaces the PowerShell process with another program"),
        new("execveat", "replaces the PowerShell process with another program"),
        new("fork", "copies the multithreaded .NET process into a child that has only one thread of a running runtime"),
        new("vfork", "runs a child on PowerShell's own memory and stack, which it then corrupts"),
        new("clone", "creates a process or thread that has no .NET runtime behind it"),
        new("clone3", "creates a process or thread that has no .NET runtime behind it"),
        new("rt_sigreturn", "restores registers from a signal frame that does not exist, which crashes the process"),
        new("munmap", RuntimeMemory),
        new("mremap", RuntimeMemory),
        new("mprotect", RuntimeMemory),
        new("pkey_mprotect", RuntimeMemory),
        new("madvise", RuntimeMemory),
        new("remap_file_pages", RuntimeMemory),
        new("mseal", RuntimeMemory),
        new("brk", "moves the end of the heap that the C library's allocator owns"),
        new("mmap", "with MAP_FIXED replaces whatever is mapped at the address, including the runtime's own memory", r => (r[3] & MapFixed) != 0),
        new("reboot", "reboots, halts or powers off the machine"),
        new("kexec_load", "replaces the running kernel"),
        new("kexec_file_load", "replaces the running kernel"),
        new("seccomp", "installs a filter that can kill PowerShell on its next syscall"),
        new("rt_sigaction", SignalHandling),
        new("rt_sigprocmask", SignalHandling),
        new("sigaltstack", SignalHandling),
        new("set_robust_list", ThreadState),
        new("set_tid_address", ThreadState),
        new("rseq", ThreadState),
        new("arch_prctl", ThreadState),
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
        new("vhangup", "hangs up the terminal PowerShell is using"),
        new("close_range", "closes descriptors that the runtime and the console depend on"),
        new("close", "closes a standard stream (descriptors 0-2) that the console depends on", r => (int)r[0] is >= 0 and <= 2),
        new("dup2", "replaces a standard stream (descriptors 0-2) that the console depends on", r => (int)r[1] is >= 0 and <= 2),
        new("dup3", "replaces a standard stream (descriptors 0-2) that the console depends on", r => (int)r[1] is >= 0 and <= 2),
        new("kill", SignalToSelf, r => IsFatal(r[1]) && TargetsOwnProcess((int)r[0])),
        new("rt_sigqueueinfo", SignalToSelf, r => IsFatal(r[1]) && TargetsOwnProcess((int)r[0])),
        new("tkill", SignalToSelf, r => IsFatal(r[1]) && IsOwnThread((int)r[0])),
        new("tgkill", SignalToSelf, r => IsFatal(r[2]) && (int)r[0] == Environment.ProcessId),
        new("rt_tgsigqueueinfo", SignalToSelf, r => IsFatal(r[2]) && (int)r[0] == Environment.ProcessId),
        new("pidfd_send_signal", SignalToSelf, r => IsFatal(r[1]) && PidfdTargetsSelf((int)r[0])),
        new("ptrace", "makes PowerShell a tracee (PTRACE_TRACEME) or targets its own threads", r => (int)r[0] == PtraceTraceMe || IsOwnThread((int)r[1])),
        new("process_vm_writev", "writes into PowerShell's own memory", r => (int)r[0] == Environment.ProcessId || IsOwnThread((int)r[0])),
        new("prctl", "with this option breaks the runtime or cannot be undone (seccomp, TSC, mm, FP mode, tagged addresses, syscall user dispatch, MDWE, capability drop)", r => DangerousPrctlOptions.Contains((int)r[0])),
    ];

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

        return Rules.FirstOrDefault(rule => string.Equals(rule.Syscall, syscall, StringComparison.Ordinal) && rule.AppliesTo(r));
    }

    private static bool IsFatal(ulong signal) => !HarmlessSignals.Contains((int)signal);

    // kill's pid: the process itself, its process group (0 or -pgid), or every process (-1).
    private static bool TargetsOwnProcess(int pid) =>
        pid == Environment.ProcessId || pid == 0 || pid == -1 || (pid < -1 && -pid == (int)LibC.getpgrp()) || IsOwnThread(pid);

    private static bool IsOwnThread(int tid) => tid > 0 && Directory.Exists($"/proc/self/task/{tid}");

    private static bool PidfdTargetsSelf(int pidfd)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/self/fdinfo/{pidfd}"))
            {
                if (line.StartsWith("Pid:", StringComparison.Ordinal))
                {
                    return int.TryParse(line.AsSpan(4).Trim(), out int pid) && pid == Environment.ProcessId;
                }
            }
        }
        catch (IOException)
        {
            // Not an open descriptor: the kernel will answer EBADF.
        }

        return false;
    }
}
