using System.Runtime.InteropServices;
using Tmds.Linux;

namespace SyscallPS.Native;

/// <summary>
/// posix_spawn(3) from libc. glibc implements it with clone(CLONE_VM|CLONE_VFORK) and runs no managed
/// code in the child, which is why the engine may use it where a hand-made fork of the runtime is forbidden.
/// The child belongs to the calling thread, which lets that thread wait for it with __WNOTHREAD.
/// </summary>
internal static partial class Spawn
{
    private const int POSIX_SPAWN_SETSIGMASK = 0x08;
    private const int POSIX_SPAWN_SETSIGDEF = 0x04;

    [LibraryImport("libc", EntryPoint = "posix_spawn", SetLastError = true)]
    private static unsafe partial int PosixSpawn(out int pid, byte* path, nint fileActions, nint attributes, byte** argv, byte** envp);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_init")]
    private static partial int AttrInit(nint attributes);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_destroy")]
    private static partial int AttrDestroy(nint attributes);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setflags")]
    private static partial int AttrSetFlags(nint attributes, short flags);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setsigmask")]
    private static partial int AttrSetSigMask(nint attributes, nint mask);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setsigdefault")]
    private static partial int AttrSetSigDefault(nint attributes, nint mask);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_init")]
    private static partial int FileActionsInit(nint actions);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_destroy")]
    private static partial int FileActionsDestroy(nint actions);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_addopen")]
    private static unsafe partial int FileActionsAddOpen(nint actions, int fd, byte* path, int flags, int mode);

    // rw-rw-rw- before the umask, as a shell's > creates files.
    private const int CreateMode = 0x1b6;

    /// <summary>True when this process's descriptor <paramref name="fd"/> is a terminal.</summary>
    internal static bool IsTerminal(int fd) => LibC.isatty(fd) == 1;

    /// <summary>
    /// Starts <paramref name="path"/> with <paramref name="argv"/> and the current environment; the child gets
    /// an empty signal mask and default dispositions (the runtime blocks and handles signals of its own).
    /// Standard streams named in <paramref name="streams"/> are opened in the child before it runs (input read-only,
    /// output created or truncated, as a shell's &lt; and &gt;); the others are inherited.
    /// Returns the pid, or throws with the errno (also when a stream's file cannot be opened).
    /// </summary>
    internal static unsafe int Start(string path, IReadOnlyList<string> argv, StandardStreams? streams = null)
    {
        var allocations = new List<nint>();
        byte* Utf8(string s)
        {
            var p = Marshal.StringToCoTaskMemUTF8(s);
            allocations.Add(p);
            return (byte*)p;
        }

        var env = Environment.GetEnvironmentVariables();
        var argvp = new byte*[argv.Count + 1];
        var envp = new byte*[env.Count + 1];
        nint attr = Marshal.AllocHGlobal(512);
        nint sigset = Marshal.AllocHGlobal(128);
        // posix_spawn_file_actions_t is 80 bytes in glibc; room to spare.
        nint actions = streams is null || streams.IsInherited ? 0 : Marshal.AllocHGlobal(256);
        try
        {
            if (actions != 0)
            {
                FileActionsInit(actions);
                if (streams!.Input is { } input)
                {
                    FileActionsAddOpen(actions, 0, Utf8(input), LibC.O_RDONLY, 0);
                }

                if (streams.Output is { } output)
                {
                    FileActionsAddOpen(actions, 1, Utf8(output), LibC.O_WRONLY | LibC.O_CREAT | LibC.O_TRUNC, CreateMode);
                }

                if (streams.Error is { } error)
                {
                    FileActionsAddOpen(actions, 2, Utf8(error), LibC.O_WRONLY | LibC.O_CREAT | LibC.O_TRUNC, CreateMode);
                }
            }

            for (int i = 0; i < argv.Count; i++)
            {
                argvp[i] = Utf8(argv[i]);
            }

            int e = 0;
            foreach (System.Collections.DictionaryEntry kv in env)
            {
                envp[e++] = Utf8(kv.Key + "=" + kv.Value);
            }

            AttrInit(attr);
            new Span<byte>((void*)sigset, 128).Clear();
            AttrSetSigMask(attr, sigset);
            // Every catchable signal back to its default action in the child (bit n-1 set for signal n).
            new Span<byte>((void*)sigset, 8).Fill(0xff);
            AttrSetSigDefault(attr, sigset);
            AttrSetFlags(attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
            fixed (byte** a = argvp)
            fixed (byte** en = envp)
            {
                int rc = PosixSpawn(out int pid, Utf8(path), actions, attr, a, en);
                if (rc != 0)
                {
                    throw new System.ComponentModel.Win32Exception(rc);
                }

                return pid;
            }
        }
        finally
        {
            if (actions != 0)
            {
                FileActionsDestroy(actions);
                Marshal.FreeHGlobal(actions);
            }

            AttrDestroy(attr);
            Marshal.FreeHGlobal(attr);
            Marshal.FreeHGlobal(sigset);
            foreach (var p in allocations)
            {
                Marshal.FreeCoTaskMem(p);
            }
        }
    }
}

/// <summary>Files a spawned child gets as its standard streams; a null member is inherited from this process.</summary>
/// <param name="Input">Opened read-only as standard input.</param>
/// <param name="Output">Created or truncated as standard output.</param>
/// <param name="Error">Created or truncated as standard error.</param>
internal sealed record StandardStreams(string? Input, string? Output, string? Error)
{
    /// <summary>True when no stream is redirected.</summary>
    internal bool IsInherited => Input is null && Output is null && Error is null;
}
