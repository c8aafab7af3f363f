using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;

namespace SyscallPS.Capture;

/// <summary>
/// Writes events to a v2 capture (see <see cref="CaptureSchema"/>). <see cref="Write"/> only encodes the event
/// into the open block; a writer thread compresses sealed blocks and writes them, so the tracer does not wait
/// on the disk (it waits only when the disk falls <see cref="PendingBlocks"/> blocks behind). A block is sealed
/// when it holds <see cref="BlockBytes"/> raw bytes or is a second old, so a crash loses at most that. With
/// <see cref="CaptureOutput.MaximumFileSize"/> the capture is a numbered series of files, the oldest deleted past
/// <see cref="CaptureOutput.MaximumFileCount"/>. A failure of the writer thread is thrown as an
/// <see cref="IOException"/> from the next <see cref="Write"/> or from <see cref="Dispose"/>.
/// </summary>
public sealed class CaptureWriter : IDisposable
{
    /// <summary>Raw bytes at which a block is sealed.</summary>
    internal const int BlockBytes = 1 << 20;

    /// <summary>Sealed blocks that may wait for the writer thread before <see cref="Write"/> waits.</summary>
    internal const int PendingBlocks = 4;

    private static readonly TimeSpan SealAfter = TimeSpan.FromSeconds(1);

    private readonly object _gate = new();
    private readonly BlockEncoder _encoder = new();
    private readonly BlockingCollection<RawBlock> _sealed = new(PendingBlocks);
    private readonly ConcurrentBag<RawBlock> _free = [];
    private readonly CaptureOutput _output;
    private readonly CaptureHeader _header;
    private readonly Thread _thread;
    private readonly Queue<string> _files = new();
    private readonly int _blockBytes;
    private long _blockStarted;
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
            if (_encoder.Count == 0)
            {
                _blockStarted = Environment.TickCount64;
            }

            _encoder.Add(e);
            Count++;
            if (_encoder.RawLength >= _blockBytes)
            {
                Seal();
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
            if (_encoder.Count > 0 && _failure is null)
            {
                Seal();
            }

            _sealed.CompleteAdding();
        }

        _thread.Join();
        _sealed.Dispose();
        ThrowIfFailed();
    }

    private void ThrowIfFailed()
    {
        if (_failure is { } failure)
        {
            throw failure as IOException ?? new IOException($"Writing the capture file '{_output.Path}' failed: {failure.Message}", failure);
        }
    }

    /// <summary>Hands the open block to the writer thread. Called under <see cref="_gate"/>.</summary>
    private void Seal()
    {
        if (!_free.TryTake(out var raw))
        {
            raw = new RawBlock(new ByteSink(_blockBytes + (64 << 10)));
        }

        raw.Events = _encoder.Count;
        _encoder.Seal(raw.Bytes);
        _sealed.Add(raw);
    }

    private void WriterLoop()
    {
        // Level 1: the fastest; events repeat so much that it already gives about 2.5 bytes per dd event.
        using var compressor = new ZstdSharp.Compressor(1);
        var block = new ByteSink(_blockBytes);
        try
        {
            while (!_sealed.IsCompleted)
            {
                if (!_sealed.TryTake(out var raw, SealAfter))
                {
                    SealIfOld();
                    continue;
                }

                if (_failure is null)
                {
                    WriteBlock(raw, compressor, block);
                }

                _free.Add(raw);
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
        }
    }

    private void SealIfOld()
    {
        lock (_gate)
        {
            if (!_disposed && _encoder.Count > 0 && Environment.TickCount64 - _blockStarted >= SealAfter.TotalMilliseconds)
            {
                Seal();
            }
        }
    }

    private void WriteBlock(RawBlock raw, ZstdSharp.Compressor compressor, ByteSink block)
    {
        try
        {
            var input = raw.Bytes.Buffer.AsSpan(0, raw.Bytes.Length);
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
            BinaryPrimitives.WriteInt32LittleEndian(header[12..], raw.Events);
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
            _failure = ex;
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
}

/// <summary>A sealed block's raw payload and its event count, on its way to the writer thread.</summary>
internal sealed class RawBlock(ByteSink bytes)
{
    public ByteSink Bytes { get; } = bytes;

    public int Events { get; set; }
}
