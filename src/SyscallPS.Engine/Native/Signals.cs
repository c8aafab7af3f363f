using Tmds.Linux;

namespace SyscallPS.Native;

/// <summary>Sending signals and the signal numbers the engine uses (x86_64 and aarch64 share them).</summary>
internal static class Signals
{
    internal const int SIGINT = 2;
    internal const int SIGKILL = 9;
    internal const int SIGTRAP = 5;
    internal const int SIGTERM = 15;
    internal const int SIGCHLD = 17;
    internal const int SIGCONT = 18;
    internal const int SIGSTOP = 19;
    internal const int SIGTSTP = 20;
    internal const int SIGTTIN = 21;
    internal const int SIGTTOU = 22;

    /// <summary>kill(2); 0 or -1 with errno.</summary>
    internal static int Kill(int pid, int signal) => LibC.kill(pid, signal);

    /// <summary>True for the signals whose default action is a group-stop.</summary>
    internal static bool IsStopSignal(int signal) => signal is SIGSTOP or SIGTSTP or SIGTTIN or SIGTTOU;
}

/// <summary>
/// sigaction(2) for SIGCHLD. The kernel sends the tracer's process a SIGCHLD at every ptrace stop unless its
/// SIGCHLD action has SA_NOCLDSTOP; .NET installs a handler without it, so each traced syscall would also cost
/// two signal deliveries and wake-ups of .NET's signal thread. Exits still raise SIGCHLD, so .NET's reaping of
/// its own children is unaffected.
/// </summary>
internal static partial class ChildStopSignals
{
    private const int SA_NOCLDSTOP = 1;

    // glibc's struct sigaction on 64-bit Linux: handler (8), sa_mask (128), sa_flags (int) at 136, restorer at 144.
    private const int SizeOfSigaction = 152;
    private const int FlagsOffset = 136;

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "sigaction", SetLastError = true)]
    private static unsafe partial int SigAction(int signal, byte* action, byte* oldAction);

    /// <summary>Adds SA_NOCLDSTOP to the current SIGCHLD action, keeping its handler, mask and other flags.</summary>
    internal static unsafe void SuppressStopNotifications()
    {
        byte* action = stackalloc byte[SizeOfSigaction];
        if (SigAction(Signals.SIGCHLD, null, action) != 0)
        {
            return;
        }

        int* flags = (int*)(action + FlagsOffset);
        if ((*flags & SA_NOCLDSTOP) == 0)
        {
            *flags |= SA_NOCLDSTOP;
            SigAction(Signals.SIGCHLD, action, null);
        }
    }
}
