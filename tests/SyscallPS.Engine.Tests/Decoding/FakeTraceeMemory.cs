using SyscallPS.Decoding;

namespace SyscallPS.Tests.Decoding;

/// <summary>Tracee memory made of byte arrays at chosen addresses; everything else is unmapped.</summary>
internal sealed class FakeTraceeMemory : ITraceeMemory
{
    private readonly List<(ulong Address, byte[] Data)> _regions = [];
    private ulong _next = 0x10000;

    public int Reads { get; private set; }

    /// <summary>Maps <paramref name="data"/> at <paramref name="address"/>.</summary>
    public ulong Map(ulong address, byte[] data)
    {
        _regions.Add((address, data));
        return address;
    }

    /// <summary>Places bytes at a fresh address (a gap of unmapped memory between placements).</summary>
    public ulong Put(byte[] data)
    {
        ulong at = _next;
        _next += (ulong)((data.Length + 0x1000 + 0xfff) & ~0xfff);
        return Map(at, data);
    }

    /// <summary>Places a NUL-terminated string.</summary>
    public ulong PutString(string s) => Put([.. System.Text.Encoding.UTF8.GetBytes(s), 0]);

    /// <summary>Places a struct's bytes.</summary>
    public ulong PutStruct<T>(T value)
        where T : unmanaged
    {
        var bytes = new byte[System.Runtime.CompilerServices.Unsafe.SizeOf<T>()];
        System.Runtime.InteropServices.MemoryMarshal.Write(bytes, in value);
        return Put(bytes);
    }

    /// <summary>Places 64-bit words.</summary>
    public ulong PutWords(params ulong[] words)
    {
        var bytes = new byte[words.Length * 8];
        for (int i = 0; i < words.Length; i++)
        {
            BitConverter.TryWriteBytes(bytes.AsSpan(i * 8), words[i]);
        }

        return Put(bytes);
    }

    /// <summary>Places 32-bit ints.</summary>
    public ulong PutInts(params int[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
        {
            BitConverter.TryWriteBytes(bytes.AsSpan(i * 4), values[i]);
        }

        return Put(bytes);
    }

    public int Read(ulong address, Span<byte> destination)
    {
        Reads++;
        foreach (var (start, data) in _regions)
        {
            if (address >= start && address < start + (ulong)data.Length)
            {
                int offset = (int)(address - start);
                int n = Math.Min(destination.Length, data.Length - offset);
                data.AsSpan(offset, n).CopyTo(destination);
                return n;
            }
        }

        return -1;
    }
}
