using System.Globalization;
using SyscallPS.Decoding.Tables;

namespace SyscallPS.Raw;

/// <summary>What a raw syscall returned. A failing syscall is a result with <see cref="Errno"/> set, not an exception.</summary>
public sealed class RawSyscallResult
{
    internal RawSyscallResult(string syscall, long number, string architecture, long returnValue, int errorNumber, object?[] arguments, ulong[] rawArguments)
    {
        Syscall = syscall;
        Number = number;
        Architecture = architecture;
        ReturnValue = returnValue;
        ErrorNumber = errorNumber;
        Arguments = arguments;
        RawArguments = rawArguments;
        if (errorNumber != 0)
        {
            Errno = ErrnoTable.NameOf(errorNumber) ?? "errno " + errorNumber.ToString(CultureInfo.InvariantCulture);
            ErrorMessage = ErrnoTable.MessageOf(errorNumber);
        }
    }

    /// <summary>The syscall's name (<c>syscall_N</c> for a number the table does not know).</summary>
    public string Syscall { get; }

    /// <summary>The syscall number that was called.</summary>
    public long Number { get; }

    /// <summary>The architecture whose numbering was used.</summary>
    public string Architecture { get; }

    /// <summary>What C's <c>syscall()</c> returned: the result, or -1 when the call failed.</summary>
    public long ReturnValue { get; }

    /// <summary>True when the call did not fail.</summary>
    public bool Succeeded => ErrorNumber == 0;

    /// <summary>The errno value of a failed call; 0 on success.</summary>
    public int ErrorNumber { get; }

    /// <summary>The errno name of a failed call (<c>ENOENT</c>); null on success.</summary>
    public string? Errno { get; }

    /// <summary>The C library's message for the errno (<c>No such file or directory</c>); null on success.</summary>
    public string? ErrorMessage { get; }

    /// <summary>The arguments as the caller passed them (buffers stay readable after the call).</summary>
    public IReadOnlyList<object?> Arguments { get; }

    /// <summary>The register values the kernel received for the passed arguments (the remaining registers are 0).</summary>
    public IReadOnlyList<ulong> RawArguments { get; }

    /// <inheritdoc />
    public override string ToString() => Succeeded ? $"{Syscall} = {ReturnValue}" : $"{Syscall} = -1 {Errno} ({ErrorMessage})";
}
