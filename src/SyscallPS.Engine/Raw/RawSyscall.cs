using System.Runtime.InteropServices;
using SyscallPS.Tracing;
using Tmds.Linux;

namespace SyscallPS.Raw;

/// <summary>
/// Calls a system call directly, by name or number of the running machine, with up to six arguments.
/// Use <see cref="Prepare(string, IReadOnlyList{object?})"/> to resolve, marshal and check the request,
/// then <see cref="RawSyscallRequest.Invoke"/> to make the call.
/// </summary>
public static class RawSyscall
{
    /// <summary>The most arguments a Linux syscall takes.</summary>
    public const int MaxArguments = 6;

    // x86_64 entry truncates the number to 32 bits and treats bit 30 as the x32 ABI marker, so both are
    // stripped before the safety check; otherwise 0x40000000+60 would be exit under another name.
    private const long X32SyscallBit = 0x40000000;

    /// <summary>Resolves a syscall name of the running machine and marshals the arguments.</summary>
    /// <exception cref="TraceException">Unknown name (<c>UnknownSyscall</c>), too many arguments, or an argument that cannot be passed.</exception>
    public static RawSyscallRequest Prepare(string name, IReadOnlyList<object?> arguments)
    {
        ArgumentNullException.ThrowIfNull(name);
        var table = SyscallTable.Current;
        if (!table.TryGetByName(name.Trim(), out var info))
        {
            var similar = table.Match("*" + name.Trim() + "*").Take(5).Select(s => s.Name).ToList();
            throw new TraceException(
                "UnknownSyscall", TraceErrorKind.NotFound,
                $"There is no syscall named '{name}' on {table.Architecture}.",
                similar.Count > 0
                    ? $"Did you mean {string.Join(", ", similar)}? Get-SyscallInfo -Name '*{name.Trim()}*' lists the matches."
                    : "Get-SyscallInfo lists the syscalls of this machine; use -Number to call a number the table does not know.",
                name);
        }

        return Create(info.Name, info.Number, table, arguments);
    }

    /// <summary>Takes a syscall number of the running machine (known to the table or not) and marshals the arguments.</summary>
    /// <exception cref="TraceException">A negative or too large number (<c>SyscallNumberOutOfRange</c>), too many arguments, or an argument that cannot be passed.</exception>
    public static RawSyscallRequest Prepare(long number, IReadOnlyList<object?> arguments)
    {
        if (number < 0 || number > int.MaxValue)
        {
            throw new TraceException(
                "SyscallNumberOutOfRange", TraceErrorKind.InvalidArgument,
                $"{number} is not a syscall number.",
                "Syscall numbers are between 0 and 2147483647; Get-SyscallInfo shows the numbers of this machine.",
                number);
        }

        var table = SyscallTable.Current;
        return Create(table.NameOf(number), number, table, arguments);
    }

    private static RawSyscallRequest Create(string name, long number, SyscallTable table, IReadOnlyList<object?> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        if (arguments.Count > MaxArguments)
        {
            throw new TraceException(
                "TooManyArguments", TraceErrorKind.InvalidArgument,
                $"{name} was given {arguments.Count} arguments; a syscall takes at most {MaxArguments}.",
                "Pass at most six values to -ArgumentList.",
                arguments.Count);
        }

        // The name the kernel will act on, for the safety policy.
        long effective = number;
        if (table.Architecture == "x86_64")
        {
            effective &= ~X32SyscallBit;
        }

        string policyName = table.ByNumber(effective)?.Name ?? name;
        var marshaller = new RawArgumentMarshaller();
        try
        {
            var registers = marshaller.Marshal(arguments, name);
            var refusal = RawSyscallSafety.FindRefusal(policyName, registers);
            return new RawSyscallRequest(name, policyName, number, table.Architecture, arguments.ToArray(), registers, refusal, marshaller);
        }
        catch
        {
            marshaller.Dispose();
            throw;
        }
    }

    /// <summary>Makes the call. Not for refused requests unless the caller has chosen to force them.</summary>
    internal static unsafe RawSyscallResult Invoke(RawSyscallRequest request)
    {
        var r = new ulong[MaxArguments];
        request.RawArguments.CopyTo(r, 0);
        ssize_t ret = LibC.syscall(
            (void*)request.Number, (void*)r[0], (void*)r[1], (void*)r[2], (void*)r[3], (void*)r[4], (void*)r[5]);

        // libc's syscall() returns -1 and sets errno for the kernel's -4095..-1 results.
        long value = ret;
        int errno = value == -1 ? Marshal.GetLastPInvokeError() : 0;
        RawOwnership.Track(request.PolicyName, r, value);
        return new RawSyscallResult(request.Syscall, request.Number, request.Architecture, value, errno, request.Arguments, request.RawArguments);
    }
}

/// <summary>A resolved, marshalled raw syscall, ready to call; holds the argument memory until disposed.</summary>
public sealed class RawSyscallRequest : IDisposable
{
    private readonly RawArgumentMarshaller _marshaller;

    internal RawSyscallRequest(string syscall, string policyName, long number, string architecture, object?[] arguments, ulong[] rawArguments, RawSyscallRule? refusal, RawArgumentMarshaller marshaller)
    {
        Syscall = syscall;
        PolicyName = policyName;
        Number = number;
        Architecture = architecture;
        Arguments = arguments;
        RawArguments = rawArguments;
        Refusal = refusal;
        _marshaller = marshaller;
    }

    /// <summary>The syscall's name (<c>syscall_N</c> for an unknown number).</summary>
    public string Syscall { get; }

    /// <summary>The name the kernel acts on (x32 aliases resolved), which the safety policy and descriptor tracking use.</summary>
    internal string PolicyName { get; }

    /// <summary>The number to call.</summary>
    public long Number { get; }

    /// <summary>The running machine's architecture.</summary>
    public string Architecture { get; }

    /// <summary>The arguments as passed.</summary>
    internal object?[] Arguments { get; }

    /// <summary>The register values of the arguments.</summary>
    public ulong[] RawArguments { get; }

    /// <summary>The safety rule that refuses this call, or null when it is allowed.</summary>
    public RawSyscallRule? Refusal { get; }

    /// <summary>The call as text, e.g. <c>openat(0xffffffffffffff9c, 0x7f..., 0x0)</c>.</summary>
    public string Description => $"{Syscall}({string.Join(", ", RawArguments.Select(a => "0x" + a.ToString("x", System.Globalization.CultureInfo.InvariantCulture)))})";

    /// <summary>Makes the call; a failing syscall is a result with Errno set.</summary>
    /// <param name="force">Call even when <see cref="Refusal"/> is set.</param>
    /// <exception cref="TraceException"><c>SyscallRefused</c> when the policy refuses the call and <paramref name="force"/> is false.</exception>
    public RawSyscallResult Invoke(bool force = false)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Refusal != null && !force)
        {
            throw RefusedError();
        }

        return RawSyscall.Invoke(this);
    }

    /// <summary>The error for a refused call (<c>SyscallRefused</c>).</summary>
    public TraceException RefusedError() => new(
        "SyscallRefused", TraceErrorKind.PermissionDenied,
        $"{Syscall} is refused because it {Refusal?.Reason}.",
        "Use -Force only if you mean to risk the PowerShell process (e.g. in a throwaway child pwsh). Descriptors and memory that Invoke-RawSyscall returned in this process need no -Force.",
        Syscall);

    private bool _disposed;

    /// <summary>Frees the argument memory (strings, pins); SyscallBuffers stay with their owner.</summary>
    public void Dispose()
    {
        _disposed = true;
        _marshaller.Dispose();
    }
}
