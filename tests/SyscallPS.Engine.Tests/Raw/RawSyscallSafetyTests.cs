using System.Diagnostics;
using System.IO.Pipes;
using System.Text.RegularExpressions;
using SyscallPS.Raw;
using SyscallPS.Tracing;
using Tmds.Linux;
using Xunit;

namespace SyscallPS.Tests.Raw;

/// <summary>
/// The safety policy of raw syscalls, one test per guarded call: refused in the form that ends, hangs or corrupts the
/// process, allowed in the harmless form (made where making it is harmless). Descriptors and memory count as the
/// shell's unless a raw call returned them.
/// </summary>
public class RawSyscallSafetyTests
{
    private const int ORdwr = 2;
    private const int FSetfl = 4;
    private const int ONonblock = 0x800;

    private static int Self => Environment.ProcessId;

    private static int Parent => (int)LibC.getppid();

    private static RawSyscallRule? Refusal(string name, params object?[] args)
    {
        using var request = RawSyscall.Prepare(name, args);
        return request.Refusal;
    }

    private static RawSyscallRule AssertRefused(string name, params object?[] args)
    {
        using var request = RawSyscall.Prepare(name, args);
        Assert.True(request.Refusal != null, $"{request.Description} was not refused");
        var e = Assert.Throws<TraceException>(() => request.Invoke());
        Assert.Equal("SyscallRefused", e.ErrorId);
        Assert.Equal(TraceErrorKind.PermissionDenied, e.Kind);
        Assert.Contains("-Force", e.Hint, StringComparison.Ordinal);
        Assert.Contains(request.Refusal!.Reason, e.Message, StringComparison.Ordinal);
        return request.Refusal;
    }

    private static void AssertAllowed(string name, params object?[] args)
    {
        using var request = RawSyscall.Prepare(name, args);
        Assert.True(request.Refusal == null, $"{request.Description} was refused: {request.Refusal}");
    }

    private static RawSyscallResult Call(string name, params object?[] args)
    {
        using var request = RawSyscall.Prepare(name, args);
        Assert.True(request.Refusal == null, $"{request.Description} was refused: {request.Refusal}");
        return request.Invoke();
    }

    private static void Require(string name) =>
        Skip.IfNot(SyscallTable.Current.TryGetByName(name, out _), $"{name} does not exist on {SyscallTable.CurrentArchitecture}");

    // A descriptor the runtime opened, not a raw call: the shell's.
    private static FileStream RuntimeFile(FileAccess access = FileAccess.Read) =>
        new(Path.GetTempFileName(), FileMode.Open, access, FileShare.ReadWrite, 1, FileOptions.DeleteOnClose);

    private static int Fd(FileStream stream) => (int)stream.SafeFileHandle.DangerousGetHandle();

    private static int RawOpen(string path = "/dev/null", int flags = ORdwr)
    {
        var result = Call("openat", -100, path, flags);
        Assert.True(result.Succeeded, $"openat {path}: {result}");
        return (int)result.ReturnValue;
    }

    private static (int Read, int Write) RawPipe()
    {
        using var fds = new SyscallBuffer(8);
        Assert.True(Call("pipe2", fds, 0).Succeeded);
        return (BitConverter.ToInt32(fds.Bytes, 0), BitConverter.ToInt32(fds.Bytes, 4));
    }

    private static void RawClose(params int[] fds)
    {
        foreach (int fd in fds)
        {
            Assert.Equal(0, Call("close", fd).ReturnValue);
        }
    }

    private static bool IsOpen(int fd) => LibC.fcntl(fd, LibC.F_GETFD) != -1;

    private static byte[] Longs(params long[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();

    private static byte[] Ints(params int[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();

    // struct sigevent: sigval, sigev_signo at 8, sigev_notify at 12, padding to 64 bytes.
    private static byte[] Sigevent(int signal, int notify) => [.. Longs(0), .. Ints(signal, notify), .. new byte[48]];

    private static Process Sleeper() => Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;

    private static void Stop(Process process)
    {
        process.Kill();
        process.WaitForExit();
        process.Dispose();
    }

    [SkippableFact]
    public void AlarmIsRefusedUnlessItCancels()
    {
        Require("alarm");
        AssertRefused("alarm", 1);
        Assert.Equal(0, Call("alarm", 0).ReturnValue); // no alarm was pending
    }

    [Fact]
    public void SetitimerIsRefusedWhenItArmsATimer()
    {
        var armed = Longs(0, 0, 1, 0); // it_interval 0, it_value 1 s
        AssertRefused("setitimer", 0, armed, null);   // ITIMER_REAL: SIGALRM
        AssertRefused("setitimer", 2, armed, null);   // ITIMER_PROF: SIGPROF
        AssertRefused("setitimer", 0, 0x10, null);    // unreadable new value
        Assert.Equal(0, Call("setitimer", 0, Longs(0, 0, 0, 0), null).ReturnValue); // disarming
    }

    [Fact]
    public void TimerCreateIsRefusedWhenItsSignalEndsTheProcess()
    {
        var id = new byte[8];
        AssertRefused("timer_create", 1, null, id);                 // no sigevent: SIGALRM
        AssertRefused("timer_create", 1, Sigevent(14, 0), id);      // SIGEV_SIGNAL, SIGALRM
        AssertRefused("timer_create", 1, Sigevent(15, 4), id);      // SIGEV_THREAD_ID, SIGTERM
        AssertAllowed("timer_create", 1, Sigevent(28, 0), id);      // SIGWINCH: ignored by default

        // A timer that signals nothing can be created and armed.
        Assert.Equal(0, Call("timer_create", 1, Sigevent(0, 1), id).ReturnValue); // SIGEV_NONE
        int timer = BitConverter.ToInt32(id);
        Assert.Equal(0, Call("timer_settime", timer, 0, Longs(0, 0, 0, 1_000_000), null).ReturnValue);
        Thread.Sleep(10);
        Assert.Equal(0, Call("timer_delete", timer).ReturnValue);
    }

    [Fact]
    public void MqNotifyIsRefusedWhenItsSignalEndsTheProcess()
    {
        AssertRefused("mq_notify", 987654, Sigevent(10, 0));   // SIGEV_SIGNAL, SIGUSR1
        AssertAllowed("mq_notify", 987654, Sigevent(17, 0));   // SIGCHLD
        AssertAllowed("mq_notify", 987654, null);              // unregisters
    }

    [Fact]
    public void LoweringOwnLimitsIsRefusedReadingThemIsNot()
    {
        AssertRefused("setrlimit", 7, Longs(0, 0));                       // RLIMIT_NOFILE 0
        AssertRefused("setrlimit", 9, Longs(1 << 20, 1 << 20));           // RLIMIT_AS 1 MiB
        AssertRefused("setrlimit", 0, Longs(1, 1));                       // RLIMIT_CPU 1 s: SIGXCPU
        AssertRefused("prlimit64", 0, 7, Longs(0, 0), null);
        AssertRefused("prlimit64", Self, 2, Longs(4096, 4096), null);    // RLIMIT_DATA

        var current = new byte[16];
        Assert.Equal(0, Call("prlimit64", 0, 7, null, current).ReturnValue);   // a NULL new limit only reads
        Assert.Equal(0, Call("setrlimit", 7, current).ReturnValue);             // the same values again
        AssertAllowed("setrlimit", 4, Longs(0, 0));                             // RLIMIT_CORE: not one the runtime needs
    }

    [Fact]
    public void LoweringTheLimitOfAnotherOwnProcessIsAllowed()
    {
        var sleeper = Sleeper();
        try
        {
            Assert.Equal(0, Call("prlimit64", sleeper.Id, 7, Longs(64, 64), null).ReturnValue);
            Assert.Matches(new Regex(@"Max open files\s+64\s+64"), File.ReadAllText($"/proc/{sleeper.Id}/limits"));
        }
        finally
        {
            Stop(sleeper);
        }
    }

    [SkippableFact]
    public void ClosingOrReplacingTheShellsDescriptorIsRefused()
    {
        Require("dup2");
        using var runtime = RuntimeFile();
        int fd = Fd(runtime);
        int own = RawOpen();
        try
        {
            Assert.Contains("descriptor the shell holds", AssertRefused("close", fd).Reason, StringComparison.Ordinal);
            AssertRefused("dup2", own, fd);
            AssertRefused("dup3", own, fd, 0);
            AssertRefused("close", 1);
            AssertRefused("dup2", own, 2);
            Assert.True(IsOpen(fd));
        }
        finally
        {
            RawClose(own);
        }
    }

    [Fact]
    public void TheProbingLoopOfTheIssueRefusesEveryDescriptorOfTheShell()
    {
        // Only the policy is asked: other tests of this process open and close descriptors meanwhile.
        var runtime = Enumerable.Range(0, 20).Select(_ => RuntimeFile()).ToList();
        using var runtimePipe = new AnonymousPipeServerStream(PipeDirection.Out);
        try
        {
            var shells = runtime.Select(Fd).Append((int)runtimePipe.SafePipeHandle.DangerousGetHandle()).ToHashSet();
            var refused = Enumerable.Range(3, 998).Where(fd => Refusal("close", fd) != null).ToHashSet();
            Assert.Superset(shells, refused);
            Assert.All(shells, fd => Assert.True(IsOpen(fd)));
        }
        finally
        {
            runtime.ForEach(f => f.Dispose());
        }
    }

    [SkippableFact]
    public void DescriptorsFromRawCallsCanBeClosedAndReplaced()
    {
        Require("dup2");
        int a = RawOpen();
        int b = RawOpen("/etc/hostname", 0);
        Assert.Equal(b, Call("dup2", a, b).ReturnValue);
        Assert.Equal(b, Call("dup3", a, b, 0).ReturnValue);
        var pipe = RawPipe();
        int moved = (int)Call("fcntl", pipe.Read, 0, 700).ReturnValue; // F_DUPFD: the copy of an own descriptor is own
        Assert.True(moved >= 700);
        RawClose(a, b, pipe.Read, pipe.Write, moved);

        // A number a raw call returned, closed and reused outside Invoke-RawSyscall, is the shell's again.
        int c = RawOpen();
        using var runtime = RuntimeFile();
        Assert.Equal(0, LibC.close(c));
        Assert.Equal(c, LibC.dup2(Fd(runtime), c));
        try
        {
            AssertRefused("close", c);
        }
        finally
        {
            LibC.close(c);
        }
    }

    [SkippableFact]
    public void AFreeDescriptorNumberIsNobodys()
    {
        Require("dup2");
        Assert.Equal("EBADF", Call("close", 987654).Errno);
        int own = RawOpen();
        Assert.Equal(900, Call("dup2", own, 900).ReturnValue);
        RawClose(900, own);
    }

    [Fact]
    public void CopiesOfTheShellsDescriptorCanBeClosedButNotUsed()
    {
        using var runtimePipe = new AnonymousPipeServerStream(PipeDirection.Out);
        int shell = (int)runtimePipe.SafePipeHandle.DangerousGetHandle();

        int copy = (int)Call("dup", shell).ReturnValue;
        AssertRefused("write", copy, "x", 1);
        AssertRefused("fcntl", copy, FSetfl, ONonblock);
        int moved = (int)Call("fcntl", shell, 1030, 0).ReturnValue; // F_DUPFD_CLOEXEC
        AssertRefused("write", moved, "x", 1);
        int reopened = RawOpen($"/proc/self/fd/{shell}", 1);        // the same pipe opened again
        AssertRefused("write", reopened, "x", 1);
        RawClose(copy, moved, reopened);
        Assert.True(IsOpen(shell));

        // A copy of standard output is standard output: writing is fine, changing it is not.
        int stdoutCopy = (int)Call("dup", 1).ReturnValue;
        AssertAllowed("write", stdoutCopy, "", 0);
        AssertRefused("fcntl", stdoutCopy, FSetfl, ONonblock);
        RawClose(stdoutCopy);
    }

    [Fact]
    public void ReopeningAnUnnamedFileOfTheRuntimeThroughProcDoesNotMakeItYours()
    {
        // A file the runtime holds that has no name any more, like the runtime's memfd of JIT code, is only
        // reachable through the runtime's descriptor; opening /proc/self/fd/N reaches the same file.
        string path = Path.GetTempFileName();
        using var runtime = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        File.Delete(path);
        int reopened = RawOpen($"/proc/self/fd/{Fd(runtime)}");
        try
        {
            AssertRefused("ftruncate", reopened, 0);
            AssertRefused("write", reopened, "x", 1);
            AssertRefused("mmap", 0, 4096, 3, 0x01, reopened, 0);   // shared and writable
            AssertAllowed("mmap", 0, 4096, 1, 0x02, reopened, 0);   // private, read-only
        }
        finally
        {
            RawClose(reopened);
        }

        // A file with a name is reachable by its name anyway: opening it again is an ordinary open.
        string named = Path.GetTempFileName();
        using var runtimeNamed = new FileStream(named, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, 1, FileOptions.DeleteOnClose);
        int again = RawOpen($"/proc/self/fd/{Fd(runtimeNamed)}");
        try
        {
            AssertAllowed("write", again, "x", 1);
        }
        finally
        {
            RawClose(again);
        }
    }

    /// <summary>Calls that change a descriptor or what it refers to, and calls that move its data or position.</summary>
    public static TheoryData<string, object[]> DescriptorCalls => new()
    {
        { "fcntl", ["FD", FSetfl, ONonblock] },
        { "fcntl", ["FD", 2, 1] },                  // F_SETFD
        { "ioctl", ["FD", 0x5421, new byte[4]] },   // FIONBIO
        { "ioctl", ["FD", 0x5452, new byte[4]] },   // FIOASYNC
        { "ftruncate", ["FD", 0] },
        { "fallocate", ["FD", 0, 0, 1] },
        { "flock", ["FD", 2] },
        { "shutdown", ["FD", 2] },
        { "setsockopt", ["FD", 1, 2, new byte[4], 4] },
        { "bind", ["FD", new byte[16], 16] },
        { "connect", ["FD", new byte[16], 16] },
        { "listen", ["FD", 1] },
        { "epoll_ctl", ["FD", 2, 0, new byte[12]] },
        { "inotify_add_watch", ["FD", "/tmp", 0x100] },
        { "inotify_rm_watch", ["FD", 1] },
        { "fanotify_mark", ["FD", 1, 0x20, -100, "/tmp"] },
        { "timerfd_settime", ["FD", 0, new byte[32], null!] },
        { "signalfd", ["FD", new byte[8], 8] },
        { "signalfd4", ["FD", new byte[8], 8, 0] },
        { "io_uring_register", ["FD", 0, null!, 0] },
        { "mmap", [0, 4096, 3, 0x01, "FD", 0] },    // MAP_SHARED, PROT_READ|PROT_WRITE
        { "read", ["FD", new byte[1], 1] },
        { "readv", ["FD", null!, 0] },
        { "write", ["FD", "x", 1] },
        { "writev", ["FD", null!, 0] },
        { "pwrite64", ["FD", "x", 1, 0] },
        { "pwritev", ["FD", null!, 0, 0] },
        { "pwritev2", ["FD", null!, 0, 0, 0] },
        { "lseek", ["FD", 0, 2] },
        { "getdents", ["FD", new byte[64], 64] },
        { "getdents64", ["FD", new byte[64], 64] },
        { "recvfrom", ["FD", new byte[1], 1, 0, null!, null!] },
        { "recvmsg", ["FD", null!, 0] },
        { "recvmmsg", ["FD", null!, 0, 0, null!] },
        { "sendto", ["FD", "x", 1, 0, null!, 0] },
        { "sendmsg", ["FD", null!, 0] },
        { "sendmmsg", ["FD", null!, 0, 0] },
        { "accept", ["FD", null!, null!] },
        { "accept4", ["FD", null!, null!, 0] },
        { "epoll_wait", ["FD", new byte[12], 1, 0] },
        { "epoll_pwait", ["FD", new byte[12], 1, 0, null!, 8] },
        { "epoll_pwait2", ["FD", new byte[12], 1, null!, null!, 8] },
        { "vmsplice", ["FD", null!, 0, 0] },
        { "sendfile", ["FD", "OWN", null!, 1] },
        { "sendfile", ["OWN", "FD", null!, 1] },
        { "splice", ["FD", null!, "OWN", null!, 1, 0] },
        { "splice", ["OWN", null!, "FD", null!, 1, 0] },
        { "tee", ["FD", "OWN", 1, 0] },
        { "tee", ["OWN", "FD", 1, 0] },
        { "copy_file_range", ["FD", null!, "OWN", null!, 1, 0] },
        { "copy_file_range", ["OWN", null!, "FD", null!, 1, 0] },
    };

    [SkippableTheory]
    [MemberData(nameof(DescriptorCalls))]
    public void UsingTheShellsDescriptorIsRefusedUsingAnOwnOneIsNot(string name, object[] template)
    {
        Require(name);
        using var runtime = RuntimeFile(FileAccess.ReadWrite);
        int own = RawOpen();
        int other = RawOpen();
        try
        {
            object?[] With(int fd) => template.Select(a => a switch { "FD" => fd, "OWN" => other, _ => a }).ToArray();
            var rule = AssertRefused(name, With(Fd(runtime)));
            Assert.Contains("descriptor the shell holds", rule.Reason, StringComparison.Ordinal);
            AssertAllowed(name, With(own));
        }
        finally
        {
            RawClose(own, other);
        }
    }

    [Fact]
    public void StandardStreamsCanBeReadAndWrittenNotChanged()
    {
        AssertAllowed("write", 1, "", 0);
        AssertAllowed("write", 2, "", 0);
        AssertAllowed("read", 0, new byte[1], 0);
        Assert.True(Call("fcntl", 0, 3).ReturnValue >= 0);        // F_GETFL reads
        AssertAllowed("ioctl", 1, 0x5401, new byte[64]);          // TCGETS reads
        AssertRefused("fcntl", 0, FSetfl, ONonblock);
        AssertRefused("ioctl", 0, 0x5421, Ints(1));               // FIONBIO
        AssertRefused("ioctl", 0, 0x5422);                        // TIOCNOTTY
        AssertRefused("ioctl", 0, 0x540E, 0);                     // TIOCSCTTY
    }

    [Fact]
    public void CloseRangeIsRefusedOverTheShellsDescriptors()
    {
        AssertRefused("close_range", 3, uint.MaxValue, 0);
        AssertRefused("close_range", 0, 2, 4);                    // CLOSE_RANGE_CLOEXEC on the standard streams
        int own = RawOpen();
        AssertRefused("close_range", own, own, 2);                // CLOSE_RANGE_UNSHARE
        Assert.Equal(0, Call("close_range", own, own, 0).ReturnValue);
        Assert.False(IsOpen(own));
    }

    [Fact]
    public void PtraceOfAProcessPowerShellRunsUnderIsRefused()
    {
        AssertRefused("ptrace", 16, Parent, 0, 0);        // PTRACE_ATTACH
        AssertRefused("ptrace", 0x4206, Parent, 0, 0);    // PTRACE_SEIZE
        AssertRefused("ptrace", 16, Self, 0, 0);
        var sleeper = Sleeper();
        try
        {
            AssertAllowed("ptrace", 16, sleeper.Id, 0, 0);
        }
        finally
        {
            Stop(sleeper);
        }
    }

    [Fact]
    public void SignalsThatEndOrStopAProcessPowerShellRunsUnderAreRefused()
    {
        AssertRefused("kill", Parent, 19);                 // SIGSTOP
        AssertRefused("tgkill", Parent, Parent, 9);
        AssertRefused("tkill", Parent, 15);
        AssertRefused("kill", 1, 15);                      // init is an ancestor too
        AssertAllowed("kill", Parent, 0);                  // existence check
        var sleeper = Sleeper();
        try
        {
            Assert.Equal(0, Call("kill", sleeper.Id, 9).ReturnValue);
            Assert.True(sleeper.WaitForExit(10_000));
        }
        finally
        {
            sleeper.Dispose();
        }
    }

    [Fact]
    public void WritingTheMemoryOfPowerShellOrItsParentIsRefused()
    {
        AssertRefused("process_vm_writev", Parent, null, 0, null, 0, 0);
        AssertRefused("process_vm_writev", Self, null, 0, null, 0, 0);

        using var probe = new SyscallBuffer(8);
        probe.Write([42]);
        int mem = RawOpen("/proc/self/mem");
        try
        {
            AssertRefused("pwrite64", mem, new byte[1], 1, (long)probe.Address);
            AssertRefused("write", mem, new byte[1], 1);
            var back = new byte[1];
            Assert.Equal(1, Call("pread64", mem, back, 1, (long)probe.Address).ReturnValue); // reading is harmless
            Assert.Equal(42, back[0]);
        }
        finally
        {
            RawClose(mem);
        }
    }

    [Fact]
    public void RealtimeSchedulingOfOwnThreadsIsRefused()
    {
        var priority = Ints(1);
        AssertRefused("sched_setscheduler", 0, 1, priority);                  // SCHED_FIFO
        AssertRefused("sched_setscheduler", Self, 2 | 0x40000000, priority);  // SCHED_RR | SCHED_RESET_ON_FORK
        AssertRefused("sched_setattr", 0, Ints(48, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0), 0);
        Assert.Equal(0, Call("sched_setscheduler", 0, 0, Ints(0)).ReturnValue); // SCHED_OTHER
        var sleeper = Sleeper();
        try
        {
            AssertAllowed("sched_setscheduler", sleeper.Id, 1, priority);
        }
        finally
        {
            Stop(sleeper);
        }
    }

    [Fact]
    public void LeavingTheSessionOrProcessGroupIsRefused()
    {
        AssertRefused("setsid");
        int group = (int)LibC.getpgrp();
        AssertRefused("setpgid", 0, group == 1 ? 2 : 1);
        AssertRefused("setpgid", Self, group == Self ? 1 : 0);
        AssertAllowed("setpgid", 0, group);                   // its own group: no change
    }

    [SkippableFact]
    public void WaitsNothingEndsAreRefused()
    {
        Require("pause");
        AssertRefused("pause");
        AssertRefused("rt_sigsuspend", new byte[8], 8);
        AssertRefused("rt_sigtimedwait", new byte[8], null, null, 8);
        Assert.Equal("EAGAIN", Call("rt_sigtimedwait", new byte[8], null, new byte[16], 8).Errno); // zero timeout
    }

    [Fact]
    public void ReapingTheShellsChildrenIsRefused()
    {
        var sleeper = Sleeper();
        try
        {
            AssertRefused("wait4", -1, null, 0, null);
            AssertRefused("wait4", sleeper.Id, null, 1, null);
            AssertRefused("waitid", 1, sleeper.Id, new byte[128], 4);                // P_PID, WEXITED
            AssertRefused("waitid", 0, 0, new byte[128], 4 | 1);                     // P_ALL, WEXITED|WNOHANG: reaps
            Assert.Equal(0, Call("waitid", 0, 0, new byte[128], 4 | 1 | 0x01000000).ReturnValue); // WNOWAIT: only looks
            Assert.Equal("ECHILD", Call("wait4", 1, null, 1, null).Errno);          // not a child
        }
        finally
        {
            Stop(sleeper);
        }
    }

    [Fact]
    public void RuntimeMemoryIsRefusedMemoryMappedByRawCallsIsNot()
    {
        using var runtime = new SyscallBuffer(4096);
        ulong address = (ulong)runtime.Address & ~4095UL;
        AssertRefused("munmap", address, 4096);
        AssertRefused("mprotect", address, 4096, 1);
        AssertRefused("pkey_mprotect", address, 4096, 1, 0);
        AssertRefused("madvise", address, 4096, 4);                 // MADV_DONTNEED zeroes the memory
        AssertRefused("madvise", address, 4096, 10);                // MADV_DONTFORK
        AssertRefused("mremap", address, 4096, 8192, 1);
        AssertRefused("mmap", address, 4096, 3, 0x32, -1, 0);       // MAP_FIXED over it
        AssertAllowed("madvise", address, 4096, 3);                 // MADV_WILLNEED

        ulong own = (ulong)Call("mmap", 0, 3 * 4096, 3, 0x22, -1, 0).ReturnValue;
        Assert.Equal(0, Call("mprotect", own, 4096, 1).ReturnValue);
        Assert.Equal(0, Call("madvise", own, 3 * 4096, 4).ReturnValue);
        Assert.Equal(own + 4096, (ulong)Call("mmap", own + 4096, 4096, 3, 0x32, -1, 0).ReturnValue);
        Assert.Equal(0, Call("munmap", own, 4096).ReturnValue);
        AssertRefused("munmap", own, 4096);                         // gone: the address is nobody's now
        AssertRefused("munmap", own, 2 * 4096);
        ulong moved = (ulong)Call("mremap", own + 4096, 2 * 4096, 4 * 4096, 1).ReturnValue; // MREMAP_MAYMOVE
        AssertRefused("mremap", moved, 4 * 4096, 4 * 4096, 3, own);                          // MREMAP_FIXED
        Assert.Equal(0, Call("munmap", moved, 4 * 4096).ReturnValue);
    }

    [Fact]
    public void UserfaultfdRegistrationOfRuntimeMemoryIsRefused()
    {
        using var runtime = new SyscallBuffer(4096);
        const uint uffdioRegister = 0xC020AA00;
        AssertRefused("ioctl", 987654, uffdioRegister, Longs((long)runtime.Address & ~4095L, 4096, 1, 0));
        long own = Call("mmap", 0, 4096, 3, 0x22, -1, 0).ReturnValue;
        try
        {
            AssertAllowed("ioctl", 987654, uffdioRegister, Longs(own, 4096, 1, 0));
        }
        finally
        {
            Call("munmap", own, 4096);
        }
    }

    [Fact]
    public void ShmatReplacingMappingsIsRefused()
    {
        using var runtime = new SyscallBuffer(4096);
        AssertRefused("shmat", 0, (long)runtime.Address & ~4095L, 0x4000);   // SHM_REMAP
        AssertAllowed("shmat", 0, 0, 0);                                        // the kernel picks a free address
    }

    [SkippableFact]
    public void ArchPrctlCanReadNotChangeThreadState()
    {
        Require("arch_prctl");
        var fs = new byte[8];
        Assert.Equal(0, Call("arch_prctl", 0x1003, fs).ReturnValue);   // ARCH_GET_FS
        Assert.NotEqual(0UL, BitConverter.ToUInt64(fs));
        AssertRefused("arch_prctl", 0x1002, 0);                         // ARCH_SET_FS: the C library's thread pointer
    }

    [Fact]
    public void BrkCanBeQueriedNotMoved()
    {
        long end = Call("brk", 0).ReturnValue;
        Assert.True(end > 0);
        AssertRefused("brk", end + 4096);
    }

    [Fact]
    public void MlockallOfFutureMappingsIsRefused()
    {
        AssertRefused("mlockall", 2);           // MCL_FUTURE
        AssertRefused("mlockall", 1 | 2 | 4);
        AssertAllowed("mlockall", 1);           // MCL_CURRENT
    }

    [Fact]
    public void SignalStateCanBeReadNotChanged()
    {
        AssertRefused("rt_sigprocmask", 0, Longs(-1), null, 8);               // SIG_BLOCK everything
        Assert.Equal(0, Call("rt_sigprocmask", 0, null, new byte[8], 8).ReturnValue);
        AssertRefused("rt_sigaction", 2, new byte[32], null, 8);
        Assert.Equal(0, Call("rt_sigaction", 2, null, new byte[32], 8).ReturnValue);
        AssertRefused("sigaltstack", new byte[24], null);
        Assert.Equal(0, Call("sigaltstack", null, new byte[24]).ReturnValue);
    }

    [Fact]
    public void PersonalityCanBeReadNotChanged()
    {
        long current = Call("personality", 0xffffffffL).ReturnValue;
        AssertRefused("personality", current ^ 0x0008);    // PER_LINUX32
        AssertRefused("personality", current | 0x0040000); // ADDR_NO_RANDOMIZE
        Assert.Equal(current, Call("personality", current).ReturnValue);
    }

    [Fact]
    public void PrctlOptionsThatEndOrLockTheProcessAreRefused()
    {
        AssertRefused("prctl", 1, 9);          // PR_SET_PDEATHSIG SIGKILL
        AssertRefused("prctl", 38, 1, 0, 0, 0); // PR_SET_NO_NEW_PRIVS
        var signal = new byte[4];
        Assert.Equal(0, Call("prctl", 2, signal).ReturnValue); // PR_GET_PDEATHSIG
        AssertAllowed("prctl", 1, BitConverter.ToInt32(signal)); // the current value (0: none)
    }

    [Fact]
    public void IoSignalsAimedAtPowerShellAreRefused()
    {
        var pipe = RawPipe();
        int dir = RawOpen("/tmp", 0x10000);     // O_DIRECTORY
        int file = RawOpen("/etc/hostname", 0);
        try
        {
            AssertRefused("fcntl", pipe.Read, 8, Self);            // F_SETOWN
            AssertRefused("fcntl", pipe.Read, 8, -(int)LibC.getpgrp());
            AssertRefused("fcntl", pipe.Read, 15, Ints(1, Self));  // F_SETOWN_EX, F_OWNER_PID
            AssertRefused("ioctl", pipe.Read, 0x8901, Ints(Self)); // FIOSETOWN
            Assert.Equal(0, Call("fcntl", pipe.Read, 8, 0).ReturnValue);   // no owner
            AssertRefused("fcntl", dir, 1026, 4);                  // F_NOTIFY DN_CREATE: SIGIO
            AssertRefused("fcntl", file, 1024, 0);                 // F_SETLEASE F_RDLCK: SIGIO on a lease break
            AssertAllowed("fcntl", file, 1024, 2);                 // F_UNLCK

            // With a harmless signal instead of SIGIO, directory notification is harmless.
            Assert.Equal(0, Call("fcntl", dir, 10, 28).ReturnValue); // F_SETSIG SIGWINCH
            Assert.Equal(0, Call("fcntl", dir, 1026, 0).ReturnValue);
            AssertAllowed("fcntl", dir, 1026, 4);
        }
        finally
        {
            RawClose(pipe.Read, pipe.Write, dir, file);
        }
    }

    [Fact]
    public void FanotifyPermissionEventsAreRefused()
    {
        AssertRefused("fanotify_mark", 987654, 1, 0x10000, -100, "/");    // FAN_MARK_ADD, FAN_OPEN_PERM
        AssertRefused("fanotify_mark", 987654, 0x11, 0x40000, -100, "/"); // FAN_MARK_MOUNT, FAN_OPEN_EXEC_PERM
        AssertAllowed("fanotify_mark", 987654, 1, 0x20, -100, "/");       // FAN_OPEN: only reports
        AssertAllowed("fanotify_mark", 987654, 2, 0x10000, -100, "/");    // FAN_MARK_REMOVE
    }

    [Fact]
    public void TerminalRequestsOnAnOwnPseudoTerminalAreAllowed()
    {
        int master = RawOpen("/dev/ptmx", ORdwr | 0x100);   // O_NOCTTY
        try
        {
            Assert.Equal(0, Call("ioctl", master, 0x40045431, Ints(0)).ReturnValue); // TIOCSPTLCK: unlock
            var number = new byte[4];
            Assert.Equal(0, Call("ioctl", master, 0x80045430, number).ReturnValue); // TIOCGPTN
            int slave = RawOpen($"/dev/pts/{BitConverter.ToInt32(number)}", ORdwr | 0x100);
            try
            {
                var modes = new byte[60];
                Assert.Equal(0, Call("ioctl", slave, 0x5401, modes).ReturnValue); // TCGETS
                Assert.Equal(0, Call("ioctl", slave, 0x5402, modes).ReturnValue); // TCSETS: not PowerShell's terminal
                AssertAllowed("ioctl", slave, 0x540E, 0);                         // TIOCSCTTY
            }
            finally
            {
                RawClose(slave);
            }
        }
        finally
        {
            RawClose(master);
        }
    }

    [SkippableFact]
    public void TerminalRequestsOnTheControllingTerminalAreRefusedThroughAnyDescriptor()
    {
        var open = Call("openat", -100, "/dev/tty", ORdwr | 0x100);
        Skip.If(open.ReturnValue < 0, $"this process has no controlling terminal ({open.Errno})");
        int tty = (int)open.ReturnValue;
        try
        {
            AssertRefused("ioctl", tty, 0x5422);             // TIOCNOTTY
            AssertRefused("ioctl", tty, 0x5410, Ints(1));    // TIOCSPGRP
            AssertRefused("ioctl", tty, 0x5412, "x");        // TIOCSTI
            AssertAllowed("ioctl", tty, 0x5413, new byte[8]); // TIOCGWINSZ
        }
        finally
        {
            RawClose(tty);
        }
    }
}
