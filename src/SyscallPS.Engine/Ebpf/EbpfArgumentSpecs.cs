using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SyscallPS.Decoding;

namespace SyscallPS.Ebpf;

/// <summary>What the kernel program copies for one argument (matches <c>enum arg_kind</c> in syscallps.bpf.c).</summary>
internal enum EbpfArgumentKind : byte
{
    None = 0,
    String = 1,
    BufferIn = 2,
    BufferOutReturn = 3,
    FixedIn = 4,
    FixedOut = 5,
    Argv = 6,
    BufferOutLength = 7,
    DataIn = 8,
    /// <summary>Array of (length argument × element size) bytes, at exit whatever the result (poll's pollfds).</summary>
    Array = 9,
    /// <summary>Array of (return value × element size) bytes at exit (epoll_wait's events).</summary>
    ArrayOutReturn = 10,
    /// <summary>fd_set of the first argument's bit count: at entry, and at exit on success.</summary>
    FdSet = 11,
    /// <summary>Struct the kernel reads and updates (timeouts, address lengths): at entry, and at exit on success.</summary>
    FixedInOut = 12,
    /// <summary>iovec array and the data it points to, at exit (writev).</summary>
    IovecIn = 13,
    /// <summary>iovec array and the returned bytes of its buffers, at exit (readv; the array alone on failure).</summary>
    IovecOutReturn = 14,
    /// <summary>msghdr with its address, iovecs and data, and control messages, at exit (sendmsg).</summary>
    MessageIn = 15,
    /// <summary>msghdr as the kernel left it with the returned bytes of its iovecs, at exit on success (recvmsg).</summary>
    MessageOutReturn = 16,
    /// <summary>Output buffer at exit on success, its length in the int the length argument points to (getsockopt).</summary>
    BufferOutLengthPointer = 17,
    /// <summary>mmsghdr array (count in the length argument) with each message's msghdr and data, at exit (sendmmsg).</summary>
    MultiMessageIn = 18,
    /// <summary>The same for the messages received, each message's data cut at its msg_len, at exit on success (recvmmsg).</summary>
    MultiMessageOutReturn = 19,
    /// <summary>clone3's clone_args at entry; at exit on success the pidfd and parent tid it points to.</summary>
    CloneArgs = 20,
    /// <summary>pselect6's <c>{const sigset_t *ss; size_t ss_len}</c> and the set it points to, at entry.</summary>
    SigmaskPair = 21,
    /// <summary>Node mask of (length argument) bits in 64-bit words, at exit whatever the result (mbind, set_mempolicy).</summary>
    NodemaskIn = 22,
    /// <summary>The same, at exit on success (get_mempolicy).</summary>
    NodemaskOut = 23,
    /// <summary><c>struct msgbuf</c>: mtype and (length argument) bytes of mtext, at exit whatever the result (msgsnd).</summary>
    MsgbufIn = 24,
    /// <summary>The same, at exit on success (msgrcv: strace prints msgsz bytes of mtext, not the count received).</summary>
    MsgbufOut = 25,
}

/// <summary><c>struct syscall_spec</c> of syscallps.bpf.c: whether a syscall is traced and which argument bytes to copy.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 1)]
internal unsafe struct EbpfSyscallSpec
{
    public byte Traced;
    public byte EntryBlobs;
    /// <summary>0: nothing copied at exit; 1..6: only that argument (index + 1); 7: several.</summary>
    public byte ExitBlobs;
    /// <summary>1: never returns (report at entry); 2: replaces the memory (no copies at exit).</summary>
    public byte Flags;
    public fixed byte Kind[6];
    public fixed byte LengthArgument[6];
    public fixed ushort Size[6];
    /// <summary>Array kinds: bytes per element.</summary>
    public fixed byte Element[6];
}

/// <summary>
/// Derives, from the syscall table's parameter types, which pointer arguments the kernel program copies
/// and when: strings and input buffers at entry, output buffers and structs at exit.
/// </summary>
internal static class EbpfArgumentSpecs
{
    /// <summary>Syscall numbers the kernel program accepts (its spec array size).</summary>
    internal const int MaxSyscalls = 512;

    /// <summary>The most execve argv strings the kernel program copies (a -StringLimit above 127 shows addresses after them).</summary>
    internal const int ArgvEntriesCap = 128;

    /// <summary>Paths and other strings are copied whole up to this many bytes (PATH_MAX).</summary>
    internal const int StringCap = 4096;

    private const byte NoLength = 0xff;
    private const ushort SockaddrSize = 128;
    private const int DirentBufferCap = 32767; // below BIG_BLOB of syscallps.bpf.c
    private const int BlobCap = 4096; // BLOB_MAX of syscallps.bpf.c: one copy into the scratch record

    // The pointers worth copying and their sizes, from the structs the decoders read (KernelStructs.cs), so
    // each size is declared once. sigset_t, loff_t and struct sched_param are a word, a word and an int: the
    // decoders read them as such and declare no struct for them.
    private static readonly Dictionary<string, ushort> StructSizes = new(StringComparer.Ordinal)
    {
        ["struct stat *"] = Abi.IsArm64 ? SizeOf<StatArm64>() : SizeOf<StatX64>(),
        ["struct statx *"] = SizeOf<Statx>(),
        ["struct statfs *"] = SizeOf<Statfs>(),
        ["struct rusage *"] = SizeOf<Rusage>(),
        ["struct __kernel_timespec *"] = SizeOf<Timespec>(),
        ["struct __kernel_old_timeval *"] = SizeOf<Timeval>(),
        ["struct timezone *"] = SizeOf<Timezone>(),
        ["struct __kernel_itimerspec *"] = SizeOf<Itimerspec>(),
        ["struct rlimit *"] = SizeOf<Rlimit>(),
        ["struct rlimit64 *"] = SizeOf<Rlimit>(),
        ["struct sigaction *"] = SizeOf<KernelSigaction>(),
        ["sigset_t *"] = sizeof(ulong),
        ["struct open_how *"] = SizeOf<OpenHow>(),
        ["struct siginfo *"] = SizeOf<Siginfo>(),
        ["siginfo_t *"] = SizeOf<Siginfo>(),
        ["struct sysinfo *"] = SizeOf<Sysinfo>(),
        ["struct tms *"] = SizeOf<Tms>(),
        ["struct user_msghdr *"] = SizeOf<Msghdr>(),
        ["struct epoll_event *"] = (ushort)Abi.EpollEventSize,
        ["struct sched_param *"] = sizeof(int),
        ["loff_t *"] = sizeof(long),
        ["stack_t *"] = SizeOf<StackT>(),
        ["struct __kernel_old_itimerval *"] = SizeOf<Itimerval>(),
    };

    // Non-const pointers the kernel reads (the table lost their const).
    private static readonly HashSet<string> InputByName = new(StringComparer.Ordinal)
    {
        "nanosleep:rqtp", "rt_sigprocmask:nset", "sendmsg:msg", "recvmsg:msg", "epoll_ctl:event", "sendto:buff",
        "sched_setparam:param", "sched_setscheduler:param", "rt_sigtimedwait:uthese", "rt_sigsuspend:unewset",
        "rt_sigqueueinfo:uinfo", "rt_tgsigqueueinfo:uinfo", "ppoll:tsp", "pselect6:tsp", "timer_settime:new_setting",
        "timerfd_settime:utmr", "clock_settime:tp", "settimeofday:tv", "settimeofday:tz", "setsockopt:optval",
        "openat2:how", "setitimer:value",
    };

    /// <summary><c>syscall_spec.traced</c>: reported.</summary>
    internal const byte Report = 1;

    /// <summary><c>syscall_spec.traced</c>: sent hidden, for the descriptor table only.</summary>
    internal const byte TrackOnly = 2;

    /// <summary>
    /// Builds the spec array for a request: <paramref name="traced"/> null means every syscall; data buffers
    /// (read, write ...) are copied up to <paramref name="bufferCap"/> bytes, not at all when it is 0.
    /// </summary>
    internal static unsafe EbpfSyscallSpec[] Build(SyscallTable table, IReadOnlySet<int>? traced, int bufferCap)
    {
        // syscall_spec.flags of syscallps.bpf.c.
        const byte DescriptorsFlag = 8, PipeFlag = 16;
        var specs = new EbpfSyscallSpec[MaxSyscalls];
        bool trackHidden = TracksDescriptorCalls(table, traced);
        foreach (var info in table.All)
        {
            if (info.Number >= MaxSyscalls)
            {
                continue;
            }

            ref var spec = ref specs[info.Number];
            bool descriptors = info.ChangesDescriptorTable;
            // Under a syscall filter the calls that open and close descriptors still come, hidden, so the
            // descriptor names of the reported calls are exact even for a process that is gone by the time
            // its records are read.
            spec.Traced = traced is null || traced.Contains(info.Number) ? Report : descriptors && trackHidden ? TrackOnly : (byte)0;
            spec.Flags = (byte)((info.Effects & SyscallEffects.NeverReturns) != 0 ? 1 : (info.Effects & SyscallEffects.ReplacesProgram) != 0 ? 2 : 0);
            if (descriptors)
            {
                spec.Flags |= DescriptorsFlag;
            }

            if (info.Name is "pipe" or "pipe2")
            {
                spec.Flags |= PipeFlag;   // the kernel sends the pipe's inode for its /proc-style name
            }

            Describe(info, ref spec, (ushort)Math.Clamp(bufferCap, 0, 4096));
            if (info.Name == "rt_sigreturn")
            {
                // The kernel program sends the stack pointer as argument 0 and copies the mask the call restores.
                spec.Flags = 4;   // rt_sigreturn changes no descriptor
                spec.EntryBlobs = 1;
                spec.Size[0] = (ushort)Abi.SigreturnMaskOffset;
            }
        }

        if (traced is null)
        {
            // Numbers the table does not know are still reported (as syscall_N), without copies.
            for (int n = 0; n < MaxSyscalls; n++)
            {
                specs[n].Traced = Report;
            }
        }

        return specs;
    }

    /// <summary>
    /// True when the events of <paramref name="info"/> are about an open descriptor (read, write, sendto,
    /// epoll_wait ...): their FdName is worth sending the hidden descriptor calls for. Directory descriptors
    /// (openat's dfd, mostly AT_FDCWD) do not count, nor do calls that only create descriptors: a
    /// system-wide -Syscall chdir or openat would otherwise carry every open and close on the machine, and
    /// leave the cheap per-syscall tracepoints for the raw ones.
    /// </summary>
    private static bool NamesDescriptors(SyscallInfo info) =>
        info.Parameters.Any(p => p.Name is "fd" or "fildes" or "sockfd" or "epfd" or "oldfd" or "in_fd" or "out_fd" or "fd_in" or "fd_out"
            or "fdin" or "fdout" or "ufd" or "mqdes" or "fanotify_fd" or "pidfd");

    /// <summary>
    /// True when a trace of <paramref name="traced"/> sends the descriptor calls hidden (see
    /// <see cref="Build"/>). When it does not, and a syscall filter is set, the consumer checks each used
    /// descriptor against /proc instead (calls on directory descriptors, such as newfstatat's).
    /// </summary>
    internal static bool TracksDescriptorCalls(SyscallTable table, IReadOnlySet<int>? traced) =>
        traced is not null && traced.Any(n => table.ByNumber(n) is { } reported && NamesDescriptors(reported));

    private static unsafe void Describe(SyscallInfo info, ref EbpfSyscallSpec spec, ushort bufferCap)
    {
        var ps = ParametersOf(info);
        for (int i = 0; i < ps.Count && i < 6; i++)
        {
            var (kind, lengthArg, size) = Classify(info.Name, ps, i, bufferCap);
            byte element = 0;
            if (Special(info.Name, i, bufferCap) is { } special)
            {
                (kind, lengthArg, size, element) = special;
            }

            spec.Kind[i] = (byte)kind;
            spec.LengthArgument[i] = lengthArg;
            spec.Size[i] = (ushort)size;
            spec.Element[i] = element;
            if (kind is EbpfArgumentKind.String or EbpfArgumentKind.BufferIn or EbpfArgumentKind.FixedIn or EbpfArgumentKind.Argv
                or EbpfArgumentKind.FdSet or EbpfArgumentKind.FixedInOut or EbpfArgumentKind.CloneArgs or EbpfArgumentKind.SigmaskPair)
            {
                spec.EntryBlobs = 1;
            }

            if (kind is not (EbpfArgumentKind.None or EbpfArgumentKind.String or EbpfArgumentKind.BufferIn or EbpfArgumentKind.FixedIn or EbpfArgumentKind.Argv
                or EbpfArgumentKind.SigmaskPair))
            {
                // The kernel program takes a faster path when a single argument is copied at exit.
                spec.ExitBlobs = (byte)(spec.ExitBlobs == 0 ? i + 1 : 7);
            }
        }

        for (int i = ps.Count; i < 6; i++)
        {
            spec.LengthArgument[i] = NoLength;
        }
    }

    // Arrays, fd_sets, iovecs, msghdrs and value-result arguments: their layout is not in the C type alone.
    private static (EbpfArgumentKind Kind, byte LengthArgument, int Size, byte Element)? Special(string syscall, int i, ushort bufferCap)
    {
        const int ArrayCap = 4096;
        const int FdSetCap = 1024; // 8192 descriptors
        // A word per -s element (the string limit + 1 the buffer cap is), at least one, within one blob.
        static int NodemaskBytes(ushort cap) => Math.Clamp((int)cap, 1, BlobCap / sizeof(ulong)) * sizeof(ulong);
        static int MsgbufBytes(ushort cap) => sizeof(long) + Math.Min((int)cap, BlobCap - sizeof(long));
        return (syscall, i) switch
        {
            ("poll" or "ppoll", 0) => (EbpfArgumentKind.Array, 1, ArrayCap, (byte)SizeOf<Pollfd>()),
            ("ppoll", 2) or ("pselect6", 4) => (EbpfArgumentKind.FixedInOut, NoLength, SizeOf<Timespec>(), 0),
            ("select", 4) => (EbpfArgumentKind.FixedInOut, NoLength, SizeOf<Timeval>(), 0),
            ("select" or "pselect6", >= 1 and <= 3) => (EbpfArgumentKind.FdSet, NoLength, FdSetCap, 0),
            ("epoll_wait" or "epoll_pwait" or "epoll_pwait2", 1) => (EbpfArgumentKind.ArrayOutReturn, NoLength, ArrayCap - (ArrayCap % Abi.EpollEventSize), (byte)Abi.EpollEventSize),
            ("readv" or "preadv" or "preadv2", 1) => (EbpfArgumentKind.IovecOutReturn, 2, bufferCap, 0),
            ("writev" or "pwritev" or "pwritev2", 1) => (EbpfArgumentKind.IovecIn, 2, bufferCap, 0),
            // Local vectors with their data; the remote process's vectors as addresses only (a buffer cap of 0).
            ("process_vm_readv", 1) => (EbpfArgumentKind.IovecOutReturn, 2, bufferCap, 0),
            ("process_vm_writev", 1) => (EbpfArgumentKind.IovecIn, 2, bufferCap, 0),
            ("process_vm_readv" or "process_vm_writev", 3) => (EbpfArgumentKind.IovecIn, 4, 0, 0),
            ("sendmsg", 1) => (EbpfArgumentKind.MessageIn, NoLength, bufferCap, 0),
            ("recvmsg", 1) => (EbpfArgumentKind.MessageOutReturn, NoLength, bufferCap, 0),
            ("getcwd", 0) => (EbpfArgumentKind.BufferOutReturn, NoLength, StringCap, 0), // a path: printed whole
            ("sendmmsg", 1) => (EbpfArgumentKind.MultiMessageIn, 2, bufferCap, 0),
            ("recvmmsg", 1) => (EbpfArgumentKind.MultiMessageOutReturn, 2, bufferCap, 0),
            ("getsockopt", 3) => (EbpfArgumentKind.BufferOutLengthPointer, 4, Math.Max(bufferCap, (ushort)256), 0),
            ("getsockopt", 4) => (EbpfArgumentKind.FixedInOut, NoLength, 4, 0),
            // Offsets the kernel advances: "[0] => [4]".
            ("sendfile", 2) or ("splice" or "copy_file_range", 1 or 3) => (EbpfArgumentKind.FixedInOut, NoLength, sizeof(long), 0),
            // Untyped arguments that are pointers for the commands the decoders expand (struct flock, a task
            // name, the FS base); for other commands the copy fails or is not looked at.
            ("fcntl", 2) => (EbpfArgumentKind.FixedInOut, NoLength, SizeOf<Flock>(), 0), // the largest of them
            ("ioctl", 2) => (EbpfArgumentKind.FixedInOut, NoLength, 64, 0), // struct termios is 60 bytes
            ("prctl", 1) => (EbpfArgumentKind.FixedInOut, NoLength, 16, 0),
            ("arch_prctl", 1) => (EbpfArgumentKind.FixedOut, NoLength, sizeof(ulong), 0),
            ("sched_getaffinity", 2) => (EbpfArgumentKind.BufferOutReturn, NoLength, 1024, 0),
            ("sched_setaffinity", 2) => (EbpfArgumentKind.BufferIn, 1, 1024, 0),
            ("sched_getattr", 1) => (EbpfArgumentKind.BufferOutLength, 2, 128, 0), // struct sched_attr, usize bytes
            ("getresuid" or "getresgid", <= 2) or ("mq_timedreceive", 3) => (EbpfArgumentKind.FixedOut, NoLength, sizeof(int), 0),
            ("semop" or "semtimedop", 1) => (EbpfArgumentKind.Array, 2, ArrayCap - (ArrayCap % SizeOf<Sembuf>()), (byte)SizeOf<Sembuf>()),
            ("mq_open", 3) => (EbpfArgumentKind.FixedIn, NoLength, SizeOf<MqAttr>(), 0),
            // uargs: struct sock_fprog (SECCOMP_SET_MODE_FILTER) or a u32 action (SECCOMP_GET_ACTION_AVAIL).
            ("seccomp", 2) => (EbpfArgumentKind.FixedInOut, NoLength, SizeOf<SockFprog>(), 0),
            ("pselect6", 5) => (EbpfArgumentKind.SigmaskPair, NoLength, SizeOf<Pselect6Data>(), 0),
            ("utimensat", 2) => (EbpfArgumentKind.FixedIn, NoLength, SizeOf<TimespecPair>(), 0),
            ("mount", 0 or 1 or 2 or 4) or ("umount2", 0) => (EbpfArgumentKind.String, NoLength, StringCap, 0),
            ("clone3", 0) => (EbpfArgumentKind.CloneArgs, NoLength, SizeOf<CloneArgs>(), 0),
            ("capget", 0) => (EbpfArgumentKind.FixedInOut, NoLength, SizeOf<CapUserHeader>(), 0),
            ("capget", 1) => (EbpfArgumentKind.FixedOut, NoLength, SizeOf<CapUserDataV3>(), 0),
            // The address length goes in as the buffer size and comes back as the address size: "[128 => 16]".
            ("accept" or "accept4" or "getsockname" or "getpeername", 2) or ("recvfrom", 5) => (EbpfArgumentKind.FixedInOut, NoLength, sizeof(int), 0),
            // Node masks of maxnode bits: strace prints up to -s words of them.
            ("mbind", 3) or ("set_mempolicy", 1) => (EbpfArgumentKind.NodemaskIn, (byte)(i + 1), NodemaskBytes(bufferCap), 0),
            ("migrate_pages", 2 or 3) => (EbpfArgumentKind.NodemaskIn, 1, NodemaskBytes(bufferCap), 0),
            ("get_mempolicy", 1) => (EbpfArgumentKind.NodemaskOut, 2, NodemaskBytes(bufferCap), 0),
            // struct msgbuf: the long mtype, then msgsz bytes of mtext, of which strace prints up to -s.
            ("msgsnd", 1) => (EbpfArgumentKind.MsgbufIn, 2, MsgbufBytes(bufferCap), 0),
            ("msgrcv", 1) => (EbpfArgumentKind.MsgbufOut, 2, MsgbufBytes(bufferCap), 0),
            // The returned address, as long as the returned length says (the kernel writes no more): a buffer
            // that ends near an unmapped page still decodes.
            ("accept" or "accept4" or "getsockname" or "getpeername", 1) => (EbpfArgumentKind.BufferOutLengthPointer, 2, SockaddrSize, 0),
            ("recvfrom", 4) => (EbpfArgumentKind.BufferOutLengthPointer, 5, SockaddrSize, 0),
            _ => null,
        };
    }

    // The table leaves a few old syscalls without parameters; their layouts are fixed ABI facts.
    private static IReadOnlyList<SyscallParameter> ParametersOf(SyscallInfo info) => info.Name switch
    {
        "stat" or "lstat" when info.Parameters.Count == 0 => [new("filename", "const char *"), new("statbuf", "struct stat *")],
        "fstat" when info.Parameters.Count == 0 => [new("fd", "unsigned int"), new("statbuf", "struct stat *")],
        "uname" when info.Parameters.Count == 0 => [new("name", "struct new_utsname *")],
        _ => info.Parameters,
    };

    private static (EbpfArgumentKind Kind, byte LengthArgument, int Size) Classify(string syscall, IReadOnlyList<SyscallParameter> ps, int i, ushort bufferCap)
    {
        var p = ps[i];
        string type = p.CType.Replace(" *", "*", StringComparison.Ordinal).Replace("*", " *", StringComparison.Ordinal).Trim();
        bool isConst = type.StartsWith("const ", StringComparison.Ordinal);
        string bare = isConst ? type["const ".Length..] : type;
        var next = i + 1 < ps.Count ? ps[i + 1] : null;
        bool nextIsLength = next is not null && !next.IsPointer && IsLengthName(next.Name);
        bool nextIsLengthPointer = next is not null && next.IsPointer && IsLengthName(next.Name);
        bool input = isConst || InputByName.Contains(syscall + ":" + p.Name);

        switch (bare)
        {
            case "char *const *" or "char * const *":
                // envp: the kernel program copies its pointers with argv (strace counts the variables).
                return p.Name == "argv" ? (EbpfArgumentKind.Argv, NoLength, 0) : (EbpfArgumentKind.None, NoLength, 0);
            case "char *" or "void *" or "unsigned char *":
                if (nextIsLength)
                {
                    return input
                        ? (EbpfArgumentKind.DataIn, (byte)(i + 1), bufferCap)
                        : (EbpfArgumentKind.BufferOutReturn, NoLength, bufferCap);
                }

                return isConst && bare == "char *" ? (EbpfArgumentKind.String, NoLength, StringCap) : (EbpfArgumentKind.None, NoLength, 0);
            case "struct sockaddr *":
                if (nextIsLength)
                {
                    return (EbpfArgumentKind.BufferIn, (byte)(i + 1), SockaddrSize);
                }

                return nextIsLengthPointer ? (EbpfArgumentKind.FixedOut, NoLength, SockaddrSize) : (EbpfArgumentKind.None, NoLength, 0);
            case "int *":
                return syscall is "pipe" or "pipe2" or "socketpair"
                    ? (EbpfArgumentKind.FixedOut, NoLength, 8)
                    : syscall.StartsWith("clone", StringComparison.Ordinal) || syscall == "set_tid_address" ? (EbpfArgumentKind.None, NoLength, 0) : (EbpfArgumentKind.FixedOut, NoLength, 4);
            case "struct linux_dirent64 *" or "struct linux_dirent *":
                // Whole: strace prints the number of entries, which needs every record.
                return (EbpfArgumentKind.BufferOutReturn, NoLength, DirentBufferCap);
            case "struct new_utsname *":
                return (EbpfArgumentKind.FixedOut, NoLength, SizeOf<Utsname>());
        }

        if (StructSizes.TryGetValue(bare, out var size))
        {
            return input ? (EbpfArgumentKind.FixedIn, NoLength, size) : (EbpfArgumentKind.FixedOut, NoLength, size);
        }

        return (EbpfArgumentKind.None, NoLength, 0);
    }

    private static ushort SizeOf<T>() where T : unmanaged => (ushort)Unsafe.SizeOf<T>();

    private static bool IsLengthName(string name) => name is "count" or "len" or "size" or "bufsiz" or "addrlen" or "addr_len" or "nbytes"
        || name.EndsWith("len", StringComparison.Ordinal) || name.EndsWith("_len", StringComparison.Ordinal) || name == "usize";
}
