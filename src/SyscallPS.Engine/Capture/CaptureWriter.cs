using System.Buffers.Binary;
using System.Globalization;

namespace SyscallPS.Capture;

/// <summary>
/// Writes events to a v2 capture (see <see cref="CaptureSchema"/>). <see cref="Write"/> only puts the event in a
/// batch: a writer thread encodes the batches into blocks, compresses and writes them, so the tracer's consumer
/// neither encodes nor waits on the disk (it waits only when the writer falls <see cref="PendingBatches"/> batches
/// behind). An event's properties are init-only, so encoding it a moment later records what was written (arrays inside
/// it, such as captured data, are not copied). A block is sealed
/// when it holds <see cref="BlockBytes"/> raw bytes or its first event is about a second old, so a crash loses at
/// most that. With <see cref="CaptureOutput.MaximumFileSize"/> the capture is a numbered series of files, the oldest
/// deleted past <see cref="CaptureOutput.MaximumFileCount"/>. A failure of the writer thread is thrown as an
/// <see cref="IOException"/> from the next <see cref="Write"/> or from <see cref="Dispose"/>.
/// </summary>
public sealed class CaptureWriter : IDisposable
{
    /// <summary>Raw bytes at which a block is sealed.</summary>
    internal const int BlockBytes = 1 << 20;

    /// <summary>Events handed to the writer thread together: one lock and one wake-up per batch, not per event.</summary>
    internal const int BatchEvents = 256;

    /// <summary>
    /// Full batches that may wait for the writer thread before <see cref="Write"/> waits. Small enough that the events
    /// they hold rarely live through a garbage collection, large enough for a writer thread the scheduler left out for
    /// a few tens of milliseconds.
    /// </summary>
    internal const int PendingBatches = 128;

    /// <summary>
    /// Full batches that wake the writer thread: woken for each one, it would be scheduled in for every 256 events,
    /// each time taking a core from the tracer. A second-old event wakes it too.
    /// </summary>
    internal const int WakeBatches = 8;

    private static readonly TimeSpan SealAfter = TimeSpan.FromSeconds(1);

    // _gate guards the batch being filled, the queue of full ones and _disposed; the encoder is the writer thread's.
    private readonly object _gate = new();
    private readonly Queue<Batch> _full = new();
    private readonly BlockEncoder _encoder = new();
    private readonly CaptureOutput _output;
    private readonly CaptureHeader _header;
    private readonly Thread _thread;
    private readonly Queue<string> _files = new();
    private readonly int _blockBytes;
    private SyscallEvent[] _batch = new SyscallEvent[BatchEvents];
    private int _batchCount;
    private long _batchStarted;
    private volatile Exception? _failure;
    private bool _disposed;
    private FileStream? _file;
    private long _fileLength;
    private bool _fileHasBlocks;
    private int _part = 1;

    private CaptureWriter(CaptureOutput output, CaptureHeader header, FileStream first, int blockBytes)
    {
        _output = output;
        _header = header;
        _blockBytes = output.MaximumFileSize > 0 ? (int)Math.Min(blockBytes, output.MaximumFileSize / 2) : blockBytes;
        StartFile(first, output.MaximumFileSize > 0 ? PartPath(output.Path, 1) : output.Path);
        _thread = new Thread(WriterLoop) { IsBackground = true, Name = "SyscallPS capture writer" };
        _thread.Start();
    }

    /// <summary>Events written.</summary>
    public long Count { get; private set; }

    /// <summary>The files written so far that still exist, oldest first (one unless rotating).</summary>
    public IReadOnlyList<string> Files
    {
        get
        {
            lock (_files)
            {
                return _files.ToArray();
            }
        }
    }

    /// <summary>
    /// Opens the capture's (first) file under the rules of <paramref name="output"/>; its header goes out with the
    /// first block, or at <see cref="Dispose"/> when there is none.
    /// </summary>
    /// <exception cref="Tracing.TraceException">The file may not or cannot be written (see <see cref="CaptureFileAccess"/>).</exception>
    public static CaptureWriter Create(CaptureOutput output, string engine, string command) => Create(output, engine, command, BlockBytes);

    /// <summary>As <see cref="Create(CaptureOutput, string, string)"/>, sealing blocks at <paramref name="blockBytes"/> raw bytes.</summary>
    internal static CaptureWriter Create(CaptureOutput output, string engine, string command, int blockBytes)
    {
        var path = output.MaximumFileSize > 0 ? PartPath(output.Path, 1) : output.Path;
        var first = CaptureFileAccess.OpenForWriting(path, output.NoClobber, output.Force);
        return new CaptureWriter(output, CaptureHeader.ForV2(engine, command), first, blockBytes);
    }

    /// <summary>The file name of part <paramref name="part"/> of a rotated capture: <c>make.trace</c> → <c>make.0001.trace</c>.</summary>
    public static string PartPath(string path, int part)
    {
        var dir = System.IO.Path.GetDirectoryName(path) ?? string.Empty;
        var ext = System.IO.Path.GetExtension(path);
        var stem = System.IO.Path.GetFileNameWithoutExtension(path);
        return System.IO.Path.Combine(dir, stem + "." + part.ToString("D4", CultureInfo.InvariantCulture) + ext);
    }

    /// <summary>Adds one event to the capture.</summary>
    /// <exception cref="IOException">The writer thread failed (disk full, I/O error).</exception>
    public void Write(SyscallEvent e)
    {
        ThrowIfFailed();
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_batchCount == 0)
            {
                _batchStarted = Environment.TickCount64;
            }

            _batch[_batchCount++] = e;
            Count++;
            if (_batchCount == BatchEvents)
            {
                while (_full.Count >= PendingBatches && _failure is null)
                {
                    Monitor.Wait(_gate);
                }

                _full.Enqueue(TakeBatch());
                if (_full.Count >= WakeBatches)
                {
                    Monitor.PulseAll(_gate);
                }
            }
        }
    }

    /// <summary>Writes what is buffered, ends the writer thread and closes the file.</summary>
    /// <exception cref="IOException">Writing failed.</exception>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            Monitor.PulseAll(_gate);
        }

        _thread.Join();
        ThrowIfFailed();
    }

    private void ThrowIfFailed()
    {
        if (_failure is { } failure)
        {
            throw failure as IOException ?? new IOException($"Writing the capture file '{_output.Path}' failed: {failure.Message}", failure);
        }
    }

    /// <summary>The batch being filled, handed over; a new one is started. Called under <see cref="_gate"/>.</summary>
    private Batch TakeBatch()
    {
        var batch = new Batch(_batch, _batchCount, _batchStarted);
        _batch = new SyscallEvent[BatchEvents];
        _batchCount = 0;
        return batch;
    }

    /// <summary>
    /// Waits for the next batch: a full one, or the one being filled once its first event is a second old or the
    /// writer is disposed. An empty batch when the open block is due to be sealed; false when disposed and all taken.
    /// </summary>
    private bool NextBatch(long blockStarted, out Batch batch)
    {
        lock (_gate)
        {
            while (true)
            {
                if (_full.TryDequeue(out batch))
                {
                    Monitor.PulseAll(_gate);
                    return true;
                }

                long now = Environment.TickCount64;
                if (_batchCount > 0 && (_disposed || now - _batchStarted >= SealAfter.TotalMilliseconds))
                {
                    batch = TakeBatch();
                    return true;
                }

                if (_disposed)
                {
                    return false;
                }

                batch = default;
                if (_encoder.Count > 0 && now - blockStarted >= SealAfter.TotalMilliseconds)
                {
                    return true;
                }

                // Woken by enough full batches or Dispose; else in time to seal what is a second old.
                long due = _encoder.Count > 0 ? blockStarted : _batchCount > 0 ? _batchStarted : now;
                Monitor.Wait(_gate, TimeSpan.FromMilliseconds(Math.Clamp(due + (long)SealAfter.TotalMilliseconds - now, 1, (long)SealAfter.TotalMilliseconds)));
            }
        }
    }

    private void WriterLoop()
    {
        // Level 1: the fastest; events repeat so much that it already gives about 2.5 bytes per dd event.
        using var compressor = new ZstdSharp.Compressor(1);
        var raw = new ByteSink(_blockBytes + (64 << 10));
        var block = new ByteSink(_blockBytes);
        long blockStarted = 0;
        try
        {
            while (NextBatch(blockStarted, out var batch))
            {
                if (_failure is not null)
                {
                    // Only drained, so that Write does not wait for a writer that will write nothing more.
                    continue;
                }

                try
                {
                    if (batch.Count > 0 && _encoder.Count == 0)
                    {
                        blockStarted = batch.Started;
                    }

                    for (int i = 0; i < batch.Count && _failure is null; i++)
                    {
                        _encoder.Add(batch.Events[i]);
                        if (_encoder.RawLength >= _blockBytes)
                        {
                            WriteBlock(compressor, raw, block);
                            blockStarted = batch.Started;
                        }
                    }

                    if (_failure is null && _encoder.Count > 0 && Environment.TickCount64 - blockStarted >= SealAfter.TotalMilliseconds)
                    {
                        WriteBlock(compressor, raw, block);
                    }
                }
                catch (Exception ex)
                {
                    // On this thread an exception would end the whole PowerShell process: the next Write throws it.
                    _failure ??= ex;
                }
            }

            if (_encoder.Count > 0 && _failure is null)
            {
                WriteBlock(compressor, raw, block);
            }
        }
        finally
        {
            if (_failure is null)
            {
                try
                {
                    WriteHeaderOnce();
                }
                catch (Exception ex)
                {
                    _failure = ex;
                }
            }

            CloseFile();
            lock (_gate)
            {
                // A Write waiting for room learns of the failure.
                Monitor.PulseAll(_gate);
            }
        }
    }

    /// <summary>Seals the open block: compressed, framed, checksummed and written.</summary>
    private void WriteBlock(ZstdSharp.Compressor compressor, ByteSink raw, ByteSink block)
    {
        try
        {
            int events = _encoder.Count;
            _encoder.Seal(raw);
            var input = raw.Buffer.AsSpan(0, raw.Length);
            int bound = ZstdSharp.Compressor.GetCompressBound(input.Length);
            if (block.Buffer.Length < CaptureSchema.BlockHeaderSize + bound)
            {
                block.Buffer = new byte[CaptureSchema.BlockHeaderSize + bound];
            }

            var payload = block.Buffer.AsSpan(CaptureSchema.BlockHeaderSize);
            int compressed = compressor.Wrap(input, payload);
            var header = block.Buffer.AsSpan(0, CaptureSchema.BlockHeaderSize);
            BinaryPrimitives.WriteUInt32LittleEndian(header, CaptureSchema.BlockMagic);
            BinaryPrimitives.WriteInt32LittleEndian(header[4..], compressed);
            BinaryPrimitives.WriteInt32LittleEndian(header[8..], input.Length);
            BinaryPrimitives.WriteInt32LittleEndian(header[12..], events);
            BinaryPrimitives.WriteUInt32LittleEndian(header[16..], CaptureSchema.BlockCrc(header, payload[..compressed]));
            int total = CaptureSchema.BlockHeaderSize + compressed;

            if (_output.MaximumFileSize > 0 && _fileHasBlocks && _fileLength + total > _output.MaximumFileSize)
            {
                Rotate();
            }

            WriteHeaderOnce();

            _file!.Write(block.Buffer, 0, total);
            _fileLength += total;
            _fileHasBlocks = true;
        }
        catch (Exception ex)
        {
            // The first failure is the cause; nothing is written after it.
            _failure ??= ex;
        }
    }

    private void Rotate()
    {
        CloseFile();
        _part++;
        var path = PartPath(_output.Path, _part);
        StartFile(CaptureFileAccess.OpenForWriting(path, _output.NoClobber, _output.Force), path);
        lock (_files)
        {
            while (_output.MaximumFileCount > 0 && _files.Count > _output.MaximumFileCount)
            {
                File.Delete(_files.Dequeue());
            }
        }
    }

    private void StartFile(FileStream file, string path)
    {
        _file = file;
        _fileLength = 0;
        _fileHasBlocks = false;
        lock (_files)
        {
            _files.Enqueue(path);
        }
    }

    /// <summary>The header goes out on the writer thread with the file's first block, so all writing is there.</summary>
    private void WriteHeaderOnce()
    {
        if (_fileLength == 0)
        {
            var header = (_header with { Part = _output.MaximumFileSize > 0 ? _part : 0 }).ToBytes();
            _file!.Write(header);
            _fileLength = header.Length;
        }
    }

    private void CloseFile()
    {
        try
        {
            _file?.Dispose();
        }
        catch (Exception ex)
        {
            _failure ??= ex;
        }

        _file = null;
    }

    /// <summary>Events on their way to the writer thread, and when the first of them was written.</summary>
    private readonly record struct Batch(SyscallEvent[] Events, int Count, long Started);
}
