using SyscallPS.Decoding;
using Xunit;
using static SyscallPS.Tests.Decoding.DecodeHarness;

namespace SyscallPS.Tests.Decoding;

public sealed class SignalDecoderTests
{
    private readonly FakeTraceeMemory _m = new();

    [Theory]
    [InlineData(1, "SIGHUP")]
    [InlineData(17, "SIGCHLD")]
    [InlineData(31, "SIGSYS")]
    [InlineData(32, "SIGRTMIN")]
    [InlineData(34, "SIGRT_2")]
    [InlineData(64, "SIGRT_32")]
    [InlineData(99, "99")]
    public void SignalNames(int signal, string name) => Assert.Equal(name, SyscallDecoder.SignalName(signal));

    [Fact]
    public void KillRecordsTheSignal()
    {
        Assert.True(SyscallTable.Current.TryGetByName("kill", out var info));
        var state = new SyscallDecodeState { Number = info!.Number, Info = info };
        state.Args[0] = 1234;
        state.Args[1] = 15;
        SyscallDecoder.OnEntry(state, _m, DecodeOptions.Default);
        Assert.Equal("SIGTERM", state.Signal);
        Assert.Equal("kill(1234, SIGTERM) = 0", "kill(" + SyscallDecoder.OnExit(state, 0, _m, DecodeOptions.Default).Arguments + ") = 0");
        Assert.Equal("tgkill(10, 11, SIGRT_5) = 0", Line("tgkill", [10, 11, 37], 0, _m));
    }

    [Fact]
    public void SigactionNewAndOld()
    {
        ulong act = _m.PutWords(0x56062ec42dc0, 0x04000000, 0x7fc6615c6050, ~((1UL << 31) | (1UL << 32)));
        ulong old = _m.PutWords(0, 0, 0, 0);
        Assert.Equal(
            "rt_sigaction(SIGCHLD, {sa_handler=0x56062ec42dc0, sa_mask=~[RTMIN RT_1], sa_flags=SA_RESTORER, sa_restorer=0x7fc6615c6050}, {sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, 8) = 0",
            Line("rt_sigaction", [17, act, old, 8], 0, _m));
        ulong ign = _m.PutWords(1, 0x14000000, 0x7fc6615c6050, 1UL << 1);
        Assert.Equal(
            "rt_sigaction(SIGINT, {sa_handler=SIG_IGN, sa_mask=[INT], sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x7fc6615c6050}, NULL, 8) = 0",
            Line("rt_sigaction", [2, ign, 0, 8], 0, _m));
    }

    [Fact]
    public void SigprocmaskSets()
    {
        ulong set = _m.PutWords((1UL << 1) | (1UL << 14));
        ulong old = _m.PutWords(0);
        Assert.Equal("rt_sigprocmask(SIG_BLOCK, [INT TERM], [], 8) = 0", Line("rt_sigprocmask", [0, set, old, 8], 0, _m));
        ulong all = _m.PutWords(ulong.MaxValue);
        Assert.Equal("rt_sigprocmask(SIG_BLOCK, ~[], NULL, 8) = 0", Line("rt_sigprocmask", [0, all, 0, 8], 0, _m));
    }

    [Fact]
    public void SigreturnReadsTheMaskAtTheStackPointer()
    {
        var frame = new byte[304];
        ulong sp = _m.Put(frame);
        var exit = Run("rt_sigreturn", [], 6803, _m, stackPointer: sp);
        Assert.Equal("{mask=[]}", exit.Arguments.ToString());
        Assert.Equal("6803", exit.ReturnText);
        Assert.Equal(string.Empty, Run("rt_sigreturn", [], 0, _m).Arguments.ToString());
    }

    [Fact]
    public void RestartErrorsUseQuestionMark()
    {
        var exit = Run("read", [0, 0x1000, 10], -512, _m);
        Assert.Equal("? ERESTARTSYS (To be restarted if SA_RESTART is set)", exit.ReturnText);
        Assert.Equal("ERESTARTSYS", exit.Errno);
        Assert.Equal("? ERESTART_RESTARTBLOCK (Interrupted by signal)", Run("nanosleep", [0, 0], -516, _m).ReturnText);
    }

    private static byte[] SigInfo(int signo, int code, params (int Offset, long Value)[] fields)
    {
        var b = new byte[128];
        BitConverter.TryWriteBytes(b.AsSpan(0), signo);
        BitConverter.TryWriteBytes(b.AsSpan(8), code);
        foreach (var (o, v) in fields)
        {
            BitConverter.TryWriteBytes(b.AsSpan(o), v);
        }

        return b;
    }

    [Fact]
    public void SigInfoForms()
    {
        Assert.Equal("{si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=1234, si_uid=0, si_status=0, si_utime=0, si_stime=0}",
            SyscallDecoder.FormatSignalInfo(SigInfo(17, 1, (16, 1234))));
        Assert.Equal("{si_signo=SIGCHLD, si_code=CLD_KILLED, si_pid=1234, si_uid=0, si_status=SIGKILL, si_utime=0, si_stime=0}",
            SyscallDecoder.FormatSignalInfo(SigInfo(17, 2, (16, 1234), (24, 9))));
        Assert.Equal("{si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0x10}", SyscallDecoder.FormatSignalInfo(SigInfo(11, 1, (16, 0x10))));
        Assert.Equal("{si_signo=SIGTERM, si_code=SI_USER, si_pid=42, si_uid=1000}",
            SyscallDecoder.FormatSignalInfo(SigInfo(15, 0, (16, 42 | (1000L << 32)))));
        Assert.Equal("{si_signo=SIGSTOP, si_code=SI_TKILL, si_pid=7, si_uid=0}", SyscallDecoder.FormatSignalInfo(SigInfo(19, -6, (16, 7))));
        Assert.Equal("{si_signo=SIGUSR1, si_code=SI_QUEUE, si_pid=5, si_uid=0, si_int=42, si_ptr=0x2a}",
            SyscallDecoder.FormatSignalInfo(SigInfo(10, -1, (16, 5), (24, 42))));
    }

    [Fact]
    public void SigtimedwaitReturnsTheSignalByName()
    {
        ulong set = _m.PutWords(1UL << 9);
        var info = SigInfo(10, 0, (16, 11401));
        ulong si = _m.Put(info);
        ulong ts = _m.PutWords(0, 0);
        Assert.Equal("rt_sigtimedwait([USR1], {si_signo=SIGUSR1, si_code=SI_USER, si_pid=11401, si_uid=0}, {tv_sec=0, tv_nsec=0}, 8) = 10 (SIGUSR1)",
            Line("rt_sigtimedwait", [set, si, ts, 8], 10, _m));
    }

    [Fact]
    public void SigaltstackStructures()
    {
        ulong ss = _m.PutWords(0x10000d60, 0, 8192);
        ulong old = _m.PutWords(0, 2, 0);
        Assert.Equal("sigaltstack({ss_sp=0x10000d60, ss_flags=0, ss_size=8192}, {ss_sp=NULL, ss_flags=SS_DISABLE, ss_size=0}) = 0",
            Line("sigaltstack", [ss, old], 0, _m));
    }
}
