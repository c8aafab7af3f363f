using SyscallPS.Decoding;
using Xunit;
using static SyscallPS.Tests.Decoding.DecodeHarness;

namespace SyscallPS.Tests.Decoding;

public sealed class ProcessDecoderTests
{
    private readonly FakeTraceeMemory _m = new();

    [Fact]
    public void CloneReordersToStraceFormAndReportsTheChild()
    {
        var exit = Run("clone", [0x1200011, 0, 0, 0x7f0000a10, 0], 1234, _m);
        Assert.Equal("child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f0000a10", exit.Arguments.ToString());
        Assert.Equal("1234", exit.ReturnText);
        Assert.Equal(1234, exit.ChildProcessId);
        Assert.Equal("clone_flags", exit.Arguments[1].Name);
    }

    [Fact]
    public void CloneInTheChildHasNoChildId() => Assert.Null(Run("clone", [0x11, 0, 0, 0, 0], 0, _m).ChildProcessId);

    [Fact]
    public void CloneForAThreadShowsParentTidAfterExit()
    {
        ulong ptid = _m.PutInts(4321);
        const ulong threadFlags = 0x3d0f00;
        var exit = Run("clone", [threadFlags, 0x7f00001000, ptid, ptid, 0x7f00002000], 4321, _m);
        Assert.Equal(
            "child_stack=0x7f00001000, flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, parent_tid=[4321], tls=0x7f00002000, child_tidptr=" + StraceText.Pointer(ptid),
            exit.Arguments.ToString());
    }

    [Fact]
    public void Clone3StructAndParentTid()
    {
        ulong tid = _m.PutInts(23563);
        var args = new ulong[11];
        args[0] = 0x3d0f00;
        args[2] = tid;
        args[3] = tid;
        args[5] = 0x7f1100d15000;
        args[6] = 0x7fff80;
        args[7] = 0x7f11015156c0;
        ulong ca = _m.PutWords(args);
        var exit = Run("clone3", [ca, 88], 23563, _m);
        string t = StraceText.Pointer(tid);
        Assert.Equal(
            "clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, child_tid=" + t + ", parent_tid=" + t + ", exit_signal=0, stack=0x7f1100d15000, stack_size=0x7fff80, tls=0x7f11015156c0} => {parent_tid=[23563]}, 88) = 23563",
            "clone3(" + exit.Arguments + ") = " + exit.ReturnText);
        Assert.Equal(23563, exit.ChildProcessId);
    }

    [Fact]
    public void ForkAndVforkReturnTheChild()
    {
        Assert.Equal(77, Run("vfork", [], 77, _m).ChildProcessId);
        Assert.Equal("fork() = 77", Line("fork", [], 77, _m));
    }

    [Fact]
    public void ExecveArgvAndEnvironmentCount()
    {
        ulong path = _m.PutString("/usr/bin/ls");
        ulong a0 = _m.PutString("ls"), a1 = _m.PutString("-la");
        ulong argv = _m.PutWords(a0, a1, 0);
        ulong e = _m.PutString("A=1");
        ulong envp = _m.PutWords(e, e, e, 0);
        var exit = Run("execve", [path, argv, envp], 0, _m);
        Assert.Equal("\"/usr/bin/ls\", [\"ls\", \"-la\"], " + StraceText.Pointer(envp) + " /* 3 vars */", exit.Arguments.ToString());
        Assert.Equal(new[] { "\"ls\"", "\"-la\"" }, (string[])exit.Arguments[1].Value!);
    }

    [Fact]
    public void LongArgvIsCutAfterStringLimitElements()
    {
        ulong s = _m.PutString("x");
        var words = Enumerable.Repeat(s, 5).Append(0UL).ToArray();
        ulong argv = _m.PutWords(words);
        ulong path = _m.PutString("/bin/true");
        var exit = Run("execve", [path, argv, 0], 0, _m, new DecodeOptions { StringLimit = 3 });
        Assert.Equal("\"/bin/true\", [\"x\", \"x\", \"x\", ...], NULL", exit.Arguments.ToString());
    }

    [Fact]
    public void ExitGroupNeverReturns() => Assert.Equal("exit_group(0) = ?", Line("exit_group", [0], 0, _m));

    [Theory]
    [InlineData(0x0000, "[{WIFEXITED(s) && WEXITSTATUS(s) == 0}]")]
    [InlineData(0x0700, "[{WIFEXITED(s) && WEXITSTATUS(s) == 7}]")]
    [InlineData(0x0009, "[{WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL}]")]
    [InlineData(0x008b, "[{WIFSIGNALED(s) && WTERMSIG(s) == SIGSEGV && WCOREDUMP(s)}]")]
    [InlineData(0x137f, "[{WIFSTOPPED(s) && WSTOPSIG(s) == SIGSTOP}]")]
    [InlineData(0x3057f, "[{WIFSTOPPED(s) && WSTOPSIG(s) == SIGTRAP}|PTRACE_EVENT_CLONE << 16]")]
    [InlineData(0xffff, "[{WIFCONTINUED(s)}]")]
    public void Wait4Statuses(int status, string expected)
    {
        ulong st = _m.PutInts(status);
        Assert.Equal("wait4(-1, " + expected + ", 0, NULL) = 6803", Line("wait4", [U(-1), st, 0, 0], 6803, _m));
    }

    [Fact]
    public void Wait4WithoutAChildPrintsTheAddress()
    {
        ulong st = _m.PutInts(0);
        Assert.Equal("wait4(-1, " + StraceText.Pointer(st) + ", WNOHANG, NULL) = -1 ECHILD (No child processes)", Line("wait4", [U(-1), st, 1, 0], -10, _m));
        Assert.Equal("wait4(-1, " + StraceText.Pointer(st) + ", WNOHANG, NULL) = 0", Line("wait4", [U(-1), st, 1, 0], 0, _m));
    }

    [Fact]
    public void PrlimitAndArchPrctl()
    {
        ulong old = _m.PutWords(8192 * 1024, ulong.MaxValue);
        Assert.Equal("prlimit64(0, RLIMIT_STACK, NULL, {rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}) = 0", Line("prlimit64", [0, 3, 0, old], 0, _m));
        Assert.Equal("arch_prctl(ARCH_SET_FS, 0x7fbc2248c800) = 0", Line("arch_prctl", [0x1002, 0x7fbc2248c800], 0, _m));
        Assert.Equal("set_tid_address(0x7fbc2248cad0) = 6437", Line("set_tid_address", [0x7fbc2248cad0], 6437, _m));
    }

    [Fact]
    public void FutexOperations()
    {
        Assert.Equal("futex(0x7fbc226fda4c, FUTEX_WAKE_PRIVATE, 2147483647) = 0", Line("futex", [0x7fbc226fda4c, 129, 2147483647, 0, 0, 0], 0, _m));
        Assert.Equal("futex(0x1000, FUTEX_WAIT_BITSET|FUTEX_CLOCK_REALTIME, 23563, NULL, FUTEX_BITSET_MATCH_ANY) = 0", Line("futex", [0x1000, 0x109, 23563, 0, 0, 0xffffffff], 0, _m));
    }

    [Fact]
    public void GetrandomBytesInHex()
    {
        ulong buf = _m.Put([0x5c, 0xe8, 0x33, 0x38]);
        Assert.Equal("getrandom(\"\\x5c\\xe8\\x33\\x38\", 4, GRND_NONBLOCK) = 4", Line("getrandom", [buf, 4, 1], 4, _m));
    }

    [Fact]
    public void RseqPrintsLengthAndSignatureInHex() =>
        Assert.Equal("rseq(0x7fbc2248d120, 0x20, 0, 0x53053053) = 0", Line("rseq", [0x7fbc2248d120, 0x20, 0, 0x53053053], 0, _m));
}
