using System.Runtime.InteropServices;

namespace SyscallPS.Native;

/// <summary>stat(2), for the one thing the engine needs from it that .NET does not give: a file's inode number.</summary>
internal static unsafe partial class FileStatus
{
    // struct stat: st_dev (8 bytes) then st_ino (8 bytes) on x86-64 and aarch64 alike; 144 and 128 bytes in all.
    private const int StatSize = 256;
    private const int InodeOffset = 8;

    [LibraryImport("libc", EntryPoint = "stat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Stat(string path, byte* buffer);

    /// <summary>The inode number of <paramref name="path"/> (a cgroup directory's is its cgroup id), or null.</summary>
    internal static ulong? InodeOf(string path)
    {
        byte* buffer = stackalloc byte[StatSize];
        return Stat(path, buffer) == 0 ? *(ulong*)(buffer + InodeOffset) : null;
    }
}
