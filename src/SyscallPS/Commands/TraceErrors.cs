using System.Management.Automation;
using SyscallPS.Tracing;

namespace SyscallPS.Commands;

/// <summary>Turns engine errors into ErrorRecords with stable ids, the right category and a hint: the one mapper of every cmdlet.</summary>
internal static class TraceErrors
{
    internal static ErrorCategory CategoryOf(TraceErrorKind kind) => kind switch
    {
        TraceErrorKind.NotFound => ErrorCategory.ObjectNotFound,
        TraceErrorKind.PermissionDenied => ErrorCategory.PermissionDenied,
        TraceErrorKind.InvalidArgument => ErrorCategory.InvalidArgument,
        TraceErrorKind.NotSupported => ErrorCategory.NotImplemented,
        TraceErrorKind.WriteError => ErrorCategory.WriteError,
        TraceErrorKind.AlreadyExists => ErrorCategory.ResourceExists,
        TraceErrorKind.ReadError => ErrorCategory.ReadError,
        TraceErrorKind.InvalidData => ErrorCategory.InvalidData,
        _ => ErrorCategory.InvalidOperation,
    };

    internal static ErrorRecord From(TraceException ex) =>
        new(ex, ex.ErrorId, CategoryOf(ex.Kind), ex.Target)
        {
            ErrorDetails = new ErrorDetails(ex.Message) { RecommendedAction = ex.Hint },
        };

    internal static ErrorRecord Create(string errorId, ErrorCategory category, string message, string hint, object? target) =>
        new(new InvalidOperationException(message), errorId, category, target)
        {
            ErrorDetails = new ErrorDetails(message) { RecommendedAction = hint },
        };
}
