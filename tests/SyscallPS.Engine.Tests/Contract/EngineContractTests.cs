using System.Diagnostics;
using SyscallPS.Decoding;
using SyscallPS.Tracing;
using Xunit;

namespace SyscallPS.Tests.Contract;

/// <summary>
/// The contract every engine keeps, run against each through the same <see cref="TraceSession"/> path: the same
/// names, filters, stop semantics, record fields, clock and order for the same program.
/// </summary>
[Collection("ebpf")]
public class EngineContractTests
{
    public static TheoryData<EngineKind> Engines => new() { EngineKind.Ptrace, EngineKind.Ebpf };

    private static List<SyscallEvent> Trace(EngineKind engine, TraceRequest request, out TraceSession session, TimeSpan? duration = null)
    {
        if (engine == EngineKind.Ebpf)
        {
            var why = Ebpf.EbpfTestSupport.SkipReason();
            Skip.If(why is not null, why);
        }

        var (events, s) = TraceHelper.Run(request, duration);
        session = s;
        return events;
    }

    private static List<SyscallEvent> Trace(EngineKind engine, string fixture, out TraceSession session, params string[] args) =>
        Trace(engine, new TraceRequest { FilePath = Fixtures.Path(fixture), ArgumentList = args, Engine = engine }, out session);

    private static int Number(string name) => SyscallTable.Current.TryGetByName(name, out var info) ? info.Number : throw new ArgumentException(name);

    /// <summary>ProcessName is the process's (its main thread's) name; ThreadName the thread's own, after prctl(PR_SET_NAME).</summary>
    [SkippableTheory]
    [MemberData(nameof(Engines))]
    public void ProcessNameIsTheProcesssAndThreadNameTheThreads(EngineKind engine)
    {
        var events = Trace(engine, "thread_names", out var session);
        var opens = events.Where(e => e.Syscall == "openat" && e.Path == "/dev/null").ToList();
        Assert.Equal(7, opens.Count);
        Assert.All(opens, e => Assert.Equal("thread_names", e.ProcessName));
        var workers = opens.Where(e => e.ThreadId != session.ProcessIds[0]).ToList();
        Assert.Equal(6, workers.Count);
        Assert.All(workers, e => Assert.Matches("^worker-[0-2]$", e.ThreadName));
        Assert.Equal(3, workers.Select(e => e.ThreadName).Distinct().Count());
        Assert.Equal("thread_names", opens.Single(e => e.ThreadId == session.ProcessIds[0]).ThreadName);
    }

    /// <summary>
    /// pthread_create's clone3 shows its clone_args and the thread id the kernel wrote back (strace's
    /// <c>=&gt; {parent_tid=[N]}</c>), and glibc's blocked-signal set, which lies in a read-only page the program has
    /// not touched before that rt_sigprocmask, is decoded, not printed as its address.
    /// </summary>
    [SkippableTheory]
    [MemberData(nameof(Engines))]
    public void Clone3AndAnUntouchedSigsetDecodeAsUnderStrace(EngineKind engine)
    {
        var events = Trace(engine, "thread_names", out _);
        var clones = events.Where(e => e.Syscall == "clone3").ToList();
        Assert.Equal(3, clones.Count);
        Assert.All(clones, e => Assert.Matches(
            @"^clone3\(\{flags=CLONE_VM\|CLONE_FS\|CLONE_FILES\|CLONE_SIGHAND\|CLONE_THREAD\|.*, child_tid=0x[0-9a-f]+, parent_tid=0x[0-9a-f]+, exit_signal=0, stack=0x[0-9a-f]+, stack_size=0x[0-9a-f]+, tls=0x[0-9a-f]+\} => \{parent_tid=\[" + e.ReturnValue + @"\]\}, 88\) = " + e.ReturnValue + "$",
            e.ToStraceLine()));
        Assert.Contains(events, e => e.ToStraceLine() == "rt_sigprocmask(SIG_BLOCK, ~[], [], 8) = 0");
    }

    /// <summary>
    /// A vfork child's execve of string literals (a read-only page nobody has read yet, which the kernel program
    /// cannot fault in) shows its path and arguments: under eBPF from the new stack the kernel built.
    /// </summary>
    [SkippableTheory]
    [MemberData(nameof(Engines))]
    public void AVforkChildsExecveOfUntouchedLiteralsShowsTheStrings(EngineKind engine)
    {
        var events = Trace(engine, "vforker", out var session);
        var exec = Assert.Single(events, e => e.Syscall == "execve" && e.ProcessId != session.ProcessIds[0]);
        Assert.Matches(@"^execve\(""/bin/true"", \[""true""\], 0x[0-9a-f]+ /\* 0 vars \*/\) = 0$", exec.ToStraceLine());
    }

    /// <summary>-ProcessName matches the process's name, so a thread that renamed itself is not filtered out.</summary>
    [SkippableTheory]
    [MemberData(nameof(Engines))]
    public void ProcessNameFilterKeepsThreadsThatRenamedThemselves(EngineKind engine)
    {
        var request = new TraceRequest { FilePath = Fixtures.Path("thread_names"), Engine = engine, ProcessNames = ["thread_names"], SyscallNumbers = new HashSet<int> { Number("openat") } };
        var events = Trace(engine, request, out _);
        Assert.Equal(7, events.Count(e => e.Syscall == "openat" && e.Path == "/dev/null"));
    }

    /// <summary>
    /// Cpu is the CPU the thread ran on (sysdig's evt.cpu): under eBPF a program pinned to one CPU by taskset has
    /// every event there, calls, thread exits and its own exit alike; ptrace cannot know it and leaves it null.
    /// </summary>
    [SkippableTheory]
    [MemberData(nameof(Engines))]
    public void CpuIsWhereTheThreadRanUnderEbpfAndUnknownUnderPtrace(EngineKind engine)
    {
        int pinned = Environment.ProcessorCount - 1;
        var request = new TraceRequest { FilePath = "taskset", ArgumentList = ["-c", pinned.ToString(System.Globalization.CultureInfo.InvariantCulture), Fixtures.Path("thread_names")], Engine = engine };
        var events = Trace(engine, request, out _).Where(e => e.ProcessName == "thread_names").ToList();
        Assert.Contains(events, e => e.Kind == SyscallEventKind.Exited);
        Assert.True(events.Count(e => e.Syscall == "openat" && e.Path == "/dev/null") == 7, "the pinned program's seven opens");
        if (engine == EngineKind.Ebpf)
        {
            Assert.All(events, e => Assert.Equal(pinned, e.Cpu));
        }
        else
        {
            Assert.All(events, e => Assert.Null(e.Cpu));
        }
    }

    /// <summary>A plain -ProcessName longer than a comm's 15 characters matches the process whose comm is its first 15.</summary>
    [SkippableTheory]
    [MemberData(nameof(Engines))]
    public void APlainNameLongerThanFifteenCharactersMatchesItsComm(EngineKind engine)
    {
        using var dir = new Ebpf.TempDirectory("sps-contract-");
        var program = Path.Combine(dir.Path, "thread_names_with_a_long_name");
        File.Copy(Fixtures.Path("thread_names"), program);
        File.SetUnixFileMode(program, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        var request = new TraceRequest { FilePath = program, Engine = engine, ProcessNames = ["thread_names_with_a_long_name"], SyscallNumbers = new HashSet<int> { Number("openat") } };
        var events = Trace(engine, request, out _);
        var opens = events.Where(e => e.Syscall == "openat" && e.Path == "/dev/null").ToList();
        Assert.Equal(7, opens.Count);
        Assert.All(opens, e => Assert.Equal("thread_names_wi", e.ProcessName));
    }

    /// <summary>A connection accepted on a server bound to a specific address has that address as its local end.</summary>
    [SkippableTheory]
    [MemberData(nameof(Engines))]
    public void AcceptOnASpecificAddressKeepsThatAddress(EngineKind engine)
    {
        var events = Trace(engine, "accept_specific", out var session);
        Assert.Equal(0, session.ExitCode);
        var bind = events.Single(e => e.Syscall == "bind");
        var accept = events.Single(e => e.Syscall == "accept4");
        Assert.Equal("127.0.0.3", accept.LocalAddress);
        Assert.NotEqual(0, accept.LocalPort);
        Assert.Equal("127.0.0.3", bind.LocalAddress);
        Assert.StartsWith($"127.0.0.3:{accept.LocalPort}", accept.FdName, StringComparison.Ordinal);
    }

    /// <summary>
    /// Stopping a trace of a launched program: SIGTERM, exit code 143, and the program's end reported as strace
    /// shows it: the interrupted call, the signal, the death, in that order and last.
    /// </summary>
    [SkippableTheory]
    [MemberData(nameof(Engines))]
    public void StoppingALaunchedProgramSignalsItAndReportsItsEnd(EngineKind engine)
    {
        var events = Trace(engine, new TraceRequest { FilePath = "sleep", ArgumentList = ["30"], Engine = engine }, out var session, TimeSpan.FromMilliseconds(500));
        Assert.Equal(TraceSessionState.Stopped, session.State);
        Assert.Equal(143, session.ExitCode);
        var last = events.TakeLast(3).ToList();
        Assert.Equal("clock_nanosleep", last[0].Syscall);
        Assert.StartsWith("? ERESTART_RESTARTBLOCK", last[0].ReturnText, StringComparison.Ordinal);
        Assert.Equal((SyscallEventKind.Signal, "SIGTERM"), (last[1].Kind, last[1].Signal));
        Assert.Equal((SyscallEventKind.Killed, "SIGTERM", 143), (last[2].Kind, last[2].Signal, last[2].ExitCode));
    }

    /// <summary>Each record kind carries exactly its fields, the same under both engines.</summary>
    [SkippableTheory]
    [MemberData(nameof(Engines))]
    public void EveryRecordKindHasItsFields(EngineKind engine)
    {
        var events = Trace(engine, "forker", out var session);
        var call = events.First(e => e.Syscall == "openat");
        Assert.Equal(SyscallEventKind.Syscall, call.Kind);
        Assert.Equal(Number("openat"), call.Number);
        Assert.Equal(SyscallCategory.File, call.Category);
        Assert.NotEmpty(call.ReturnText);
        Assert.True(call.Arguments.Count > 0);

        var exits = events.Where(e => e.Kind == SyscallEventKind.Exited).ToList();
        Assert.Contains(exits, e => e.ExitCode == 3);
        Assert.Contains(exits, e => e.ExitCode == 0 && e.ProcessId == session.ProcessIds[0]);
        Assert.All(exits, e =>
        {
            Assert.Equal(string.Empty, e.Syscall);
            Assert.Equal(-1, e.Number);
            Assert.Equal(string.Empty, e.ReturnText);
            Assert.Null(e.Signal);
            Assert.Empty(e.Arguments);
            Assert.NotEmpty(e.ProcessName);
            Assert.True(e.MonotonicNanoseconds > 0);
        });

        var signal = Assert.Single(events, e => e.Kind == SyscallEventKind.Signal);
        Assert.Equal("SIGCHLD", signal.Signal);
        Assert.StartsWith("{si_signo=SIGCHLD, si_code=CLD_EXITED", signal.SignalInfo, StringComparison.Ordinal);
        Assert.Equal(string.Empty, signal.ReturnText);
        Assert.Equal(-1, signal.Number);
        Assert.Equal(session.ProcessIds[0], signal.ProcessId);
    }

    /// <summary>
    /// A group-stop is a Stopped record naming the stop signal, on the thread that stopped, right after the signal
    /// that stopped it and before the thread's next call, printed as strace prints it; SIGCONT ends it (conf_stops
    /// stops its child with SIGSTOP, then with SIGTSTP). The eBPF engine sees it at sched_switch (TASK_STOPPED).
    /// </summary>
    [SkippableTheory]
    [MemberData(nameof(Engines))]
    public void AGroupStopIsAStoppedRecordAfterItsSignal(EngineKind engine)
    {
        var events = Trace(engine, "conf_stops", out var session);
        Assert.Equal(0, session.ExitCode);
        var stops = events.Where(e => e.Kind == SyscallEventKind.Stopped).ToList();
        Assert.Equal(["SIGSTOP", "SIGTSTP"], stops.Select(e => e.Signal));
        int child = stops[0].ThreadId;
        Assert.NotEqual(session.ProcessIds[0], child);
        Assert.All(stops, e =>
        {
            Assert.Equal(child, e.ThreadId);
            Assert.Equal(child, e.ProcessId);
            Assert.Equal("conf_stops", e.ProcessName);
            Assert.Equal(-1, e.Number);
            Assert.Null(e.SignalInfo);
            Assert.True(e.MonotonicNanoseconds > 0);
        });
        Assert.Equal("--- stopped by SIGSTOP ---", stops[0].ToStraceLine());
        Assert.Equal("[pid " + child + "] --- stopped by SIGTSTP ---", stops[1].ToString());

        // The child's own stream: each signal, then its stop, then the next call.
        var mine = events.Where(e => e.ThreadId == child).Select(e => e.Kind == SyscallEventKind.Syscall ? e.Syscall : e.ToStraceLine()).ToList();
        int first = mine.IndexOf("--- stopped by SIGSTOP ---");
        Assert.StartsWith("--- SIGSTOP {", mine[first - 1], StringComparison.Ordinal);
        Assert.StartsWith("--- SIGCONT {", mine[first + 1], StringComparison.Ordinal);
        Assert.Equal("setpgid", mine[first + 2]);
        int second = mine.IndexOf("--- stopped by SIGTSTP ---");
        Assert.StartsWith("--- SIGTSTP {", mine[second - 1], StringComparison.Ordinal);
        Assert.StartsWith("--- SIGCONT {", mine[second + 1], StringComparison.Ordinal);
    }

    /// <summary>
    /// A process already stopped when the trace attaches: the ptrace engine reports the group-stop it finds, as
    /// strace -p prints <c>--- stopped by SIGSTOP ---</c>; the eBPF engine sees stops only as they happen (the
    /// thread left the CPU before the programs were loaded) and reports none. Both leave it stopped.
    /// </summary>
    [SkippableTheory]
    [MemberData(nameof(Engines))]
    public void AProcessFoundStoppedIsReportedStoppedOnlyByPtrace(EngineKind engine)
    {
        using var p = Fixtures.Start("spinner", "sleep", "1");
        try
        {
            Assert.Equal(0, Tmds.Linux.LibC.kill(p.Id, 19 /* SIGSTOP */));
            var deadline = Stopwatch.StartNew();
            while (TraceHelper.ProcState(p.Id).State != 'T' && deadline.Elapsed < TimeSpan.FromSeconds(5))
            {
                Thread.Sleep(10);
            }

            var events = Trace(engine, new TraceRequest { ProcessIds = [p.Id], Engine = engine }, out _, TimeSpan.FromMilliseconds(300));
            var stops = events.Where(e => e.Kind == SyscallEventKind.Stopped).Select(e => e.ToStraceLine()).ToList();
            Assert.Equal(engine == EngineKind.Ptrace ? ["--- stopped by SIGSTOP ---"] : [], stops);
            Assert.Equal('T', TraceHelper.ProcState(p.Id).State);
        }
        finally
        {
            p.Kill();
        }
    }

    /// <summary>A killed process is a Killed record with 128 + the signal, and the call it died in is unfinished, with its inputs only.</summary>
    [SkippableTheory]
    [MemberData(nameof(Engines))]
    public void AThreadEndedInsideACallLeavesItUnfinishedWithItsInputs(EngineKind engine)
    {
        var events = Trace(engine, "unfinished", out var session);
        Assert.Equal(0, session.ExitCode);
        var read = Assert.Single(events, e => e.Syscall == "read" && e.Kind != SyscallEventKind.Syscall);
        Assert.Equal(SyscallEventKind.Unfinished, read.Kind);
        Assert.Single(read.Arguments);
        Assert.Equal("?", read.ReturnText);
        Assert.Matches(@"^read\(\d+ <unfinished \.\.\.>\) = \?$", read.ToStraceLine());
        var exitGroup = Assert.Single(events, e => e.Syscall == "exit_group");
        Assert.Equal((SyscallEventKind.Syscall, "?"), (exitGroup.Kind, exitGroup.ReturnText));
    }

    /// <summary>Every thread's end is a record, as strace -f prints them; the main thread's comes last, with the process's status.</summary>
    [SkippableTheory]
    [MemberData(nameof(Engines))]
    public void ThreadsEndOneByOneAndTheMainThreadLast(EngineKind engine)
    {
        var events = Trace(engine, "leader_exit", out var session);
        Assert.Equal(5, session.ExitCode);
        var exits = events.Where(e => e.Kind == SyscallEventKind.Exited).ToList();
        Assert.Equal(2, exits.Count);
        Assert.NotEqual(session.ProcessIds[0], exits[0].ThreadId);
        Assert.Equal(session.ProcessIds[0], exits[1].ThreadId);
        Assert.All(exits, e => Assert.Equal(5, e.ExitCode));
        Assert.Same(exits[1], events[^1]);
    }

    /// <summary>A child's end comes before the parent's wait that collects it, as a tracer sees them.</summary>
    [SkippableTheory]
    [MemberData(nameof(Engines))]
    public void AChildsEndComesBeforeItsParentsWait(EngineKind engine)
    {
        var events = Trace(engine, "forker", out var session);
        int childExit = events.FindIndex(e => e.Kind == SyscallEventKind.Exited && e.ExitCode == 3);
        int wait = events.FindIndex(e => e.Syscall == "wait4" && e.ProcessId == session.ProcessIds[0]);
        Assert.True(childExit >= 0 && wait >= 0);
        Assert.True(childExit < wait, $"the child's exit (#{childExit}) comes after the parent's wait4 (#{wait})");
    }

    /// <summary>MonotonicNanoseconds is absolute CLOCK_MONOTONIC, and Timestamp the same instant in local time.</summary>
    [SkippableTheory]
    [MemberData(nameof(Engines))]
    public void TheClockIsAbsoluteMonotonicTime(EngineKind engine)
    {
        long before = EventAssembler.Now();
        var wallBefore = DateTime.Now;
        var events = Trace(engine, new TraceRequest { FilePath = "true", Engine = engine }, out _);
        long after = EventAssembler.Now();
        Assert.NotEmpty(events);
        Assert.All(events, e =>
        {
            Assert.InRange(e.MonotonicNanoseconds, before, after);
            var expected = wallBefore.AddTicks((e.MonotonicNanoseconds - before) / 100);
            Assert.True(Math.Abs((e.Timestamp - expected).TotalMilliseconds) < 50, $"{e.Timestamp:O} is not {expected:O}");
            Assert.Equal(DateTimeKind.Local, e.Timestamp.Kind);
        });
    }

    /// <summary>Under -Raw the descriptor table still learns pipes and sockets (from the decoders' facts, not their text).</summary>
    [SkippableTheory]
    [MemberData(nameof(Engines))]
    public void RawTracesKeepDescriptorNames(EngineKind engine)
    {
        var request = new TraceRequest { FilePath = "/bin/sh", ArgumentList = ["-c", "echo hi | cat >/dev/null"], Engine = engine, Decode = new DecodeOptions { Raw = true } };
        var events = Trace(engine, request, out _);
        var write = events.First(e => e.Syscall == "write" && e.FdType == FdType.Pipe);
        Assert.Matches(@"^pipe:\[\d+\]$", write.FdName);
        Assert.Contains(events, e => e.Syscall == "read" && e.FdName == write.FdName);
    }

    /// <summary>-Failed reports only failed calls, and still the signals and exits, as strace -Z.</summary>
    [SkippableTheory]
    [MemberData(nameof(Engines))]
    public void FailedOnlyReportsOnlyFailedCallsAndStillSignalsAndExits(EngineKind engine)
    {
        var request = new TraceRequest { FilePath = Fixtures.Path("forker"), Engine = engine, FailedOnly = true };
        var events = Trace(engine, request, out _);
        Assert.Contains(events, e => e.Kind == SyscallEventKind.Syscall);
        Assert.All(events, e => Assert.False(e.Kind == SyscallEventKind.Syscall && e.Succeeded, e.ToString()));
        Assert.DoesNotContain(events, e => e.Kind == SyscallEventKind.Unfinished);
        Assert.Equal(3, events.Count(e => e.Kind == SyscallEventKind.Exited));
        Assert.Equal("SIGCHLD", Assert.Single(events, e => e.Kind == SyscallEventKind.Signal).Signal);
    }

    /// <summary>-FileName and -MinimumDuration keep only the calls on a matching path, or slow enough.</summary>
    [SkippableTheory]
    [MemberData(nameof(Engines))]
    public void PathAndDurationFiltersKeepOnlyTheirCalls(EngineKind engine)
    {
        var onNull = Trace(engine, new TraceRequest { FilePath = Fixtures.Path("forker"), Engine = engine, FileNames = ["/dev/n*"] }, out _);
        var calls = onNull.Where(e => e.Kind == SyscallEventKind.Syscall).ToList();
        Assert.Equal(["openat", "close"], calls.Select(e => e.Syscall));
        Assert.All(calls, e => Assert.Equal("/dev/null", e.Path ?? e.FdName));

        var slow = Trace(engine, new TraceRequest { FilePath = "sleep", ArgumentList = ["0.3"], Engine = engine, MinimumDuration = TimeSpan.FromMilliseconds(200) }, out _);
        var slowCalls = slow.Where(e => e.Kind == SyscallEventKind.Syscall).ToList();
        Assert.Equal("clock_nanosleep", Assert.Single(slowCalls).Syscall);
        Assert.True(slowCalls[0].Duration >= TimeSpan.FromMilliseconds(200));
    }

    /// <summary>Every event carries its process's context (sysdig's proc.*, user.*), the same under both engines.</summary>
    [SkippableTheory]
    [MemberData(nameof(Engines))]
    public void EventsCarryTheirProcesssContext(EngineKind engine)
    {
        var program = Fixtures.Path("forker");
        var events = Trace(engine, new TraceRequest { FilePath = program, ArgumentList = ["--unused-argument"], Engine = engine }, out var session);
        int launched = session.ProcessIds[0];
        var main = events.Where(e => e.ProcessId == launched).ToList();
        Assert.All(main, e =>
        {
            Assert.Equal(Environment.ProcessId, e.ParentProcessId);
            Assert.Equal(program + " --unused-argument", e.CommandLine);
            Assert.Equal(program, e.ExecutablePath);
            Assert.Equal(launched, e.VirtualProcessId);
        });
        var me = File.ReadAllLines("/proc/self/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[2];
        Assert.All(events.Where(e => e.Kind != SyscallEventKind.Lost), e => Assert.Equal(int.Parse(me, System.Globalization.CultureInfo.InvariantCulture), e.UserId));
        if (me == "0")
        {
            Assert.All(main, e => Assert.Equal("root", e.UserName));
        }

        // The forked child: its parent is the program.
        var child = events.First(e => e.Kind == SyscallEventKind.Exited && e.ExitCode == 3);
        Assert.Equal(launched, child.ParentProcessId);
        Assert.Equal(program + " --unused-argument", child.CommandLine);

        var read = events.First(e => e.Syscall == "read");
        Assert.Equal((true, IoDirection.Read), (read.IsIo, read.IoDirection));
        Assert.Null(events.First(e => e.Syscall == "openat").IoDirection);
    }

    /// <summary>
    /// A process in a container's cgroup (docker's naming) and its children carry the container's id, and -ContainerId
    /// keeps only their events: attached (both engines) and machine-wide (eBPF, filtered in the kernel).
    /// </summary>
    [SkippableTheory]
    [InlineData(EngineKind.Ptrace, false)]
    [InlineData(EngineKind.Ebpf, false)]
    [InlineData(EngineKind.Ebpf, true)]
    public void ContainersAreNamedByTheirCgroup(EngineKind engine, bool systemWide)
    {
        var root = File.ReadLines("/proc/self/mounts").Select(l => l.Split(' ')).FirstOrDefault(f => f.Length > 2 && f[2] == "cgroup2")?[1];
        Skip.If(root is null || Environment.UserName != "root", "needs root and a cgroup v2 hierarchy");
        var id = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();
        var cgroup = Path.Combine(root!, $"docker-{id}.scope");
        Directory.CreateDirectory(cgroup);

        // "The container": a shell that keeps starting short-lived children, moved into the cgroup as runc would, and
        // not this process's child (ptrace could not attach to it from here).
        using var starter = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", "(while :; do cat /etc/hostname >/dev/null; sleep 0.05; done) >/dev/null 2>&1 & echo $!"]) { RedirectStandardOutput = true })!;
        int shell = int.Parse(starter.StandardOutput.ReadLine()!, System.Globalization.CultureInfo.InvariantCulture);
        starter.WaitForExit();
        try
        {
            File.WriteAllText(Path.Combine(cgroup, "cgroup.procs"), shell.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var request = new TraceRequest
            {
                Engine = engine,
                SystemWide = systemWide,
                ProcessIds = systemWide ? [] : [shell],
                ContainerIds = [id[..12]],
                SyscallNumbers = new HashSet<int> { Number("openat"), Number("execve") },
            };
            var events = Trace(engine, request, out _, TimeSpan.FromMilliseconds(800));
            var opens = events.Where(e => e.Syscall == "openat" && e.Path == "/etc/hostname").ToList();
            Assert.NotEmpty(opens);
            Assert.All(events, e => Assert.Equal(id[..12], e.ContainerId));
            Assert.All(opens, e => Assert.Equal("cat", e.ProcessName));
        }
        finally
        {
            Tmds.Linux.LibC.kill(shell, 9);
            for (int i = 0; i < 100 && Directory.Exists(cgroup); i++)
            {
                try
                {
                    Directory.Delete(cgroup);
                }
                catch (IOException)
                {
                    Thread.Sleep(20);
                }
            }
        }
    }

    /// <summary>For sockets, the server's end is the side that accepted, whichever side made the call (sysdig's fd.sip/fd.cip).</summary>
    [SkippableTheory]
    [MemberData(nameof(Engines))]
    public void ServerAndClientAreTheAcceptingAndTheConnectingSides(EngineKind engine)
    {
        var events = Trace(engine, "accept_specific", out _);
        var accept = events.Single(e => e.Syscall == "accept4");
        var connect = events.Single(e => e.Syscall == "connect");
        Assert.Equal(("127.0.0.3", accept.LocalPort), (accept.ServerAddress, accept.ServerPort));
        Assert.Equal(("127.0.0.3", accept.LocalPort), (connect.ServerAddress, connect.ServerPort));
    }

    /// <summary>The same program gives the same sequence of records, kinds and names under both engines.</summary>
    [SkippableFact]
    public void BothEnginesGiveTheSameRecordsForTheSameProgram()
    {
        var why = Ebpf.EbpfTestSupport.SkipReason();
        Skip.If(why is not null, why);
        static List<string> Lines(EngineKind engine)
        {
            var (events, session) = TraceHelper.Run(new TraceRequest { FilePath = Fixtures.Path("leader_exit"), Engine = engine });
            var tids = events.Select(e => e.ThreadId).Distinct().ToList();
            return events.Where(e => e.Kind != SyscallEventKind.Syscall || e.Syscall is "write" or "exit_group" or "nanosleep" or "clock_nanosleep" or "exit")
                .Select(e => $"T{tids.IndexOf(e.ThreadId)} {e.ProcessName}/{e.ThreadName} {e.Kind} {System.Text.RegularExpressions.Regex.Replace(e.ToStraceLine(), "0x[0-9a-f]+", "0xADDR")}")
                .ToList();
        }

        Assert.Equal(Lines(EngineKind.Ptrace), Lines(EngineKind.Ebpf));
    }
}
