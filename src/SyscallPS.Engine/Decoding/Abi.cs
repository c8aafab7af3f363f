using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SyscallPS.Decoding;

/// <summary>
/// The few places where the decoded ABI differs between x86_64 and aarch64 (the tracer and its tracees
/// share the machine's architecture): clone's argument order, epoll_event packing and the signal frame; the
/// constants that differ (some open flags) are in the arch column of Tables/data, and the structs whose layouts
/// differ (stat, epoll_event) are declared once per layout in KernelStructs.cs. Everything else the decoders read
/// is the same on both.
/// </summary>
internal static class Abi
{
    /// <summary>True on aarch64 (asm-generic layouts), false on x86_64.</summary>
    public static readonly bool IsArm64 = RuntimeInformation.ProcessArchitecture == Architecture.Arm64;

    /// <summary>clone's child_tid argument index (x86_64: 3; aarch64 swaps tls and child_tid).</summary>
    public static readonly int CloneChildTidIndex = IsArm64 ? 4 : 3;

    /// <summary>clone's tls argument index.</summary>
    public static readonly int CloneTlsIndex = IsArm64 ? 3 : 4;

    /// <summary>sizeof(struct epoll_event): packed on x86_64 (<see cref="EpollEventX64"/>, <see cref="EpollEventArm64"/>).</summary>
    public static readonly int EpollEventSize = IsArm64 ? Unsafe.SizeOf<EpollEventArm64>() : Unsafe.SizeOf<EpollEventX64>();

    /// <summary>Offset of the restored signal mask from the stack pointer at rt_sigreturn.</summary>
    public static readonly int SigreturnMaskOffset = IsArm64 ? 128 + 40 : 296;
}
