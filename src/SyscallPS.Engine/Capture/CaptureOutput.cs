namespace SyscallPS.Capture;

/// <summary>Where and how a trace writes its capture file (<c>Start-SyscallTrace -OutFile</c>).</summary>
/// <param name="Path">The capture file's full path.</param>
public sealed record CaptureOutput(string Path)
{
    /// <summary>Refuse to replace an existing file (Out-File's -NoClobber).</summary>
    public bool NoClobber { get; init; }

    /// <summary>Replace a read-only file, and follow a symbolic link at <see cref="Path"/> (Out-File's -Force).</summary>
    public bool Force { get; init; }

    /// <summary>
    /// Rotate: when a file would grow past this many bytes, go on in the next one (sysdig's -C). The files are
    /// numbered (<c>make.trace</c> → <c>make.0001.trace</c>, <c>make.0002.trace</c> ...). 0 for one file.
    /// </summary>
    public long MaximumFileSize { get; init; }

    /// <summary>With <see cref="MaximumFileSize"/>: keep at most this many files, deleting the oldest (sysdig's -W). 0 keeps all.</summary>
    public int MaximumFileCount { get; init; }
}
