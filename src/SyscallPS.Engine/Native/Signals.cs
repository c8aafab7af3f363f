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
