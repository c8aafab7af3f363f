using SyscallPS.Capture;
using Xunit;

namespace SyscallPS.Tests.Capture;

/// <summary>The v2 writer: its thread's failures reach the caller, rotation keeps bounded files, and an unfinished recording reads.</summary>
public sealed class CaptureWriterTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("syscallps-writer-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Events unlike each other (so blocks do not compress to nothing), in a known order.</summary>
    private static SyscallEvent Event(int i) => new()
    {
        Syscall = i % 3 == 0 ? "openat" : "read",
        ProcessId = 100 + i % 7,
        ThreadId = 100 + i % 7,
        ProcessName = "p" + (i % 5),
        Timestamp = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Local).AddTicks(i * 1_234L),
        MonotonicNanoseconds = 1_000_000L * i + (i * 7919 % 1000),
        ReturnValue = i,
        ReturnText = i.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Path = "/tmp/file-" + (i * 7919 % 100_000),
        Duration = TimeSpan.FromTicks(i * 31 % 977),
    };

    [Fact]
    public void AWriteFailureOfTheWriterThreadIsThrownFromDispose()
    {
        var writer = CaptureWriter.Create(new CaptureOutput("/dev/full"), "Ptrace", "test");
        writer.Write(Event(1));
        var error = Assert.ThrowsAny<IOException>(writer.Dispose);
        Assert.Contains("space", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void AWriteFailureOfTheWriterThreadIsThrownFromTheNextWrite()
    {
        using var writer = CaptureWriter.Create(new CaptureOutput("/dev/full"), "Ptrace", "test", blockBytes: 4096);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        var error = Assert.ThrowsAny<IOException>(() =>
        {
            for (int i = 0; DateTime.UtcNow < deadline; i++)
            {
                writer.Write(Event(i));
            }
        });
        Assert.Contains("space", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.ThrowsAny<IOException>(writer.Dispose);
    }

    [Fact]
    public void RotationKeepsTheNewestFilesUnderTheSizeLimitAndTheyReadInOrder()
    {
        var path = Path.Combine(_dir, "rot.trace");
        var output = new CaptureOutput(path) { MaximumFileSize = 64 << 10, MaximumFileCount = 3 };
        const int Total = 150_000;
        using (var writer = CaptureWriter.Create(output, "Ptrace", "test"))
        {
            for (int i = 0; i < Total; i++)
            {
                writer.Write(Event(i));
            }

            Assert.Equal(3, writer.Files.Count);
        }

        Assert.False(File.Exists(path));
        var files = Directory.GetFiles(_dir, "rot.*.trace").OrderBy(f => f, StringComparer.Ordinal).ToArray();
        Assert.Equal(3, files.Length);
        Assert.All(files, f => Assert.True(new FileInfo(f).Length <= output.MaximumFileSize, $"{f} is {new FileInfo(f).Length} bytes."));
        Assert.DoesNotContain(files, f => f.EndsWith(".0001.trace", StringComparison.Ordinal));

        // The kept files hold the newest events, consecutive, ending with the last one written.
        var headers = files.Select(f => { using var r = CaptureReader.Open(f); return r.Header; }).ToArray();
        Assert.Equal(headers.Select(h => h.Part).Order(), headers.Select(h => h.Part));
        Assert.All(headers, h => Assert.Equal(Environment.MachineName, h.HostName));
        var numbers = files.SelectMany(CaptureFile.Read).Select(e => (int)e.ReturnValue).ToList();
        Assert.Equal(Total - 1, numbers[^1]);
        Assert.Equal(Enumerable.Range(numbers[0], numbers.Count), numbers);
    }

    [Fact]
    public void RepeatedCallsWhoseArgumentsDifferInOneDetailReadBackEach()
    {
        // The writer reuses a call's encoded arguments while they stay the same: each change must end the reuse.
        static SyscallEvent Read(int i, ulong raw, object? value, string text) => new()
        {
            Syscall = "read",
            Number = 0,
            ReturnValue = i,
            Arguments = new SyscallArgumentList([
                new SyscallArgument("fd", "unsigned int", 3, 3L, "3"),
                new SyscallArgument("buf", "char *", raw, value, text),
            ]),
        };

        var written = new[]
        {
            Read(0, 0x10, "\"a\"", "\"a\""),
            Read(1, 0x10, "\"a\"", "\"a\""),
            Read(2, 0x10, "\"b\"", "\"a\""),
            Read(3, 0x10, "\"b\"", "\"b\""),
            Read(4, 0x20, "\"b\"", "\"b\""),
            Read(5, 0x20, 0x20UL, "0x20"),
            Read(6, 0x20, 0x20L, "0x20"),
            Read(7, 0x20, null, "0x20"),
            Read(8, 0x20, new[] { "x" }, "[\"x\"]"),
            Read(9, 0x20, new[] { "y" }, "[\"x\"]"),
            Read(10, 0x20, null, "0x20"),
        };
        var path = Path.Combine(_dir, "repeat.trace");
        using (var writer = CaptureWriter.Create(new CaptureOutput(path), "Ptrace", "test"))
        {
            foreach (var e in written)
            {
                writer.Write(e);
            }
        }

        var read = CaptureFile.Read(path).ToList();
        Assert.Equal(written.Length, read.Count);
        for (int i = 0; i < written.Length; i++)
        {
            var (expected, got) = (written[i].Arguments[1], read[i].Arguments[1]);
            Assert.Equal(expected.Raw, got.Raw);
            Assert.Equal(expected.Text, got.Text);
            Assert.Equal(expected.Value, got.Value);
        }
    }

    [Fact]
    public void AnUnfinishedRecordingReadsItsSealedBlocks()
    {
        var path = Path.Combine(_dir, "open.trace");
        using var writer = CaptureWriter.Create(new CaptureOutput(path), "Ptrace", "test");
        for (int i = 0; i < 1000; i++)
        {
            writer.Write(Event(i));
        }

        // Nothing more is written: within about a second the open block is sealed and on disk, as a crash would find it.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        List<SyscallEvent> read;
        do
        {
            Thread.Sleep(200);
            read = new FileInfo(path).Length > 0 ? CaptureFile.Read(path).ToList() : [];
        }
        while (read.Count < 1000 && DateTime.UtcNow < deadline);
        Assert.Equal(Enumerable.Range(0, 1000), read.Select(e => (int)e.ReturnValue));
    }

    [Fact]
    public void EngineSideFiltersKeepWhatMatchesKeeps()
    {
        var path = Path.Combine(_dir, "real.trace");
        var live = CaptureFuzzTests.RecordRealTrace(path);
        var middle = live[live.Count / 2].Timestamp;
        var filters = new[]
        {
            new EventFilter { Syscall = s => s.StartsWith("open", StringComparison.Ordinal) },
            new EventFilter { ProcessName = n => n == "cat", FailedOnly = true },
            new EventFilter { FileName = f => f.StartsWith("/etc/", StringComparison.Ordinal) },
            new EventFilter { ProcessIds = new HashSet<int> { live[^1].ProcessId } },
            new EventFilter { Ports = new HashSet<int> { 0 } },
            new EventFilter { After = middle },
            new EventFilter { Before = middle, Syscall = s => s == "read" },
        };
        foreach (var filter in filters)
        {
            var expected = live.Where(filter.Matches).Select(e => e.ToString()).ToList();
            using var reader = CaptureReader.Open(path);
            var got = reader.ReadEvents(filter).Select(e => e.ToString()).ToList();
            Assert.Equal(expected, got);
        }

        Assert.Contains(live, filters[0].Matches);
        Assert.Contains(live, filters[2].Matches);
        Assert.Contains(live, filters[5].Matches);
    }

    [Fact]
    public void ABlockThatPassesItsChecksumButDoesNotDecodeIsSkippedWithAWarning()
    {
        static byte[] Block(byte[] raw, int events)
        {
            using var compressor = new ZstdSharp.Compressor(1);
            var payload = compressor.Wrap(raw).ToArray();
            var block = new byte[CaptureSchema.BlockHeaderSize + payload.Length];
            BitConverter.TryWriteBytes(block.AsSpan(0), CaptureSchema.BlockMagic);
            BitConverter.TryWriteBytes(block.AsSpan(4), payload.Length);
            BitConverter.TryWriteBytes(block.AsSpan(8), raw.Length);
            BitConverter.TryWriteBytes(block.AsSpan(12), events);
            payload.CopyTo(block, CaptureSchema.BlockHeaderSize);
            BitConverter.TryWriteBytes(block.AsSpan(16), CaptureSchema.BlockCrc(block, payload));
            return block;
        }

        var encoder = new BlockEncoder();
        encoder.Add(Event(7));
        var good = new ByteSink(1024);
        encoder.Seal(good);

        // No strings, then an event whose presence mask names bit 62, which the field table does not have.
        byte[] undecodable = [0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40];
        var path = Path.Combine(_dir, "undecodable.trace");
        var header = CaptureHeader.ForV2("Ptrace", "test").ToBytes();
        File.WriteAllBytes(path, [.. header, .. Block(undecodable, 1), .. Block(good.Buffer[..good.Length], 1)]);

        var warnings = new List<CaptureWarning>();
        using var reader = CaptureReader.Open(path);
        var events = reader.ReadEvents(null, warnings.Add).ToList();
        Assert.Equal(7, Assert.Single(events).ReturnValue);
        var warning = Assert.Single(warnings);
        Assert.Equal("CaptureBlockDamaged", warning.ErrorId);
        Assert.Equal(header.Length, warning.Offset);
    }
}
