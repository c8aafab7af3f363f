using System.Numerics;

namespace SyscallPS.Analysis;

/// <summary>How <see cref="SyscallStatistics"/> orders its rows (strace's <c>-S</c>).</summary>
public enum SyscallStatisticsSort
{
    /// <summary>By total time, largest first (strace's default, <c>-S time</c>).</summary>
    Time,

    /// <summary>By number of calls, most first (<c>-S calls</c>).</summary>
    Calls,

    /// <summary>By number of failed calls, most first (<c>-S errors</c>).</summary>
    Errors,

    /// <summary>By group name, alphabetically (<c>-S name</c>).</summary>
    Name,

    /// <summary>By average time per call, largest first (<c>-S avg-time</c>).</summary>
    Average,

    /// <summary>By the shortest call, largest first (<c>-S min-time</c>).</summary>
    Shortest,

    /// <summary>By the longest call, largest first (<c>-S max-time</c>).</summary>
    Longest,

    /// <summary>Unsorted: in key order, syscalls by number (<c>-S nothing</c>).</summary>
    None,
}

/// <summary>
/// strace -c in the engine: counts calls, errors and time per group (by syscall unless told otherwise) and
/// keeps a power-of-two latency histogram per group (bpftrace's <c>hist()</c>).
/// </summary>
/// <remarks>
/// Like strace -c, only completed calls count (<see cref="Counts(SyscallEvent)"/>): a call whose exit was never
/// seen (an unfinished call, and <c>exit</c>/<c>exit_group</c>, which never return) is not counted; a failed call
/// (any errno, the kernel's restart codes too) counts as a call and an error. The time is the wall time from entry
/// to exit (strace -c -w); strace -c without -w shows the system CPU time of the call instead, which the
/// engines do not measure.
/// </remarks>
public sealed class SyscallStatistics
{
    private readonly GroupField[] _fields;
    private readonly Dictionary<GroupKey, Accumulator> _groups = [];

    /// <summary>Statistics per syscall.</summary>
    public SyscallStatistics()
        : this([nameof(SyscallEvent.Syscall)])
    {
    }

    /// <summary>Statistics per group of these <see cref="SyscallEvent"/> properties (case-insensitive).</summary>
    /// <exception cref="Tracing.TraceException">A name is not a property of <see cref="SyscallEvent"/> (<c>UnknownGroupProperty</c>).</exception>
    public SyscallStatistics(IEnumerable<string> groupBy)
    {
        _fields = [.. groupBy.Select(GroupField.Resolve).DistinctBy(f => f.Name)];
        if (_fields.Length == 0)
        {
            throw new ArgumentException("Group by at least one property.", nameof(groupBy));
        }

        GroupBy = [.. _fields.Select(f => f.Name)];
    }

    /// <summary>The properties the rows are grouped by, as <see cref="SyscallEvent"/> spells them.</summary>
    public IReadOnlyList<string> GroupBy { get; }

    /// <summary>Calls counted so far.</summary>
    public long Calls { get; private set; }

    /// <summary>The events that loss records said were lost (the counts are lower bounds when not 0).</summary>
    public long LostCount { get; private set; }

    /// <summary>The properties every event can be grouped by.</summary>
    public static IEnumerable<string> GroupableProperties => GroupField.Names;

    /// <summary>True for the events strace -c counts: completed system calls (not exit/exit_group, which never return).</summary>
    public static bool Counts(SyscallEvent e) => Counts(e.Kind, e.ReturnText);

    /// <summary>True for the records strace -c counts, from their kind and strace return text (<c>?</c> when the call never returned).</summary>
    public static bool Counts(SyscallEventKind kind, string returnText) => kind == SyscallEventKind.Syscall && returnText != "?";

    /// <summary>Adds an event: counts it when <see cref="Counts(SyscallEvent)"/>, and notes the size of loss records.</summary>
    /// <returns>True when the event was counted.</returns>
    public bool Add(SyscallEvent e)
    {
        if (e.Kind == SyscallEventKind.Lost)
        {
            LostCount += e.LostCount;
            return false;
        }

        if (!Counts(e))
        {
            return false;
        }

        var key = _fields.Length == 1 ? new GroupKey(_fields[0].FromEvent(e)) : new GroupKey(Array.ConvertAll(_fields, f => f.FromEvent(e)));
        Add(key, e.Duration.Ticks * 100, e.Errno is not null);
        return true;
    }

    /// <summary>Adds one completed call.</summary>
    /// <exception cref="InvalidOperationException">A group property is not one a <see cref="SyscallSample"/> carries.</exception>
    public void Add(in SyscallSample sample)
    {
        GroupKey key;
        if (_fields.Length == 1)
        {
            key = new GroupKey(SampleValue(_fields[0], sample));
        }
        else
        {
            var values = new object?[_fields.Length];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = SampleValue(_fields[i], sample);
            }

            key = new GroupKey(values);
        }

        Add(key, sample.DurationNanoseconds, sample.Errno is not null);
    }

    /// <summary>Notes that a loss record reported this many lost events.</summary>
    public void AddLost(long count) => LostCount += count;

    /// <summary>The rows, sorted, followed by the total row strace prints last.</summary>
    public IReadOnlyList<SyscallStatistic> GetRows(SyscallStatisticsSort sort = SyscallStatisticsSort.Time)
    {
        long totalNs = 0, calls = 0, errors = 0, shortest = long.MaxValue, longest = 0;
        foreach (var a in _groups.Values)
        {
            totalNs += a.Nanoseconds;
            calls += a.Calls;
            errors += a.Errors;
            shortest = Math.Min(shortest, a.Shortest);
            longest = Math.Max(longest, a.Longest);
        }

        var rows = new List<SyscallStatistic>(_groups.Count + 1);
        foreach (var (key, a) in Sorted(sort))
        {
            rows.Add(new SyscallStatistic(GroupBy, key.ToArray(), a.Calls, a.Errors, a.Nanoseconds, totalNs, a.Shortest, a.Longest, new LatencyHistogram(a.Buckets)));
        }

        rows.Add(new SyscallStatistic(GroupBy, null, calls, errors, totalNs, totalNs, calls == 0 ? 0 : shortest, longest, null));
        return rows;
    }

    /// <summary>One latency histogram per group, in the order of <see cref="GetRows"/>.</summary>
    public IReadOnlyList<SyscallHistogram> GetHistograms(SyscallStatisticsSort sort = SyscallStatisticsSort.Time) =>
        [.. Sorted(sort).Select(g => new SyscallHistogram(GroupBy, g.Key.ToArray(), g.Value.Calls, new LatencyHistogram(g.Value.Buckets)))];

    private static object? SampleValue(GroupField field, in SyscallSample sample) =>
        field.FromSample is { } get
            ? get(sample)
            : throw new InvalidOperationException($"A SyscallSample does not carry {field.Name}: add the events instead.");

    private void Add(GroupKey key, long nanoseconds, bool failed)
    {
        if (!_groups.TryGetValue(key, out var a))
        {
            a = new Accumulator();
            _groups.Add(key, a);
        }

        nanoseconds = Math.Max(nanoseconds, 0);
        a.Calls++;
        a.Nanoseconds += nanoseconds;
        a.Shortest = Math.Min(a.Shortest, nanoseconds);
        a.Longest = Math.Max(a.Longest, nanoseconds);
        a.Buckets[LatencyHistogram.BucketOf(nanoseconds)]++;
        if (failed)
        {
            a.Errors++;
        }

        Calls++;
    }

    private IEnumerable<KeyValuePair<GroupKey, Accumulator>> Sorted(SyscallStatisticsSort sort)
    {
        var keys = new KeyComparer(_fields);
        var list = _groups.ToList();
        Comparison<Accumulator>? primary = sort switch
        {
            SyscallStatisticsSort.Time => (a, b) => b.Nanoseconds.CompareTo(a.Nanoseconds),
            SyscallStatisticsSort.Calls => (a, b) => b.Calls.CompareTo(a.Calls),
            SyscallStatisticsSort.Errors => (a, b) => b.Errors.CompareTo(a.Errors),
            SyscallStatisticsSort.Average => (a, b) => (b.Nanoseconds / b.Calls).CompareTo(a.Nanoseconds / a.Calls),
            SyscallStatisticsSort.Shortest => (a, b) => b.Shortest.CompareTo(a.Shortest),
            SyscallStatisticsSort.Longest => (a, b) => b.Longest.CompareTo(a.Longest),
            _ => null,
        };

        // Ties (and -S nothing) in key order, syscalls by number: the order strace's stable sort leaves them in.
        list.Sort((x, y) =>
        {
            int c = primary?.Invoke(x.Value, y.Value) ?? 0;
            return c != 0 ? c : sort == SyscallStatisticsSort.Name ? keys.CompareByName(x.Key, y.Key) : keys.Compare(x.Key, y.Key);
        });
        return list;
    }

    private sealed class Accumulator
    {
        public long Calls;
        public long Errors;
        public long Nanoseconds;
        public long Shortest = long.MaxValue;
        public long Longest;
        public readonly long[] Buckets = new long[LatencyHistogram.BucketCount];
    }

    /// <summary>Orders group keys: syscall names by their number on this machine, other values by value.</summary>
    private sealed class KeyComparer(GroupField[] fields)
    {
        private readonly SyscallTable _table = SyscallTable.Current;

        public int Compare(GroupKey x, GroupKey y) => Compare(x, y, byNumber: true);

        public int CompareByName(GroupKey x, GroupKey y) => Compare(x, y, byNumber: false);

        private int Compare(GroupKey x, GroupKey y, bool byNumber)
        {
            var a = x.ToArray();
            var b = y.ToArray();
            for (int i = 0; i < fields.Length; i++)
            {
                int c = byNumber && fields[i].Name == nameof(SyscallEvent.Syscall)
                    ? NumberOf(a[i]).CompareTo(NumberOf(b[i]))
                    : 0;
                if (c == 0)
                {
                    c = CompareValues(a[i], b[i]);
                }

                if (c != 0)
                {
                    return c;
                }
            }

            return 0;
        }

        private int NumberOf(object? name) =>
            name is string s && _table.TryGetByName(s, out var info) ? info.Number : int.MaxValue;

        private static int CompareValues(object? a, object? b) => (a, b) switch
        {
            (null, null) => 0,
            (null, _) => -1,
            (_, null) => 1,
            (string s, string t) => string.CompareOrdinal(s, t),
            (IComparable c, _) when a.GetType() == b.GetType() => c.CompareTo(b),
            _ => string.CompareOrdinal(a.ToString(), b.ToString()),
        };
    }
}

/// <summary>One row of <see cref="SyscallStatistics"/>: strace -c's columns for one group, or the total row.</summary>
public sealed class SyscallStatistic
{
    internal SyscallStatistic(IReadOnlyList<string> groupBy, object?[]? key, long calls, long errors, long nanoseconds, long totalNanoseconds, long shortest, long longest, LatencyHistogram? histogram)
    {
        GroupBy = groupBy;
        Key = key ?? new object?[groupBy.Count];
        IsTotal = key is null;
        Calls = calls;
        Errors = errors;
        Nanoseconds = nanoseconds;
        Seconds = nanoseconds / 1e9;
        MicrosecondsPerCall = calls == 0 ? 0 : nanoseconds / calls / 1000;
        PercentTime = IsTotal ? 100.0 : totalNanoseconds == 0 ? 0.0 : 100.0 * nanoseconds / totalNanoseconds;
        ShortestSeconds = shortest / 1e9;
        LongestSeconds = longest / 1e9;
        Histogram = histogram;
    }

    /// <summary>The properties the rows are grouped by.</summary>
    public IReadOnlyList<string> GroupBy { get; }

    /// <summary>This group's values of the <see cref="GroupBy"/> properties (all null for the total row).</summary>
    public IReadOnlyList<object?> Key { get; }

    /// <summary>The group as strace's last column shows it: the key values (<c>openat</c>), or <c>total</c>.</summary>
    public string Name => IsTotal ? "total" : string.Join(" ", Key.Select(v => v?.ToString() ?? "-"));

    /// <summary>True for the total row.</summary>
    public bool IsTotal { get; }

    /// <summary>Completed calls.</summary>
    public long Calls { get; }

    /// <summary>Calls that returned an error.</summary>
    public long Errors { get; }

    /// <summary>Total wall time inside the calls, in nanoseconds.</summary>
    public long Nanoseconds { get; }

    /// <summary>Total wall time inside the calls, in seconds (strace's <c>seconds</c>).</summary>
    public double Seconds { get; }

    /// <summary>Average time per call in whole microseconds, truncated (strace's <c>usecs/call</c>).</summary>
    public long MicrosecondsPerCall { get; }

    /// <summary>This group's share of the total time (strace's <c>% time</c>); 100 for the total row.</summary>
    public double PercentTime { get; }

    /// <summary>The shortest call, in seconds (strace's <c>shortest</c> column).</summary>
    public double ShortestSeconds { get; }

    /// <summary>The longest call, in seconds (strace's <c>longest</c> column).</summary>
    public double LongestSeconds { get; }

    /// <summary>The group's latency histogram; null for the total row.</summary>
    public LatencyHistogram? Histogram { get; }

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>The latency histogram of one group (bpftrace's <c>@ns[key] = hist(duration)</c>).</summary>
public sealed class SyscallHistogram
{
    internal SyscallHistogram(IReadOnlyList<string> groupBy, object?[] key, long calls, LatencyHistogram histogram)
    {
        GroupBy = groupBy;
        Key = key;
        Calls = calls;
        Histogram = histogram;
    }

    /// <summary>The properties the groups are made by.</summary>
    public IReadOnlyList<string> GroupBy { get; }

    /// <summary>This group's values of the <see cref="GroupBy"/> properties.</summary>
    public IReadOnlyList<object?> Key { get; }

    /// <summary>The group's name: its key values.</summary>
    public string Name => string.Join(" ", Key.Select(v => v?.ToString() ?? "-"));

    /// <summary>Completed calls in the group.</summary>
    public long Calls { get; }

    /// <summary>The buckets.</summary>
    public LatencyHistogram Histogram { get; }

    /// <summary>The histogram as bpftrace prints a map: <c>@ns[openat]:</c> and one line per bucket with a bar.</summary>
    public override string ToString() => "@ns[" + Name + "]:" + Environment.NewLine + Histogram.ToString();
}

/// <summary>Latencies in power-of-two buckets of nanoseconds, as bpftrace's <c>hist()</c>: [0], [1], [2, 4), [4, 8) …</summary>
public sealed class LatencyHistogram
{
    /// <summary>Buckets: one for 0, then one per power of two up to [2^62, 2^63).</summary>
    internal const int BucketCount = 64;

    /// <summary>The width of the bars bpftrace prints.</summary>
    public const int BarWidth = 52;

    private readonly long[] _counts;

    internal LatencyHistogram(long[] counts)
    {
        _counts = (long[])counts.Clone();
        int first = Array.FindIndex(_counts, c => c != 0);
        int last = Array.FindLastIndex(_counts, c => c != 0);
        Buckets = first < 0 ? [] : [.. Enumerable.Range(first, last - first + 1).Select(i => new LatencyBucket(LowerOf(i), UpperOf(i), _counts[i]))];
    }

    /// <summary>The buckets from the first non-empty one to the last (bpftrace prints that range).</summary>
    public IReadOnlyList<LatencyBucket> Buckets { get; }

    /// <summary>The calls counted.</summary>
    public long Count => _counts.Sum();

    /// <summary>The bucket of a latency: 0 for 0 ns, else 1 + floor(log2(ns)).</summary>
    internal static int BucketOf(long nanoseconds) => nanoseconds <= 0 ? 0 : 1 + BitOperations.Log2((ulong)nanoseconds);

    /// <summary>The lines of the histogram as bpftrace prints them: <c>[4K, 8K)   12 |@@@@     |</c>.</summary>
    public override string ToString()
    {
        long max = Buckets.Count == 0 ? 0 : Buckets.Max(b => b.Count);
        var sb = new System.Text.StringBuilder();
        foreach (var b in Buckets)
        {
            int bar = max == 0 ? 0 : (int)(b.Count * BarWidth / max);
            sb.Append(b.Label.PadRight(16)).Append(b.Count.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(8))
                .Append(" |").Append('@', bar).Append(' ', BarWidth - bar).Append('|').AppendLine();
        }

        return sb.ToString();
    }

    private static long LowerOf(int bucket) => bucket == 0 ? 0 : 1L << (bucket - 1);

    private static long UpperOf(int bucket) => bucket == 0 ? 1 : bucket == BucketCount - 1 ? long.MaxValue : 1L << bucket;
}

/// <summary>One bucket of a <see cref="LatencyHistogram"/>: the calls with LowerNanoseconds &lt;= latency &lt; UpperNanoseconds.</summary>
/// <param name="LowerNanoseconds">The smallest latency in the bucket.</param>
/// <param name="UpperNanoseconds">The first latency above the bucket.</param>
/// <param name="Count">The calls in the bucket.</param>
public sealed record LatencyBucket(long LowerNanoseconds, long UpperNanoseconds, long Count)
{
    /// <summary>The bucket as bpftrace labels it: <c>[0]</c>, <c>[1]</c>, <c>[2, 4)</c>, <c>[1K, 2K)</c>, <c>[1M, 2M)</c>.</summary>
    public string Label => UpperNanoseconds - LowerNanoseconds == 1
        ? "[" + Scaled(LowerNanoseconds) + "]"
        : "[" + Scaled(LowerNanoseconds) + ", " + Scaled(UpperNanoseconds) + ")";

    // Powers of two print with binary suffixes, as bpftrace does: 1024 is 1K, 2^20 is 1M.
    private static string Scaled(long value)
    {
        const string suffixes = "KMGTPE";
        int unit = -1;
        while (value >= 1024 && value % 1024 == 0 && unit < suffixes.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return value.ToString(System.Globalization.CultureInfo.InvariantCulture) + (unit < 0 ? string.Empty : suffixes[unit].ToString());
    }
}
