namespace SyscallPS.Tracing;

/// <summary>Why a trace could not start or go on; maps onto PowerShell's ErrorCategory in the cmdlets.</summary>
public enum TraceErrorKind
{
    /// <summary>A program or process that does not exist.</summary>
    NotFound,

    /// <summary>The caller lacks the right (another user's process, no CAP_BPF ...).</summary>
    PermissionDenied,

    /// <summary>Parameters that do not go together or are malformed.</summary>
    InvalidArgument,

    /// <summary>The kernel or machine lacks a feature (no BTF, no libbpf ...).</summary>
    NotSupported,

    /// <summary>The engine failed while tracing.</summary>
    EngineFailure,

    /// <summary>Writing a file failed (disk full, I/O error).</summary>
    WriteError,

    /// <summary>A file that must not exist already does (-NoClobber).</summary>
    AlreadyExists,

    /// <summary>A file exists but cannot be read (a directory, a device, an I/O error).</summary>
    ReadError,

    /// <summary>A file's content is not what it should be (not a capture, or damaged).</summary>
    InvalidData,
}

/// <summary>A trace error with a stable id (for <c>$Error[0].FullyQualifiedErrorId</c>) and a hint saying what to do next.</summary>
public sealed class TraceException : Exception
{
    /// <summary>Creates a trace error.</summary>
    public TraceException(string errorId, TraceErrorKind kind, string message, string hint, object? target = null, Exception? inner = null)
        : base(message, inner)
    {
        ErrorId = errorId;
        Kind = kind;
        Hint = hint;
        Target = target;
    }

    /// <summary>The stable error id, e.g. <c>ProgramNotFound</c>.</summary>
    public string ErrorId { get; }

    /// <summary>The kind of error.</summary>
    public TraceErrorKind Kind { get; }

    /// <summary>What the user can do about it.</summary>
    public string Hint { get; }

    /// <summary>The object the error is about (the path, the pid).</summary>
    public object? Target { get; }
}
