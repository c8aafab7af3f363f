using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace SyscallPS.Decoding;

/// <summary>Prints bytes read from the tracee (<see cref="TraceeReader.BytesOrAddress"/>).</summary>
internal delegate string BytesPrinter(ReadOnlySpan<byte> bytes);

/// <summary>Reads strings, buffers and structures from tracee memory; every failure is reported, never thrown.</summary>
internal static class TraceeReader
{
    /// <summary>PATH_MAX: strace prints paths whole, up to this.</summary>
    public const int PathMax = 4096;

    /// <summary>Reads exactly <c>destination.Length</c> bytes.</summary>
    public static bool TryRead(ITraceeMemory memory, ulong address, Span<byte> destination)
    {
        if (address == 0)
        {
            return false;
        }

        return memory.Read(address, destination) == destination.Length;
    }

    /// <summary>Reads one unmanaged value.</summary>
    public static bool TryRead<T>(ITraceeMemory memory, ulong address, out T value)
        where T : unmanaged
    {
        value = default;
        return TryRead(memory, address, MemoryMarshal.AsBytes(new Span<T>(ref value)));
    }

    /// <summary>
    /// strace's <c>umove_or_printaddr</c>: the struct at <paramref name="address"/> printed by <paramref name="print"/>,
    /// or the address (<c>NULL</c>, <c>0x…</c>) when the call failed or the struct is not wholly readable.
    /// </summary>
    public static string StructOrAddress<T>(ITraceeMemory memory, ulong address, Func<T, string> print, bool failed = false)
        where T : unmanaged =>
        !failed && TryRead(memory, address, out T value) ? print(value) : StraceText.Pointer(address);

    /// <summary>
    /// strace's <c>umoven_or_printaddr</c>: <paramref name="length"/> bytes at <paramref name="address"/> printed by
    /// <paramref name="print"/>, or the address when the call failed or the bytes are not all readable.
    /// </summary>
    public static string BytesOrAddress(ITraceeMemory memory, ulong address, int length, BytesPrinter print, bool failed = false)
    {
        if (failed || address == 0)
        {
            return StraceText.Pointer(address);
        }

        Span<byte> bytes = length <= 1024 ? stackalloc byte[length] : new byte[length];
        return TryRead(memory, address, bytes) ? print(bytes) : StraceText.Pointer(address);
    }

    /// <summary>Reads an int at an address.</summary>
    public static bool TryReadInt(ITraceeMemory memory, ulong address, out int value) => TryRead(memory, address, out value);

    /// <summary>Reads a NUL-terminated string of at most <paramref name="max"/> bytes (not counting the NUL).</summary>
    /// <param name="memory">The tracee.</param>
    /// <param name="address">The string's address.</param>
    /// <param name="max">How many bytes to look at.</param>
    /// <param name="buffer">Receives the bytes; its length must be at least <paramref name="max"/> + 1.</param>
    /// <param name="length">The string's length (up to <paramref name="max"/>).</param>
    /// <param name="terminated">True when the NUL was found within <paramref name="max"/> bytes.</param>
    /// <returns>False when the memory could not be read before a NUL or the limit.</returns>
    public static bool TryReadCString(ITraceeMemory memory, ulong address, int max, Span<byte> buffer, out int length, out bool terminated)
    {
        length = 0;
        terminated = false;
        if (address == 0)
        {
            return false;
        }

        int want = max + 1;
        int got = 0;
        const int Chunk = 256;
        while (got < want)
        {
            int n = Math.Min(Chunk, want - got);

            // Do not read across a page boundary in one go so a string ending just before an unmapped page still reads.
            ulong addr = address + (ulong)got;
            int toPage = (int)(4096 - (addr & 4095));
            n = Math.Min(n, toPage);
            int r = memory.Read(addr, buffer.Slice(got, n));
            if (r <= 0)
            {
                return false;
            }

            int nul = buffer.Slice(got, r).IndexOf((byte)0);
            if (nul >= 0)
            {
                length = got + nul;
                terminated = length <= max;
                if (length > max)
                {
                    length = max;
                }

                return true;
            }

            got += r;
            if (r < n)
            {
                return false;
            }
        }

        length = max;
        return true;
    }

    /// <summary>Reads a path (whole, up to PATH_MAX) as a .NET string; null when unreadable.</summary>
    public static string? ReadPath(ITraceeMemory memory, ulong address)
    {
        if (address == 0)
        {
            return null;
        }

        Span<byte> small = stackalloc byte[257];
        if (TryReadCString(memory, address, 256, small, out int len, out bool term) && term)
        {
            return Encoding.UTF8.GetString(small[..len]);
        }

        var big = new byte[PathMax + 1];
        if (TryReadCString(memory, address, PathMax, big, out len, out _))
        {
            return Encoding.UTF8.GetString(big, 0, len);
        }

        return null;
    }

    /// <summary>Appends a path argument quoted (whole), or the address when unreadable. Returns the path.</summary>
    public static string? AppendPath(StringBuilder sb, ITraceeMemory memory, ulong address)
    {
        if (address == 0)
        {
            sb.Append("NULL");
            return null;
        }

        Span<byte> small = stackalloc byte[257];
        if (TryReadCString(memory, address, 256, small, out int len, out bool term) && term)
        {
            StraceText.AppendQuoted(sb, small[..len]);
            return Encoding.UTF8.GetString(small[..len]);
        }

        // PATH_MAX counts the NUL: strace prints at most 4095 bytes of a path, then "...".
        var big = new byte[PathMax];
        if (TryReadCString(memory, address, PathMax - 1, big, out len, out term))
        {
            StraceText.AppendQuoted(sb, big.AsSpan(0, len));
            if (!term)
            {
                sb.Append("...");
            }

            return Encoding.UTF8.GetString(big, 0, len);
        }

        sb.AppendPointer(address);
        return null;
    }

    /// <summary>Appends a NUL-terminated string cut at the -s limit (<c>"abc"...</c>), or the address.</summary>
    public static void AppendString(StringBuilder sb, ITraceeMemory memory, ulong address, int limit)
    {
        if (address == 0)
        {
            sb.Append("NULL");
            return;
        }

        byte[]? rented = null;
        Span<byte> buf = limit + 1 <= 512 ? stackalloc byte[limit + 1] : (rented = new byte[limit + 1]);
        if (!TryReadCString(memory, address, limit, buf, out int len, out bool term))
        {
            sb.AppendPointer(address);
            return;
        }

        StraceText.AppendQuoted(sb, buf[..len]);
        if (!term)
        {
            sb.Append("...");
        }

        GC.KeepAlive(rented);
    }

    /// <summary>Appends a counted buffer (read/write data) cut at the -s limit, or the address when unreadable.</summary>
    public static void AppendBuffer(StringBuilder sb, ITraceeMemory memory, ulong address, ulong length, int limit, bool hex = false)
    {
        int n = (int)Math.Min(length, (ulong)limit);
        if (address == 0)
        {
            sb.Append("NULL");
            return;
        }

        if (n == 0)
        {
            sb.Append("\"\"");
            if (length > 0)
            {
                sb.Append("...");
            }

            return;
        }

        byte[]? rented = null;
        Span<byte> buf = n <= 512 ? stackalloc byte[n] : (rented = new byte[n]);
        if (!TryRead(memory, address, buf))
        {
            sb.AppendPointer(address);
            return;
        }

        StraceText.AppendQuoted(sb, buf, hex);
        if (length > (ulong)limit)
        {
            sb.Append("...");
        }

        GC.KeepAlive(rented);
    }

    /// <summary>Reinterprets bytes as an unmanaged struct (little-endian host layout).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T As<T>(ReadOnlySpan<byte> bytes)
        where T : unmanaged => MemoryMarshal.Read<T>(bytes);

    /// <summary>
    /// The struct whose first bytes are <paramref name="bytes"/> (as many as fit) and the rest zero: a struct the
    /// caller gave a shorter length for, such as a sockaddr cut by its addrlen.
    /// </summary>
    public static T Prefix<T>(ReadOnlySpan<byte> bytes)
        where T : unmanaged
    {
        T value = default;
        var destination = MemoryMarshal.AsBytes(new Span<T>(ref value));
        bytes[..Math.Min(bytes.Length, destination.Length)].CopyTo(destination);
        return value;
    }
}
