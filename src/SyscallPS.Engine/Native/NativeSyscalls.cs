using System.Runtime.InteropServices;
using Tmds.Linux;

namespace SyscallPS.Native;

/// <summary>
/// Raw syscall numbers the engine itself needs, looked up once in the syscall table so the engine
/// works on every architecture the table knows.
/// </summary>
internal static class NativeSyscalls
{
    internal static readonly long Ptrace = NumberOf("ptrace");
    internal static readonly long Wait4 = NumberOf("wait4");
    internal static readonly long ProcessVmReadv = NumberOf("process_vm_readv");
    internal static readonly long Tgkill = NumberOf("tgkill");
    internal static readonly long Gettid = NumberOf("gettid");

    private static long NumberOf(string name) =>
        SyscallTable.Current.TryGetByName(name, out var info)
            ? info.Number
            : throw new PlatformNotSupportedException($"The syscall table has no '{name}' for {SyscallTable.CurrentArchitecture}.");

    /// <summary>The calling thread's errno after a failed call.</summary>
    internal static int LastErrno => Marshal.GetLastSystemError();

    /// <summary>Calls a syscall and returns its result, -1 with errno set on failure (libc convention).</summary>
    internal static unsafe long Call(long number, long a1 = 0, long a2 = 0, long a3 = 0, long a4 = 0, long a5 = 0, long a6 = 0)
    {
        // syscall_arg converts from pointers; a pointer-sized value carries any 64-bit argument unchanged.
        ssize_t r = LibC.syscall((void*)number, (void*)a1, (void*)a2, (void*)a3, (void*)a4, (void*)a5, (void*)a6);
        return (long)r;
    }
}
