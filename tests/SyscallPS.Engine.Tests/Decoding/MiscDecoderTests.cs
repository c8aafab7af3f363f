using System.Text;
using SyscallPS.Decoding;
using Xunit;
using static SyscallPS.Tests.Decoding.DecodeHarness;

namespace SyscallPS.Tests.Decoding;

/// <summary>Memory, descriptor I/O, poll, IPC and time decoders, plus the contract's general behaviour.</summary>
public sealed class MiscDecoderTests
{
    private readonly FakeTraceeMemory _m = new();

    [Fact]
    public void MmapFamily()
    {
        Assert.Equal("mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7fbc22742000",
            Line("mmap", [0, 8192, 3, 0x22, 0xffffffffffffffff, 0], 0x7fbc22742000, _m));
        Assert.Equal("mmap(0x7fbc22712000, 110592, PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE, 3, 0x7000) = 0x7fbc22712000",
            Line("mmap", [0x7fbc22712000, 110592, 5, 0x812, 3, 0x7000], 0x7fbc22712000, _m));
        Assert.Equal("mprotect(0x7fbc226f8000, 16384, PROT_NONE) = 0", Line("mprotect", [0x7fbc226f8000, 16384, 0], 0, _m));
        Assert.Equal("munmap(0x7fbc22739000, 36231) = 0", Line("munmap", [0x7fbc22739000, 36231], 0, _m));
        Assert.Equal("brk(NULL) = 0x55b6a96dc000", Line("brk", [0], 0x55b6a96dc000, _m));
        Assert.Equal("mremap(0x7f0000000000, 4096, 8192, MREMAP_MAYMOVE) = 0x7f0000100000", Line("mremap", [0x7f0000000000, 4096, 8192, 1, 0], 0x7f0000100000, _m));
        Assert.Equal("madvise(0x7f0000000000, 4096, MADV_DONTNEED) = 0", Line("madvise", [0x7f0000000000, 4096, 4], 0, _m));
        Assert.Equal("mmap(NULL, 4096, PROT_READ, MAP_SHARED, 3, 0) = -1 ENOMEM (Cannot allocate memory)", Line("mmap", [0, 4096, 1, 1, 3, 0], -12, _m));
    }

    [Fact]
    public void ReadWriteBuffersAndLimits()
    {
        ulong buf = _m.Put(Encoding.ASCII.GetBytes("root:x:0:0:root:/root:/bin/bash\nmore lines follow here"));
        Assert.Equal("read(3, \"root:x:0:0:root:/root:/bin/bash\\n\"..., 4096) = 1234", Line("read", [3, buf, 4096], 1234, _m));
        Assert.Equal("read(3, \"\", 4096) = 0", Line("read", [3, buf, 4096], 0, _m));
        Assert.Equal("read(3, " + StraceText.Pointer(buf) + ", 4096) = -1 EBADF (Bad file descriptor)", Line("read", [3, buf, 4096], -9, _m));
        ulong hi = _m.Put(Encoding.ASCII.GetBytes("hi\n"));
        Assert.Equal("write(1, \"hi\\n\", 3) = 3", Line("write", [1, hi, 3], 3, _m));
        Assert.Equal("write(1, \"hi\"..., 3) = 3", Line("write", [1, hi, 3], 3, _m, new DecodeOptions { StringLimit = 2 }));
        Assert.Equal("pread64(3, \"root\", 4, 64) = 4", Line("pread64", [3, buf, 4, 64], 4, _m));
    }

    [Fact]
    public void VectorIo()
    {
        ulong a = _m.Put(Encoding.ASCII.GetBytes("ab")), b = _m.Put(Encoding.ASCII.GetBytes("cdef"));
        ulong iov = _m.PutWords(a, 2, b, 4);
        Assert.Equal("writev(1, [{iov_base=\"ab\", iov_len=2}, {iov_base=\"cdef\", iov_len=4}], 2) = 6", Line("writev", [1, iov, 2], 6, _m));
        Assert.Equal("readv(3, [{iov_base=\"ab\", iov_len=2}, {iov_base=\"c\", iov_len=4}], 2) = 3", Line("readv", [3, iov, 2], 3, _m));
        // strace 6.1 shows a failed read's vector with the buffers' addresses: readv(-1, [{iov_base=0x7ffc…, iov_len=4}], 1) = -1 EBADF.
        Assert.Equal("readv(3, [{iov_base=" + StraceText.Pointer(a) + ", iov_len=2}, {iov_base=" + StraceText.Pointer(b) + ", iov_len=4}], 2) = -1 EINVAL (Invalid argument)",
            Line("readv", [3, iov, 2], -22, _m));
    }

    [Fact]
    public void PollAndEpoll()
    {
        ulong fds = _m.Put([3, 0, 0, 0, 1, 0, 1, 0, 5, 0, 0, 0, 4, 0, 0, 0]);
        Assert.Equal("poll([{fd=3, events=POLLIN}, {fd=5, events=POLLOUT}], 2, 1000) = 1 ([{fd=3, revents=POLLIN}])", Line("poll", [fds, 2, 1000], 1, _m));
        Assert.Equal("poll([{fd=3, events=POLLIN}, {fd=5, events=POLLOUT}], 2, 0) = 0 (Timeout)", Line("poll", [fds, 2, 0], 0, _m));
        ulong ev = _m.Put([1, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0]);
        Assert.Equal("epoll_ctl(5, EPOLL_CTL_ADD, 3, {events=EPOLLIN, data={u32=3, u64=3}}) = 0", Line("epoll_ctl", [5, 1, 3, ev], 0, _m));
        Assert.Equal("epoll_wait(5, [{events=EPOLLIN, data={u32=3, u64=3}}], 10, -1) = 1", Line("epoll_wait", [5, ev, 10, U(-1)], 1, _m));
        Assert.Equal("epoll_create1(EPOLL_CLOEXEC) = 5", Line("epoll_create1", [0x80000], 5, _m));
    }

    [Fact]
    public void SelectSetsAndResult()
    {
        ulong rd = _m.PutWords(1UL << 3);
        ulong tv = _m.PutWords(1, 0);
        Assert.Equal("select(4, [3], NULL, NULL, {tv_sec=1, tv_usec=0}) = 1 (in [3], left {tv_sec=1, tv_usec=0})", Line("select", [4, rd, 0, 0, tv], 1, _m));
    }

    [Fact]
    public void SysVIpc()
    {
        Assert.Equal("shmget(IPC_PRIVATE, 4096, IPC_CREAT|0600) = 5", Line("shmget", [0, 4096, 0x380], 5, _m));
        Assert.Equal("shmat(5, NULL, SHM_RDONLY) = 0x7f0000000000", Line("shmat", [5, 0, 0x1000], 0x7f0000000000, _m));
        Assert.Equal("shmctl(5, IPC_RMID, NULL) = 0", Line("shmctl", [5, 0, 0], 0, _m));
        Assert.Equal("semget(0x1234, 1, 0600) = 3", Line("semget", [0x1234, 1, 0x180], 3, _m));
        Assert.Equal("msgget(IPC_PRIVATE, IPC_CREAT|IPC_EXCL|0644) = 2", Line("msgget", [0, 0x7a4], 2, _m));
        ulong ops = _m.Put([0, 0, 1, 0, 0, 0x10]);
        Assert.Equal("semop(3, [{sem_num=0, sem_op=1, sem_flg=SEM_UNDO}], 1) = 0", Line("semop", [3, ops, 1], 0, _m));
    }

    [Fact]
    public void ClocksAndSleeps()
    {
        ulong ts = _m.PutWords(0, 10000000);
        Assert.Equal("nanosleep({tv_sec=0, tv_nsec=10000000}, NULL) = 0", Line("nanosleep", [ts, 0], 0, _m));
        Assert.Equal("clock_gettime(CLOCK_MONOTONIC, {tv_sec=0, tv_nsec=10000000}) = 0", Line("clock_gettime", [1, ts], 0, _m));
        Assert.Equal("clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, {tv_sec=0, tv_nsec=10000000}, NULL) = 0", Line("clock_nanosleep", [0, 1, ts, 0], 0, _m));
        Assert.Equal("gettimeofday({tv_sec=0, tv_usec=10000000}, NULL) = 0", Line("gettimeofday", [ts, 0], 0, _m));
    }

    [Fact]
    public void UnknownSyscallNumberPrintsSixHexArguments()
    {
        var state = new SyscallDecodeState { Number = 1000, Info = null };
        state.Args[0] = 1;
        state.Args[1] = 0x7f00;
        SyscallDecoder.OnEntry(state, _m, DecodeOptions.Default);
        var exit = SyscallDecoder.OnExit(state, -38, _m, DecodeOptions.Default);
        Assert.Equal("0x1, 0x7f00, 0, 0, 0, 0", exit.Arguments.ToString());
        Assert.Equal("-1 ENOSYS (Function not implemented)", exit.ReturnText);
    }

    [Fact]
    public void UndecodedSyscallsUseTheirCTypes()
    {
        Assert.Equal("getpid() = 42", Line("getpid", [], 42, _m));
        Assert.Equal("set_robust_list(0x7fbc2248cae0, 24) = 0", Line("set_robust_list", [0x7fbc2248cae0, 24], 0, _m));
        Assert.Equal("setuid(-1) = -1 EINVAL (Invalid argument)", Line("setuid", [0xffffffff], -22, _m));
    }

    [Fact]
    public void RawOptionPrintsHexArguments()
    {
        ulong p = _m.PutString("/etc/passwd");
        var exit = Run("openat", [U(-100), p, 0x80000, 0], 3, _m, new DecodeOptions { Raw = true });
        Assert.Equal("0xffffffffffffff9c, " + StraceText.Hex(p) + ", 0x80000, 0", exit.Arguments.ToString());
        Assert.Equal("0x3", exit.ReturnText);
        Assert.Equal("exit_group(0x1) = ?", Line("exit_group", [1], 0, _m, new DecodeOptions { Raw = true }));
        Assert.Equal("-1 ENOENT (No such file or directory)", Run("openat", [0xffffff9c, p, 0, 0], -2, _m, new DecodeOptions { Raw = true }).ReturnText);
    }

    [Fact]
    public void StringLimitIsClamped()
    {
        Assert.Equal(DecodeOptions.MaxStringLimit, new DecodeOptions { StringLimit = int.MaxValue }.StringLimit);
        Assert.Equal(0, new DecodeOptions { StringLimit = -5 }.StringLimit);
        ulong hi = _m.Put(Encoding.ASCII.GetBytes("hi"));
        Assert.Equal("write(1, \"\"..., 2) = 2", Line("write", [1, hi, 2], 2, _m, new DecodeOptions { StringLimit = 0 }));
    }

    [Fact]
    public void HostileArgumentsNeverThrow()
    {
        var names = SyscallDecoder.DecodedSyscalls.ToArray();
        Assert.True(names.Length >= 150, "decoders registered: " + names.Length);
        ulong[][] argSets =
        [
            [0, 0, 0, 0, 0, 0],
            [ulong.MaxValue, ulong.MaxValue, ulong.MaxValue, ulong.MaxValue, ulong.MaxValue, ulong.MaxValue],
            [0xdead0000, 0xdead0000, 0x7fffffff, 0xdead0000, 0xdead0000, 0xdead0000],
        ];
        foreach (var name in names)
        {
            if (!SyscallTable.Current.TryGetByName(name, out _))
            {
                continue;
            }

            foreach (var args in argSets)
            {
                foreach (long ret in new long[] { 0, 1, -14, 0x7fffffff })
                {
                    var line = Line(name, args, ret, _m);
                    Assert.StartsWith(name + "(", line, StringComparison.Ordinal);
                }
            }
        }
    }

    [Fact]
    public void DecodedSyscallsWithoutTableParametersDeclareTheirArity()
    {
        foreach (var name in SyscallDecoder.DecodedSyscalls)
        {
            if (SyscallTable.Current.TryGetByName(name, out var info) && info.Parameters.Count == 0)
            {
                var exit = Run(name, [1, 2, 3, 4, 5, 6], 0, _m);
                Assert.True(exit.Arguments.Count > 0 || name is "fork" or "vfork" or "pause" or "sync" or "rt_sigreturn" or "inotify_init", name + " prints no arguments: " + exit.Arguments);
            }
        }
    }
}
