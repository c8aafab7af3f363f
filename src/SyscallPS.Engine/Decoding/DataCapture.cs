using System.Buffers.Binary;

namespace SyscallPS.Decoding;

/// <summary>What kind of data transfer a syscall is, for data capture (sysdig's echo_fds).</summary>
public enum DataDirection
{
    /// <summary>The syscall moves no user data.</summary>
    None = 0,

    /// <summary>Data read from the descriptor into the process (read, recvfrom, readv …).</summary>
    Read,

    /// <summary>Data written by the process to the descriptor (write, sendto, writev …).</summary>
    Write,
}

/// <summary>Copies the bytes a read/write/send/recv-family syscall transferred, after it completed.</summary>
public static class DataCapture
{
    private enum Layout
    {
        None,
        Buffer,
        Iovec,
        Msghdr,
    }

    /// <summary>The direction of a syscall's data, by name.</summary>
    public static DataDirection DirectionOf(string? syscall) => Classify(syscall).Direction;

    private static (DataDirection Direction, Layout Layout) Classify(string? syscall) => syscall switch
    {
        "read" or "pread64" or "recvfrom" => (DataDirection.Read, Layout.Buffer),
        "write" or "pwrite64" or "sendto" => (DataDirection.Write, Layout.Buffer),
        "readv" or "preadv" or "preadv2" => (DataDirection.Read, Layout.Iovec),
        "writev" or "pwritev" or "pwritev2" => (DataDirection.Write, Layout.Iovec),
        "recvmsg" => (DataDirection.Read, Layout.Msghdr),
        "sendmsg" => (DataDirection.Write, Layout.Msghdr),
        _ => (DataDirection.None, Layout.None),
    };

    /// <summary>
    /// The bytes the syscall transferred (at most <paramref name="maxBytes"/>), read at its exit; null when the
    /// syscall moves no data, failed, or the memory could not be read.
    /// </summary>
    /// <param name="state">The decode state of the completed syscall.</param>
    /// <param name="rawReturn">The raw return value (bytes transferred, or a negative errno).</param>
    /// <param name="memory">The tracee's memory at exit.</param>
    /// <param name="maxBytes">The capture limit (-DataSize).</param>
    public static byte[]? Capture(SyscallDecodeState state, long rawReturn, ITraceeMemory memory, int maxBytes)
    {
        var (direction, layout) = Classify(state.Info?.Name);
        if (direction == DataDirection.None || rawReturn <= 0 || maxBytes <= 0)
        {
            return null;
        }

        int want = (int)Math.Min(rawReturn, maxBytes);
        switch (layout)
        {
            case Layout.Buffer:
            {
                var data = new byte[want];
                return TraceeReader.TryRead(memory, state.Args[1], data) ? data : null;
            }

            case Layout.Iovec:
                return Gather(memory, state.Args[1], state.Args[2], want);
            case Layout.Msghdr:
            {
                Span<byte> h = stackalloc byte[32];
                if (!TraceeReader.TryRead(memory, state.Args[1], h))
                {
                    return null;
                }

                return Gather(memory, BinaryPrimitives.ReadUInt64LittleEndian(h[16..]), BinaryPrimitives.ReadUInt64LittleEndian(h[24..]), want);
            }

            default:
                return null;
        }
    }

    private static byte[]? Gather(ITraceeMemory memory, ulong iov, ulong count, int want)
    {
        var data = new byte[want];
        int got = 0;
        Span<byte> entry = stackalloc byte[16];
        for (ulong i = 0; i < count && got < want; i++)
        {
            if (!TraceeReader.TryRead(memory, iov + (i * 16), entry))
            {
                break;
            }

            ulong baseAddr = BinaryPrimitives.ReadUInt64LittleEndian(entry);
            int len = (int)Math.Min(BinaryPrimitives.ReadUInt64LittleEndian(entry[8..]), (ulong)(want - got));
            if (len > 0 && !TraceeReader.TryRead(memory, baseAddr, data.AsSpan(got, len)))
            {
                break;
            }

            got += len;
        }

        return got == 0 ? null : got == want ? data : data[..got];
    }

    /// <summary>The printable form of captured bytes: strace's escapes, without quotes.</summary>
    public static string ToText(ReadOnlySpan<byte> data) => StraceText.Printable(data);
}
