using System.Runtime.InteropServices;

namespace SyscallPS.Ebpf;

/// <summary>Record types of the ring buffer (<c>enum rec_type</c> in syscallps.bpf.c).</summary>
internal enum EbpfRecordType : byte
{
    Syscall = 1,
    Entry = 2,
    ProcessExit = 3,
    Fork = 4,

    /// <summary>A signal reached a traced thread: <see cref="EbpfSignalRecord"/>.</summary>
    Signal = 5,

    /// <summary>A traced thread ended, not the last of its process (that one is <see cref="ProcessExit"/>).</summary>
    ThreadExit = 6,
}

/// <summary><c>struct rec</c>: the fixed head of every ring-buffer record; blobs follow it up to <see cref="Size"/>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct EbpfRecord
{
    public const int HeaderSize = 112;

    /// <summary><see cref="Flags"/> bit: a call sent only for the descriptor table (not asked for, or a success under -Failed).</summary>
    public const byte HiddenFlag = 1;

    public EbpfRecordType Type;
    public byte Flags;

    /// <summary>The CPU the record was written on.</summary>
    public ushort Cpu;
    public uint Size;
    public uint Tgid;
    public uint Tid;
    public int Number;

    /// <summary>Thread and process exit: the wait status; fork: the child's tgid.</summary>
    public uint Aux;
    public ulong EnterNanoseconds;
    public ulong ExitNanoseconds;
    public long Return;
    public fixed ulong Args[6];
    public fixed byte Comm[16];
}

/// <summary><c>struct blob</c>: bytes copied from the tracee at <see cref="Address"/>; the data follows, padded to 8 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct EbpfBlob
{
    public const int HeaderSize = 16;

    /// <summary><see cref="Argument"/> of a successful execve's argument strings, copied from the new stack at exit.</summary>
    public const uint ExecArgvStrings = 6;

    /// <summary><see cref="Argument"/> of a successful execve's file name, copied from the new stack at exit.</summary>
    public const uint ExecFileName = 7;

    public ulong Address;
    public uint Length;
    public uint Argument;
}

/// <summary><c>struct config</c>: the program's read-only settings, written into .rodata before load.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct EbpfConfig
{
    public const int MaxPrefixes = 4;

    public uint SelfTgid;
    public uint SystemWide;
    public uint FailedOnly;
    public uint CommFilter;
    public uint FollowChildren;
    public uint WakeBytes;
    public uint ArgvStringCap;
    public uint BufferCap;
    public uint PrefixCount;
    public fixed uint PrefixLength[MaxPrefixes];
    public fixed byte Prefix[MaxPrefixes * 16];
    public uint CgroupFilter;
    public uint Signals;
    public uint ArgvEntries;
}

/// <summary>
/// <c>struct sig_rec</c>: a <see cref="EbpfRecord"/> head (<see cref="EbpfRecord.Aux"/>: the signal,
/// <see cref="EbpfRecord.Return"/>: an <see cref="EbpfSignalOrigin"/>, <see cref="EbpfRecord.EnterNanoseconds"/>: when)
/// followed by the kernel's siginfo.
/// </summary>
internal static class EbpfSignalRecord
{
    /// <summary>Where the siginfo starts.</summary>
    public const int InfoOffset = EbpfRecord.HeaderSize;

    /// <summary><c>struct kernel_siginfo</c>: what strace prints of a siginfo_t.</summary>
    public const int InfoSize = 48;

    /// <summary>The whole record.</summary>
    public const int Size = InfoOffset + InfoSize;
}

/// <summary>Where the kernel program saw a signal (<c>enum sig_origin</c>).</summary>
internal enum EbpfSignalOrigin : long
{
    /// <summary>Dequeued by the receiving thread, which wrote the record itself: in place among its syscalls.</summary>
    Delivered = 0,

    /// <summary>Never dequeued (ignored, or fatal at once): written when sent, placed among the receiver's syscalls by time.</summary>
    Generated = 1,

    /// <summary>The receiving thread entered a group-stop on this stop signal (seen at sched_switch): written by the thread itself.</summary>
    Stopped = 2,
}
