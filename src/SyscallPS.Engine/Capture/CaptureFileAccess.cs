using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using SyscallPS.Tracing;
using Tmds.Linux;

namespace SyscallPS.Capture;

/// <summary>
/// Opens capture files with the checks both directions need: a capture can hold the bytes of any file the
/// traced program read (<c>-CaptureData</c> on <c>cat /etc/shadow</c>), so it is created private (0600) and never
/// written through a symbolic link unless asked; a file to read must be a regular file, so a device or a
/// directory is refused at once instead of read forever.
/// </summary>
internal static class CaptureFileAccess
{
    /// <summary>Mode of a capture file: owner read and write only.</summary>
    private const UnixFileMode PrivateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// Opens <paramref name="path"/> for writing under Out-File's rules: replaced by default, refused with
    /// <paramref name="noClobber"/>; a read-only file or a symbolic link needs <paramref name="force"/>.
    /// </summary>
    /// <exception cref="TraceException">CaptureFileExists, CaptureFileReadOnly, CaptureFileIsLink or CaptureFileUnwritable.</exception>
    internal static FileStream OpenForWriting(string path, bool noClobber, bool force)
    {
        var existing = new FileInfo(path);
        if (Directory.Exists(path) && existing.LinkTarget is null)
        {
            throw Unwritable(path, "it is a directory", TraceErrorKind.InvalidArgument);
        }

        bool exists = existing.Exists || existing.LinkTarget is not null;
        if (exists && noClobber)
        {
            throw AlreadyExists(path);
        }

        if (existing.LinkTarget is not null && !force)
        {
            throw IsLink(path);
        }

        if (existing.Exists && existing.IsReadOnly)
        {
            if (!force)
            {
                throw new TraceException("CaptureFileReadOnly", TraceErrorKind.PermissionDenied,
                    $"The capture file '{path}' is read-only.",
                    "Add -Force to replace a read-only file, or choose another -OutFile path.", path);
            }

            // -Force clears the read-only attribute, as Out-File -Force does; the mode becomes private below.
            TryAddOwnerWrite(path);
        }

        int flags = LibC.O_WRONLY | LibC.O_CREAT | LibC.O_CLOEXEC | (noClobber ? LibC.O_EXCL : LibC.O_TRUNC) | (force ? 0 : LibC.O_NOFOLLOW);
        int fd = Open(path, flags, (int)PrivateMode);
        if (fd < 0)
        {
            int errno = Marshal.GetLastSystemError();
            // The checks above ran on what was there; EEXIST and ELOOP catch a file or link put there since.
            throw errno == LibC.EEXIST ? AlreadyExists(path)
                : errno == LibC.ELOOP ? IsLink(path)
                : errno == LibC.ENOENT ? Unwritable(path, "its directory does not exist", TraceErrorKind.NotFound)
                : errno == LibC.EISDIR ? Unwritable(path, "it is a directory", TraceErrorKind.InvalidArgument)
                : Unwritable(path, Marshal.GetPInvokeErrorMessage(errno), TraceErrorKind.PermissionDenied);
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            // An existing file keeps its mode through O_TRUNC: make it private too, but only a regular file
            // (-OutFile /dev/null must not change the device).
            if (IsRegular(fd))
            {
                File.SetUnixFileMode(handle, PrivateMode);
            }

            return new FileStream(handle, FileAccess.Write, bufferSize: 0);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Opens a capture file for reading; refuses what is not a readable regular file before reading a byte.</summary>
    /// <exception cref="TraceException">CaptureNotFound or CaptureNotReadable.</exception>
    internal static FileStream OpenForReading(string path)
    {
        FileSystemInfo target = new FileInfo(path);
        if (target.LinkTarget is not null)
        {
            target = target.ResolveLinkTarget(returnFinalTarget: true) ?? target;
        }

        if (Directory.Exists(target.FullName))
        {
            throw NotReadable(path, "it is a directory", TraceErrorKind.ReadError);
        }

        if (!target.Exists)
        {
            throw new TraceException("CaptureNotFound", TraceErrorKind.NotFound,
                $"The capture file '{path}' does not exist.",
                "Check the path; capture files are written by Start-SyscallTrace -OutFile.", path);
        }

        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw NotReadable(path, ex.Message, TraceErrorKind.PermissionDenied, ex);
        }
        catch (IOException ex)
        {
            throw NotReadable(path, ex.Message, TraceErrorKind.ReadError, ex);
        }

        if (!IsRegular((int)stream.SafeFileHandle.DangerousGetHandle()))
        {
            stream.Dispose();
            throw NotReadable(path, "it is not a regular file (a device, pipe or socket)", TraceErrorKind.ReadError);
        }

        return stream;
    }

    /// <summary>CaptureNotReadable: the file exists but cannot be read as a capture.</summary>
    internal static TraceException NotReadable(string path, string why, TraceErrorKind kind, Exception? inner = null) =>
        new("CaptureNotReadable", kind, $"Cannot read the capture file '{path}': {why}.",
            "Give a capture file written by Start-SyscallTrace -OutFile that you may read.", path, inner);

    private static TraceException AlreadyExists(string path) =>
        new("CaptureFileExists", TraceErrorKind.AlreadyExists, $"The capture file '{path}' already exists and -NoClobber was given.",
            "Choose another -OutFile path, or leave out -NoClobber to replace the file.", path);

    private static TraceException IsLink(string path) =>
        new("CaptureFileIsLink", TraceErrorKind.PermissionDenied,
            $"The capture file '{path}' is a symbolic link; a capture is not written through a link unless -Force is given.",
            "Give the link's target as -OutFile, or add -Force to write to where the link points.", path);

    private static TraceException Unwritable(string path, string why, TraceErrorKind kind) =>
        new("CaptureFileUnwritable", kind, $"Cannot write the capture file '{path}': {why}.", "Choose a writable file path for -OutFile.", path);

    private static void TryAddOwnerWrite(string path)
    {
        try
        {
            File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.UserWrite);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Not our file: the open below reports the refusal.
        }
    }

    private static unsafe bool IsRegular(int fd)
    {
        stat st;
        return LibC.fstat(fd, &st) == 0 && (st.st_mode & LibC.S_IFMT) == LibC.S_IFREG;
    }

    private static unsafe int Open(string path, int flags, int mode)
    {
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* p = bytes)
        {
            return LibC.open(p, flags, (mode_t)mode);
        }
    }
}
