namespace SyscallPS;

/// <summary>
/// strace's syscall classes (<c>%file</c>, <c>%desc</c>, ...). A syscall may belong to several classes,
/// so the values are flags; <see cref="SyscallInfo.Category"/> holds the primary one.
/// </summary>
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]
[Flags]
public enum SyscallCategory
{
    /// <summary>No class: strace puts such syscalls in no <c>%</c> group.</summary>
    Other = 0,

    /// <summary>Takes a file name (strace <c>%file</c>).</summary>
    File = 1 << 0,

    /// <summary>Takes or returns a file descriptor (strace <c>%desc</c>).</summary>
    Descriptor = 1 << 1,

    /// <summary>Process and thread life cycle (strace <c>%process</c>).</summary>
    Process = 1 << 2,

    /// <summary>Sockets and networking (strace <c>%network</c>).</summary>
    Network = 1 << 3,

    /// <summary>Signals (strace <c>%signal</c>).</summary>
    Signal = 1 << 4,

    /// <summary>System V IPC (strace <c>%ipc</c>).</summary>
    Ipc = 1 << 5,

    /// <summary>Memory mapping (strace <c>%memory</c>).</summary>
    Memory = 1 << 6,

    /// <summary>User and group identities and capabilities (strace <c>%creds</c>).</summary>
    Credentials = 1 << 7,

    /// <summary>Reading or changing clocks and timers (strace <c>%clock</c>).</summary>
    Clock = 1 << 8,

    /// <summary>File status queries (strace <c>%stat</c>, <c>%lstat</c>, <c>%fstat</c>, <c>%statfs</c>).</summary>
    Stat = 1 << 9,

    /// <summary>Reads and writes that move data (sysdig's <c>evt.is_io</c>): read, write, recvmsg, sendto ... Not a strace class.</summary>
    Io = 1 << 10,
}
