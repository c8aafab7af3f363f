using System.Text.Json;
using SyscallPS.Analysis;
using SyscallPS.Tracing;
using Xunit;

namespace SyscallPS.Tests.Analysis;

/// <summary>The trace-event JSON of a real trace: its structure as Perfetto and chrome://tracing read it.</summary>
public sealed class TimelineWriterTests
{
    [SkippableFact]
    public void A_real_trace_becomes_complete_events_on_thread_tracks_with_named_tracks_and_instants()
    {
        var (events, _) = TraceHelper.Run(TraceHelper.Launch(Fixtures.Path("analysis_mix")));

        // A loss record as a session adds it when events were dropped (no clock reading of its own).
        events.Add(new SyscallEvent { Kind = SyscallEventKind.Lost, LostCount = 42, Timestamp = DateTime.Now });
        var file = Path.GetTempFileName();
        try
        {
            using (var writer = new TimelineWriter(File.Create(file)))
            {
                events.ForEach(writer.Write);
                Assert.Equal(42, writer.LostCount);
            }

            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            var root = doc.RootElement;
            Assert.Equal("ns", root.GetProperty("displayTimeUnit").GetString());
            var trace = root.GetProperty("traceEvents").EnumerateArray().ToList();

            // Every call, and nothing else, is a complete event: name, category, its strace line, µs from the first event.
            var calls = events.Where(e => e.Kind is SyscallEventKind.Syscall or SyscallEventKind.Unfinished).ToList();
            var complete = trace.Where(t => t.GetProperty("ph").GetString() == "X").ToList();
            Assert.Equal(calls.Count, complete.Count);
            long origin = events[0].MonotonicNanoseconds;
            for (int i = 0; i < calls.Count; i++)
            {
                var (e, t) = (calls[i], complete[i]);
                Assert.Equal(e.Syscall, t.GetProperty("name").GetString());
                Assert.Equal(e.Category.ToString(), t.GetProperty("cat").GetString());
                Assert.Equal((e.MonotonicNanoseconds - origin) / 1000m, t.GetProperty("ts").GetDecimal());
                Assert.Equal(e.Duration.Ticks / 10m, t.GetProperty("dur").GetDecimal());
                Assert.Equal(e.ProcessId, t.GetProperty("pid").GetInt32());
                Assert.Equal(e.ThreadId, t.GetProperty("tid").GetInt32());
                var args = t.GetProperty("args");
                Assert.Equal(e.ToStraceLine(), args.GetProperty("call").GetString());
                Assert.Equal(e.Errno, args.TryGetProperty("errno", out var errno) ? errno.GetString() : null);
                Assert.Equal(e.FdName, args.TryGetProperty("fdName", out var fdName) ? fdName.GetString() : null);
            }

            // Each process and thread is named before its first event on the track.
            foreach (var pid in events.Where(e => e.Kind != SyscallEventKind.Lost).Select(e => e.ProcessId).Distinct())
            {
                int named = trace.FindIndex(t => t.GetProperty("ph").GetString() == "M" && t.GetProperty("name").GetString() == "process_name" && t.GetProperty("pid").GetInt32() == pid);
                int first = trace.FindIndex(t => t.GetProperty("ph").GetString() != "M" && t.GetProperty("pid").GetInt32() == pid);
                Assert.InRange(named, 0, first - 1);
                Assert.Equal("analysis_mix", trace[named].GetProperty("args").GetProperty("name").GetString());
            }

            Assert.Equal(events.Where(e => e.Kind != SyscallEventKind.Lost).Select(e => e.ThreadId).Distinct().Count(),
                trace.Count(t => t.GetProperty("ph").GetString() == "M" && t.GetProperty("name").GetString() == "thread_name"));

            // Signals on their thread, exits on their process, the loss across the whole trace.
            var instants = trace.Where(t => t.GetProperty("ph").GetString() == "i").Select(t => (t.GetProperty("name").GetString()!, t.GetProperty("s").GetString()!)).ToList();
            Assert.Equal(
                new[] { ("exited 3", "p"), ("SIGCHLD", "t"), ("SIGUSR1", "t"), ("SIGUSR1", "t"), ("exited 0", "p"), ("lost 42 events", "g") }.Order(),
                instants.Order());

            // The loss record has no clock reading: it is placed where the trace had got to.
            var lost = trace.Single(t => t.GetProperty("ph").GetString() == "i" && t.GetProperty("cat").GetString() == "lost");
            Assert.Equal(42, lost.GetProperty("args").GetProperty("lost").GetInt64());
            Assert.Equal((events.Last(e => e.MonotonicNanoseconds != 0).MonotonicNanoseconds - origin) / 1000m, lost.GetProperty("ts").GetDecimal());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [SkippableFact]
    public void A_group_stop_is_an_instant_on_its_thread()
    {
        var (events, _) = TraceHelper.Run(TraceHelper.Launch(Fixtures.Path("conf_stops")));
        using var stream = new MemoryStream();
        using (var writer = new TimelineWriter(stream))
        {
            events.ForEach(writer.Write);
        }

        using var doc = JsonDocument.Parse(stream.ToArray());
        var stops = doc.RootElement.GetProperty("traceEvents").EnumerateArray()
            .Where(t => t.GetProperty("ph").GetString() == "i" && t.GetProperty("name").GetString()!.StartsWith("stopped by ", StringComparison.Ordinal))
            .ToList();
        Assert.Equal(["stopped by SIGSTOP", "stopped by SIGTSTP"], stops.Select(t => t.GetProperty("name").GetString()));
        var child = events.First(e => e.Kind == SyscallEventKind.Stopped).ThreadId;
        Assert.All(stops, t => Assert.Equal(("t", "signal", child), (t.GetProperty("s").GetString(), t.GetProperty("cat").GetString(), t.GetProperty("tid").GetInt32())));
    }
}
