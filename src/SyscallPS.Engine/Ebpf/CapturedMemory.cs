using SyscallPS.Decoding;

namespace SyscallPS.Ebpf;

/// <summary>
/// The tracee memory as the kernel program copied it: serves reads inside the copied ranges (output
/// buffers from the exit record first, then inputs from the entry record) and -1 for anything else.
/// A value the kernel updates (timeouts, fd_sets, address lengths) is copied twice: <see cref="AtEntry"/>
/// picks which copy answers first.
/// </summary>
internal sealed class CapturedMemory : ITraceeMemory
{
    private readonly List<(ulong Address, int Offset, int Length, bool Entry)> _ranges = new(8);
    private byte[] _bytes = new byte[4096];
    private int _used;

    /// <summary>Forgets every range.</summary>
    public void Clear()
    {
        _ranges.Clear();
        _used = 0;
    }

    /// <summary>True while the entry is decoded: entry-time copies answer before exit-time ones.</summary>
    public bool AtEntry { get; set; }

    /// <summary>Adds the blobs that follow a record's head (up to the record's end), copied at exit unless <paramref name="entry"/>.</summary>
    public void AddBlobs(ReadOnlySpan<byte> record, bool entry = false)
    {
        int off = EbpfRecord.HeaderSize;
        while (off + EbpfBlob.HeaderSize <= record.Length)
        {
            ulong address = BitConverter.ToUInt64(record[off..]);
            int length = (int)BitConverter.ToUInt32(record[(off + 8)..]);
            int data = off + EbpfBlob.HeaderSize;
            if (length < 0 || data + length > record.Length)
            {
                break;
            }

            // An execve's strings from the new stack do not stand at the addresses the caller used (see
            // EbpfEventDecoder.AddExecStrings).
            if (BitConverter.ToUInt32(record[(off + 12)..]) < EbpfBlob.ExecArgvStrings)
            {
                Add(address, record.Slice(data, length), entry);
            }

            off = data + ((length + 7) & ~7);
        }
    }

    /// <summary>Adds one copied range.</summary>
    public void Add(ulong address, ReadOnlySpan<byte> bytes, bool entry = false)
    {
        if (_used + bytes.Length > _bytes.Length)
        {
            Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _used + bytes.Length));
        }

        bytes.CopyTo(_bytes.AsSpan(_used));
        _ranges.Add((address, _used, bytes.Length, entry));
        _used += bytes.Length;
    }

    /// <inheritdoc />
    public int Read(ulong address, Span<byte> destination)
    {
        int n = Read(address, destination, AtEntry);
        return n >= 0 ? n : Read(address, destination, !AtEntry);
    }

    private int Read(ulong address, Span<byte> destination, bool entry)
    {
        // Ranges may overlap (execve's argv and envp can be one array, copied to different lengths): the one
        // that holds the most bytes from the address answers.
        int best = -1, bestAt = 0;
        foreach (var (start, offset, length, isEntry) in _ranges)
        {
            if (isEntry == entry && address >= start && address - start < (ulong)length)
            {
                int skip = (int)(address - start);
                int n = Math.Min(destination.Length, length - skip);
                if (n > best)
                {
                    best = n;
                    bestAt = offset + skip;
                }
            }
        }

        if (best > 0)
        {
            _bytes.AsSpan(bestAt, best).CopyTo(destination);
        }

        return best;
    }
}
