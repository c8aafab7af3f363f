using Xunit;
using static SyscallPS.Tests.Decoding.DecodeHarness;

namespace SyscallPS.Tests.Decoding;

/// <summary>
/// Decoder behaviours the end-to-end conformance suite (tests/SyscallPS.Engine.Tests/Conformance) found to differ
/// from strace 6.1; each expected line is what strace printed for the same call.
/// </summary>
public sealed class ConformanceFixDecoderTests
{
    private readonly FakeTraceeMemory _m = new();

    [Fact]
    public void UnknownSyscallNumberIsNamedInHexWithPrefix() =>
        Assert.Equal("syscall_0x1f4", SyscallTable.For("x86_64").NameOf(500));

    [Fact]
    public void PollLeavesOutTheEventsOfNegativeDescriptors()
    {
        ulong fds = _m.PutInts(3, 0x5, 999, 0x1, -1, 0x1);
        Assert.Equal("poll([{fd=3, events=POLLIN|POLLOUT}, {fd=999, events=POLLIN}, {fd=-1}], 3, 0) = 0 (Timeout)", Line("poll", [fds, 3, 0], 0, _m));
    }

    [Fact]
    public void FcntlGetsigNamesTheSignal()
    {
        Assert.Equal("fcntl(3, F_GETSIG) = 29 (SIGIO)", Line("fcntl", [3, 11], 29, _m));
        Assert.Equal("fcntl(3, F_GETSIG) = 0", Line("fcntl", [3, 11], 0, _m));
    }

    [Fact]
    public void UmaskPrintsSixteenBits() =>
        Assert.Equal("umask(0177777) = 022", Line("umask", [0x3ffff], 0x12, _m));

    [Fact]
    public void SchedPolicyNamesAndKcmpTypes()
    {
        Assert.Equal("sched_get_priority_max(SCHED_FIFO) = 99", Line("sched_get_priority_max", [1], 99, _m));
        Assert.Equal("sched_get_priority_min(0x4d /* SCHED_??? */) = -1 EINVAL (Invalid argument)", Line("sched_get_priority_min", [77], -22, _m));
        Assert.Equal("kcmp(10, 10, KCMP_FILE, 0, 0) = 0", Line("kcmp", [10, 10, 0, 0, 0], 0, _m));
        Assert.Equal("kcmp(10, 10, KCMP_VM) = 0", Line("kcmp", [10, 10, 1, 5, 6], 0, _m));
        Assert.Equal("kcmp(10, 10, 0x63 /* KCMP_??? */, 0x5, 0x6) = -1 EINVAL (Invalid argument)", Line("kcmp", [10, 10, 99, 5, 6], -22, _m));
    }

    [Fact]
    public void PrctlArgumentCountsAndDumpableNames()
    {
        Assert.Equal("prctl(PR_GET_NO_NEW_PRIVS, 0x1, 0x2, 0x3, 0x4) = -1 EINVAL (Invalid argument)", Line("prctl", [39, 1, 2, 3, 4], -22, _m));
        Assert.Equal("prctl(PR_SET_NO_NEW_PRIVS, 1, 0x2, 0x3, 0x4) = -1 EINVAL (Invalid argument)", Line("prctl", [38, 1, 2, 3, 4], -22, _m));
        Assert.Equal("prctl(PR_GET_TIMERSLACK) = 50000", Line("prctl", [30, 1, 2, 3, 4], 50000, _m));
        Assert.Equal("prctl(PR_SET_DUMPABLE, SUID_DUMP_USER) = 0", Line("prctl", [4, 1, 2, 3, 4], 0, _m));
        Assert.Equal("prctl(PR_SET_DUMPABLE, 0x7 /* SUID_DUMP_??? */) = -1 EINVAL (Invalid argument)", Line("prctl", [4, 7, 0, 0, 0], -22, _m));
    }

    [Fact]
    public void SocketLevelOptionsLingerAndShortInts()
    {
        ulong linger = _m.PutInts(1, 5);
        Assert.Equal("setsockopt(3, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=5}, 8) = 0", Line("setsockopt", [3, 1, 13, linger, 8], 0, _m));
        Assert.Equal($"setsockopt(3, SOL_SOCKET, SO_LINGER, 0x{linger:x}, 4) = -1 EINVAL (Invalid argument)", Line("setsockopt", [3, 1, 13, linger, 4], -22, _m));
        ulong size = _m.PutInts(4096, 0);
        Assert.Equal($"setsockopt(3, SOL_SOCKET, SO_SNDBUF, 0x{size:x}, 2) = -1 EINVAL (Invalid argument)", Line("setsockopt", [3, 1, 7, size, 2], -22, _m));
        Assert.Equal("setsockopt(3, SOL_SOCKET, SO_SNDBUF, [4096], 8) = 0", Line("setsockopt", [3, 1, 7, size, 8], 0, _m));
        Assert.Equal("setsockopt(3, SOL_IP, IP_TTL, \"\\0\\20\", 2) = -1 EINVAL (Invalid argument)", Line("setsockopt", [3, 0, 2, size, 2], -22, _m));
    }

    [Fact]
    public void ProcessVmVectorsShowLocalDataAndRemoteAddresses()
    {
        ulong text = _m.PutString("vector source");
        ulong local = _m.PutWords(text, 13);
        ulong remote = _m.PutWords(0x7fffffffe270, 13);
        Assert.Equal("process_vm_readv(42, [{iov_base=\"vector source\", iov_len=13}], 1, [{iov_base=0x7fffffffe270, iov_len=13}], 1, 0) = 13",
            Line("process_vm_readv", [42, local, 1, remote, 1, 0], 13, _m));
        Assert.Equal($"process_vm_readv(42, [{{iov_base=0x{text:x}, iov_len=13}}], 1, 0x5c002000, 1, 0) = -1 EFAULT (Bad address)",
            Line("process_vm_readv", [42, local, 1, 0x5c002000, 1, 0], -14, _m));
        Assert.Equal("process_vm_writev(42, [{iov_base=\"vector source\", iov_len=13}], 1, [{iov_base=0x7fffffffe270, iov_len=13}], 1, 0) = 13",
            Line("process_vm_writev", [42, local, 1, remote, 1, 0], 13, _m));
    }

    [Fact]
    public void SchedGetattrStructure()
    {
        ulong attr = _m.PutWords(56, 0, 0, 1400000, 0, 0, 0);
        Assert.Equal("sched_getattr(0, {size=56, sched_policy=SCHED_OTHER, sched_flags=0, sched_nice=0, sched_priority=0, sched_runtime=1400000, sched_deadline=0, sched_period=0, sched_util_min=0, sched_util_max=0}, 56, 0) = 0",
            Line("sched_getattr", [0, attr, 56, 0], 0, _m));
    }

    [Fact]
    public void FlockSyncFileRangeAndRenameFlags()
    {
        Assert.Equal("flock(3, LOCK_READ) = -1 EINVAL (Invalid argument)", Line("flock", [3, 0x40], -22, _m));
        Assert.Equal("sync_file_range(3, 0, 0, SYNC_FILE_RANGE_WRITE) = 0", Line("sync_file_range", [3, 0, 0, 2], 0, _m));
        ulong a = _m.PutString("/a"), b = _m.PutString("/b");
        Assert.Equal("renameat2(AT_FDCWD, \"/a\", AT_FDCWD, \"/b\", 0x80 /* RENAME_?? */) = -1 EINVAL (Invalid argument)",
            Line("renameat2", [unchecked((ulong)-100), a, unchecked((ulong)-100), b, 0x80], -22, _m));
    }
}
