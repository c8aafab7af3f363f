namespace SyscallPS.Capture;

/// <summary>Where and how a trace writes its capture file (<c>Start-SyscallTrace -OutFile</c>).</summary>
/// <param name="Path">The capture file's full path.</param>
public sealed record CaptureOutput(string Path)
{
    /// <summary>Refuse to replace an existing file (Out-File's -NoClobber).</summary>
    public bool NoClobber { get; init; }

    /// <summary>Replace a read-only file, and follow a symbolic link at <see cref="Path"/> (Out-File's -Force).</summary>
    public bool Force { get; init; }
}
