namespace SyscallPS.Native;

/// <summary>ptrace(2) requests, options and events (values from &lt;linux/ptrace.h&gt;). Call only from the tracer thread.</summary>
internal static class Ptrace
{
    internal const int PTRACE_POKEUSER = 6;
    internal const int PTRACE_CONT = 7;
    internal const int PTRACE_KILL = 8;
    internal const int PTRACE_GETREGS = 12;
    internal const int PTRACE_DETACH = 17;
    internal const int PTRACE_SYSCALL = 24;
    internal const int PTRACE_SETOPTIONS = 0x4200;
    internal const int PTRACE_GETEVENTMSG = 0x4201;
    internal const int PTRACE_GETSIGINFO = 0x4202;
    internal const int PTRACE_SETSIGINFO = 0x4203;
    internal const int PTRACE_SEIZE = 0x4206;
    internal const int PTRACE_INTERRUPT = 0x4207;
    internal const int PTRACE_LISTEN = 0x4208;
    internal const int PTRACE_GET_SYSCALL_INFO = 0x420e;
    internal const int PTRACE_SET_SYSCALL_INFO = 0x4212;   // Linux 6.16

    internal const int PTRACE_O_TRACESYSGOOD = 1;
    internal const int PTRACE_O_TRACEFORK = 1 << 1;
    internal const int PTRACE_O_TRACEVFORK = 1 << 2;
    internal const int PTRACE_O_TRACECLONE = 1 << 3;
    internal const int PTRACE_O_TRACEEXEC = 1 << 4;
    internal const int PTRACE_O_TRACESECCOMP = 1 << 7;
    internal const int PTRACE_O_EXITKILL = 1 << 20;

    internal const int PTRACE_EVENT_FORK = 1;
    internal const int PTRACE_EVENT_VFORK = 2;
    internal const int PTRACE_EVENT_CLONE = 3;
    internal const int PTRACE_EVENT_EXEC = 4;
    internal const int PTRACE_EVENT_VFORK_DONE = 5;
    internal const int PTRACE_EVENT_EXIT = 6;
    internal const int PTRACE_EVENT_SECCOMP = 7;
    internal const int PTRACE_EVENT_STOP = 128;

    internal const byte PTRACE_SYSCALL_INFO_NONE = 0;
    internal const byte PTRACE_SYSCALL_INFO_ENTRY = 1;
    internal const byte PTRACE_SYSCALL_INFO_EXIT = 2;
    internal const byte PTRACE_SYSCALL_INFO_SECCOMP = 3;

    /// <summary>ptrace(request, pid, addr, data); -1 with errno on failure.</summary>
    internal static long Call(int request, int pid, long addr = 0, long data = 0) =>
        NativeSyscalls.Call(NativeSyscalls.Ptrace, request, pid, addr, data);

    /// <summary>Reads struct ptrace_syscall_info into <paramref name="info"/>; returns the kernel's byte count or -1.</summary>
    internal static unsafe long GetSyscallInfo(int tid, out PtraceSyscallInfo info)
    {
        fixed (PtraceSyscallInfo* p = &info)
        {
            return Call(PTRACE_GET_SYSCALL_INFO, tid, sizeof(PtraceSyscallInfo), (long)p);
        }
    }

    /// <summary>Writes a syscall stop's number and arguments (entry, seccomp) or return value (exit); -1 with errno on failure.</summary>
    internal static unsafe long SetSyscallInfo(int tid, in PtraceSyscallInfo info)
    {
        fixed (PtraceSyscallInfo* p = &info)
        {
            return Call(PTRACE_SET_SYSCALL_INFO, tid, sizeof(PtraceSyscallInfo), (long)p);
        }
    }

    /// <summary>Reads the event message (new child id, former thread id on exec).</summary>
    internal static unsafe long GetEventMessage(int tid)
    {
        ulong msg = 0;
        return Call(PTRACE_GETEVENTMSG, tid, 0, (long)&msg) < 0 ? -1 : (long)msg;
    }
}

/// <summary>struct ptrace_syscall_info (linux/ptrace.h), the union laid out as its largest member.</summary>
[System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
internal unsafe struct PtraceSyscallInfo
{
    internal byte Op;
    private byte _reserved;
    private ushort _flags;
    internal uint Arch;
    internal ulong InstructionPointer;
    internal ulong StackPointer;

    /// <summary>entry/seccomp: nr; exit: rval.</summary>
    internal ulong NrOrReturn;

    /// <summary>entry/seccomp: args[0..5]; exit: is_error in the first byte.</summary>
    internal fixed ulong Args[6];
    internal uint SeccompReturnData;
    private uint _pad2;
}
