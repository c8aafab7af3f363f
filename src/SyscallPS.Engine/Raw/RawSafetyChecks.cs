using System.Globalization;
using SyscallPS.Native;
using Tmds.Linux;

namespace SyscallPS.Raw;

/// <summary>
/// What the safety policy asks about the PowerShell process when it judges a raw call: who holds a descriptor,
/// which processes are PowerShell or the ones it runs under, what a pointer argument points to.
/// </summary>
internal static class RawSafetyChecks
{
    private const int KcmpFile = 0;
    private const int StandardStreams = 3;

    // Limits whose lowering makes the runtime fail: CPU (SIGXCPU), FSIZE (SIGXFSZ), DATA, STACK, NPROC (threads), NOFILE, AS.
    private static readonly HashSet<ulong> LimitsTheRuntimeNeeds = [0, 1, 2, 3, 6, 7, 9];

    private static readonly long Kcmp = NumberOf("kcmp");
    private static readonly long Tgkill = NumberOf("tgkill");
    private static readonly long Prlimit64 = NumberOf("prlimit64");
    private static readonly long Personality = NumberOf("personality");

    private static int Self => Environment.ProcessId;

    /// <summary>A descriptor argument as the kernel reads it (an int).</summary>
    public static int Descriptor(ulong register) => unchecked((int)register);

    /// <summary>True when <paramref name="fd"/> is open in this process.</summary>
    public static bool IsOpen(int fd) => fd >= 0 && LibC.fcntl(fd, LibC.F_GETFD) != -1;

    /// <summary>True when <paramref name="fd"/> is open and no raw call returned it: closing or replacing it takes it from the shell.</summary>
    public static bool HeldByShell(int fd) => IsOpen(fd) && !RawOwnership.OwnsDescriptor(fd);

    /// <summary>True when a descriptor between <paramref name="first"/> and <paramref name="last"/> is held by the shell.</summary>
    public static bool AnyHeldByShell(uint first, uint last) =>
        OpenDescriptors().Any(fd => (uint)fd >= first && (uint)fd <= last && !RawOwnership.OwnsDescriptor(fd));

    /// <summary>True when <paramref name="fd"/> is the shell's, or reaches what one of the shell's descriptors refers to.</summary>
    public static bool ReachesShell(int fd) => ShellDescriptorsReaching(fd).Count > 0;

    /// <summary>
    /// True when <paramref name="fd"/> reaches something the shell holds that is not standard input, output or error:
    /// reading or writing it takes or forges data the runtime expects (its signal pipe, its sockets, its files).
    /// </summary>
    public static bool ReachesShellBeyondStandardStreams(int fd)
    {
        if (fd is >= 0 and < StandardStreams)
        {
            return false;
        }

        var reached = ShellDescriptorsReaching(fd);
        return reached.Count > 0 && !reached.Any(d => d < StandardStreams);
    }

    /// <summary>
    /// The shell's descriptors that reach what <paramref name="fd"/> refers to: <paramref name="fd"/> itself when the shell
    /// holds it, copies of the same open file (dup, F_DUPFD, pidfd_getfd), and other opens of the same pipe, socket or
    /// memfd (through /proc/self/fd), so a copy made by a raw call does not launder the shell's descriptor.
    /// </summary>
    public static List<int> ShellDescriptorsReaching(int fd)
    {
        var reached = new List<int>();
        if (RawOwnership.FileStatus.Of(fd) is not { } status)
        {
            return reached;
        }

        if (!RawOwnership.OwnsDescriptor(fd))
        {
            reached.Add(fd);
        }

        int size = DescriptorTableSize();
        for (int other = 0; other < size; other++)
        {
            if (other != fd && RawOwnership.FileStatus.Of(other) is { } otherStatus && otherStatus.SameFile(status)
                && SameOpenFile(fd, other, status) && !RawOwnership.OwnsDescriptor(other))
            {
                reached.Add(other);
            }
        }

        return reached;
    }

    /// <summary>True when <paramref name="fd"/> is a terminal PowerShell uses: its controlling terminal, the one its standard streams are on, or /dev/tty.</summary>
    public static bool IsShellTerminal(int fd)
    {
        if (RawOwnership.FileStatus.Of(fd) is not { IsCharacterDevice: true } status)
        {
            return false;
        }

        var device = DeviceNumber(status.SpecialDevice);
        if (device == (5, 0))
        {
            return true;
        }

        if (ReadStat(Self) is { Terminal: not 0 } own && TerminalNumber(own.Terminal) == device)
        {
            return true;
        }

        for (int std = 0; std < StandardStreams; std++)
        {
            if (LibC.isatty(std) == 1 && RawOwnership.FileStatus.Of(std) is { } s && DeviceNumber(s.SpecialDevice) == device)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when <paramref name="fd"/> is the /proc memory file of PowerShell or of a process it runs under.</summary>
    public static bool IsShellMemoryFile(int fd)
    {
        string? target;
        try
        {
            target = fd < 0 ? null : new FileInfo($"/proc/self/fd/{fd}").LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            target = null;
        }

        if (target == null)
        {
            return false;
        }

        // "/proc/<pid>/mem" or "/proc/<pid>/task/<tid>/mem"
        var parts = target.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length >= 3 && parts[0] == "proc" && parts[^1] == "mem"
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && IsShellOrAncestor(pid);
    }

    /// <summary>The signal <paramref name="fd"/> sends its owner on I/O, a lease break or a directory change (F_GETSIG; 0 means SIGIO).</summary>
    public static int IoSignal(int fd)
    {
        int signal = LibC.fcntl(fd, LibC.F_GETSIG);
        return signal > 0 ? signal : LibC.SIGIO;
    }

    /// <summary>True for a thread of PowerShell (its process id names the main thread): signal 0 reaches it through tgkill.</summary>
    public static bool IsOwnThread(int tid) => tid > 0 && NativeSyscalls.Call(Tgkill, Self, tid, 0) == 0;

    /// <summary>True for 0 (the caller) or a thread of PowerShell.</summary>
    public static bool IsSelf(int pid) => pid == 0 || IsOwnThread(pid);

    /// <summary>True when <paramref name="pid"/> (a process or thread id) is PowerShell or a process it runs under.</summary>
    public static bool IsShellOrAncestor(int pid)
    {
        if (pid <= 0 || ProcessOf(pid) is not { } process)
        {
            return false;
        }

        return process == Self || Ancestors().Any(a => a.Pid == process);
    }

    /// <summary>True when a kill-style pid (a process, 0 for the caller's group, -1 for all, -N for group N) reaches PowerShell or a process it runs under.</summary>
    public static bool SignalReachesShell(int pid) => pid switch
    {
        0 or -1 => true,
        < -1 and > int.MinValue => -pid == (int)LibC.getpgrp() || Ancestors().Any(a => a.Group == -pid),
        > 0 => IsShellOrAncestor(pid),
        _ => false,
    };

    /// <summary>True when <paramref name="pid"/> is a child process of PowerShell.</summary>
    public static bool IsChild(int pid) => pid > 0 && ReadStat(pid) is { } stat && stat.Parent == Self;

    /// <summary>The process a pidfd refers to, or null.</summary>
    public static int? ProcessOfPidfd(int pidfd) => ReadProcNumber($"/proc/self/fdinfo/{pidfd}", "Pid:");

    /// <summary>A copy of <paramref name="length"/> bytes of this process's memory, or null when the address cannot be read.</summary>
    public static byte[]? ReadMemory(ulong address, int length)
    {
        if (address == 0)
        {
            return null;
        }

        var bytes = new byte[length];
        return ProcessVm.Read(Self, address, bytes) == length ? bytes : null;
    }

    /// <summary>The 32-bit value at <paramref name="address"/> + <paramref name="offset"/>, or null when it cannot be read.</summary>
    public static int? ReadInt32(ulong address, int offset) =>
        ReadMemory(address + (ulong)offset, 4) is { } b ? BitConverter.ToInt32(b) : null;

    /// <summary>The 64-bit value at <paramref name="address"/> + <paramref name="offset"/>, or null when it cannot be read.</summary>
    public static ulong? ReadUInt64(ulong address, int offset) =>
        ReadMemory(address + (ulong)offset, 8) is { } b ? BitConverter.ToUInt64(b) : null;

    /// <summary>
    /// True when a struct rlimit at <paramref name="newLimit"/> lowers PowerShell's own <paramref name="resource"/>, one the
    /// runtime cannot do without; also when it cannot be read. A NULL new limit only reads.
    /// </summary>
    public static bool LowersOwnLimit(ulong resource, ulong newLimit)
    {
        if (newLimit == 0 || !LimitsTheRuntimeNeeds.Contains(resource))
        {
            return false;
        }

        if (ReadUInt64(newLimit, 0) is not { } soft || ReadUInt64(newLimit, 8) is not { } hard || CurrentLimit((int)resource) is not { } current)
        {
            return true;
        }

        return soft < current.Soft || hard < current.Hard;
    }

    /// <summary>True when <paramref name="persona"/> is neither the query value 0xffffffff nor the current personality.</summary>
    public static bool ChangesPersonality(ulong persona) =>
        (uint)persona != uint.MaxValue && (uint)persona != (uint)NativeSyscalls.Call(Personality, uint.MaxValue);

    private static long NumberOf(string name) => SyscallTable.Current.TryGetByName(name, out var info) ? info.Number : -1;

    // Probing every slot of the descriptor table is much faster than listing /proc/self/fd.
    private static IEnumerable<int> OpenDescriptors() => Enumerable.Range(0, DescriptorTableSize()).Where(IsOpen);

    // FDSize of /proc/self/status: one more than the highest descriptor number the process can hold now; without /proc,
    // the open-file limit (capped, as a larger table is rare).
    private static int DescriptorTableSize() =>
        ReadProcNumber("/proc/self/status", "FDSize:") ?? (CurrentLimit(7) is { } limit ? (int)Math.Min(limit.Soft, 1 << 16) : 1 << 16);

    // The number after "<field>" on its line of a /proc file (status, fdinfo), or null.
    private static int? ReadProcNumber(string path, string field)
    {
        try
        {
            foreach (var line in File.ReadLines(path))
            {
                if (line.StartsWith(field, StringComparison.Ordinal))
                {
                    return int.TryParse(line.AsSpan(field.Length).Trim(), CultureInfo.InvariantCulture, out int value) ? value : null;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // No such process or descriptor, or no /proc.
        }

        return null;
    }

    // Two descriptors of the same file: the same open file (a dup) or, for a pipe, socket or memfd, the same object opened
    // again through /proc/self/fd. When kcmp fails (or is missing) the pair counts.
    private static bool SameOpenFile(int fd, int other, RawOwnership.FileStatus status) =>
        status.IsUnnamed || Kcmp < 0 || NativeSyscalls.Call(Kcmp, Self, Self, KcmpFile, fd, other) <= 0;

    private static unsafe (ulong Soft, ulong Hard)? CurrentLimit(int resource)
    {
        ulong* old = stackalloc ulong[2];
        return NativeSyscalls.Call(Prlimit64, 0, resource, 0, (long)old) == 0 ? (old[0], old[1]) : null;
    }

    // The process (thread group) of a process or thread id; the id itself when /proc cannot tell.
    private static int? ProcessOf(int pid) =>
        LibC.kill(pid, 0) != 0 && NativeSyscalls.LastErrno == LibC.ESRCH ? null : ReadProcNumber($"/proc/{pid}/status", "Tgid:") ?? pid;

    // The parent, grandparent ... up to init, with their process groups; at least the parent when /proc cannot tell more.
    private static List<(int Pid, int Group)> Ancestors()
    {
        var ancestors = new List<(int, int)>();
        int pid = LibC.getppid();
        while (pid > 0 && ancestors.Count < 1024)
        {
            ancestors.Add((pid, LibC.getpgid(pid)));
            pid = ReadStat(pid)?.Parent ?? 0;
        }

        return ancestors;
    }

    private readonly record struct ProcessStat(int Parent, int Terminal);

    // /proc/<pid>/stat after the command name: state ppid pgrp session tty_nr ...
    private static ProcessStat? ReadStat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        var fields = text[(text.LastIndexOf(')') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length > 4
            && int.TryParse(fields[1], CultureInfo.InvariantCulture, out int parent)
            && int.TryParse(fields[4], CultureInfo.InvariantCulture, out int terminal)
            ? new ProcessStat(parent, terminal)
            : null;
    }

    // Major and minor of a dev_t as glibc encodes it.
    private static (ulong Major, ulong Minor) DeviceNumber(ulong dev) =>
        (((dev & 0xfff00) >> 8) | ((dev & 0xfffff00000000000) >> 32), (dev & 0xff) | ((dev & 0xffffff00000) >> 12));

    // Major and minor of /proc/<pid>/stat's tty_nr.
    private static (ulong Major, ulong Minor) TerminalNumber(int ttyNr) =>
        (((ulong)ttyNr >> 8) & 0xfff, ((ulong)ttyNr & 0xff) | (((ulong)ttyNr >> 12) & 0xfff00));
}
