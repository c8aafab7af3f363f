namespace SyscallPS.Native;

/// <summary>
/// PTRACE_GETREGS fallback for kernels without PTRACE_GET_SYSCALL_INFO (before 5.3): the syscall number,
/// arguments and return value read from struct user_regs_struct (x86_64 layout, &lt;sys/user.h&gt;).
/// </summary>
internal static class Registers
{
    // Offsets in 8-byte words of struct user_regs_struct on x86_64.
    private const int R10 = 7, R9 = 8, R8 = 9, Rax = 10, Rdx = 12, Rsi = 13, Rdi = 14, OrigRax = 15;
    private const int WordCount = 27;

    /// <summary>True where this fallback knows the register layout.</summary>
    internal static bool Supported => System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.X64;

    /// <summary>Reads number, arguments and rax (the return value at an exit stop); false when the read failed.</summary>
    internal static unsafe bool Read(int tid, out long number, Span<ulong> args, out long rax)
    {
        ulong* regs = stackalloc ulong[WordCount];
        if (Ptrace.Call(Ptrace.PTRACE_GETREGS, tid, 0, (long)regs) < 0)
        {
            number = -1;
            rax = 0;
            return false;
        }

        number = (long)regs[OrigRax];
        rax = (long)regs[Rax];
        args[0] = regs[Rdi];
        args[1] = regs[Rsi];
        args[2] = regs[Rdx];
        args[3] = regs[R10];
        args[4] = regs[R8];
        args[5] = regs[R9];
        return true;
    }

    /// <summary>Writes the syscall number (orig_rax) at a syscall-entry or seccomp stop; false when the write failed.</summary>
    internal static bool WriteNumber(int tid, long number) =>
        Ptrace.Call(Ptrace.PTRACE_POKEUSER, tid, OrigRax * 8, number) >= 0;

    /// <summary>Writes the return value (rax) at a syscall-exit stop; false when the write failed.</summary>
    internal static bool WriteReturn(int tid, long value) =>
        Ptrace.Call(Ptrace.PTRACE_POKEUSER, tid, Rax * 8, value) >= 0;
}
