using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using SyscallPS.Analysis;
using SyscallPS.Tests.Conformance;
using SyscallPS.Tests.Decoding;
using Xunit;

namespace SyscallPS.Tests.Analysis;

/// <summary>
/// Round trips through real strace: the fixture analysis_mix is traced by strace with several flag combinations,
/// the output is read back by <see cref="StraceLogParser"/>, and every event must print as the line strace wrote
/// (its unfinished and resumed halves joined), with the pid, time and duration strace gave it.
/// </summary>
public sealed partial class StraceLogTests
{
    public static TheoryData<string> FlagSets => new()
    {
        "-o",
        "-f -o",
        "-f -t -o",
        "-f -tt -T -y -o",
        "-f -ttt -T -yy -o",
        "-ff -tt -T -o",
        "-f -r -T -o",
        "-f -tt -T stderr",
    };

    [SkippableTheory]
    [MemberData(nameof(FlagSets))]
    public void Every_line_comes_back_as_strace_printed_it(string flags)
    {
        using var run = StraceRun.Start(flags);
        var files = run.OutputFiles;
        Assert.NotEmpty(files);

        var parser = new StraceLogParser();
        var events = new List<SyscallEvent>();
        var expected = new List<string>();
        long straceDurationNs = 0;
        long relativeNs = 0;
        foreach (var file in files)
        {
            int? filePid = StraceLogParser.ProcessIdFromFileName(file);
            parser.StartFile(filePid);
            var lines = File.ReadAllLines(file);
            foreach (var line in lines)
            {
                Assert.NotEqual(StraceLineKind.Invalid, parser.Parse(line, events));
            }

            var normalized = Normalize(lines, filePid, out long ns, out long sumOfTimes);
            straceDurationNs += ns;
            relativeNs += sumOfTimes;
            expected.AddRange(normalized);
        }

        parser.Finish(events);

        // Per thread, in order: how strace interleaves threads is its business, not the parser's.
        var theirs = ConformanceRunner.ParseStrace(expected).GroupBy(l => l.Tid).ToDictionary(g => g.Key, g => g.Select(l => l.Line).ToList());
        var ours = events.GroupBy(e => e.ThreadId).ToDictionary(g => g.Key, g => g.Select(e => e.ToStraceLine()).ToList());
        Assert.Equal(theirs.Keys.Order(), ours.Keys.Order());
        foreach (var (tid, lines) in theirs)
        {
            Assert.Equal(lines, ours[tid]);
        }

        // Two processes (-f) or one; every event has its real pid, whether or not the lines said it.
        int parent = events.First(e => e.Syscall == "execve").ProcessId;
        int child = flags.Contains("-f", StringComparison.Ordinal) ? (int)events.Single(e => e.Syscall == "clone").ReturnValue : parent;
        Assert.True(parent > 0);
        Assert.Equal(new[] { parent, child }.Distinct().Order(), events.Select(e => e.ProcessId).Distinct().Order());
        Assert.All(events.Where(e => e.ThreadId == child && e.Kind == SyscallEventKind.Syscall && e.Syscall == "write"), e => Assert.Equal("analysis_mix", e.ProcessName));

        // -r: each line's time is the time since the line before, so the last line is at their sum.
        if (flags.Contains("-r", StringComparison.Ordinal))
        {
            Assert.Equal(relativeNs, events.Max(e => e.MonotonicNanoseconds));
            Assert.Equal(relativeNs / 100, events.Max(e => e.Timestamp).Ticks);
        }

        // -T: each call has its duration (the resumed half's for joined calls).
        Assert.Equal(straceDurationNs, events.Sum(e => e.Duration.Ticks * 100));
        if (flags.Contains("-T", StringComparison.Ordinal))
        {
            Assert.All(events.Where(e => SyscallStatistics.Counts(e)), e => Assert.True(e.Duration > TimeSpan.Zero, e.ToString()));
        }
    }

    [SkippableFact]
    public void Timestamps_paths_and_descriptors_are_what_strace_printed()
    {
        using var run = StraceRun.Start("-f -tt -T -yy -o");
        var file = run.OutputFiles.Single();
        var lines = File.ReadAllLines(file);
        var parser = new StraceLogParser();
        var events = new List<SyscallEvent>();
        foreach (var line in lines)
        {
            parser.Parse(line, events);
        }

        parser.Finish(events);

        // The execve line: "PID  HH:MM:SS.uuuuuu execve(...) = 0 <0.000455>".
        var first = Regex.Match(lines[0], @"^\d+ +(\d\d:\d\d:\d\d\.\d{6}) .* <(\d+\.\d+)>$");
        Assert.True(first.Success, lines[0]);
        var execve = events[0];
        Assert.Equal(first.Groups[1].Value, execve.Timestamp.ToString("HH:mm:ss.ffffff", CultureInfo.InvariantCulture));
        Assert.Equal(decimal.Parse(first.Groups[2].Value, CultureInfo.InvariantCulture), execve.Duration.Ticks / 10_000_000m);
        Assert.Equal(run.Fixture, execve.Path);
        Assert.Equal("analysis_mix", execve.ProcessName);

        // Times never go back within a thread, and the monotonic clock says the same as the timestamps.
        foreach (var thread in events.GroupBy(e => e.ThreadId))
        {
            var clock = thread.Select(e => e.MonotonicNanoseconds).ToList();
            Assert.Equal(clock.Order(), clock);
        }

        var failedOpens = events.Where(e => e.Syscall == "openat" && e.Errno == "ENOENT" && e.Path!.StartsWith("/nonexistent/", StringComparison.Ordinal)).ToList();
        Assert.Equal(5, failedOpens.Count);
        Assert.All(failedOpens, e => Assert.Equal(-1, e.ReturnValue));
        Assert.All(failedOpens, e => Assert.Equal("No such file or directory", e.ErrorMessage));

        // -yy names: /dev/null without its "<char 1:3>", the pipe by inode; returned descriptors too.
        Assert.Equal(12, events.Count(e => e.Syscall == "write" && e.Fd == 3 && e.FdName == "/dev/null" && e.FdType == SyscallPS.Decoding.FdType.File));
        Assert.Equal(3, events.Count(e => e.Syscall == "openat" && e.Fd == 3 && e.FdName == "/dev/null"));
        var pipeWrites = events.Where(e => e.Syscall == "write" && e.FdType == SyscallPS.Decoding.FdType.Pipe).ToList();
        Assert.Equal(5, pipeWrites.Count);
        Assert.All(pipeWrites, e => Assert.Matches(@"^pipe:\[\d+\]$", e.FdName));

        var clone = events.Single(e => e.Syscall == "clone");
        Assert.Equal((int)clone.ReturnValue, clone.ChildProcessId);
        Assert.Equal(["exited 3", "exited 0"], events.Where(e => e.Kind == SyscallEventKind.Exited).Select(e => "exited " + e.ExitCode));
        Assert.Equal(new[] { "SIGCHLD", "SIGUSR1", "SIGUSR1" }, events.Where(e => e.Kind == SyscallEventKind.Signal).Select(e => e.Signal));
    }

    [SkippableTheory]
    [InlineData("calls", SyscallStatisticsSort.Calls)]
    [InlineData("errors", SyscallStatisticsSort.Errors)]
    [InlineData("name", SyscallStatisticsSort.Name)]
    public void Statistics_of_an_imported_log_are_strace_c_w_of_the_same_run(string straceSort, SyscallStatisticsSort sort)
    {
        // strace -C prints the trace and, at its end, the -c table of the same run; -w makes that table wall time.
        using var run = StraceRun.Start($"-f -C -w -T -S {straceSort} -o");
        var lines = File.ReadAllLines(run.OutputFiles.Single());
        var parser = new StraceLogParser();
        var statistics = new SyscallStatistics();
        var events = new List<SyscallEvent>();
        foreach (var line in lines)
        {
            parser.Parse(line, events);
        }

        parser.Finish(events);
        foreach (var e in events)
        {
            statistics.Add(e);
        }

        var table = StraceSummary.Read(lines);
        var rows = statistics.GetRows(sort);
        Assert.Equal(table.Select(r => r.Syscall), rows.Where(r => !r.IsTotal).Select(r => r.Name));
        for (int i = 0; i < table.Count; i++)
        {
            var (_, seconds, usecsPerCall, calls, errors) = table[i];
            var row = rows[i];
            Assert.Equal((calls, errors), (row.Calls, row.Errors));

            // strace sums exact times and prints them rounded; the log's -T values are each rounded to the microsecond.
            Assert.InRange(row.Seconds, seconds - (calls * 1e-6) - 1e-6, seconds + (calls * 1e-6) + 1e-6);
            Assert.InRange(row.MicrosecondsPerCall, usecsPerCall - 1, usecsPerCall + 1);
        }

        Assert.True(rows[^1].IsTotal);
        Assert.Equal(table.Sum(r => r.Calls), rows[^1].Calls);
        Assert.Equal(table.Sum(r => r.Errors), rows[^1].Errors);
    }

    [SkippableFact]
    public void Group_stop_lines_become_Stopped_events()
    {
        using var run = StraceRun.Start("-f -o", "conf_stops");
        var lines = File.ReadAllLines(Assert.Single(run.OutputFiles));
        var parser = new StraceLogParser();
        var events = new List<SyscallEvent>();
        foreach (var line in lines)
        {
            Assert.NotEqual(StraceLineKind.Invalid, parser.Parse(line, events));
        }

        parser.Finish(events);
        // strace -o pads the thread id to a column: compare "tid line".
        var theirs = lines.Where(l => l.Contains(" --- stopped by ", StringComparison.Ordinal))
            .Select(l => string.Join(' ', l.Split(' ', 2, StringSplitOptions.TrimEntries)))
            .ToList();
        var stops = events.Where(e => e.Kind == SyscallEventKind.Stopped).ToList();
        Assert.Equal(["SIGSTOP", "SIGTSTP"], stops.Select(e => e.Signal));
        Assert.Equal(theirs, stops.Select(e => e.ThreadId.ToString(System.Globalization.CultureInfo.InvariantCulture) + " " + e.ToStraceLine()));
        Assert.All(stops, e => Assert.Null(e.SignalInfo));
        Assert.Equal(StraceLineKind.Invalid, parser.Parse("12 --- stopped by SIGSTOP {si_signo=SIGSTOP} ---", events));
    }

    [Fact]
    public void Lines_that_are_not_strace_output_are_reported_not_thrown()
    {
        var parser = new StraceLogParser();
        var events = new List<SyscallEvent>();
        Assert.Equal(StraceLineKind.Invalid, parser.Parse("hello from the program", events));
        Assert.Equal(StraceLineKind.Invalid, parser.Parse("12 write(1, \"cut in the mid", events));
        Assert.Equal(StraceLineKind.Invalid, parser.Parse("12 close(3) = ", events));
        Assert.Equal(StraceLineKind.Invalid, parser.Parse("12 +++ unknown thing +++", events));
        Assert.Equal(StraceLineKind.Ignored, parser.Parse("strace: Process 12 attached", events));
        Assert.Equal(StraceLineKind.Ignored, parser.Parse(string.Empty, events));
        Assert.Equal(StraceLineKind.Event, parser.Parse("12 close(3) = 0", events));
        Assert.Equal("close(3) = 0", Assert.Single(events).ToStraceLine());
    }

    [Fact]
    public void A_file_without_pids_keeps_what_earlier_files_said_about_its_process()
    {
        // -ff's file of the parent names the program and forks the child; a file of the child without a pid in its
        // name is held until set_tid_address names it, and then still knows the name it inherited.
        var parser = new StraceLogParser();
        var events = new List<SyscallEvent>();
        parser.StartFile(100);
        parser.Parse("execve(\"/usr/bin/prog\", [\"prog\"], 0x7ffd /* 1 var */) = 0", events);
        parser.Parse("clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f) = 101", events);
        parser.StartFile(null);
        Assert.Equal(StraceLineKind.Pending, parser.Parse("write(1, \"x\", 1) = 1", events));
        parser.Parse("set_tid_address(0x7f) = 101", events);
        parser.Finish(events);
        Assert.Equal(["execve:100:prog", "clone:100:prog", "write:101:prog", "set_tid_address:101:prog"], events.Select(e => $"{e.Syscall}:{e.ProcessId}:{e.ProcessName}"));
    }

    // "[pid N] " or "N  " prefixes, -t/-tt/-ttt times and -T durations off; the alignment padding before " = "
    // closed up; "TID text" as ConformanceRunner.ParseStrace reads it. Lines without a pid belong to
    // the file's pid, else to the process that set_tid_address names (the one strace started).
    private static List<string> Normalize(string[] lines, int? filePid, out long durationNs, out long sumOfTimes)
    {
        durationNs = 0;
        sumOfTimes = 0;
        int? unprefixed = filePid ?? lines.Select(l => SetTidAddress().Match(l)).Where(m => m.Success).Select(m => (int?)int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).FirstOrDefault();
        var result = new List<string>();
        string? cut = null;
        foreach (var raw in lines)
        {
            var line = cut is null ? raw : cut + raw;
            cut = null;
            int attached = line.IndexOf("strace: Process ", 1, StringComparison.Ordinal);
            if (attached > 0)
            {
                cut = line[..attached];
                continue;
            }

            var m = LinePrefix().Match(line);
            string body = m.Groups["body"].Value;
            if (body.StartsWith("% time", StringComparison.Ordinal))
            {
                break;
            }

            if (body.StartsWith("strace: ", StringComparison.Ordinal))
            {
                continue;
            }

            if (m.Groups["time"].Success && m.Groups["time"].Value.Contains('.', StringComparison.Ordinal) && !m.Groups["time"].Value.Contains(':', StringComparison.Ordinal))
            {
                sumOfTimes += (long)(decimal.Parse(m.Groups["time"].Value, CultureInfo.InvariantCulture) * 1_000_000_000m);
            }

            if (m.Groups["dur"].Success)
            {
                durationNs += (long)(decimal.Parse(m.Groups["dur"].Value, CultureInfo.InvariantCulture) * 1_000_000_000m);
            }

            string tid = m.Groups["pid"].Success ? m.Groups["pid"].Value : unprefixed?.ToString(CultureInfo.InvariantCulture) ?? "0";
            result.Add(tid + " " + Padding().Replace(body, "$1 = $2"));
        }

        return result;
    }

    [GeneratedRegex(@"^(?:\[pid\s+(?<pid>\d+)\] |(?<pid>\d+) +)?(?:(?<time>\d\d:\d\d:\d\d(?:\.\d+)?|\d+\.\d+) )?(?<body>.*?)(?: <(?<dur>\d+\.\d+)>)?$")]
    private static partial Regex LinePrefix();

    [GeneratedRegex(@"^(.*\))\s+= (.*)$")]
    private static partial Regex Padding();

    [GeneratedRegex(@"set_tid_address\(.*\)\s+= (\d+)")]
    private static partial Regex SetTidAddress();
}

/// <summary>One run of the analysis_mix fixture under real strace, with its output files; removed afterwards.</summary>
internal sealed class StraceRun : IDisposable
{
    private readonly DirectoryInfo _dir;

    private StraceRun(DirectoryInfo dir, string fixture)
    {
        _dir = dir;
        Fixture = fixture;
    }

    /// <summary>The fixture program strace ran.</summary>
    public string Fixture { get; }

    /// <summary>What strace wrote: the -o file, the -ff files in pid order, or the captured stderr.</summary>
    public IReadOnlyList<string> OutputFiles =>
        [.. _dir.GetFiles("trace*").OrderBy(f => StraceLogParser.ProcessIdFromFileName(f.FullName) ?? 0).Select(f => f.FullName)];

    /// <summary>
    /// Runs strace with <paramref name="flags"/> on fixture <paramref name="program"/>: ending in <c>-o</c> the output goes to a file (or files, with
    /// -ff), ending in <c>stderr</c> it is strace's terminal output.
    /// </summary>
    public static StraceRun Start(string flags, string program = "analysis_mix")
    {
        Skip.If(!StraceConformanceTests.OnPath("strace"), "strace is not installed (apt-get install strace)");
        var fixture = Fixtures.Path(program);
        var dir = Directory.CreateTempSubdirectory("syscallps-strace-");
        var run = new StraceRun(dir, fixture);
        var words = flags.Split(' ');
        bool toStderr = words[^1] == "stderr";
        var psi = new ProcessStartInfo("strace") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var w in words[..^1])
        {
            psi.ArgumentList.Add(w);
        }

        if (!toStderr)
        {
            psi.ArgumentList.Add("-o");
            psi.ArgumentList.Add(Path.Combine(dir.FullName, "trace"));
        }

        psi.ArgumentList.Add(fixture);
        psi.ArgumentList.Add(dir.FullName);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(60_000), "strace did not finish within a minute");
        Assert.Equal(0, p.ExitCode);
        if (toStderr)
        {
            File.WriteAllText(Path.Combine(dir.FullName, "trace.stderr"), stderr.Result);
        }

        return run;
    }

    public void Dispose() => _dir.Delete(recursive: true);
}

/// <summary>The rows of strace -c's table (not the total): syscall, seconds, usecs/call, calls, errors.</summary>
internal static partial class StraceSummary
{
    public static List<(string Syscall, double Seconds, long UsecsPerCall, long Calls, long Errors)> Read(IEnumerable<string> lines) =>
        [.. lines.SkipWhile(l => !l.StartsWith("% time", StringComparison.Ordinal)).Skip(2)
            .TakeWhile(l => !l.StartsWith("------", StringComparison.Ordinal))
            .Select(l => Row().Match(l))
            .Select(m => (m.Groups[5].Value,
                double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture),
                long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture),
                long.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture),
                m.Groups[4].Success ? long.Parse(m.Groups[4].Value, CultureInfo.InvariantCulture) : 0L))];

    // "  0.51    0.000235          13        17         2 write" (errors empty when 0)
    [GeneratedRegex(@"^\s*[\d.]+\s+([\d.]+)\s+(\d+)\s+(\d+)\s+(?:(\d+)\s+)?(\S+)$")]
    private static partial Regex Row();
}
