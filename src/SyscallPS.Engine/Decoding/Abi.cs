using System.Runtime.InteropServices;

namespace SyscallPS.Decoding;

/// <summary>
/// The few places where the decoded ABI differs between x86_64 and aarch64 (the tracer and its tracees
/// share the machine's architecture): struct stat, clone's argument order, epoll_event packing and the
/// signal frame; the constants that differ (some open flags) are in the arch column of Tables/data.
/// Everything else the decoders read is the same on both.
/// </summary>
internal static class Abi
{
    /// <summary>True on aarch64 (asm-generic layouts), false on x86_64.</summary>
    public static readonly bool IsArm64 = RuntimeInformation.ProcessArchitecture == Architecture.Arm64;

    /// <summary>struct stat: offset of st_mode.</summary>
    public static readonly int StatModeOffset = IsArm64 ? 16 : 24;

    /// <summary>struct stat: offset of st_rdev.</summary>
    public static readonly int StatRdevOffset = IsArm64 ? 32 : 40;

    /// <summary>struct stat: offset of st_size.</summary>
    public const int StatSizeOffset = 48;

    /// <summary>clone's child_tid argument index (x86_64: 3; aarch64 swaps tls and child_tid).</summary>
    public static readonly int CloneChildTidIndex = IsArm64 ? 4 : 3;

    /// <summary>clone's tls argument index.</summary>
    public static readonly int CloneTlsIndex = IsArm64 ? 3 : 4;

    /// <summary>sizeof(struct epoll_event): packed on x86_64.</summary>
    public static readonly int EpollEventSize = IsArm64 ? 16 : 12;

    /// <summary>Offset of epoll_event.data.</summary>
    public static readonly int EpollDataOffset = IsArm64 ? 8 : 4;

    /// <summary>Offset of the restored signal mask from the stack pointer at rt_sigreturn.</summary>
    public static readonly int SigreturnMaskOffset = IsArm64 ? 128 + 40 : 296;
}
