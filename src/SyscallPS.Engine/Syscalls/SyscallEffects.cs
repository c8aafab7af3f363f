namespace SyscallPS;

/// <summary>
/// What a system call does beyond returning a value, declared once per syscall in <c>Syscalls/data/effects.tsv</c>
/// (as strace's syscallent flags): the descriptor table, data capture and both engines derive their behaviour from it.
/// </summary>
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]
[Flags]
public enum SyscallEffects
{
    /// <summary>Nothing the tracer needs to follow.</summary>
    None = 0,

    /// <summary>The return value is a new file descriptor (open, socket, accept ...).</summary>
    CreatesDescriptor = 1 << 0,

    /// <summary>Two new descriptors are written to an <c>int[2]</c> argument (pipe, socketpair).</summary>
    CreatesDescriptorPair = 1 << 1,

    /// <summary>Closes descriptors (close, close_range).</summary>
    ClosesDescriptor = 1 << 2,

    /// <summary>Copies a descriptor to another number (dup, dup2, dup3, fcntl F_DUPFD).</summary>
    DuplicatesDescriptor = 1 << 3,

    /// <summary>Changes what is known of a descriptor (fcntl F_SETFD).</summary>
    ChangesDescriptor = 1 << 4,

    /// <summary>Gives a socket its local or peer address, or tells it (bind, connect, accept, getsockname, getpeername).</summary>
    SetsEndpoint = 1 << 5,

    /// <summary>Changes the directory relative paths start from (chdir, fchdir).</summary>
    ChangesDirectory = 1 << 6,

    /// <summary>Replaces the process image; close-on-exec descriptors close (execve, execveat).</summary>
    ReplacesProgram = 1 << 7,

    /// <summary>Returns the id of a new process or thread (clone, clone3, fork, vfork).</summary>
    CreatesProcess = 1 << 8,

    /// <summary>Does not return when it succeeds (exit, exit_group).</summary>
    NeverReturns = 1 << 9,

    /// <summary>Moves data into the process (read, recvmsg ...).</summary>
    ReadsData = 1 << 10,

    /// <summary>Moves data out of the process (write, sendmsg ...).</summary>
    WritesData = 1 << 11,

    /// <summary>Moves data from one descriptor to another inside the kernel, through no buffer of the process (sendfile, splice, copy_file_range ...).</summary>
    TransfersData = 1 << 12,
}

/// <summary>How the buffer of a data-moving syscall is laid out.</summary>
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]
public enum DataShape
{
    /// <summary>Not a data-moving syscall.</summary>
    None,

    /// <summary>A plain buffer: <c>(fd, buf, count)</c>.</summary>
    Plain,

    /// <summary>An iovec array and its count: <c>(fd, iov, iovcnt)</c>.</summary>
    IoVec,

    /// <summary>A <c>struct msghdr</c> whose msg_iov holds the data.</summary>
    MsgHdr,
}

/// <summary>Groups of <see cref="SyscallEffects"/> the engines ask about.</summary>
public static class SyscallEffectGroups
{
    /// <summary>The effects that change a process's descriptor table or working directory.</summary>
    public const SyscallEffects DescriptorTable =
        SyscallEffects.CreatesDescriptor | SyscallEffects.CreatesDescriptorPair | SyscallEffects.ClosesDescriptor
        | SyscallEffects.DuplicatesDescriptor | SyscallEffects.ChangesDescriptor | SyscallEffects.SetsEndpoint
        | SyscallEffects.ChangesDirectory | SyscallEffects.ReplacesProgram;

    /// <summary>The effects of the syscalls whose bytes pass through the process (those with a <see cref="DataShape"/> are the ones -CaptureData records).</summary>
    public const SyscallEffects MovesData = SyscallEffects.ReadsData | SyscallEffects.WritesData;

    /// <summary>The effects of the input/output calls (sysdig's evt.is_io): data through the process or between descriptors.</summary>
    public const SyscallEffects InputOutput = MovesData | SyscallEffects.TransfersData;
}
