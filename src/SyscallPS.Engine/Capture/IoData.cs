using System.Collections;
using System.Text;

namespace SyscallPS.Capture;

/// <summary>
/// Bytes a read/write-family syscall moved (<c>-CaptureData</c>, sysdig's echo_fds). Prints as printable text,
/// enumerates as bytes, so CSV cells and JSON stay readable.
/// </summary>
public sealed class IoData : IReadOnlyList<byte>
{
    private readonly byte[] _bytes;

    /// <summary>Wraps captured bytes.</summary>
    public IoData(byte[] bytes, long total)
    {
        _bytes = bytes;
        TotalLength = total;
    }

    /// <summary>The captured bytes (at most -DataSize of them).</summary>
    public byte[] Bytes => _bytes;

    /// <summary>How many bytes the syscall moved in all (more than <see cref="Count"/> when cut at -DataSize).</summary>
    public long TotalLength { get; }

    /// <summary>True when the data was cut at -DataSize.</summary>
    public bool Truncated => TotalLength > _bytes.Length;

    /// <inheritdoc />
    public int Count => _bytes.Length;

    /// <inheritdoc />
    public byte this[int index] => _bytes[index];

    /// <summary>The bytes as text: printable ASCII, tabs and newlines kept, anything else shown as '.'.</summary>
    public string Text
    {
        get
        {
            var sb = new StringBuilder(_bytes.Length);
            foreach (var b in _bytes)
            {
                sb.Append(b is >= 0x20 and < 0x7f or (byte)'\n' or (byte)'\t' or (byte)'\r' ? (char)b : '.');
            }

            return sb.ToString();
        }
    }

    /// <summary>The bytes in hexadecimal.</summary>
    public string Hex => Convert.ToHexString(_bytes).ToLowerInvariant();

    /// <inheritdoc />
    public IEnumerator<byte> GetEnumerator() => ((IEnumerable<byte>)_bytes).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _bytes.GetEnumerator();

    /// <summary>The bytes in hexadecimal (<see cref="Hex"/>): what Export-Csv writes, so the bytes survive the round trip; <see cref="Text"/> is for reading.</summary>
    public override string ToString() => Hex;
}

/// <summary>
/// Reads the bytes a data-moving syscall moved (<c>-CaptureData</c>): reads capture the bytes the kernel returned,
/// writes the bytes handed to it; both at exit, for the returned byte count. Which syscalls move data, and where
/// their buffer is, comes from their declared effects (<see cref="SyscallInfo.DataArgument"/>, <see cref="SyscallInfo.DataShape"/>).
/// </summary>
public static class IoDataCapture
{
    /// <summary>Reads up to <paramref name="limit"/> of the <paramref name="returned"/> bytes the call moved, or null.</summary>
    public static IoData? Capture(SyscallInfo syscall, ReadOnlySpan<ulong> args, long returned, Decoding.ITraceeMemory memory, int limit)
    {
        if (returned <= 0 || limit <= 0 || syscall.DataShape == DataShape.None)
        {
            return null;
        }

        int want = (int)Math.Min(returned, limit);
        var data = new byte[want];
        int argument = syscall.DataArgument;
        int got = syscall.DataShape switch
        {
            DataShape.Plain => memory.Read(args[argument], data),
            DataShape.IoVec => Gather(args[argument], args[argument + 1], data, memory),
            _ => GatherMsgHdr(args[argument], data, memory),
        };
        if (got <= 0)
        {
            return null;
        }

        return new IoData(got == want ? data : data[..got], returned);
    }
    // struct msghdr (64-bit): msg_name @0, msg_namelen @8, msg_iov @16, msg_iovlen @24.
    private static int GatherMsgHdr(ulong msghdr, byte[] into, Decoding.ITraceeMemory memory)
    {
        Span<byte> header = stackalloc byte[32];
        if (memory.Read(msghdr, header) < 32)
        {
            return -1;
        }

        return Gather(BitConverter.ToUInt64(header[16..]), BitConverter.ToUInt64(header[24..]), into, memory);
    }

    // struct iovec (64-bit): iov_base @0, iov_len @8.
    private static int Gather(ulong iov, ulong count, byte[] into, Decoding.ITraceeMemory memory)
    {
        int filled = 0;
        Span<byte> vec = stackalloc byte[16];
        for (ulong i = 0; i < Math.Min(count, 1024UL) && filled < into.Length; i++)
        {
            if (memory.Read(iov + i * 16, vec) < 16)
            {
                break;
            }

            ulong baseAddress = BitConverter.ToUInt64(vec);
            int length = (int)Math.Min(BitConverter.ToUInt64(vec[8..]), (ulong)(into.Length - filled));
            if (length == 0)
            {
                continue;
            }

            int n = memory.Read(baseAddress, into.AsSpan(filled, length));
            if (n <= 0)
            {
                break;
            }

            filled += n;
        }

        return filled;
    }
}
