using System.Buffers.Binary;
using System.Runtime.ExceptionServices;
using System.Text.Json;
using SyscallPS.Tracing;

namespace SyscallPS.Capture;

/// <summary>A damaged part of a capture that was skipped: a warning, the events around it are read.</summary>
/// <param name="ErrorId">CaptureBlockDamaged (a block failed its checksum or could not be decoded) or CaptureTruncated (the file ends inside a block).</param>
/// <param name="Path">The file.</param>
/// <param name="Offset">The byte offset where the damage starts.</param>
/// <param name="Message">What was skipped.</param>
public sealed record CaptureWarning(string ErrorId, string Path, long Offset, string Message);

/// <summary>
/// Reads a capture file of either version: v2 block files (<see cref="CaptureSchema"/>) and v1 JSON Lines. A v2
/// block that fails its CRC32C, or does not decompress or decode, is reported through the warning callback with
/// its offset and skipped whole, and reading goes on at the next intact block; its events are never returned.
/// </summary>
public sealed class CaptureReader : IDisposable
{
    /// <summary>Files from this size on are decoded on a thread of their own (see <see cref="Prefetched"/>).</summary>
    private const long PrefetchBytes = 64 << 10;

    private readonly FileStream _stream;
    private readonly long _dataStart;
    private long _position;

    private CaptureReader(string path, FileStream stream, CaptureHeader header, long dataStart)
    {
        Path = path;
        _stream = stream;
        Header = header;
        _dataStart = dataStart;
        _position = dataStart;
        Length = stream.Length;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>What the file says about itself.</summary>
    public CaptureHeader Header { get; }

    /// <summary>The file's size in bytes.</summary>
    public long Length { get; }

    /// <summary>Bytes read so far (for progress).</summary>
    public long Position => Header.Version == 1 ? _stream.Position : Interlocked.Read(ref _position);

    /// <summary>Opens a capture file and reads its header.</summary>
    /// <exception cref="TraceException">CaptureNotFound, CaptureNotReadable, or InvalidCaptureFile (not a capture, an unknown version, a damaged header).</exception>
    public static CaptureReader Open(string path)
    {
        var stream = CaptureFileAccess.OpenForReading(path);
        try
        {
            Span<byte> start = stackalloc byte[12];
            int got = Read(stream, path, 0, start);
            if (got >= 8 && start[..8].SequenceEqual(CaptureSchema.Magic))
            {
                var (header, end) = ReadV2Header(stream, path, start[..got]);
                return new CaptureReader(path, stream, header, end);
            }

            if (got > 0 && start[0] == (byte)'{')
            {
                return new CaptureReader(path, stream, CaptureFile.ReadHeader(stream, path), 0);
            }

            throw CaptureFile.Invalid(path, $"'{path}' is not a SyscallPS capture file (it starts with neither the version 2 magic nor a version 1 header line).");
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The events of the file that <paramref name="filter"/> keeps, in order. Damaged v2 blocks go to
    /// <paramref name="warn"/> (on the enumerating thread) and are skipped.
    /// </summary>
    /// <exception cref="TraceException">CaptureNotReadable (an I/O error); for v1, InvalidCaptureFile at a damaged line.</exception>
    public IEnumerable<SyscallEvent> ReadEvents(EventFilter? filter = null, Action<CaptureWarning>? warn = null)
    {
        if (Header.Version == 1)
        {
            return ReadVersion1(filter);
        }

        // A thread pays off only over many blocks; a small file is read on the caller's thread. No iterator of its
        // own here: every layer of them costs each event a call.
        var items = DecodeBlocks(filter);
        return Length - _dataStart >= PrefetchBytes ? Prefetched(items, warn) : Inline(items, warn);
    }

    /// <inheritdoc />
    public void Dispose() => _stream.Dispose();

    private IEnumerable<SyscallEvent> ReadVersion1(EventFilter? filter)
    {
        foreach (var e in CaptureFile.ReadEvents(_stream, Path))
        {
            if (filter is null || filter.Matches(e))
            {
                yield return e;
            }
        }
    }

    private static IEnumerable<SyscallEvent> Inline(IEnumerable<object> items, Action<CaptureWarning>? warn)
    {
        foreach (var item in items)
        {
            if (EventOrWarn(item, warn) is { } e)
            {
                yield return e;
            }
        }
    }

    /// <summary>An item of <see cref="DecodeBlocks"/>: the event, or null once a warning went to <paramref name="warn"/>.</summary>
    private static SyscallEvent? EventOrWarn(object item, Action<CaptureWarning>? warn)
    {
        if (item is SyscallEvent e)
        {
            return e;
        }

        warn?.Invoke((CaptureWarning)item);
        return null;
    }

    /// <summary>
    /// Runs <paramref name="items"/> (events and warnings, in file order) on a thread of its own, a few batches
    /// ahead, so that decompressing and decoding overlap with the consumer's pipeline; warnings and errors reach
    /// the consumer in order, on its thread. Abandoning the enumeration stops the thread.
    /// </summary>
    private static IEnumerable<SyscallEvent> Prefetched(IEnumerable<object> items, Action<CaptureWarning>? warn)
    {
        // Small batches: every event queued here when a garbage collection comes is copied into an older generation,
        // so the fewer wait here, the fewer collections reach gen1.
        const int BatchSize = 256;
        var handoff = new Handoff(capacity: 4);
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            var batch = new List<object>(BatchSize);
            try
            {
                foreach (var item in items)
                {
                    batch.Add(item);
                    if (batch.Count == BatchSize)
                    {
                        if (!handoff.Add(batch.ToArray()))
                        {
                            return;
                        }

                        batch.Clear();
                    }
                }

                handoff.Add(batch.ToArray());
            }
            catch (Exception ex)
            {
                // The events read before the error come first, as when the file is read inline.
                failure = ExceptionDispatchInfo.Capture(ex);
                handoff.Add(batch.ToArray());
            }
            finally
            {
                handoff.Complete();
            }
        })
        { IsBackground = true, Name = "SyscallPS capture reader" };
        thread.Start();
        try
        {
            while (handoff.TryTake(out var batch))
            {
                foreach (var item in batch)
                {
                    if (EventOrWarn(item, warn) is { } e)
                    {
                        yield return e;
                    }
                }
            }

            failure?.Throw();
        }
        finally
        {
            handoff.Stop();
            thread.Join();
        }
    }

    /// <summary>The events of the v2 blocks that <paramref name="filter"/> keeps and, in their place, warnings for the damaged ones.</summary>
    private IEnumerable<object> DecodeBlocks(EventFilter? filter)
    {
        BlockDecoder decoder;
        try
        {
            decoder = new BlockDecoder(Header.Fields ?? [], filter, Header.HostName);
        }
        catch (InvalidDataException ex)
        {
            throw CaptureFile.Invalid(Path, $"'{Path}': {ex.Message}", ex);
        }

        using var decompressor = new ZstdSharp.Decompressor();
        var header = new byte[CaptureSchema.BlockHeaderSize];
        byte[] payload = [];
        byte[] raw = [];
        long offset = _dataStart;
        long damagedAt = -1;
        bool endsInsideBlock = false;
        while (offset < Length)
        {
            long blockStart = offset;
            int rawLength = -1;
            bool claimsPastEnd = false;
            int got = Read(_stream, Path, offset, header);
            if (got == CaptureSchema.BlockHeaderSize && BinaryPrimitives.ReadUInt32LittleEndian(header) == CaptureSchema.BlockMagic)
            {
                int payloadLength = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(4));
                int candidateRaw = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(8));
                claimsPastEnd = payloadLength > Length - offset - CaptureSchema.BlockHeaderSize;
                if (payloadLength >= 0 && payloadLength <= Length - offset - CaptureSchema.BlockHeaderSize && candidateRaw is >= 0 and <= CaptureSchema.MaxRawBlock)
                {
                    if (payload.Length < payloadLength)
                    {
                        payload = new byte[Math.Max(payloadLength, payload.Length * 2)];
                    }

                    var body = payload.AsSpan(0, payloadLength);
                    if (Read(_stream, Path, offset + CaptureSchema.BlockHeaderSize, body) == payloadLength
                        && CaptureSchema.BlockCrc(header, body) == BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(16)))
                    {
                        if (raw.Length < candidateRaw)
                        {
                            raw = new byte[Math.Max(candidateRaw, raw.Length * 2)];
                        }

                        rawLength = Decompress(decompressor, body, raw, candidateRaw);
                        if (rawLength >= 0)
                        {
                            if (damagedAt >= 0)
                            {
                                yield return Damaged(damagedAt, offset);
                                damagedAt = -1;
                            }

                            offset += CaptureSchema.BlockHeaderSize + payloadLength;
                        }
                    }
                }
            }

            if (rawLength < 0)
            {
                // Not an intact block here: remember where the damage began and look for the next block's magic.
                if (damagedAt < 0)
                {
                    damagedAt = offset;
                    endsInsideBlock = claimsPastEnd || got < CaptureSchema.BlockHeaderSize;
                }

                offset = FindBlockMagic(offset + 1);
                continue;
            }

            Interlocked.Exchange(ref _position, offset);
            string? undecodable = null;
            try
            {
                decoder.Start(raw, rawLength);
            }
            catch (Exception ex) when (ex is InvalidDataException or OverflowException or ArgumentException)
            {
                undecodable = ex.Message;
            }

            while (undecodable is null)
            {
                SyscallEvent? e = null;
                try
                {
                    if (!decoder.TryNext(out e))
                    {
                        break;
                    }
                }
                catch (Exception ex) when (ex is InvalidDataException or OverflowException or ArgumentException)
                {
                    undecodable = ex.Message;
                    break;
                }

                yield return e!;
            }

            if (undecodable is not null)
            {
                // The checksum held, so the writer made this block wrong: the rest of it is skipped.
                yield return new CaptureWarning("CaptureBlockDamaged", Path, blockStart,
                    $"'{Path}': the block at byte {blockStart} passed its checksum but could not be decoded ({undecodable}); its remaining events were skipped.");
            }
        }

        if (damagedAt >= 0)
        {
            yield return endsInsideBlock
                ? new CaptureWarning("CaptureTruncated", Path, damagedAt,
                    $"'{Path}' ends inside the block at byte {damagedAt} (a recording that did not finish); the {Length - damagedAt} bytes from there were skipped.")
                : Damaged(damagedAt, Length);
        }

        Interlocked.Exchange(ref _position, Length);
    }

    private CaptureWarning Damaged(long from, long to) =>
        new("CaptureBlockDamaged", Path, from, $"'{Path}' is damaged at byte {from}: {to - from} bytes up to the next intact block were skipped, with the events they held.");

    private static int Decompress(ZstdSharp.Decompressor decompressor, ReadOnlySpan<byte> body, byte[] raw, int rawLength)
    {
        try
        {
            return decompressor.Unwrap(body, raw.AsSpan(0, rawLength)) == rawLength ? rawLength : -1;
        }
        catch (ZstdSharp.ZstdException)
        {
            return -1;
        }
    }

    /// <summary>The offset of the next block magic at or after <paramref name="from"/>, or the file's length.</summary>
    private long FindBlockMagic(long from)
    {
        var chunk = new byte[64 << 10];
        Span<byte> magic = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(magic, CaptureSchema.BlockMagic);
        while (from < Length)
        {
            int got = Read(_stream, Path, from, chunk);
            int at = chunk.AsSpan(0, got).IndexOf(magic);
            if (at >= 0)
            {
                return from + at;
            }

            // Keep three bytes of overlap so a magic across two chunks is found.
            from += Math.Max(1, got - 3);
        }

        return Length;
    }

    private static (CaptureHeader Header, long End) ReadV2Header(FileStream stream, string path, ReadOnlySpan<byte> start)
    {
        int length = start.Length >= 12 ? BinaryPrimitives.ReadInt32LittleEndian(start[8..]) : -1;
        if (length <= 0 || length > 1 << 20 || 12 + length + 4 > stream.Length)
        {
            throw CaptureFile.Invalid(path, $"'{path}' has a damaged version 2 header (its length field is not plausible).");
        }

        var json = new byte[length + 4];
        Read(stream, path, 12, json);
        if (CaptureSchema.Crc32C(json.AsSpan(0, length)) != BinaryPrimitives.ReadUInt32LittleEndian(json.AsSpan(length)))
        {
            throw CaptureFile.Invalid(path, $"'{path}' has a damaged version 2 header (checksum mismatch at byte 12).");
        }

        CaptureHeader? header;
        try
        {
            header = JsonSerializer.Deserialize<CaptureHeader>(json.AsSpan(0, length), CaptureHeader.Json);
        }
        catch (JsonException ex)
        {
            throw CaptureFile.Invalid(path, $"'{path}' has a version 2 header that is not valid JSON: {ex.Message}", ex);
        }

        if (header?.Format != CaptureSchema.FormatName || header.Version != CaptureSchema.Version)
        {
            throw CaptureFile.Invalid(path, $"'{path}' is a version {header?.Version} capture of format '{header?.Format}'; this SyscallPS reads {CaptureSchema.FormatName} versions 1 and 2.");
        }

        if (header.Codec != CaptureSchema.Codec)
        {
            throw CaptureFile.Invalid(path, $"'{path}' uses the block codec '{header.Codec}'; this SyscallPS reads '{CaptureSchema.Codec}'.");
        }

        return (header, 12 + length + 4);
    }

    private static int Read(FileStream stream, string path, long offset, Span<byte> into)
    {
        try
        {
            int total = 0;
            while (total < into.Length)
            {
                int n = RandomAccess.Read(stream.SafeFileHandle, into[total..], offset + total);
                if (n == 0)
                {
                    break;
                }

                total += n;
            }

            return total;
        }
        catch (IOException ex)
        {
            throw CaptureFileAccess.NotReadable(path, ex.Message, TraceErrorKind.ReadError, ex);
        }
    }

    /// <summary>
    /// Batches from the reading thread to the consumer, at most <c>capacity</c> waiting. When the queue is full its
    /// producer sleeps until half of it has been taken: woken for every batch taken, it would spend more time spinning
    /// and yielding for a free slot than decoding, on cores the consumer needed.
    /// </summary>
    private sealed class Handoff(int capacity)
    {
        private readonly Queue<object[]> _batches = new();
        private bool _completed;
        private bool _stopped;

        /// <summary>Queues a batch, waiting while the queue is full; false once the consumer has stopped.</summary>
        public bool Add(object[] batch)
        {
            lock (_batches)
            {
                while (_batches.Count >= capacity && !_stopped)
                {
                    Monitor.Wait(_batches);
                }

                if (_stopped)
                {
                    return false;
                }

                _batches.Enqueue(batch);
                if (_batches.Count == 1)
                {
                    Monitor.PulseAll(_batches);
                }

                return true;
            }
        }

        /// <summary>No more batches will come.</summary>
        public void Complete() => Signal(ref _completed);

        /// <summary>The consumer wants no more batches.</summary>
        public void Stop() => Signal(ref _stopped);

        /// <summary>The next batch, waiting while none is queued; false once the producer has completed and all were taken.</summary>
        public bool TryTake(out object[] batch)
        {
            lock (_batches)
            {
                while (_batches.Count == 0 && !_completed)
                {
                    Monitor.Wait(_batches);
                }

                if (!_batches.TryDequeue(out batch!))
                {
                    return false;
                }

                if (_batches.Count == capacity / 2)
                {
                    Monitor.PulseAll(_batches);
                }

                return true;
            }
        }

        private void Signal(ref bool flag)
        {
            lock (_batches)
            {
                flag = true;
                Monitor.PulseAll(_batches);
            }
        }
    }
}
