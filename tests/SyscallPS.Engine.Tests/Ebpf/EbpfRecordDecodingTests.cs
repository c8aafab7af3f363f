using Xunit;
using SyscallPS.Decoding;
using SyscallPS.Ebpf;
using static SyscallPS.Tests.Ebpf.EbpfTestSupport;

namespace SyscallPS.Tests.Ebpf;

/// <summary>The user-space half of the engine on hand-built records: runs without root or a kernel program.</summary>
public sealed class EbpfRecordDecodingTests
{
    private const ulong PathAddress = 0x7ffd_1000;

    [Fact]
    public unsafe void SharedLayouts_MatchTheKernelProgramsStructs()
    {
        // struct rec, struct blob, struct syscall_spec, struct config of syscallps.bpf.c; bpf_object_open_opts of libbpf 1.x.
        Assert.Equal(EbpfRecord.HeaderSize, sizeof(EbpfRecord));
        Assert.Equal(EbpfBlob.HeaderSize, sizeof(EbpfBlob));
        Assert.Equal(34, sizeof(EbpfSyscallSpec));
        Assert.Equal(128, sizeof(EbpfConfig));
        Assert.Equal(80, sizeof(SyscallPS.Native.Libbpf.OpenOptions));
    }

    [Fact]
    public void CapturedMemory_OverlappingCopiesAnswerWithTheLongest()
    {
        // execve(path, a, a): argv copied as 33 pointers (-s 32), envp as the whole array up to its NULL.
        var memory = new CapturedMemory();
        memory.Add(0x1000, new byte[264], entry: true);
        memory.Add(0x1000, new byte[320], entry: true);
        Span<byte> chunk = stackalloc byte[256];
        Assert.Equal(64, memory.Read(0x1100, chunk));
        Assert.Equal(256, memory.Read(0x1000, chunk));
        Assert.Equal(-1, memory.Read(0x1140, chunk));
    }

    [Fact]
    public void ArgumentSpecs_SendDescriptorCallsHiddenOnlyWhenTheReportedCallsUseDescriptors()
    {
        var table = SyscallTable.Current;
        var read = EbpfArgumentSpecs.Build(table, new HashSet<int> { Nr("read") }, 33);
        Assert.Equal(1, read[Nr("read")].Traced);
        foreach (var name in new[] { "openat", "close", "dup2", "pipe2", "socket", "accept4", "chdir", "fcntl", "execve" })
        {
            Assert.Equal(2, read[Nr(name)].Traced); // hidden: for the descriptor table only
        }

        Assert.Equal(0, read[Nr("kill")].Traced);
        Assert.Equal(0, read[Nr("write")].Traced);

        Assert.True(EbpfArgumentSpecs.TracksDescriptorCalls(table, new HashSet<int> { Nr("read") }));
        Assert.True(EbpfArgumentSpecs.TracksDescriptorCalls(table, new HashSet<int> { Nr("timerfd_settime") }));
        // A directory descriptor alone (newfstatat's dfd) sends none: the consumer checks such a descriptor in /proc.
        Assert.False(EbpfArgumentSpecs.TracksDescriptorCalls(table, new HashSet<int> { Nr("newfstatat") }));
        Assert.False(EbpfArgumentSpecs.TracksDescriptorCalls(table, null));

        // chdir and openat events carry no open descriptor: no hidden calls, so a system-wide trace stays small.
        foreach (var reported in new[] { "chdir", "openat" })
        {
            var specs = EbpfArgumentSpecs.Build(table, new HashSet<int> { Nr(reported) }, 33);
            Assert.Equal(1, specs[Nr(reported)].Traced);
            Assert.Single(specs, s => s.Traced != 0);
        }
    }

    [Fact]
    public void ArgumentSpecs_CopyInputsAtEntryAndOutputsAtExit()
    {
        var specs = EbpfArgumentSpecs.Build(SyscallTable.Current, null, 33);
        Assert.Equal(EbpfArgumentKind.String, Kind(specs, "openat", 1));
        Assert.Equal(1, specs[Nr("openat")].EntryBlobs);
        Assert.Equal(EbpfArgumentKind.BufferOutReturn, Kind(specs, "read", 1));
        Assert.Equal(EbpfArgumentKind.DataIn, Kind(specs, "write", 1));
        Assert.Equal(2, Length(specs, "write", 1));
        Assert.Equal(2, specs[Nr("write")].ExitBlobs); // only argument 1, copied at exit
        Assert.Equal(EbpfArgumentKind.BufferIn, Kind(specs, "connect", 1));
        Assert.Equal(128, Size(specs, "connect", 1));
        // The returned address is copied as long as the returned length (issue 17: a buffer near an unmapped page).
        foreach (var (call, address, length) in new[] { ("accept", 1, 2), ("accept4", 1, 2), ("getsockname", 1, 2), ("getpeername", 1, 2), ("recvfrom", 4, 5) })
        {
            Assert.Equal(EbpfArgumentKind.BufferOutLengthPointer, Kind(specs, call, address));
            Assert.Equal(length, Length(specs, call, address));
            Assert.Equal(128, Size(specs, call, address));
        }

        Assert.Equal(EbpfArgumentKind.FixedInOut, Kind(specs, "accept", 2)); // "[128 => 16]"
        Assert.Equal(7, specs[Nr("accept")].ExitBlobs); // several
        Assert.Equal(1, specs[Nr("accept")].EntryBlobs);
        Assert.Equal(EbpfArgumentKind.BufferIn, Kind(specs, "sched_setaffinity", 2)); // the mask, cpusetsize bytes
        Assert.Equal(1, Length(specs, "sched_setaffinity", 2));
        Assert.Equal(EbpfArgumentKind.BufferOutLength, Kind(specs, "sched_getattr", 1));
        Assert.Equal(2, Length(specs, "sched_getattr", 1));
        Assert.Equal(EbpfArgumentKind.FixedOut, Kind(specs, "getresuid", 2));
        Assert.Equal(EbpfArgumentKind.FixedOut, Kind(specs, "mq_timedreceive", 3));
        Assert.Equal(EbpfArgumentKind.Array, Kind(specs, "semop", 1));
        Assert.Equal(6, Element(specs, "semop", 1));
        Assert.Equal(EbpfArgumentKind.FixedIn, Kind(specs, "mq_open", 3));
        Assert.Equal(EbpfArgumentKind.FixedInOut, Kind(specs, "seccomp", 2));
        Assert.Equal(EbpfArgumentKind.Argv, Kind(specs, "execve", 1));
        Assert.Equal(2, specs[Nr("execve")].Flags & 7);
        Assert.Equal(EbpfArgumentKind.None, Kind(specs, "execve", 2)); // envp: walked with argv by the exec path
        Assert.Equal(1, specs[Nr("exit_group")].Flags);
        Assert.Equal(8, specs[Nr("openat")].Flags & 8); // changes descriptors: still sent, hidden, under -Failed
        Assert.Equal(0, specs[Nr("read")].Flags & 8);
        Assert.Equal(EbpfArgumentKind.String, Kind(specs, "rename", 0));
        Assert.Equal(EbpfArgumentKind.String, Kind(specs, "rename", 1));
        Assert.Equal(EbpfArgumentKind.FixedOut, Kind(specs, "pipe2", 0));
        Assert.Equal(8, Size(specs, "pipe2", 0));
        Assert.Equal(EbpfArgumentKind.None, Kind(specs, "kill", 1));
        Assert.All(specs, s => Assert.Equal(1, s.Traced));

        // Arrays sized by a count argument or the return value, fd_sets, iovecs with their data, msghdrs.
        Assert.Equal(EbpfArgumentKind.Array, Kind(specs, "poll", 0));
        Assert.Equal(1, Length(specs, "poll", 0));
        Assert.Equal(8, Element(specs, "poll", 0));
        Assert.Equal(EbpfArgumentKind.FixedInOut, Kind(specs, "ppoll", 2));
        Assert.Equal(EbpfArgumentKind.ArrayOutReturn, Kind(specs, "epoll_wait", 1));
        Assert.Equal(12, Element(specs, "epoll_wait", 1));
        Assert.Equal(EbpfArgumentKind.FdSet, Kind(specs, "select", 2));
        Assert.Equal(EbpfArgumentKind.FixedInOut, Kind(specs, "select", 4));
        Assert.Equal(EbpfArgumentKind.SigmaskPair, Kind(specs, "pselect6", 5)); // {sigmask=[…], sigsetsize=8}
        Assert.Equal(1, specs[Nr("pselect6")].EntryBlobs);
        Assert.Equal(EbpfArgumentKind.IovecIn, Kind(specs, "writev", 1));
        Assert.Equal(2, Length(specs, "writev", 1));
        Assert.Equal(33, Size(specs, "writev", 1));
        Assert.Equal(0, specs[Nr("writev")].EntryBlobs); // copied at exit: one record
        Assert.Equal(EbpfArgumentKind.IovecOutReturn, Kind(specs, "readv", 1));
        Assert.Equal(EbpfArgumentKind.IovecOutReturn, Kind(specs, "preadv2", 1));
        Assert.Equal(EbpfArgumentKind.IovecOutReturn, Kind(specs, "process_vm_readv", 1));
        Assert.Equal(EbpfArgumentKind.IovecIn, Kind(specs, "process_vm_writev", 1));
        Assert.Equal(EbpfArgumentKind.IovecIn, Kind(specs, "process_vm_readv", 3));
        Assert.Equal(4, Length(specs, "process_vm_readv", 3));
        Assert.Equal(0, Size(specs, "process_vm_readv", 3)); // the remote vectors: addresses, no data
        Assert.Equal(EbpfArgumentKind.MessageIn, Kind(specs, "sendmsg", 1));
        Assert.Equal(EbpfArgumentKind.MessageOutReturn, Kind(specs, "recvmsg", 1));
        Assert.Equal(EbpfArgumentKind.DataIn, Kind(specs, "setsockopt", 3));
        Assert.Equal(EbpfArgumentKind.BufferOutLengthPointer, Kind(specs, "getsockopt", 3));
        Assert.Equal(4, Length(specs, "getsockopt", 3));
        Assert.Equal(EbpfArgumentKind.BufferOutReturn, Kind(specs, "getdents64", 1));
        Assert.Equal(32767, Size(specs, "getdents64", 1)); // whole: strace counts the entries

        // Sized by an argument in a way of their own: node masks of maxnode bits, struct msgbuf's mtype and msgsz bytes.
        foreach (var (call, mask, maxnode) in new[] { ("mbind", 3, 4), ("set_mempolicy", 1, 2), ("get_mempolicy", 1, 2), ("migrate_pages", 2, 1), ("migrate_pages", 3, 1) })
        {
            Assert.Equal(call == "get_mempolicy" ? EbpfArgumentKind.NodemaskOut : EbpfArgumentKind.NodemaskIn, Kind(specs, call, mask));
            Assert.Equal(maxnode, Length(specs, call, mask));
            Assert.Equal(33 * 8, Size(specs, call, mask)); // a word per -s element, one more than shown
        }

        Assert.Equal(EbpfArgumentKind.MsgbufIn, Kind(specs, "msgsnd", 1));
        Assert.Equal(EbpfArgumentKind.MsgbufOut, Kind(specs, "msgrcv", 1));
        Assert.Equal(2, Length(specs, "msgrcv", 1));
        Assert.Equal(8 + 33, Size(specs, "msgrcv", 1));
        Assert.Equal(0, specs[Nr("msgsnd")].EntryBlobs); // copied at exit: one record
        Assert.Equal(2, specs[Nr("msgsnd")].ExitBlobs);
        Assert.Equal(8 + 4088, Size(EbpfArgumentSpecs.Build(SyscallTable.Current, null, 4096), "msgsnd", 1)); // within one blob

        // Struct sizes come from KernelStructs.cs (checked against the headers there); these are the kernel's.
        Assert.Equal(Abi.IsArm64 ? 128 : 144, Size(specs, "newfstatat", 2));
        Assert.Equal(256, Size(specs, "statx", 4));
        Assert.Equal(144, Size(specs, "getrusage", 1));
        Assert.Equal(32, Size(specs, "rt_sigaction", 1));
        Assert.Equal(128, Size(specs, "rt_sigqueueinfo", 2));
        Assert.Equal(88, Size(specs, "clone3", 0));
        Assert.Equal(390, Size(specs, "uname", 0));
        Assert.Equal(64, Size(specs, "mq_open", 3));
        Assert.Equal(8, Size(specs, "rt_sigprocmask", 1));
        Assert.Equal(4, specs[Nr("rt_sigreturn")].Flags); // the stack pointer travels as argument 0
        Assert.Equal(EbpfArgumentKind.FixedInOut, Kind(specs, "sendfile", 2)); // "[0] => [4]"
        Assert.Equal(EbpfArgumentKind.FixedIn, Kind(specs, "openat2", 2));
        Assert.Equal(EbpfArgumentKind.String, Kind(specs, "mount", 1));
        Assert.Equal(24, Size(specs, "sigaltstack", 1));
        Assert.Equal(EbpfArgumentKind.MultiMessageIn, Kind(specs, "sendmmsg", 1));
        Assert.Equal(EbpfArgumentKind.MultiMessageOutReturn, Kind(specs, "recvmmsg", 1));
        Assert.Equal(2, Length(specs, "recvmmsg", 1));

        var filtered = EbpfArgumentSpecs.Build(SyscallTable.Current, Set("chdir"), 33);
        Assert.Equal(1, filtered[Nr("chdir")].Traced);
        Assert.Equal(1, filtered.Count(s => s.Traced == 1));
    }

    [Fact]
    public void EntryCopiesPairWithTheExitRecordOfTheSameThread()
    {
        const int Tgid = 9_000_010, Tid = 9_000_011;
        var events = new List<SyscallEvent>();
        string? seenPath = null;
        var decoder = EbpfTestSupport.Decoder(events, observer: (e, memory) => seenPath = ReadString(memory, e.Arguments[1].Raw));
        int openat = Nr("openat");
        ulong[] args = [unchecked((ulong)-100), PathAddress, 0, 0, 0, 0];
        Assert.True(decoder.Process(Record(EbpfRecordType.Entry, Tgid, Tid, openat, args, enter: 5_000, blob: (PathAddress, "/etc/passwd\0"u8.ToArray()))).Continue);
        Assert.Empty(events);
        Assert.True(decoder.Process(Record(EbpfRecordType.Syscall, Tgid, Tid, openat, args, enter: 5_000, exit: 9_000, ret: 3)).Continue);
        var e = Assert.Single(events);
        Assert.Equal("/etc/passwd", seenPath);
        Assert.Equal(SyscallEventKind.Syscall, e.Kind);
        Assert.Equal("openat", e.Syscall);
        Assert.Equal(Tgid, e.ProcessId);
        Assert.Equal(Tid, e.ThreadId);
        Assert.Equal("proc", e.ThreadName);

        // The process is not in /proc (ids above pid_max) and its main thread was not seen: its thread's name stands in.
        Assert.Equal("proc", e.ProcessName);
        Assert.Equal(3, e.ReturnValue);
        Assert.Equal(TimeSpan.FromTicks(40), e.Duration);
        Assert.Equal(5_000, e.MonotonicNanoseconds);

        // A stale entry (its exit was lost) is not paired with a later syscall.
        seenPath = "unset";
        decoder.Process(Record(EbpfRecordType.Entry, Tgid, Tid, openat, args, enter: 6_000, blob: (PathAddress, "/old\0"u8.ToArray())));
        decoder.Process(Record(EbpfRecordType.Syscall, Tgid, Tid, openat, args, enter: 7_000, exit: 8_000, ret: -2));
        Assert.Null(seenPath);
        Assert.False(events[^1].Succeeded);
        Assert.Equal(-1, events[^1].ReturnValue);
    }

    [Fact]
    public void ProcessEnd_FlushesUnfinishedCallsAndDecodesTheWaitStatus()
    {
        var events = new List<SyscallEvent>();
        var decoder = EbpfTestSupport.Decoder(events);
        decoder.Process(Record(EbpfRecordType.Entry, 20, 21, Nr("openat"), [0, PathAddress, 0, 0, 0, 0], enter: 1_000, blob: (PathAddress, "x\0"u8.ToArray())));
        decoder.Process(Record(EbpfRecordType.Entry, 20, 20, Nr("exit_group"), [0, 0, 0, 0, 0, 0], enter: 2_000));
        var ended = decoder.Process(Record(EbpfRecordType.ProcessExit, 20, 20, -1, new ulong[6], enter: 3_000, aux: 9)); // SIGKILL
        // exit_group is a complete call that never returns ("exit_group(0) = ?"), as in the ptrace engine;
        // the openat cut short by the kill is unfinished.
        Assert.Equal([SyscallEventKind.Syscall, SyscallEventKind.Unfinished, SyscallEventKind.Killed], events.Select(e => e.Kind));
        Assert.Equal("exit_group", events[0].Syscall);
        Assert.Equal("?", events[0].ReturnText);
        Assert.Equal("openat", events[1].Syscall);
        Assert.Equal(21, events[1].ThreadId);
        Assert.Equal(128 + 9, events[2].ExitCode);
        Assert.Equal((20, 9), (ended.Ended, ended.WaitStatus));

        decoder.Process(Record(EbpfRecordType.ProcessExit, 30, 30, -1, new ulong[6], enter: 4_000, aux: 3 << 8));
        Assert.Equal(SyscallEventKind.Exited, events[^1].Kind);
        Assert.Equal(3, events[^1].ExitCode);
    }

    [Fact]
    public void ProcessNameWildcards_AreAppliedToEveryRecord()
    {
        var events = new List<SyscallEvent>();
        var decoder = EbpfTestSupport.Decoder(events, ["ng*x"]);
        decoder.Process(Record(EbpfRecordType.Syscall, 1, 1, Nr("getpid"), new ulong[6], enter: 1, exit: 2, ret: 1, comm: "nginx"));
        decoder.Process(Record(EbpfRecordType.Syscall, 2, 2, Nr("getpid"), new ulong[6], enter: 1, exit: 2, ret: 2, comm: "bash"));
        decoder.Process(Record(EbpfRecordType.Syscall, 3, 3, Nr("getpid"), new ulong[6], enter: 1, exit: 2, ret: 3, comm: "NGINX"));
        Assert.Equal([1, 3], events.Select(e => e.ProcessId));

        // A plain name longer than comm's 15 characters matches the truncated comm.
        events.Clear();
        var longName = EbpfTestSupport.Decoder(events, ["systemd-resolved-helper"]);
        longName.Process(Record(EbpfRecordType.Syscall, 4, 4, Nr("getpid"), new ulong[6], enter: 1, exit: 2, ret: 4, comm: "systemd-resolve"));
        Assert.Single(events);
    }

    [Fact]
    public void ValueResultArguments_DecodeTheEntryCopyAtEntryAndTheExitCopyAtExit()
    {
        // select's fd_set is copied at entry ([3 4] asked) and at exit ([4] ready): strace shows both.
        var events = new List<SyscallEvent>();
        var decoder = EbpfTestSupport.Decoder(events);
        int select = Nr("select");
        ulong[] args = [5, PathAddress, 0, 0, 0, 0];
        decoder.Process(Record(EbpfRecordType.Entry, 10, 10, select, args, enter: 1_000, blob: (PathAddress, [0x18, 0, 0, 0, 0, 0, 0, 0])));
        decoder.Process(Record(EbpfRecordType.Syscall, 10, 10, select, args, enter: 1_000, exit: 2_000, ret: 1, blob: (PathAddress, [0x10, 0, 0, 0, 0, 0, 0, 0])));
        Assert.Equal("select(5, [3 4], NULL, NULL, NULL) = 1 (in [4])", Assert.Single(events).ToStraceLine());
    }

    [Fact]
    public void ConsumerGone_StopsDecoding()
    {
        var decoder = EbpfTestSupport.Decoder([], consumerGone: true);
        Assert.False(decoder.Process(Record(EbpfRecordType.Syscall, 1, 1, Nr("getpid"), new ulong[6], enter: 1, exit: 2, ret: 1)).Continue);
    }

    private static EbpfArgumentKind Kind(EbpfSyscallSpec[] specs, string name, int arg) => (EbpfArgumentKind)Field(specs, name, (ref EbpfSyscallSpec s) => Kind(ref s, arg));

    private static int Length(EbpfSyscallSpec[] specs, string name, int arg) => Field(specs, name, (ref EbpfSyscallSpec s) => LengthArgument(ref s, arg));

    private static int Size(EbpfSyscallSpec[] specs, string name, int arg) => Field(specs, name, (ref EbpfSyscallSpec s) => SizeOf(ref s, arg));

    private static int Element(EbpfSyscallSpec[] specs, string name, int arg) => Field(specs, name, (ref EbpfSyscallSpec s) => ElementOf(ref s, arg));

    private static unsafe int ElementOf(ref EbpfSyscallSpec s, int i) => s.Element[i];

    private delegate int SpecField(ref EbpfSyscallSpec spec);

    private static int Field(EbpfSyscallSpec[] specs, string name, SpecField f) => f(ref specs[Nr(name)]);

    private static unsafe int Kind(ref EbpfSyscallSpec s, int i) => s.Kind[i];

    private static unsafe int LengthArgument(ref EbpfSyscallSpec s, int i) => s.LengthArgument[i];

    private static unsafe int SizeOf(ref EbpfSyscallSpec s, int i) => s.Size[i];

    private static string? ReadString(ITraceeMemory memory, ulong address)
    {
        var buffer = new byte[256];
        int n = memory.Read(address, buffer);
        if (n <= 0)
        {
            return null;
        }

        int nul = Array.IndexOf(buffer, (byte)0, 0, n);
        return System.Text.Encoding.UTF8.GetString(buffer, 0, nul < 0 ? n : nul);
    }
}
