using Xunit;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using SyscallPS.Ebpf;
using SyscallPS.Tracing;
using static SyscallPS.Tests.Ebpf.EbpfTestSupport;

namespace SyscallPS.Tests.Ebpf;

[Collection("ebpf")]
public sealed class EbpfEngineTests
{
    private const string WatchListFixture = """
        #include <arpa/inet.h>
        #include <fcntl.h>
        #include <signal.h>
        #include <stdlib.h>
        #include <string.h>
        #include <sys/socket.h>
        #include <sys/wait.h>
        #include <unistd.h>

        int main(int argc, char **argv)
        {
            int port = atoi(argv[1]);
            chdir(argv[2]);
            int fd = open("missing-file", O_RDONLY);
            fd = open("fixture.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
            write(fd, "hello", 5);
            close(fd);
            rename("fixture.txt", "renamed.txt");
            unlink("renamed.txt");
            int s = socket(AF_INET, SOCK_STREAM, 0);
            struct sockaddr_in a;
            memset(&a, 0, sizeof a);
            a.sin_family = AF_INET;
            a.sin_port = htons(port);
            inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
            connect(s, (struct sockaddr *)&a, sizeof a);
            close(s);
            signal(SIGUSR1, SIG_IGN);
            kill(getpid(), SIGUSR1);
            int p[2];
            char buf[64];
            pipe(p);
            write(p[1], "pipe-data", 9);
            read(p[0], buf, sizeof buf);
            pid_t child = fork();
            if (child == 0) {
                chdir("/");
                _exit(3);
            }
            waitpid(child, 0, 0);
            return 7;
        }
        """;

    [SkippableFact]
    public void LaunchedFixture_ReportsWatchListSyscallsWithCopiedArguments()
    {
        Skip.If(SkipReason() is not null, SkipReason());
        var exe = CompileC("ebpf-watchlist", WatchListFixture);
        Skip.If(exe is null, "gcc is not installed");
        using var workDirOwner = new TempDirectory("sps-ebpf-");
        var workDir = workDirOwner.Path;
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var sink = new CollectingSink();
        var captured = new CapturedArguments();
        using var run = Run(new TraceRequest { FilePath = exe, ArgumentList = [port.ToString(), workDir], Engine = EngineKind.Ebpf }, sink, captured);
        WaitDone(run);
        Assert.Equal(7, run.ExitCode);
        Assert.Equal(0, run.LostEvents);
        int root = run.LaunchedProcessId!.Value;
        var events = sink.Events;
        var mine = events.Where(e => e.ProcessId == root && e.Kind == SyscallEventKind.Syscall).ToList();

        // The first event is the fixture's execve (the launcher stops before exec).
        var execve = mine.First();
        Assert.Equal("execve", execve.Syscall);
        Assert.Equal(exe, captured.String(execve, 0));
        Assert.Equal(0, execve.ReturnValue);

        var chdir = mine.Single(e => e.Syscall == "chdir");
        Assert.Equal(workDir, captured.String(chdir, 0));
        Assert.True(chdir.Succeeded);

        var opens = mine.Where(e => e.Syscall == "openat" && captured.String(e, 1) is "missing-file" or "fixture.txt").ToList();
        Assert.Equal(["missing-file", "fixture.txt"], opens.Select(e => captured.String(e, 1)));
        Assert.False(opens[0].Succeeded);
        Assert.Equal(-1, opens[0].ReturnValue);
        Assert.NotNull(opens[0].Errno);
        Assert.True(opens[1].Succeeded);
        Assert.True(opens[1].ReturnValue >= 3);
        Assert.Equal(0x241UL, opens[1].Arguments[2].Raw); // O_WRONLY|O_CREAT|O_TRUNC

        var writes = mine.Where(e => e.Syscall == "write").ToList();
        Assert.Equal(["hello", "pipe-data"], writes.Select(e => Encoding.ASCII.GetString(captured.Bytes(e, 1)!)));
        var read = mine.Last(e => e.Syscall == "read");
        Assert.Equal(9, read.ReturnValue);
        Assert.Equal("pipe-data", Encoding.ASCII.GetString(captured.Bytes(read, 1)!));

        var rename = mine.Single(e => e.Syscall is "rename" or "renameat" or "renameat2");
        int src = rename.Syscall == "rename" ? 0 : 1, dst = rename.Syscall == "rename" ? 1 : 3;
        Assert.Equal("fixture.txt", captured.String(rename, src));
        Assert.Equal("renamed.txt", captured.String(rename, dst));
        var unlink = mine.Single(e => e.Syscall is "unlink" or "unlinkat");
        Assert.Equal("renamed.txt", captured.String(unlink, unlink.Syscall == "unlink" ? 0 : 1));

        var connect = mine.Single(e => e.Syscall == "connect");
        var sockaddr = captured.Bytes(connect, 1)!;
        Assert.Equal(16, sockaddr.Length);
        Assert.Equal(2, BinaryPrimitives.ReadUInt16LittleEndian(sockaddr)); // AF_INET
        Assert.Equal(port, BinaryPrimitives.ReadUInt16BigEndian(sockaddr.AsSpan(2)));
        Assert.Equal(new byte[] { 127, 0, 0, 1 }, sockaddr[4..8]);
        Assert.True(connect.Succeeded);

        var kill = mine.Single(e => e.Syscall == "kill");
        Assert.Equal((ulong)root, kill.Arguments[0].Raw);
        Assert.Equal(10UL, kill.Arguments[1].Raw); // SIGUSR1

        var pipe = mine.Single(e => e.Syscall is "pipe" or "pipe2");
        Assert.Equal(8, captured.Bytes(pipe, 0)!.Length);

        // The forked child is followed: its chdir and its exit appear under its own pid.
        var fork = mine.Single(e => e.Syscall is "clone" or "fork" or "clone3");
        int child = fork.ChildProcessId!.Value;
        var childChdir = events.Single(e => e.ProcessId == child && e.Syscall == "chdir");
        Assert.Equal("/", captured.String(childChdir, 0));
        var childExit = events.Single(e => e.ProcessId == child && e.Kind == SyscallEventKind.Exited);
        Assert.Equal(3, childExit.ExitCode);
        Assert.Contains(events, e => e.ProcessId == child && e.Kind == SyscallEventKind.Syscall && e.Syscall == "exit_group" && e.ReturnText == "?");

        var rootExit = events[^1];
        Assert.Equal(SyscallEventKind.Exited, rootExit.Kind);
        Assert.Equal(root, rootExit.ProcessId);
        Assert.Equal(7, rootExit.ExitCode);

        // Timing and identity fields.
        Assert.All(mine, e => Assert.True(e.Duration >= TimeSpan.Zero));
        Assert.All(mine, e => Assert.Equal("ebpf-watchlist", e.ProcessName));
        Assert.True(Math.Abs((execve.Timestamp - DateTime.Now).TotalMinutes) < 2);
        Assert.True(mine.Zip(mine.Skip(1)).All(p => p.First.MonotonicNanoseconds <= p.Second.MonotonicNanoseconds));
    }

    [SkippableFact]
    public void SyscallFilter_UsesPerSyscallTracepointsAndReportsOnlyThoseSyscalls()
    {
        Skip.If(SkipReason() is not null, SkipReason());
        using var dirOwner = new TempDirectory("sps-ebpf-");
        var dir = dirOwner.Path;
        var sink = new CollectingSink();
        var captured = new CapturedArguments();
        using var run = Run(new TraceRequest
        {
            FilePath = "/bin/sh",
            ArgumentList = ["-c", $"cd {dir}; echo hi > x; cat x > /dev/null; cd /"],
            SyscallNumbers = Set("chdir", "openat"),
        }, sink, captured);
        Assert.True(((EbpfTraceRun)run).PerSyscallTracepoints);
        WaitDone(run);
        var calls = sink.Events.Where(e => e.Kind is SyscallEventKind.Syscall or SyscallEventKind.Unfinished).ToList();
        Assert.NotEmpty(calls);
        Assert.All(calls, e => Assert.Contains(e.Syscall, new[] { "chdir", "openat" }));
        Assert.Equal([dir, "/"], calls.Where(e => e.Syscall == "chdir").Select(e => captured.String(e, 0)));
        Assert.Contains(calls, e => e.Syscall == "openat" && captured.String(e, 1) == "x" && e.Arguments[2].Raw == 0x241UL);
        Assert.Contains(calls, e => e.Syscall == "openat" && captured.String(e, 1) == "x" && e.Arguments[2].Raw == 0 && e.ProcessName == "cat");
        Assert.Equal(0, run.ExitCode);
    }

    [SkippableFact]
    public void SlowConsumer_GetsEveryRecordBeforeTheProcessEnd()
    {
        // The consumer stalls while dd makes 200k syscalls, so far more records than one batch wait in the
        // ring when dd's exit record arrives: none of them may be left behind when the run ends.
        Skip.If(SkipReason() is not null, SkipReason());
        int seen = 0;
        var sink = new CollectingSink { OnWrite = _ => { if (Interlocked.Increment(ref seen) == 1) { Thread.Sleep(1500); } return true; } };
        using var run = Run(new TraceRequest { FilePath = "/bin/dd", ArgumentList = ["if=/dev/zero", "of=/dev/null", "bs=1", "count=100000", "status=none"] }, sink);
        WaitDone(run, 60);
        Assert.Equal(0, run.LostEvents);
        var events = sink.Events;
        Assert.Equal(100000, events.Count(e => e.Syscall == "write" && e.Arguments[0].Raw == 1));
        Assert.Contains(events, e => e.Syscall == "exit_group");
        Assert.Equal(SyscallEventKind.Exited, events[^1].Kind);
    }

    [SkippableFact]
    public void FailedOnly_ReportsOnlyFailures()
    {
        Skip.If(SkipReason() is not null, SkipReason());
        var sink = new CollectingSink();
        var captured = new CapturedArguments();
        using var run = Run(new TraceRequest
        {
            FilePath = "/bin/sh",
            ArgumentList = ["-c", "cd /nonexistent-sps-dir 2>/dev/null; cd /tmp; true"],
            FailedOnly = true,
        }, sink, captured);
        WaitDone(run);
        var calls = sink.Events.Where(e => e.Kind == SyscallEventKind.Syscall).ToList();
        Assert.NotEmpty(calls);
        Assert.All(calls, e => Assert.False(e.Succeeded));
        var chdir = Assert.Single(calls, e => e.Syscall == "chdir");
        Assert.Equal("/nonexistent-sps-dir", captured.String(chdir, 0));
    }

    [SkippableFact]
    public void ProcessIdMode_FollowsTheProcessAndItsNewChildrenOnly()
    {
        Skip.If(SkipReason() is not null, SkipReason());
        using var dirOwner = new TempDirectory("sps-ebpf-");
        var dir = dirOwner.Path;
        var psi = new ProcessStartInfo("/bin/sh", ["-c", $"read go; cd {dir}; /bin/sh -c 'cd /var; exit 4'; exit 5"]) { RedirectStandardInput = true };
        using var target = Process.Start(psi)!;
        using var bystander = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", $"read go; cd {dir}; cd /var"]) { RedirectStandardInput = true })!;
        var sink = new CollectingSink();
        var captured = new CapturedArguments();
        using var run = Run(new TraceRequest { ProcessIds = [target.Id], SyscallNumbers = Set("chdir") }, sink, captured);
        Assert.Null(run.LaunchedProcessId);
        bystander.StandardInput.WriteLine("go");
        target.StandardInput.WriteLine("go");
        WaitDone(run);
        bystander.WaitForExit();
        var chdirs = sink.Events.Where(e => e.Syscall == "chdir").ToList();
        Assert.Equal(2, chdirs.Count);
        Assert.Equal(target.Id, chdirs[0].ProcessId);
        Assert.Equal(dir, captured.String(chdirs[0], 0));
        Assert.NotEqual(target.Id, chdirs[1].ProcessId);
        Assert.Equal("/var", captured.String(chdirs[1], 0));
        Assert.DoesNotContain(sink.Events, e => e.ProcessId == bystander.Id);
        var exits = sink.Events.Where(e => e.Kind == SyscallEventKind.Exited).ToList();
        Assert.Equal([(chdirs[1].ProcessId, 4), (target.Id, 5)], exits.Select(e => (e.ProcessId, e.ExitCode!.Value)));
    }

    [SkippableFact]
    public void FollowChildrenOff_TracesOnlyTheLaunchedProcess()
    {
        Skip.If(SkipReason() is not null, SkipReason());
        var sink = new CollectingSink();
        var captured = new CapturedArguments();
        using var run = Run(new TraceRequest
        {
            FilePath = "/bin/sh",
            ArgumentList = ["-c", "cd /tmp; /bin/sh -c 'cd /'; cd /var"],
            SyscallNumbers = Set("chdir"),
            FollowChildren = false,
        }, sink, captured);
        WaitDone(run);
        var chdirs = sink.Events.Where(e => e.Syscall == "chdir").ToList();
        Assert.Equal(["/tmp", "/var"], chdirs.Select(e => captured.String(e, 0)));
        Assert.All(sink.Events, e => Assert.Equal(run.LaunchedProcessId, e.ProcessId));
    }

    [SkippableFact]
    public void ThreadId_StandsForItsWholeProcess()
    {
        Skip.If(SkipReason() is not null, SkipReason());
        Skip.If(!File.Exists("/usr/bin/python3"), "python3 is not installed");
        var script = "import os, sys, threading\n" +
                     "go = threading.Event()\n" +
                     "def worker():\n    go.wait()\n    os.chdir('/var')\n" +
                     "t = threading.Thread(target=worker); t.start()\n" +
                     "print(t.native_id, flush=True)\n" +
                     "sys.stdin.readline(); go.set(); t.join(); os.chdir('/tmp')\n";
        using var python = Process.Start(new ProcessStartInfo("/usr/bin/python3", ["-c", script]) { RedirectStandardInput = true, RedirectStandardOutput = true })!;
        int workerTid = int.Parse(python.StandardOutput.ReadLine()!);
        Assert.NotEqual(python.Id, workerTid);
        var sink = new CollectingSink();
        var captured = new CapturedArguments();
        using var run = Run(new TraceRequest { ProcessIds = [workerTid], SyscallNumbers = Set("chdir") }, sink, captured);
        python.StandardInput.WriteLine("go");
        WaitDone(run);
        var chdirs = sink.Events.Where(e => e.Syscall == "chdir").ToList();
        Assert.Equal(["/var", "/tmp"], chdirs.Select(e => captured.String(e, 0)));
        Assert.Equal([workerTid, python.Id], chdirs.Select(e => e.ThreadId));
        Assert.All(chdirs, e => Assert.Equal(python.Id, e.ProcessId));

        // Each thread's end, as strace -f prints them: the worker's, then the main thread's, which ends the process.
        var exits = sink.Events.Where(e => e.Kind == SyscallEventKind.Exited).ToList();
        Assert.Equal([workerTid, python.Id], exits.Select(e => e.ThreadId));
        Assert.All(exits, e => Assert.Equal(0, e.ExitCode));
    }

    [SkippableFact]
    public void SystemWide_SeesAnotherProcessChdirButNotTheTracer()
    {
        Skip.If(SkipReason() is not null, SkipReason());
        using var dirOwner = new TempDirectory("sps-ebpf-");
        var dir = dirOwner.Path;
        var sink = new CollectingSink();
        var captured = new CapturedArguments();
        var fdsBefore = OpenBpfFds();
        var run = Run(new TraceRequest { SystemWide = true, SyscallNumbers = Set("chdir"), ProcessNames = ["s?"] }, sink, captured);
        int shellPid;
        var cwd = Environment.CurrentDirectory;
        try
        {
            Environment.CurrentDirectory = dir; // the tracer's own chdir must not be reported
            using var shell = Process.Start("/bin/sh", ["-c", $"cd {dir}; cd /"]);
            shellPid = shell.Id;
            shell.WaitForExit();
            var deadline = DateTime.UtcNow.AddSeconds(5);
            while (DateTime.UtcNow < deadline && sink.Events.Count(e => e.ProcessId == shellPid) < 2)
            {
                Thread.Sleep(20);
            }
        }
        finally
        {
            Environment.CurrentDirectory = cwd;
            run.Stop(TraceStopReason.Requested);
            WaitDone(run);
        }

        var fromShell = sink.Events.Where(e => e.ProcessId == shellPid).ToList();
        Assert.Equal([dir, "/"], fromShell.Select(e => captured.String(e, 0)));
        Assert.All(fromShell, e => Assert.Equal("sh", e.ProcessName));
        Assert.DoesNotContain(sink.Events, e => e.ProcessId == Environment.ProcessId);
        Assert.All(sink.Events, e => Assert.Equal("chdir", e.Syscall));
        Assert.Equal(fdsBefore, OpenBpfFds());
    }

    [SkippableFact]
    public void ProcessNameFilter_MatchesInTheKernelCaseInsensitively()
    {
        Skip.If(SkipReason() is not null, SkipReason());
        using var dirOwner = new TempDirectory("sps-ebpf-");
        var dir = dirOwner.Path;
        var probe = Path.Combine(dir, "sps-cd-probe");
        File.Copy("/bin/sh", probe);
        if (OperatingSystem.IsLinux())
        {
            File.SetUnixFileMode(probe, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        }
        var sink = new CollectingSink();
        var captured = new CapturedArguments();
        var run = Run(new TraceRequest { SystemWide = true, SyscallNumbers = Set("chdir"), ProcessNames = ["SPS-CD*", "no-such-name"] }, sink, captured);
        int probePid;
        try
        {
            using var other = Process.Start("/bin/sh", ["-c", $"cd {dir}"]);
            using var matching = Process.Start(probe, ["-c", $"cd {dir}; cd /"]);
            probePid = matching.Id;
            other.WaitForExit();
            matching.WaitForExit();
            var deadline = DateTime.UtcNow.AddSeconds(5);
            while (DateTime.UtcNow < deadline && sink.Events.Count < 2)
            {
                Thread.Sleep(20);
            }
        }
        finally
        {
            run.Stop(TraceStopReason.Requested);
            WaitDone(run);
            run.Dispose();
        }

        Assert.Equal([dir, "/"], sink.Events.Select(e => captured.String(e, 0)));
        Assert.All(sink.Events, e => Assert.Equal(probePid, e.ProcessId));
        Assert.All(sink.Events, e => Assert.Equal("sps-cd-probe", e.ProcessName));
    }

    [SkippableFact]
    public void TinyRingBuffer_ReportsLossesInTheStreamAndTheTotal()
    {
        Skip.If(SkipReason() is not null, SkipReason());
        bool first = true;
        var sink = new CollectingSink
        {
            OnWrite = _ =>
            {
                if (first)
                {
                    first = false;
                    Thread.Sleep(500); // a slow consumer: the 4 KiB ring overflows meanwhile
                }

                return true;
            },
        };
        using var run = Run(new TraceRequest
        {
            FilePath = "/bin/dd",
            ArgumentList = ["if=/dev/zero", "of=/dev/null", "bs=1", "count=20000", "status=none"],
            RingBufferBytes = 4096,
        }, sink);
        WaitDone(run);
        Assert.Equal(0, run.ExitCode);
        Assert.True(run.LostEvents > 0, "expected losses with a 4 KiB ring");
        var lost = sink.Events.Where(e => e.Kind == SyscallEventKind.Lost).ToList();
        Assert.NotEmpty(lost);
        Assert.Equal(run.LostEvents, lost.Sum(e => e.LostCount));
        Assert.All(lost, e => Assert.True(e.Timestamp > DateTime.Now.AddMinutes(-2)));
        int reads = sink.Events.Count(e => e.Syscall == "read" && e.Arguments[0].Raw == 0);
        Assert.True(reads + run.LostEvents >= 20000, $"reads {reads} + lost {run.LostEvents} must account for dd's 20000 reads");
    }

    [SkippableFact]
    public void NothingOfOursStaysLoaded_AfterNormalEndAndAfterStop()
    {
        Skip.If(SkipReason() is not null, SkipReason());
        int fdsBefore = OpenBpfFds();
        var sink = new CollectingSink();
        using (var run = Run(new TraceRequest { FilePath = "/bin/true" }, sink))
        {
            WaitDone(run);
            Assert.Equal(0, run.ExitCode);
        }

        var systemWide = Run(new TraceRequest { SystemWide = true }, new CollectingSink());
        var prog = Bpftool("prog show");
        if (prog is not null)
        {
            Assert.Contains("sps_raw_enter", prog);
        }

        systemWide.Stop(TraceStopReason.Requested);
        WaitDone(systemWide);
        systemWide.Dispose();

        // Stopping from the consumer side (the pipeline went away) cleans up too.
        using (var stopped = Run(new TraceRequest { SystemWide = true }, new CollectingSink { OnWrite = _ => false }))
        {
            WaitDone(stopped);
        }

        Assert.Equal(fdsBefore, OpenBpfFds());

        // The kernel frees closed programs and maps asynchronously (RCU): give it a moment.
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while ((Bpftool("prog show") + Bpftool("map show") + Bpftool("link show")).Contains("sps_", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(50);
        }

        prog = Bpftool("prog show");
        var links = Bpftool("link show");
        var maps = Bpftool("map show");
        if (prog is not null)
        {
            Assert.DoesNotContain("sps_", prog);
            Assert.DoesNotContain("sps_", links!);
            Assert.DoesNotContain("sps_", maps!);
        }
    }

    [SkippableFact]
    public void Stop_InterruptsTheLaunchedProgramAndReportsItsDeath()
    {
        Skip.If(SkipReason() is not null, SkipReason());
        var sink = new CollectingSink();
        using var run = Run(new TraceRequest { FilePath = "sleep", ArgumentList = ["30"], SyscallNumbers = Set("clock_nanosleep", "nanosleep") }, sink);
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (DateTime.UtcNow < deadline && Process.GetProcessById(run.LaunchedProcessId!.Value).ProcessName != "sleep")
        {
            Thread.Sleep(20);
        }

        Thread.Sleep(200);
        run.Stop(TraceStopReason.Interrupted);
        WaitDone(run, 10);
        Assert.Equal(128 + 2, run.ExitCode);
        var killed = Assert.Single(sink.Events, e => e.Kind == SyscallEventKind.Killed);
        Assert.Equal(run.LaunchedProcessId, killed.ProcessId);
        Assert.Equal(130, killed.ExitCode);
        Assert.NotNull(killed.Signal);

        // The sleep was interrupted inside the syscall: its exit is reported with the kernel's restart error.
        var sleep = Assert.Single(sink.Events, e => e.Syscall is "clock_nanosleep" or "nanosleep");
        Assert.False(sleep.Succeeded);
        Assert.True(sleep.Duration > TimeSpan.FromMilliseconds(100));
    }

    /// <summary>
    /// The kernel program keeps a syscall's entry in a per-CPU slot and moves it to the task's storage when the task
    /// is switched out in mid-call. Calls that block (sleeps, reads of an empty pipe) on threads that wake on either
    /// CPU must each still come out paired, with their whole duration.
    /// </summary>
    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void BlockingCallsOnManyThreads_KeepTheirEntryAcrossContextSwitches(bool perSyscallTracepoints)
    {
        Skip.If(SkipReason() is not null, SkipReason());
        var exe = CompileC("ebpf-blocking", """
            #include <pthread.h>
            #include <time.h>
            #include <unistd.h>

            static int ping[2], pong[2];

            static void *sleeper(void *arg)
            {
                struct timespec ms = { 0, 1000000 };
                for (int i = 0; i < 25; i++)
                    nanosleep(&ms, 0);
                return arg;
            }

            static void *echo(void *arg)
            {
                char c;
                for (int i = 0; i < 50; i++) {
                    read(ping[0], &c, 1);
                    write(pong[1], &c, 1);
                }
                return arg;
            }

            int main(void)
            {
                pipe(ping);
                pipe(pong);
                pthread_t t[4];
                for (int i = 0; i < 3; i++)
                    pthread_create(&t[i], 0, sleeper, 0);
                pthread_create(&t[3], 0, echo, 0);
                char c = 'x';
                for (int i = 0; i < 50; i++) {
                    write(ping[1], &c, 1);
                    read(pong[0], &c, 1);
                }
                for (int i = 0; i < 4; i++)
                    pthread_join(t[i], 0);
                return 0;
            }
            """, "-pthread");
        Skip.If(exe is null, "gcc is not installed");
        var sink = new CollectingSink();
        var request = new TraceRequest { FilePath = exe! };
        if (perSyscallTracepoints)
        {
            request = new TraceRequest { FilePath = exe!, SyscallNumbers = Set("nanosleep", "clock_nanosleep", "read") };
        }

        using var run = Run(request, sink);
        WaitDone(run);
        Assert.Equal(0, run.ExitCode);
        int pid = run.LaunchedProcessId!.Value;
        var sleeps = sink.Events.Where(e => e.Syscall is "nanosleep" or "clock_nanosleep" && e.ThreadId != pid).ToList();
        Assert.Equal(75, sleeps.Count);
        Assert.All(sleeps, e => Assert.True(e.Succeeded && e.Duration >= TimeSpan.FromMilliseconds(1), e.ToString() + " took " + e.Duration));
        Assert.Equal(3, sleeps.Select(e => e.ThreadId).Distinct().Count());

        // 50 reads in the main thread and 50 in the echo thread, most of which wait for the other side.
        var reads = sink.Events.Where(e => e.Syscall == "read" && e.Arguments[2].ToString() == "1").ToList();
        Assert.Equal(100, reads.Count);
        Assert.All(reads, e => Assert.Equal(1, e.ReturnValue));
        Assert.Equal(50, reads.Count(e => e.ThreadId == pid));
        Assert.Equal(0, sink.Events.Count(e => e.Kind == SyscallEventKind.Unfinished));
    }

    [SkippableFact]
    public void CompatSyscalls_AreNotMisreportedWithTheSixtyFourBitTable()
    {
        Skip.If(SkipReason() is not null, SkipReason());
        Skip.If(System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture != System.Runtime.InteropServices.Architecture.X64, "x86-64 only");
        var exe = CompileC("ebpf-compat", """
            static const char tmp[] = "/tmp";
            static const char root[] = "/";
            void _start(void)
            {
                long r;
                __asm__ volatile("int $0x80" : "=a"(r) : "a"(12), "b"(tmp) : "memory");
                __asm__ volatile("syscall" : "=a"(r) : "a"(80), "D"(root) : "rcx", "r11", "memory");
                __asm__ volatile("syscall" : : "a"(231), "D"(0) : "rcx", "r11", "memory");
                for (;;) { }
            }
            """, "-nostdlib", "-static", "-no-pie");
        Skip.If(exe is null, "gcc is not installed");
        var sink = new CollectingSink();
        using var run = Run(new TraceRequest { FilePath = exe }, sink);
        WaitDone(run);
        var calls = sink.Events.Where(e => e.Kind is SyscallEventKind.Syscall or SyscallEventKind.Unfinished).Select(e => e.Syscall).ToList();

        // The ia32 chdir (number 12) would read as brk in the 64-bit table; it is left out instead.
        Assert.Equal(["execve", "chdir", "exit_group"], calls);
    }

    [Fact]
    public void WhyUnavailable_ExplainsOrIsNull()
    {
        var why = new EbpfEngine().WhyUnavailable(new TraceRequest { SystemWide = true });
        bool root = Environment.UserName == "root";
        bool btf = File.Exists("/sys/kernel/btf/vmlinux");
        bool libbpf = System.Runtime.InteropServices.NativeLibrary.TryLoad("libbpf.so.1", out _);
        if (root && btf && libbpf)
        {
            Assert.Null(why);
        }
        else
        {
            Assert.False(string.IsNullOrEmpty(why));
        }
    }
}
