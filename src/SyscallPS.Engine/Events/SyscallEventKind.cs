namespace SyscallPS;

/// <summary>What a <see cref="SyscallEvent"/> records: a system call, or one of strace's other stream lines.</summary>
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]
public enum SyscallEventKind
{
    /// <summary>A completed system call (entry and exit paired).</summary>
    Syscall = 0,

    /// <summary>A system call whose exit was never seen (the thread exited or was killed inside it, as exit_group or execve in another thread).</summary>
    Unfinished = 1,

    /// <summary>A signal delivered to a traced thread: strace's <c>--- SIGCHLD {...} ---</c>.</summary>
    Signal = 2,

    /// <summary>A traced process exited normally: strace's <c>+++ exited with 0 +++</c>.</summary>
    Exited = 3,

    /// <summary>A traced process was killed by a signal: strace's <c>+++ killed by SIGKILL +++</c>.</summary>
    Killed = 4,

    /// <summary>Events were lost (kernel buffer overrun or a full background spool); <see cref="SyscallEvent.LostCount"/> says how many.</summary>
    Lost = 5,

    /// <summary>
    /// A traced thread entered a group-stop (SIGSTOP, SIGTSTP, SIGTTIN or SIGTTOU with the default action):
    /// strace's <c>--- stopped by SIGSTOP ---</c>. <see cref="SyscallEvent.Signal"/> names the stop signal.
    /// </summary>
    Stopped = 6,
}
