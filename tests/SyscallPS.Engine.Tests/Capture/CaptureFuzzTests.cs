using System.Diagnostics;
using SyscallPS.Capture;
using SyscallPS.Tracing;
using Xunit;

namespace SyscallPS.Tests.Capture;

/// <summary>
/// Issue 13.6 and 14: captures of a real trace, cut short or with bytes flipped 1,000 times each. Every read
/// ends within a second with only documented errors and warnings; version 2 never returns an altered event and
/// loses only the damaged blocks; version 1 (JSON Lines, no checksums) returns the lines before the damage.
/// </summary>
public sealed class CaptureFuzzTests : IDisposable
{
    private const int Cases = 1000;
    private static readonly TimeSpan CaseLimit = TimeSpan.FromSeconds(1);
    private static readonly string[] DocumentedErrors = ["InvalidCaptureFile", "CaptureNotReadable"];
    private static readonly string[] DocumentedWarnings = ["CaptureBlockDamaged", "CaptureTruncated"];

    private readonly string _dir = Directory.CreateTempSubdirectory("syscallps-fuzz-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The events of a real trace of a small shell command, with data capture, recorded with -OutFile.</summary>
    internal static List<SyscallEvent> RecordRealTrace(string path)
    {
        var request = new TraceRequest
        {
            FilePath = "sh",
            ArgumentList = ["-c", "cat /etc/hostname > /dev/null"],
            Engine = EngineKind.Ptrace,
            CaptureData = true,
            DataSize = 64,
        };
        var session = TraceSession.Start(request, 0, TimeSpan.FromSeconds(30), output: new CaptureOutput(path));
        var live = session.ReadEvents(CancellationToken.None).ToList();
        session.Completion.GetAwaiter().GetResult();
        TraceSession.Forget(session);
        return live;
    }

    [Fact]
    public void DamagedVersion2CapturesLoseOnlyTheirDamagedBlocks()
    {
        var recorded = System.IO.Path.Combine(_dir, "real.trace");
        var live = RecordRealTrace(recorded);
        var events = CaptureFile.Read(recorded).ToList();
        Assert.Equal(live.Select(CaptureFile.Serialize), events.Select(CaptureFile.Serialize));

        // The same events in blocks of about 1 KiB, so that damage has blocks on both sides.
        var small = System.IO.Path.Combine(_dir, "blocks.trace");
        using (var writer = CaptureWriter.Create(new CaptureOutput(small), "Ptrace", "fuzz", blockBytes: 1024))
        {
            events.ForEach(writer.Write);
        }

        var original = File.ReadAllBytes(small);
        var expected = events.Select(Fingerprint).ToList();
        var blocks = BlockSpans(original);
        Assert.True(blocks.Count >= 10, $"Only {blocks.Count} blocks.");

        foreach (var (c, damaged, firstDamage, hit, read, errorId, warnings) in DamagedReads(original, 14, System.IO.Path.Combine(_dir, "damaged.trace")))
        {
            // Never altered: what is read is the original events in order, less whole damaged blocks.
            var readText = read.Select(Fingerprint).ToList();
            Assert.True(IsSubsequence(readText, expected), $"Case {c}: an event was read that the capture did not hold as such.");

            // Blocks wholly before the damage all come back; every block the damage did not touch comes back
            // unless the damage was in the file header (then the file is refused).
            int intactBefore = blocks.Where(b => b.End <= firstDamage).Sum(b => b.Events);
            if (errorId is null)
            {
                Assert.True(expected.Take(intactBefore).SequenceEqual(readText.Take(intactBefore)), $"Case {c}: the events before the damage did not all read back unchanged.");
                int untouched = blocks.Where((b, i) => !hit(b.Start, b.End)).Sum(b => b.Events);
                Assert.True(read.Count >= untouched, $"Case {c}: {read.Count} events read, {untouched} were in untouched blocks.");
                // A cut exactly between two blocks, or right after the file header, looks like a shorter recording
                // (one that stopped before its first block was written holds no events); any other loss is reported.
                bool cutAtBlockEnd = damaged.Length < original.Length && (damaged.Length == blocks[0].Start || blocks.Any(b => b.End == damaged.Length));
                Assert.True(read.Count == expected.Count || warnings.Count > 0 || cutAtBlockEnd, $"Case {c}: events were lost without a warning.");
            }
            else
            {
                Assert.True(firstDamage < blocks[0].Start, $"Case {c}: refused with {errorId} though the header was intact.");
            }
        }
    }

    [Fact]
    public void DamagedVersion1CapturesReadTheirIntactLinesThenStop()
    {
        // A few kinds of call only: parsing JSON is slow, and the test reads the file a thousand times.
        var events = RecordRealTrace(System.IO.Path.Combine(_dir, "real.trace"))
            .Where(e => e.Syscall is "execve" or "openat" or "write" || e.Kind != SyscallEventKind.Syscall)
            .ToList();
        var jsonl = System.IO.Path.Combine(_dir, "real.jsonl");
        using (var exporter = EventExporter.Create(jsonl, ExportFormat.JsonLines, noClobber: false, force: false))
        {
            events.ForEach(exporter.Write);
        }

        var original = File.ReadAllBytes(jsonl);
        var expected = events.Select(CaptureFile.Serialize).ToList();
        var lineEnds = new List<int>();
        for (int i = 0; i < original.Length; i++)
        {
            if (original[i] == (byte)'\n')
            {
                lineEnds.Add(i + 1);
            }
        }

        foreach (var (c, _, firstDamage, _, read, _, _) in DamagedReads(original, 13_6, System.IO.Path.Combine(_dir, "damaged.jsonl")))
        {
            // Line 0 is the header; event i is line i + 1. Version 1 has no checksums: past the damage a
            // changed value can read as another value, which is why -OutFile writes version 2.
            int intactLines = lineEnds.Count(end => end <= firstDamage);
            if (intactLines == 0)
            {
                continue;
            }

            int intactEvents = intactLines - 1;
            Assert.True(read.Count >= intactEvents, $"Case {c}: {read.Count} events read, {intactEvents} lay before the damage at byte {firstDamage}.");
            Assert.True(expected.Take(intactEvents).SequenceEqual(read.Take(intactEvents).Select(CaptureFile.Serialize)), $"Case {c}: the events before the damage did not all read back unchanged.");
        }
    }

    /// <summary>
    /// Writes <see cref="Cases"/> damaged copies of <paramref name="original"/> to <paramref name="path"/> and reads
    /// each, checking what every case must meet: done within <see cref="CaseLimit"/>, only documented errors and warnings.
    /// </summary>
    private static IEnumerable<(int Case, byte[] Damaged, int FirstDamage, Func<int, int, bool> Hit, List<SyscallEvent> Read, string? ErrorId, List<string> Warnings)> DamagedReads(byte[] original, int seed, string path)
    {
        var random = new Random(seed);
        for (int c = 0; c < Cases; c++)
        {
            var (damaged, firstDamage, hit) = Damage(original, random, c);
            File.WriteAllBytes(path, damaged);
            var (read, errorId, warnings, elapsed) = ReadAll(path);
            Assert.True(elapsed < CaseLimit, $"Case {c} took {elapsed}.");
            Assert.True(errorId is null || DocumentedErrors.Contains(errorId), $"Case {c} failed with {errorId}.");
            Assert.All(warnings, w => Assert.Contains(w, DocumentedWarnings));
            yield return (c, damaged, firstDamage, hit, read, errorId, warnings);
        }
    }

    /// <summary>Even cases cut the file short, odd ones flip one to three bytes.</summary>
    private static (byte[] Damaged, int FirstDamage, Func<int, int, bool> Hit) Damage(byte[] original, Random random, int c)
    {
        if (c % 2 == 0)
        {
            int cut = random.Next(original.Length);
            return (original[..cut], cut, (start, end) => end > cut);
        }

        var damaged = (byte[])original.Clone();
        var flipped = new List<int>();
        for (int flips = random.Next(1, 4); flips > 0; flips--)
        {
            int at = random.Next(original.Length);
            damaged[at] ^= (byte)random.Next(1, 256);
            flipped.Add(at);
        }

        return (damaged, flipped.Min(), (start, end) => flipped.Any(f => f >= start && f < end));
    }

    private static (List<SyscallEvent> Events, string? ErrorId, List<string> Warnings, TimeSpan Elapsed) ReadAll(string path)
    {
        var read = new List<SyscallEvent>();
        var warnings = new List<string>();
        string? errorId = null;
        var watch = Stopwatch.StartNew();
        try
        {
            using var reader = CaptureReader.Open(path);
            foreach (var e in reader.ReadEvents(null, w => warnings.Add(w.ErrorId)))
            {
                read.Add(e);
            }
        }
        catch (TraceException ex)
        {
            errorId = ex.ErrorId;
        }

        return (read, errorId, warnings, watch.Elapsed);
    }

    /// <summary>Every stored field in one string: cheaper than JSON, and the round-trip tests check each field's fidelity.</summary>
    private static string Fingerprint(SyscallEvent e) =>
        string.Join('|', e.Timestamp.Ticks, e.MonotonicNanoseconds, e.ThreadId, e.ProcessName, e.ToString(), e.Duration.Ticks, e.Path, e.Fd, e.FdName, e.Data?.Hex, e.Data?.TotalLength);

    private static bool IsSubsequence(List<string> part, List<string> whole)
    {
        int j = 0;
        foreach (var item in part)
        {
            while (j < whole.Count && whole[j] != item)
            {
                j++;
            }

            if (j++ == whole.Count)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Where each block of an intact v2 file starts and ends, and its event count.</summary>
    internal static List<(int Start, int End, int Events)> BlockSpans(byte[] file)
    {
        int offset = 12 + BitConverter.ToInt32(file, 8) + 4;
        var spans = new List<(int, int, int)>();
        while (offset < file.Length)
        {
            int end = offset + 20 + BitConverter.ToInt32(file, offset + 4);
            spans.Add((offset, end, BitConverter.ToInt32(file, offset + 12)));
            offset = end;
        }

        return spans;
    }
}
