namespace SyscallPS.Decoding;

/// <summary>
/// Read access to a traced process's memory. The ptrace engine reads live (process_vm_readv while the
/// tracee is stopped); the eBPF engine serves the bytes its kernel program copied at entry or exit.
/// </summary>
public interface ITraceeMemory
{
    /// <summary>Copies up to <c>destination.Length</c> bytes from <paramref name="address"/>.</summary>
    /// <returns>The number of bytes read (possibly fewer at an unmapped page), or -1 when nothing could be read.</returns>
    int Read(ulong address, Span<byte> destination);
}

/// <summary>How much the decoders print.</summary>
public sealed class DecodeOptions
{
    /// <summary>Default options: strings cut at 32 bytes, symbolic decoding on.</summary>
    public static readonly DecodeOptions Default = new();

    /// <summary>The largest <see cref="StringLimit"/> honoured: 1 MiB per string keeps a hostile value from exhausting memory.</summary>
    public const int MaxStringLimit = 1 << 20;

    private readonly int _stringLimit = 32;

    /// <summary>
    /// Maximum bytes of a string or buffer to print, and elements of an array (strace -s); default 32.
    /// Negative values count as 0, values above <see cref="MaxStringLimit"/> as that.
    /// </summary>
    public int StringLimit
    {
        get => _stringLimit;
        init => _stringLimit = Math.Clamp(value, 0, MaxStringLimit);
    }

    /// <summary>Print raw numbers instead of symbolic names (strace -X raw / -e raw=all).</summary>
    public bool Raw { get; init; }
}
