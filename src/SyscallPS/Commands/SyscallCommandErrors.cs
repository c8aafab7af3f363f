using System.Management.Automation;
using SyscallPS.Tracing;

namespace SyscallPS.Commands;

/// <summary>Turns engine errors into ErrorRecords for the syscall table and raw syscall cmdlets.</summary>
internal static class SyscallCommandErrors
{
    /// <summary>An ErrorRecord with the exception's stable id, the matching category and its hint as the recommended action.</summary>
    public static ErrorRecord From(TraceException e) =>
        Create(e, e.ErrorId, CategoryOf(e.Kind), e.Target, e.Hint);

    /// <summary>An ErrorRecord for a cmdlet-side error.</summary>
    public static ErrorRecord Create(Exception e, string errorId, ErrorCategory category, object? target, string hint) =>
        new(e, errorId, category, target)
        {
            ErrorDetails = new ErrorDetails(e.Message) { RecommendedAction = hint },
        };

    private static ErrorCategory CategoryOf(TraceErrorKind kind) => kind switch
    {
        TraceErrorKind.NotFound => ErrorCategory.ObjectNotFound,
        TraceErrorKind.PermissionDenied => ErrorCategory.PermissionDenied,
        TraceErrorKind.InvalidArgument => ErrorCategory.InvalidArgument,
        TraceErrorKind.NotSupported => ErrorCategory.NotImplemented,
        _ => ErrorCategory.InvalidOperation,
    };
}
