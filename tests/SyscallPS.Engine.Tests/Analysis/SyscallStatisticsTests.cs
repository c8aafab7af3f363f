using SyscallPS.Analysis;
using SyscallPS.Tracing;
using Xunit;

namespace SyscallPS.Tests.Analysis;

/// <summary>
/// strace -c's rules in <see cref="SyscallStatistics"/>, on a real trace of the analysis_mix fixture (its counts
/// against strace itself are in tests/pester/Analysis.Tests.ps1, for both engines, and in StraceLogTests).
/// </summary>
public sealed class SyscallStatisticsTests
{
    private static readonly Lazy<List<SyscallEvent>> Trace = new(() => TraceHelper.Run(TraceHelper.Launch(Fixtures.Path("analysis_mix"))).Events);

    [SkippableFact]
    public void Counts_completed_calls_only_and_the_total_row_is_straces()
    {
        var events = Trace.Value;
        var statistics = new SyscallStatistics();
        foreach (var e in events)
        {
            statistics.Add(e);
        }

        var rows = statistics.GetRows();
        var total = rows[^1];

        // exit_group never returns ("= ?"): strace -c does not count it; signals and exits are no calls.
        Assert.DoesNotContain(rows, r => r.Name == "exit_group");
        int completed = events.Count(e => e.Kind == SyscallEventKind.Syscall && e.Syscall != "exit_group");
        Assert.Equal(completed, total.Calls);
        Assert.Equal(events.Count(e => e.Errno is not null), total.Errors);

        // The mix's own failures are fixed. A call the kernel interrupted to restart it is a fact of the moment, not
        // of the mix: on a loaded machine the parent's wait4 can meet the child's SIGCHLD before its exit
        // (= ? ERESTARTSYS, then called again), and strace -c counts that as an error too; it is left out here.
        var restarted = events.Where(e => e.Errno is { } errno && errno.StartsWith("ERESTART", StringComparison.Ordinal)).Select(e => e.Syscall).ToHashSet();
        var failed = events.Where(e => e.Errno is { } errno && !errno.StartsWith("ERESTART", StringComparison.Ordinal)).ToList();
        Assert.True(failed.Count == 12, $"Expected the mix's 12 failures, got {failed.Count}:\n{string.Join('\n', failed)}");
        Assert.Equal(new[] { ("openat", 10L, 5L), ("access", 5, 4), ("close", 10, 2), ("mkdir", 2, 1) }.Order(),
            rows.Where(r => r.Errors > 0 && !r.IsTotal && !restarted.Contains(r.Name)).Select(r => (r.Name, r.Calls, r.Errors)).Order());

        Assert.True(total.IsTotal);
        Assert.Equal("total", total.Name);
        Assert.Equal(100.0, total.PercentTime);
        Assert.Equal(total.Nanoseconds / total.Calls / 1000, total.MicrosecondsPerCall);
        Assert.Equal(rows.Take(rows.Count - 1).Sum(r => r.Nanoseconds), total.Nanoseconds);
        Assert.InRange(rows.Take(rows.Count - 1).Sum(r => r.PercentTime), 99.999, 100.001);

        // Sorted by time, the largest first.
        var times = rows.Take(rows.Count - 1).Select(r => r.Nanoseconds).ToList();
        Assert.Equal(times.OrderDescending(), times);
    }

    [Fact]
    public void Ties_keep_syscall_number_order_as_straces_stable_sort_does()
    {
        var statistics = new SyscallStatistics();
        foreach (var name in new[] { "openat", "close", "read", "write", "close" })
        {
            statistics.Add(new SyscallSample(name, SyscallCategory.Descriptor, 1, 1, "x", 0, null, null, null));
        }

        var table = SyscallTable.Current;
        var order = new[] { "read", "write", "openat" }.OrderBy(n => table.TryGetByName(n, out var i) ? i.Number : 0).ToList();
        Assert.Equal(["close", .. order, "total"], statistics.GetRows(SyscallStatisticsSort.Calls).Select(r => r.Name));
        Assert.Equal([.. new[] { "read", "write", "close", "openat" }.OrderBy(n => table.TryGetByName(n, out var i) ? i.Number : 0), "total"],
            statistics.GetRows(SyscallStatisticsSort.Time).Select(r => r.Name));
        Assert.Equal(["close", "openat", "read", "write", "total"], statistics.GetRows(SyscallStatisticsSort.Name).Select(r => r.Name));
    }

    [SkippableFact]
    public void Groups_by_any_event_property_and_names_unknown_ones()
    {
        var events = Trace.Value;

        // FdType is not in a SyscallSample: it is read from the event, like any property the event gains later.
        var byType = new SyscallStatistics(["fdtype"]);
        events.ForEach(e => byType.Add(e));
        Assert.Equal(["FdType"], byType.GroupBy);
        var rows = byType.GetRows();
        Assert.Equal(events.Count(SyscallStatistics.Counts), rows[^1].Calls);
        Assert.Equal(events.Count(e => SyscallStatistics.Counts(e) && e.FdType == SyscallPS.Decoding.FdType.Pipe),
            rows.Single(r => Equals(r.Key[0], SyscallPS.Decoding.FdType.Pipe)).Calls);

        var byProcess = new SyscallStatistics(["ProcessId", "Syscall"]);
        events.ForEach(e => byProcess.Add(e));
        int child = (int)events.Single(e => e.Syscall == "clone").ReturnValue;
        var childWrites = byProcess.GetRows().Single(r => Equals(r.Key[0], child) && Equals(r.Key[1], "write"));
        Assert.Equal(5, childWrites.Calls);
        Assert.Equal($"{child} write", childWrites.Name);

        var e = Assert.Throws<TraceException>(() => new SyscallStatistics(["Syscall", "NoSuchProperty"]));
        Assert.Equal("UnknownGroupProperty", e.ErrorId);
        Assert.Equal(TraceErrorKind.InvalidArgument, e.Kind);
        Assert.Contains("ProcessName", e.Hint, StringComparison.Ordinal);
        Assert.Contains("NoSuchProperty", e.Message, StringComparison.Ordinal);

        // A sample carries the common keys only; an event-only one is refused, not silently empty.
        Assert.Throws<InvalidOperationException>(() => byType.Add(SyscallSample.From(events[0])));
        var fromSamples = new SyscallStatistics(["ProcessName"]);
        foreach (var s in events.Where(SyscallStatistics.Counts).Select(SyscallSample.From))
        {
            fromSamples.Add(s);
        }

        var fromEvents = new SyscallStatistics(["ProcessName"]);
        events.ForEach(ev => fromEvents.Add(ev));
        Assert.Equal(fromEvents.GetRows().Select(r => (r.Name, r.Calls, r.Errors, r.Nanoseconds)), fromSamples.GetRows().Select(r => (r.Name, r.Calls, r.Errors, r.Nanoseconds)));
    }

    [SkippableFact]
    public void Histograms_put_each_call_in_its_power_of_two_bucket()
    {
        var events = Trace.Value;
        var statistics = new SyscallStatistics();
        events.ForEach(e => statistics.Add(e));
        foreach (var h in statistics.GetHistograms())
        {
            var durations = events.Where(e => SyscallStatistics.Counts(e) && e.Syscall == (string)h.Key[0]!).Select(e => e.Duration.Ticks * 100).ToList();
            Assert.Equal(durations.Count, h.Calls);
            Assert.Equal(durations.Count, h.Histogram.Buckets.Sum(b => b.Count));
            foreach (var b in h.Histogram.Buckets)
            {
                Assert.Equal(durations.Count(d => d >= b.LowerNanoseconds && d < b.UpperNanoseconds), b.Count);
            }

            // bpftrace prints from the first non-empty bucket to the last, one line each, bars up to 52 '@'.
            Assert.NotEqual(0, h.Histogram.Buckets[0].Count);
            Assert.NotEqual(0, h.Histogram.Buckets[^1].Count);
            var lines = h.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal($"@ns[{h.Name}]:", lines[0]);
            Assert.Equal(h.Histogram.Buckets.Count, lines.Length - 1);
            Assert.Contains(lines, l => l.Contains('|' + new string('@', LatencyHistogram.BarWidth) + '|', StringComparison.Ordinal));
        }

        Assert.Equal(
            ["[0]", "[1]", "[2, 4)", "[512, 1K)", "[1K, 2K)", "[1M, 2M)", "[1G, 2G)"],
            new[] { (0L, 1L), (1, 2), (2, 4), (512, 1024), (1024, 2048), (1 << 20, 1 << 21), (1 << 30, 1L << 31) }.Select(r => new LatencyBucket(r.Item1, r.Item2, 1).Label));
    }
}
