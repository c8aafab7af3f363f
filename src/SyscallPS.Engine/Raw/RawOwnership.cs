using Tmds.Linux;

namespace SyscallPS.Raw;

/// <summary>
/// The descriptors and memory mappings that raw syscalls made in this process returned. The safety policy lets
/// raw calls close, replace, unmap or reprotect only these; every other descriptor and mapping is the shell's.
/// </summary>
internal static class RawOwnership
{
    private const int FDupfd = 0;
    private const int FDupfdCloexec = 1030;
    private const ulong CloseRangeCloexec = 4;

    // bpf commands whose result is a new descriptor: MAP_CREATE, PROG_LOAD, OBJ_GET, PROG_GET_FD_BY_ID, MAP_GET_FD_BY_ID,
    // RAW_TRACEPOINT_OPEN, BTF_LOAD, BTF_GET_FD_BY_ID, LINK_CREATE, LINK_GET_FD_BY_ID, ENABLE_STATS, ITER_CREATE, TOKEN_CREATE.
    private static readonly HashSet<int> BpfCommandsReturningDescriptor = [0, 5, 7, 13, 14, 17, 18, 19, 28, 30, 32, 33, 36];

    /// <summary>Calls whose result is a new descriptor, with the condition under which it is one (null: always).</summary>
    private static readonly Dictionary<string, Func<ulong[], bool>?> ReturnsDescriptor = new(StringComparer.Ordinal)
    {
        ["open"] = null,
        ["openat"] = null,
        ["openat2"] = null,
        ["creat"] = null,
        ["open_by_handle_at"] = null,
        ["open_tree"] = null,
        ["open_tree_attr"] = null,
        ["fsopen"] = null,
        ["fsmount"] = null,
        ["fspick"] = null,
        ["socket"] = null,
        ["accept"] = null,
        ["accept4"] = null,
        ["dup"] = null,
        ["dup2"] = null,
        ["dup3"] = null,
        ["eventfd"] = null,
        ["eventfd2"] = null,
        ["memfd_create"] = null,
        ["memfd_secret"] = null,
        ["epoll_create"] = null,
        ["epoll_create1"] = null,
        ["timerfd_create"] = null,
        ["inotify_init"] = null,
        ["inotify_init1"] = null,
        ["fanotify_init"] = null,
        ["pidfd_open"] = null,
        ["pidfd_getfd"] = null,
        ["perf_event_open"] = null,
        ["userfaultfd"] = null,
        ["io_uring_setup"] = null,
        ["mq_open"] = null,
        ["signalfd"] = r => (int)r[0] == -1,
        ["signalfd4"] = r => (int)r[0] == -1,
        ["fcntl"] = r => (int)r[1] is FDupfd or FDupfdCloexec,
        ["landlock_create_ruleset"] = r => r[2] == 0, // with flags it returns a version number
        ["bpf"] = r => BpfCommandsReturningDescriptor.Contains((int)r[0]),
    };

    /// <summary>Calls that fill an int[2] with two new descriptors, and the argument that points to it.</summary>
    private static readonly Dictionary<string, int> FillsDescriptorPair = new(StringComparer.Ordinal)
    {
        ["pipe"] = 0,
        ["pipe2"] = 0,
        ["socketpair"] = 3,
    };

    private static readonly Lock Gate = new();

    // Descriptor number -> the file it referred to when a raw call returned it; a number the runtime has since
    // reused for another file (after a close outside Invoke-RawSyscall) no longer matches.
    private static readonly Dictionary<int, FileStatus> Descriptors = [];

    // Page-aligned [Start, End) ranges, sorted, disjoint and merged.
    private static readonly List<(ulong Start, ulong End)> Mappings = [];

    private static ulong PageSize => (ulong)Environment.SystemPageSize;

    /// <summary>True when <paramref name="fd"/> was returned by a raw call and still refers to the same file.</summary>
    public static bool OwnsDescriptor(int fd)
    {
        lock (Gate)
        {
            if (!Descriptors.TryGetValue(fd, out var recorded))
            {
                return false;
            }

            if (FileStatus.Of(fd) is { } now && now.SameFile(recorded))
            {
                return true;
            }

            Descriptors.Remove(fd);
            return false;
        }
    }

    /// <summary>True when every page of [address, address+length) was mapped by a raw call.</summary>
    public static bool OwnsMemory(ulong address, ulong length)
    {
        if (!TryPageRange(address, length, out var start, out var end))
        {
            return false;
        }

        lock (Gate)
        {
            return start == end || Mappings.Any(m => m.Start <= start && end <= m.End);
        }
    }

    /// <summary>Records what a call that was made created or destroyed.</summary>
    /// <param name="syscall">The name the policy knows the call by.</param>
    /// <param name="registers">The six argument registers.</param>
    /// <param name="returnValue">The call's result; -1 for a failure.</param>
    public static void Track(string syscall, ulong[] registers, long returnValue)
    {
        bool succeeded = returnValue != -1;
        switch (syscall)
        {
            case "close":
                // Linux frees the number even when close fails with EINTR or EIO.
                ForgetDescriptors((int)registers[0], (int)registers[0]);
                return;
            case "close_range" when succeeded && (registers[2] & CloseRangeCloexec) == 0:
                ForgetDescriptors((int)Math.Min(registers[0], int.MaxValue), (int)Math.Min(registers[1], int.MaxValue));
                return;
            case "mmap" when succeeded:
                AddMapping((ulong)returnValue, registers[1]);
                return;
            case "munmap" when succeeded:
                RemoveMapping(registers[0], registers[1]);
                return;
            case "mremap" when succeeded:
                RemoveMapping(registers[0], registers[1]);
                AddMapping((ulong)returnValue, registers[2]);
                return;
        }

        if (!succeeded)
        {
            return;
        }

        if (ReturnsDescriptor.TryGetValue(syscall, out var when) && (when?.Invoke(registers) ?? true))
        {
            AddDescriptor((int)returnValue);
        }
        else if (FillsDescriptorPair.TryGetValue(syscall, out int argument)
            && RawSafetyChecks.ReadMemory(registers[argument], 8) is { } pair)
        {
            AddDescriptor(BitConverter.ToInt32(pair, 0));
            AddDescriptor(BitConverter.ToInt32(pair, 4));
        }
    }

    private static void AddDescriptor(int fd)
    {
        if (FileStatus.Of(fd) is not { } status)
        {
            return;
        }

        lock (Gate)
        {
            Descriptors[fd] = status;
        }
    }

    private static void ForgetDescriptors(int first, int last)
    {
        lock (Gate)
        {
            foreach (int fd in Descriptors.Keys.Where(fd => fd >= first && fd <= last).ToList())
            {
                Descriptors.Remove(fd);
            }
        }
    }

    private static void AddMapping(ulong address, ulong length)
    {
        if (!TryPageRange(address, length, out var start, out var end) || start == end)
        {
            return;
        }

        lock (Gate)
        {
            Subtract(start, end);
            int i = Mappings.FindIndex(m => m.Start > start);
            Mappings.Insert(i < 0 ? Mappings.Count : i, (start, end));
            for (int k = Mappings.Count - 1; k > 0; k--)
            {
                if (Mappings[k - 1].End == Mappings[k].Start)
                {
                    Mappings[k - 1] = (Mappings[k - 1].Start, Mappings[k].End);
                    Mappings.RemoveAt(k);
                }
            }
        }
    }

    private static void RemoveMapping(ulong address, ulong length)
    {
        if (TryPageRange(address, length, out var start, out var end))
        {
            lock (Gate)
            {
                Subtract(start, end);
            }
        }
    }

    private static void Subtract(ulong start, ulong end)
    {
        for (int i = Mappings.Count - 1; i >= 0; i--)
        {
            var m = Mappings[i];
            if (m.End <= start || m.Start >= end)
            {
                continue;
            }

            Mappings.RemoveAt(i);
            if (m.End > end)
            {
                Mappings.Insert(i, (end, m.End));
            }

            if (m.Start < start)
            {
                Mappings.Insert(i, (m.Start, start));
            }
        }
    }

    // The pages [address, address+length) touches, as the kernel rounds them; false when the range wraps around.
    private static bool TryPageRange(ulong address, ulong length, out ulong start, out ulong end)
    {
        start = address & ~(PageSize - 1);
        ulong last = address + length;
        end = (last + PageSize - 1) & ~(PageSize - 1);
        return last >= address && end >= last;
    }

    /// <summary>What fstat says about an open descriptor.</summary>
    internal readonly record struct FileStatus(ulong Device, ulong Inode, uint Mode, ulong Links, ulong SpecialDevice)
    {
        /// <summary>The status of <paramref name="fd"/>, or null when it is not open.</summary>
        public static unsafe FileStatus? Of(int fd)
        {
            if (fd < 0)
            {
                return null;
            }

            stat st;
            return LibC.fstat(fd, &st) == 0
                ? new FileStatus((ulong)st.st_dev, (ulong)st.st_ino, (uint)st.st_mode, (ulong)st.st_nlink, (ulong)st.st_rdev)
                : null;
        }

        /// <summary>True for objects without a name in the file system (pipes, sockets, memfds, deleted files), which only descriptors reach.</summary>
        public bool IsUnnamed => (Mode & 0xF000) is 0x1000 /* FIFO */ or 0xC000 /* socket */ || Links == 0;

        /// <summary>True for a character device (terminals among them).</summary>
        public bool IsCharacterDevice => (Mode & 0xF000) == 0x2000;

        /// <summary>Same device and inode: the same file, pipe or socket.</summary>
        public bool SameFile(FileStatus other) => Device == other.Device && Inode == other.Inode;
    }
}
