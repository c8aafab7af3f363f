using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SyscallPS.Decoding;

// The structures the decoders read from tracee memory, declared once in their x86_64 layout (Abi.cs picks
// the aarch64 one where it differs). Field names are the C member names, so KernelStructTests can compile
// each type's sizeof and offsetof against this machine's headers. Read them with TraceeReader.TryRead<T>
// or TraceeReader.StructOrAddress<T>.
/// <summary>The C type a struct mirrors and the header that declares it (checked by KernelStructTests).</summary>
[AttributeUsage(AttributeTargets.Struct)]
internal sealed class CTypeAttribute(string name, string header) : Attribute
{
    /// <summary>The C type, e.g. <c>struct flock</c>.</summary>
    public string Name { get; } = name;

    /// <summary>The header that declares it.</summary>
    public string Header { get; } = header;

    /// <summary>The only machine (<c>uname -m</c>) the layout is for, or null for every one the engine runs on.</summary>
    public string? Machine { get; init; }
}

[InlineArray(2)]
internal struct Int32x2
{
    private int _element;
}

[InlineArray(3)]
internal struct UInt64x3
{
    private ulong _element;
}

[InlineArray(4)]
internal struct Int64x4
{
    private long _element;
}

[InlineArray(4)]
internal struct Bytes4
{
    private byte _element;
}

[InlineArray(7)]
internal struct Bytes7
{
    private byte _element;
}

[InlineArray(8)]
internal struct Bytes8
{
    private byte _element;
}

[InlineArray(14)]
internal struct Bytes14
{
    private byte _element;
}

[InlineArray(16)]
internal struct Bytes16
{
    private byte _element;
}

[InlineArray(19)]
internal struct Bytes19
{
    private byte _element;
}

[InlineArray(65)]
internal struct Bytes65
{
    private byte _element;
}

[InlineArray(108)]
internal struct Bytes108
{
    private byte _element;
}

[CType("struct timespec", "time.h")]
[StructLayout(LayoutKind.Sequential)]
internal struct Timespec
{
    public long tv_sec;
    public long tv_nsec;
}

[CType("struct timeval", "sys/time.h")]
[StructLayout(LayoutKind.Sequential)]
internal struct Timeval
{
    public long tv_sec;
    public long tv_usec;
}

[CType("struct timezone", "sys/time.h")]
[StructLayout(LayoutKind.Sequential)]
internal struct Timezone
{
    public int tz_minuteswest;
    public int tz_dsttime;
}

[CType("struct itimerspec", "time.h")]
[StructLayout(LayoutKind.Sequential)]
internal struct Itimerspec
{
    public Timespec it_interval;
    public Timespec it_value;
}

[CType("struct itimerval", "sys/time.h")]
[StructLayout(LayoutKind.Sequential)]
internal struct Itimerval
{
    public Timeval it_interval;
    public Timeval it_value;
}

/// <summary>utimensat's <c>struct timespec times[2]</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct TimespecPair
{
    public Timespec atime;
    public Timespec mtime;
}

[CType("struct open_how", "linux/openat2.h")]
[StructLayout(LayoutKind.Sequential)]
internal struct OpenHow
{
    public ulong flags;
    public ulong mode;
    public ulong resolve;
}

[CType("struct flock", "fcntl.h")]
[StructLayout(LayoutKind.Sequential)]
internal struct Flock
{
    public short l_type;
    public short l_whence;
    public long l_start;
    public long l_len;
    public int l_pid;
}

[CType("struct f_owner_ex", "fcntl.h")]
[StructLayout(LayoutKind.Sequential)]
internal struct FOwnerEx
{
    public int type;
    public int pid;
}

[CType("struct winsize", "sys/ioctl.h")]
[StructLayout(LayoutKind.Sequential)]
internal struct Winsize
{
    public ushort ws_row;
    public ushort ws_col;
    public ushort ws_xpixel;
    public ushort ws_ypixel;
}

/// <summary>The kernel's termios (TCGETS), not glibc's larger one.</summary>
[CType("struct termios", "asm/termbits.h")]
[StructLayout(LayoutKind.Sequential)]
internal struct KernelTermios
{
    public uint c_iflag;
    public uint c_oflag;
    public uint c_cflag;
    public uint c_lflag;
    public byte c_line;
    public Bytes19 c_cc;
}

[CType("struct ifreq", "net/if.h")]
[StructLayout(LayoutKind.Explicit, Size = 40)]
internal struct Ifreq
{
    [FieldOffset(0)]
    public Bytes16 ifr_name;

    [FieldOffset(16)]
    public int ifr_ifindex;
}

[CType("struct statfs", "sys/vfs.h")]
[StructLayout(LayoutKind.Sequential)]
internal struct Statfs
{
    public long f_type;
    public long f_bsize;
    public ulong f_blocks;
    public ulong f_bfree;
    public ulong f_bavail;
    public ulong f_files;
    public ulong f_ffree;
    public Int32x2 f_fsid;
    public long f_namelen;
    public long f_frsize;
    public long f_flags;
    public Int64x4 f_spare;
}

/// <summary>struct stat on x86_64.</summary>
[CType("struct stat", "sys/stat.h", Machine = "x86_64")]
[StructLayout(LayoutKind.Sequential)]
internal struct StatX64
{
    public ulong st_dev;
    public ulong st_ino;
    public ulong st_nlink;
    public uint st_mode;
    public uint st_uid;
    public uint st_gid;
    public int __pad0;
    public ulong st_rdev;
    public long st_size;
    public long st_blksize;
    public long st_blocks;
    public Timespec st_atim;
    public Timespec st_mtim;
    public Timespec st_ctim;
    public UInt64x3 __glibc_reserved;
}

/// <summary>struct stat on aarch64 (asm-generic).</summary>
[CType("struct stat", "sys/stat.h", Machine = "aarch64")]
[StructLayout(LayoutKind.Sequential)]
internal struct StatArm64
{
    public ulong st_dev;
    public ulong st_ino;
    public uint st_mode;
    public uint st_nlink;
    public uint st_uid;
    public uint st_gid;
    public ulong st_rdev;
    public ulong __pad1;
    public long st_size;
    public int st_blksize;
    public int __pad2;
    public long st_blocks;
    public Timespec st_atim;
    public Timespec st_mtim;
    public Timespec st_ctim;
    public Int32x2 __glibc_reserved;
}

[CType("struct mq_attr", "mqueue.h")]
[StructLayout(LayoutKind.Sequential)]
internal struct MqAttr
{
    public long mq_flags;
    public long mq_maxmsg;
    public long mq_msgsize;
    public long mq_curmsgs;
    public Int64x4 __pad;
}

[CType("struct msgbuf", "sys/msg.h")]
[StructLayout(LayoutKind.Sequential)]
internal struct Msgbuf
{
    public long mtype;

    /// <summary>char mtext[1]: the text runs on past the struct, msgsz bytes.</summary>
    public byte mtext;
}

[CType("struct sembuf", "sys/sem.h")]
[StructLayout(LayoutKind.Sequential)]
internal struct Sembuf
{
    public ushort sem_num;
    public short sem_op;
    public short sem_flg;
}

[CType("struct rlimit", "sys/resource.h")]
[StructLayout(LayoutKind.Sequential)]
internal struct Rlimit
{
    public ulong rlim_cur;
    public ulong rlim_max;
}

[CType("struct rusage", "sys/resource.h")]
[StructLayout(LayoutKind.Sequential)]
internal struct Rusage
{
    public Timeval ru_utime;
    public Timeval ru_stime;
    public long ru_maxrss;
    public long ru_ixrss;
    public long ru_idrss;
    public long ru_isrss;
    public long ru_minflt;
    public long ru_majflt;
    public long ru_nswap;
    public long ru_inblock;
    public long ru_oublock;
    public long ru_msgsnd;
    public long ru_msgrcv;
    public long ru_nsignals;
    public long ru_nvcsw;
    public long ru_nivcsw;
}

[CType("struct tms", "sys/times.h")]
[StructLayout(LayoutKind.Sequential)]
internal struct Tms
{
    public long tms_utime;
    public long tms_stime;
    public long tms_cutime;
    public long tms_cstime;
}

[CType("struct sysinfo", "sys/sysinfo.h")]
[StructLayout(LayoutKind.Sequential)]
internal struct Sysinfo
{
    public long uptime;
    public UInt64x3 loads;
    public ulong totalram;
    public ulong freeram;
    public ulong sharedram;
    public ulong bufferram;
    public ulong totalswap;
    public ulong freeswap;
    public ushort procs;
    public ushort pad;
    public ulong totalhigh;
    public ulong freehigh;
    public uint mem_unit;
}

[CType("struct utsname", "sys/utsname.h")]
[StructLayout(LayoutKind.Sequential)]
internal struct Utsname
{
    public Bytes65 sysname;
    public Bytes65 nodename;
    public Bytes65 release;
    public Bytes65 version;
    public Bytes65 machine;
    public Bytes65 domainname;
}

[CType("struct clone_args", "linux/sched.h")]
[StructLayout(LayoutKind.Sequential)]
internal struct CloneArgs
{
    public ulong flags;
    public ulong pidfd;
    public ulong child_tid;
    public ulong parent_tid;
    public ulong exit_signal;
    public ulong stack;
    public ulong stack_size;
    public ulong tls;
    public ulong set_tid;
    public ulong set_tid_size;
    public ulong cgroup;
}

[CType("struct sched_attr", "linux/sched/types.h")]
[StructLayout(LayoutKind.Sequential)]
internal struct SchedAttr
{
    public uint size;
    public uint sched_policy;
    public ulong sched_flags;
    public int sched_nice;
    public uint sched_priority;
    public ulong sched_runtime;
    public ulong sched_deadline;
    public ulong sched_period;
    public uint sched_util_min;
    public uint sched_util_max;
}

/// <summary>
/// The kernel's struct sigaction as rt_sigaction takes it (handler, flags, restorer, an 8-byte mask); no
/// user-space header declares this layout, glibc's and asm/signal.h's differ from it.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KernelSigaction
{
    public ulong sa_handler;
    public ulong sa_flags;
    public ulong sa_restorer;
    public ulong sa_mask;
}

[CType("stack_t", "signal.h")]
[StructLayout(LayoutKind.Sequential)]
internal struct StackT
{
    public ulong ss_sp;
    public int ss_flags;
    public ulong ss_size;
}

[CType("struct __user_cap_header_struct", "linux/capability.h")]
[StructLayout(LayoutKind.Sequential)]
internal struct CapUserHeader
{
    public uint version;
    public int pid;
}

[CType("struct __user_cap_data_struct", "linux/capability.h")]
[StructLayout(LayoutKind.Sequential)]
internal struct CapUserData
{
    public uint effective;
    public uint permitted;
    public uint inheritable;
}

/// <summary>capget/capset's data for _LINUX_CAPABILITY_VERSION_3: the low and high 32 capabilities.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct CapUserDataV3
{
    public CapUserData low;
    public CapUserData high;
}

[CType("struct sock_fprog", "linux/filter.h")]
[StructLayout(LayoutKind.Sequential)]
internal struct SockFprog
{
    public ushort len;
    public ulong filter;
}

[CType("struct msghdr", "sys/socket.h")]
[StructLayout(LayoutKind.Sequential)]
internal struct Msghdr
{
    public ulong msg_name;
    public uint msg_namelen;
    public ulong msg_iov;
    public ulong msg_iovlen;
    public ulong msg_control;
    public ulong msg_controllen;
    public int msg_flags;
}

[CType("struct linger", "sys/socket.h")]
[StructLayout(LayoutKind.Sequential)]
internal struct Linger
{
    public int l_onoff;
    public int l_linger;
}

[CType("struct pollfd", "poll.h")]
[StructLayout(LayoutKind.Sequential)]
internal struct Pollfd
{
    public int fd;
    public short events;
    public short revents;
}

[CType("struct statx", "linux/stat.h")]
[StructLayout(LayoutKind.Explicit, Size = 256)]
internal struct Statx
{
    [FieldOffset(0)]
    public uint stx_mask;

    [FieldOffset(8)]
    public ulong stx_attributes;

    [FieldOffset(28)]
    public ushort stx_mode;

    [FieldOffset(40)]
    public ulong stx_size;
}

/// <summary>pselect6's sixth argument, a kernel-internal pair (no header declares it): the sigset's address and size.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct Pselect6Data
{
    public ulong ss;
    public ulong ss_len;
}

/// <summary>struct epoll_event on x86_64: packed, the data at offset 4.</summary>
[CType("struct epoll_event", "sys/epoll.h", Machine = "x86_64")]
[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal struct EpollEventX64
{
    public uint events;
    public ulong data;
}

/// <summary>struct epoll_event on aarch64: naturally aligned.</summary>
[CType("struct epoll_event", "sys/epoll.h", Machine = "aarch64")]
[StructLayout(LayoutKind.Sequential)]
internal struct EpollEventArm64
{
    public uint events;
    public ulong data;
}

[CType("struct iovec", "sys/uio.h")]
[StructLayout(LayoutKind.Sequential)]
internal struct Iovec
{
    public ulong iov_base;
    public ulong iov_len;
}

[CType("struct mmsghdr", "sys/socket.h")]
[StructLayout(LayoutKind.Sequential)]
internal struct Mmsghdr
{
    public Msghdr msg_hdr;
    public uint msg_len;
}

[CType("struct cmsghdr", "sys/socket.h")]
[StructLayout(LayoutKind.Sequential)]
internal struct Cmsghdr
{
    public ulong cmsg_len;
    public int cmsg_level;
    public int cmsg_type;
}

/// <summary>siginfo_t: the header and the union members the decoders print, at their offsets in the union.</summary>
[CType("siginfo_t", "signal.h")]
[StructLayout(LayoutKind.Explicit, Size = 128)]
internal struct Siginfo
{
    [FieldOffset(0)]
    public int si_signo;

    [FieldOffset(4)]
    public int si_errno;

    [FieldOffset(8)]
    public int si_code;

    [FieldOffset(16)]
    public int si_pid;

    [FieldOffset(20)]
    public uint si_uid;

    [FieldOffset(24)]
    public int si_status;

    [FieldOffset(32)]
    public long si_utime;

    [FieldOffset(40)]
    public long si_stime;

    [FieldOffset(16)]
    public ulong si_addr;

    [FieldOffset(16)]
    public long si_band;

    [FieldOffset(24)]
    public int si_fd;

    [FieldOffset(16)]
    public int si_timerid;

    [FieldOffset(20)]
    public int si_overrun;

    [FieldOffset(24)]
    public int si_int;

    [FieldOffset(24)]
    public ulong si_ptr;

    [FieldOffset(16)]
    public ulong si_call_addr;

    [FieldOffset(24)]
    public int si_syscall;

    [FieldOffset(28)]
    public uint si_arch;
}

[CType("struct ucred", "sys/socket.h")]
[StructLayout(LayoutKind.Sequential)]
internal struct Ucred
{
    public int pid;
    public uint uid;
    public uint gid;
}

[CType("struct in_pktinfo", "netinet/in.h")]
[StructLayout(LayoutKind.Sequential)]
internal struct InPktinfo
{
    public int ipi_ifindex;
    public uint ipi_spec_dst;
    public uint ipi_addr;
}

[CType("struct sock_extended_err", "linux/errqueue.h")]
[StructLayout(LayoutKind.Sequential)]
internal struct SockExtendedErr
{
    public uint ee_errno;
    public byte ee_origin;
    public byte ee_type;
    public byte ee_code;
    public byte ee_pad;
    public uint ee_info;
    public uint ee_data;
}

// The sockaddrs. A caller's addrlen may be shorter than its family's struct: FormatSockaddr reads them with
// TraceeReader.Prefix<T>, which zero-fills what the length leaves out. Ports, sin6_flowinfo and sll_protocol
// are in network byte order.
[CType("struct sockaddr", "sys/socket.h")]
[StructLayout(LayoutKind.Sequential)]
internal struct Sockaddr
{
    public ushort sa_family;
    public Bytes14 sa_data;
}

[CType("struct sockaddr_in", "netinet/in.h")]
[StructLayout(LayoutKind.Sequential)]
internal struct SockaddrIn
{
    public ushort sin_family;
    public ushort sin_port;
    public Bytes4 sin_addr;
    public Bytes8 sin_zero;
}

[CType("struct sockaddr_in6", "netinet/in.h")]
[StructLayout(LayoutKind.Sequential)]
internal struct SockaddrIn6
{
    public ushort sin6_family;
    public ushort sin6_port;
    public uint sin6_flowinfo;
    public Bytes16 sin6_addr;
    public uint sin6_scope_id;
}

[CType("struct sockaddr_un", "sys/un.h")]
[StructLayout(LayoutKind.Sequential)]
internal struct SockaddrUn
{
    public ushort sun_family;
    public Bytes108 sun_path;
}

[CType("struct sockaddr_nl", "linux/netlink.h")]
[StructLayout(LayoutKind.Sequential)]
internal struct SockaddrNl
{
    public ushort nl_family;
    public ushort nl_pad;
    public uint nl_pid;
    public uint nl_groups;
}

[CType("struct sockaddr_ll", "netpacket/packet.h")]
[StructLayout(LayoutKind.Sequential)]
internal struct SockaddrLl
{
    public ushort sll_family;
    public ushort sll_protocol;
    public int sll_ifindex;
    public ushort sll_hatype;
    public byte sll_pkttype;
    public byte sll_halen;
    public Bytes8 sll_addr;
}

[CType("ax25_address", "linux/ax25.h")]
[StructLayout(LayoutKind.Sequential)]
internal struct Ax25Address
{
    public Bytes7 ax25_call;
}

/// <summary>full_sockaddr_ax25's <c>ax25_address fsa_digipeater[AX25_MAX_DIGIS]</c>.</summary>
[InlineArray(8)]
internal struct Ax25Digipeaters
{
    private Ax25Address _element;
}

[CType("struct sockaddr_ax25", "linux/ax25.h")]
[StructLayout(LayoutKind.Sequential)]
internal struct SockaddrAx25
{
    public ushort sax25_family;
    public Ax25Address sax25_call;
    public int sax25_ndigis;
}

[CType("struct full_sockaddr_ax25", "linux/ax25.h")]
[StructLayout(LayoutKind.Sequential)]
internal struct FullSockaddrAx25
{
    public SockaddrAx25 fsa_ax25;
    public Ax25Digipeaters fsa_digipeater;
}

[CType("struct x25_address", "linux/x25.h")]
[StructLayout(LayoutKind.Sequential)]
internal struct X25Address
{
    public Bytes16 x25_addr;
}

[CType("struct sockaddr_x25", "linux/x25.h")]
[StructLayout(LayoutKind.Sequential)]
internal struct SockaddrX25
{
    public ushort sx25_family;
    public X25Address sx25_addr;
}
