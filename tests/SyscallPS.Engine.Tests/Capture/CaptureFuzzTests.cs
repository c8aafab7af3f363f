using System.Diagnostics;
using SyscallPS.Capture;
using SyscallPS.Tracing;
using Xunit;

namespace SyscallPS.Tests.Capture;

/// <summary>
/// Issue 13.6: a capture made by a real trace, cut short or with bytes flipped 1,000 times. Each read returns
/// the events before the damage unchanged, then ends or fails with a documented id, within a second.
/// </summary>
public sealed class CaptureFuzzTests : IDisposable
{
    private const int Cases = 1000;
    private static readonly TimeSpan CaseLimit = TimeSpan.FromSeconds(1);
    private static readonly string[] DocumentedIds = ["InvalidCaptureFile", "CaptureNotReadable"];

    private readonly string _dir = Directory.CreateTempSubdirectory("syscallps-fuzz-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>
    /// Records a real trace of a small shell command (with data capture) into a capture file; a few syscalls only,
    /// so that a thousand reads of it take seconds.
    /// </summary>
    internal static string RecordRealCapture(string path)
    {
        var request = new TraceRequest
        {
            FilePath = "sh",
            ArgumentList = ["-c", "cat /etc/hostname > /dev/null"],
            Engine = EngineKind.Ptrace,
            SyscallNumbers = new[] { "execve", "openat", "read", "close" }
                .Select(n => SyscallTable.Current.TryGetByName(n, out var info) ? info.Number : throw new InvalidOperationException(n)).ToHashSet(),
            CaptureData = true,
            DataSize = 64,
        };
        var session = TraceSession.Start(request, 0, TimeSpan.FromSeconds(30), output: new CaptureOutput(path));
        foreach (var _ in session.ReadEvents(CancellationToken.None))
        {
        }

        session.Completion.GetAwaiter().GetResult();
        TraceSession.Forget(session);
        return path;
    }

    [Fact]
    public void DamagedCapturesReadTheirIntactPrefixThenStopWithADocumentedError()
    {
        var original = File.ReadAllBytes(RecordRealCapture(System.IO.Path.Combine(_dir, "real.trace")));
        var expected = CaptureFile.Read(System.IO.Path.Combine(_dir, "real.trace")).Select(CaptureFile.Serialize).ToList();
        Assert.True(expected.Count > 10, $"The trace recorded only {expected.Count} events.");

        // Where each line ends, to know which events lie wholly before a damaged byte.
        var lineEnds = new List<int>();
        for (int i = 0; i < original.Length; i++)
        {
            if (original[i] == (byte)'\n')
            {
                lineEnds.Add(i + 1);
            }
        }

        var random = new Random(13_6);
        var path = System.IO.Path.Combine(_dir, "damaged.trace");
        var slowest = TimeSpan.Zero;
        for (int c = 0; c < Cases; c++)
        {
            var damaged = (byte[])original.Clone();
            int firstDamage;
            if (c % 2 == 0)
            {
                firstDamage = random.Next(original.Length);
                damaged = damaged[..firstDamage];
            }
            else
            {
                firstDamage = int.MaxValue;
                for (int flips = random.Next(1, 4); flips > 0; flips--)
                {
                    int at = random.Next(original.Length);
                    damaged[at] ^= (byte)random.Next(1, 256);
                    firstDamage = Math.Min(firstDamage, at);
                }
            }

            File.WriteAllBytes(path, damaged);
            var read = new List<SyscallEvent>();
            string? errorId = null;
            var watch = Stopwatch.StartNew();
            try
            {
                foreach (var e in CaptureFile.Read(path))
                {
                    read.Add(e);
                }
            }
            catch (TraceException ex)
            {
                errorId = ex.ErrorId;
            }

            watch.Stop();
            slowest = watch.Elapsed > slowest ? watch.Elapsed : slowest;
            Assert.True(watch.Elapsed < CaseLimit, $"Case {c} took {watch.Elapsed}.");
            Assert.True(errorId is null || DocumentedIds.Contains(errorId), $"Case {c} failed with {errorId}.");

            // Line 0 is the header; event i is line i + 1.
            int intactLines = lineEnds.Count(end => end <= firstDamage);
            int intactEvents = Math.Max(0, intactLines - 1);
            if (intactLines == 0)
            {
                continue;
            }

            Assert.True(read.Count >= intactEvents, $"Case {c}: {read.Count} events read, {intactEvents} lay before the damage at byte {firstDamage}.");
            Assert.Equal(expected.Take(intactEvents), read.Take(intactEvents).Select(CaptureFile.Serialize));
        }

        Assert.True(slowest < CaseLimit);
    }
}
