using System.Buffers.Binary;
using System.Text.RegularExpressions;
using Xunit;
using SyscallPS.Decoding;
using SyscallPS.Ebpf;
using SyscallPS.Tracing;
using static SyscallPS.Tests.Ebpf.EbpfTestSupport;

namespace SyscallPS.Tests.Ebpf;

/// <summary>Signal records of the eBPF engine: the same <c>--- SIG… {…} ---</c> events as the ptrace engine, in the same place.</summary>
[Collection("ebpf")]
public sealed class EbpfSignalTests
{
    private const int SIGUSR1 = 10, SIGCHLD = 17, SIGCONT = 18, SIGWINCH = 28;

    [SkippableFact]
    public void SignalEvents_MatchThePtraceEngine_EachAfterTheSameCallOfItsThread()
    {
        Skip.If(SkipReason() is not null, SkipReason());
        var fixture = Fixtures.Path("signal_parity");
        var ptrace = SignalLines(EngineKind.Ptrace, fixture, syscalls: null);
        var ebpf = SignalLines(EngineKind.Ebpf, fixture, syscalls: null);

        // The fixture's signals: SIGUSR1, SIGPIPE, SIGWINCH, SIGUSR2, SIGTERM and three SIGCHLD.
        Assert.Equal(8, ptrace.Count);
        Assert.Equal(ptrace, ebpf);
        Assert.Contains("root after wait4: --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_KILLED, si_pid=child2, si_uid=0, si_status=SIGTERM, si_utime=T, si_stime=T} ---", ebpf);
        Assert.Contains("child2 after pause: --- SIGTERM {si_signo=SIGTERM, si_code=SI_USER, si_pid=child3, si_uid=0} ---", ebpf);
    }

    [SkippableFact]
    public void SyscallFilter_HidesNoSignal_AsWithThePtraceEngine()
    {
        // strace -e trace=… still prints every signal (only -e signal=none hides them); so do both engines.
        Skip.If(SkipReason() is not null, SkipReason());
        var fixture = Fixtures.Path("signal_parity");
        var ptrace = SignalLines(EngineKind.Ptrace, fixture, Set("kill"));
        var ebpf = SignalLines(EngineKind.Ebpf, fixture, Set("kill"));
        Assert.Equal(8, ptrace.Count);
        Assert.Equal(ptrace, ebpf);
    }

    [SkippableFact]
    public void FailedOnly_StillReportsEverySignal_AsWithThePtraceEngine()
    {
        // strace -Z (--status=failed) filters calls by their result; signals are not calls and all still print.
        Skip.If(SkipReason() is not null, SkipReason());
        var fixture = Fixtures.Path("signal_parity");
        var signals = new Dictionary<EngineKind, List<string>>();
        foreach (var engine in new[] { EngineKind.Ptrace, EngineKind.Ebpf })
        {
            var (events, _) = TraceHelper.Run(new TraceRequest { FilePath = fixture, Engine = engine, FailedOnly = true });
            Assert.Contains(events, e => e.Syscall == "write" && e.Errno == "EPIPE");
            Assert.DoesNotContain(events, e => e.Kind == SyscallEventKind.Syscall && e.Errno is null);
            // Sorted: the killer's SIGTERM and the parent's SIGCHLD are in different processes, in either order.
            signals[engine] = events.Where(e => e.Kind == SyscallEventKind.Signal).Select(e => e.Signal!).Order(StringComparer.Ordinal).ToList();
        }

        Assert.Equal(8, signals[EngineKind.Ptrace].Count);
        Assert.Equal(signals[EngineKind.Ptrace], signals[EngineKind.Ebpf]);
    }

    [Fact]
    public void SignalRecordLayout_MatchesTheKernelProgram()
    {
        // struct sig_rec: struct rec, then struct kernel_siginfo (48 bytes on 64-bit kernels).
        Assert.Equal(112, EbpfSignalRecord.InfoOffset);
        Assert.Equal(160, EbpfSignalRecord.Size);
    }

    [Fact]
    public void GeneratedSignal_IsPlacedAmongItsThreadsCallsByTime()
    {
        var events = new List<SyscallEvent>();
        var decoder = EbpfTestSupport.Decoder(events);

        // A SIGCHLD sent while wait4 ran comes after it, a SIGWINCH sent before getpid began before it:
        // where a tracer, which sees a signal when the thread returns to user mode, shows them.
        decoder.Process(SignalRecord(EbpfSignalOrigin.Generated, 10, 10, SIGCHLD, 1_500, code: 1, pid: 11));
        Assert.Empty(events);
        decoder.Process(SyscallRecord(10, 10, Nr("wait4"), enter: 1_000, exit: 2_000, ret: 11));
        decoder.Process(SignalRecord(EbpfSignalOrigin.Generated, 10, 10, SIGWINCH, 2_500, code: 0, pid: 10));
        decoder.Process(SyscallRecord(10, 10, Nr("getpid"), enter: 3_000, exit: 3_100, ret: 10));

        // A dequeued one is written by the thread itself, in place.
        decoder.Process(SignalRecord(EbpfSignalOrigin.Delivered, 10, 10, SIGUSR1, 4_000, code: -6, pid: 10));

        // Another thread's held signal waits for that thread, or at the latest for its process's end.
        decoder.Process(SignalRecord(EbpfSignalOrigin.Generated, 10, 12, SIGWINCH, 5_000, code: 0, pid: 10));
        decoder.Process(SyscallRecord(10, 10, Nr("getpid"), enter: 6_000, exit: 6_100, ret: 10));
        decoder.Process(ExitRecord(10, 10, 7_000));

        Assert.Equal(
        [
            "wait4", "--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=11, si_uid=0, si_status=0, si_utime=0, si_stime=0} ---",
            "--- SIGWINCH {si_signo=SIGWINCH, si_code=SI_USER, si_pid=10, si_uid=0} ---", "getpid",
            "--- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_TKILL, si_pid=10, si_uid=0} ---",
            "getpid", "[pid 12] --- SIGWINCH {si_signo=SIGWINCH, si_code=SI_USER, si_pid=10, si_uid=0} ---", "+++ exited with 0 +++",
        ],
            events.Select(e => e.Kind == SyscallEventKind.Syscall ? e.Syscall : e.ThreadId == 12 ? e.ToString() : e.ToStraceLine()));
        var chld = events[1];
        Assert.Equal((SyscallEventKind.Signal, "SIGCHLD", 10, 10), (chld.Kind, chld.Signal, chld.ProcessId, chld.ThreadId));
        Assert.Equal("{si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=11, si_uid=0, si_status=0, si_utime=0, si_stime=0}", chld.SignalInfo);
    }

    [Fact]
    public void HeldSignals_AreReleasedByAge()
    {
        var events = new List<SyscallEvent>();
        var decoder = EbpfTestSupport.Decoder(events);
        decoder.Process(SignalRecord(EbpfSignalOrigin.Generated, 20, 20, SIGWINCH, 1_000, code: 0, pid: 1));
        decoder.Process(SignalRecord(EbpfSignalOrigin.Generated, 20, 20, SIGCHLD, 9_000, code: 1, pid: 21));
        Assert.True(decoder.ReleaseSignalsBefore(5_000));
        Assert.Equal(["SIGWINCH"], events.Select(e => e.Signal));
        Assert.True(decoder.ReleaseSignalsBefore(long.MaxValue));
        Assert.Equal(["SIGWINCH", "SIGCHLD"], events.Select(e => e.Signal));
    }

    [Fact]
    public void TheEnginesOwnResumeSignal_IsLeftOut()
    {
        // The launched program waits stopped before its exec; the SIGCONT that starts it is not the program's.
        var events = new List<SyscallEvent>();
        var decoder = EbpfTestSupport.Decoder(events);
        decoder.ResumedProcessId = 30;
        decoder.Process(SignalRecord(EbpfSignalOrigin.Generated, 30, 30, SIGCONT, 1_000, code: 0, pid: Environment.ProcessId));
        decoder.Process(SignalRecord(EbpfSignalOrigin.Generated, 30, 30, SIGCONT, 2_000, code: 0, pid: Environment.ProcessId));
        decoder.ReleaseSignalsBefore(long.MaxValue);
        var only = Assert.Single(events);
        Assert.Equal(2_000, only.MonotonicNanoseconds);
    }

    /// <summary>
    /// Each signal event of a run as "process after call: line", in stream order per thread, with process ids
    /// named by their place in the tree (root, childN in the order the root created them) and CPU times masked.
    /// </summary>
    private static List<string> SignalLines(EngineKind engine, string fixture, IReadOnlySet<int>? syscalls)
    {
        var (events, session) = TraceHelper.Run(new TraceRequest { FilePath = fixture, Engine = engine, SyscallNumbers = syscalls });
        Assert.Equal(0, session.ExitCode);
        int root = events.First(e => e.Kind == SyscallEventKind.Syscall).ProcessId;
        var names = new Dictionary<int, string> { [root] = "root" };
        foreach (var e in events.Where(e => e.ProcessId == root && e.ChildProcessId is not null))
        {
            names.TryAdd(e.ChildProcessId!.Value, "child" + names.Count);
        }

        if (syscalls is not null)
        {
            // Without the clone events the children are named by the order their first event appears.
            foreach (var e in events.Where(e => e.ProcessId != root))
            {
                names.TryAdd(e.ProcessId, "child" + names.Count);
            }
        }

        string Name(int pid) => names.TryGetValue(pid, out var n) ? n : "other";
        var lastCall = new Dictionary<int, string>();
        var lines = new List<(string Process, string Line)>();
        foreach (var e in events)
        {
            if (e.Kind == SyscallEventKind.Syscall)
            {
                lastCall[e.ThreadId] = e.Syscall;
            }
            else if (e.Kind == SyscallEventKind.Signal)
            {
                Assert.Equal("[pid " + e.ThreadId.ToString(System.Globalization.CultureInfo.InvariantCulture) + "] --- " + e.Signal + " " + e.SignalInfo + " ---", e.ToString());
                var text = e.ToStraceLine();
                text = Regex.Replace(text, @"si_pid=(\d+)", m => "si_pid=" + Name(int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)));
                text = Regex.Replace(text, @"si_(utime|stime)=\d+", "si_$1=T");
                lines.Add((Name(e.ProcessId), Name(e.ProcessId) + " after " + lastCall.GetValueOrDefault(e.ThreadId, "(none)") + ": " + text));
            }
        }

        // Processes apart, each in its own order: how processes interleave is the scheduler's business.
        return lines.OrderBy(l => l.Process, StringComparer.Ordinal).Select(l => l.Line).ToList();
    }

    private static byte[] SignalRecord(EbpfSignalOrigin origin, int tgid, int tid, int sig, ulong ns, int code, int pid)
    {
        var bytes = Record(EbpfRecordType.Signal, tgid, tid, -1, [], ns, ret: (long)origin, aux: (uint)sig, size: EbpfSignalRecord.Size);
        var info = bytes.AsSpan(EbpfSignalRecord.InfoOffset);
        BinaryPrimitives.WriteInt32LittleEndian(info, sig);
        BinaryPrimitives.WriteInt32LittleEndian(info[8..], code);
        BinaryPrimitives.WriteInt32LittleEndian(info[16..], pid);
        return bytes;
    }

    private static byte[] SyscallRecord(int tgid, int tid, int nr, ulong enter, ulong exit, long ret) =>
        Record(EbpfRecordType.Syscall, tgid, tid, nr, [], enter, exit, ret);

    private static byte[] ExitRecord(int tgid, int tid, ulong ns) =>
        Record(EbpfRecordType.ProcessExit, tgid, tid, -1, [], ns);
}
