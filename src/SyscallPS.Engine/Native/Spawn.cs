using System.Runtime.InteropServices;

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

    /// <summary>
    /// Starts <paramref name="path"/> with <paramref name="argv"/> and the current environment; the child gets
    /// an empty signal mask and default dispositions (the runtime blocks and handles signals of its own).
    /// Returns the pid, or throws with the errno.
    /// </summary>
    internal static unsafe int Start(string path, IReadOnlyList<string> argv)
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
        try
        {
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
                int rc = PosixSpawn(out int pid, Utf8(path), 0, attr, a, en);
                if (rc != 0)
                {
                    throw new System.ComponentModel.Win32Exception(rc);
                }

                return pid;
            }
        }
        finally
        {
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
