using SyscallPS.Tracing;
using Xunit;

namespace SyscallPS.Tests.Tracing;

/// <summary>strace's -e inject= syntax (strace(1), "Tampering"), parsed by FaultSpec; the values are strace's.</summary>
public sealed class FaultSpecTests
{
    private static readonly SyscallTable X64 = SyscallTable.For("x86_64");

    private static SyscallFault Parse(string text) => FaultSpec.Parse(text, X64);

    [Theory]
    [InlineData("openat:error=ENOENT", 1, null, 1, new[] { 1, 2, 3, 100 }, new int[0])]
    [InlineData("openat:error=ENOENT:when=3", 3, null, 0, new[] { 3 }, new[] { 1, 2, 4, 6 })]
    [InlineData("openat:error=ENOENT:when=3+", 3, null, 1, new[] { 3, 4, 500 }, new[] { 1, 2 })]
    [InlineData("openat:error=ENOENT:when=2+3", 2, null, 3, new[] { 2, 5, 8 }, new[] { 1, 3, 4, 6, 7 })]
    [InlineData("openat:error=ENOENT:when=2..4", 2, 4, 1, new[] { 2, 3, 4 }, new[] { 1, 5 })]
    [InlineData("openat:error=ENOENT:when=2..4+", 2, 4, 1, new[] { 2, 3, 4 }, new[] { 1, 5 })]
    [InlineData("openat:error=ENOENT:when=2..10+3", 2, 10, 3, new[] { 2, 5, 8 }, new[] { 1, 3, 11 })]
    [InlineData("openat:error=ENOENT:when=1:when=4", 4, null, 0, new[] { 4 }, new[] { 1 })]
    public void WhenSelectsTheInvocations(string text, int first, int? last, int step, int[] hit, int[] missed)
    {
        var f = Parse(text);
        Assert.Equal((first, last, step), (f.First, f.Last, f.Step));
        Assert.All(hit, n => Assert.True(f.Hits(n), $"call {n} should be hit by {text}"));
        Assert.All(missed, n => Assert.False(f.Hits(n), $"call {n} should not be hit by {text}"));
    }

    [Fact]
    public void ReadsErrorsReturnsSignalsAndDelaysAsStraceDoes()
    {
        var f = Parse("inject=write:error=28:signal=usr1:delay_enter=1.5:delay_exit=2ms");
        Assert.Equal(("ENOSPC", 28, "SIGUSR1", 10), (f.Errno, f.ErrnoNumber, f.Signal, f.SignalNumber));
        Assert.Equal(TimeSpan.FromTicks(15), f.DelayEnter);   // no unit: microseconds
        Assert.Equal(TimeSpan.FromMilliseconds(2), f.DelayExit);
        Assert.True(f.ReplacesCall);
        Assert.Equal(-28, f.InjectedReturn);

        var r = Parse("read:retval=0x10");
        Assert.Equal(16, r.ReturnValue);
        Assert.Equal(16, r.InjectedReturn);
        Assert.Equal(TimeSpan.FromSeconds(0.25), Parse("getpid:delay_exit=0.25s").DelayExit);
        Assert.Equal(TimeSpan.FromTicks(5), Parse("getpid:delay_exit=500ns").DelayExit);
        Assert.Equal(12, Parse("getpid:signal=12").SignalNumber);
        Assert.Equal(2, Parse("openat:error=enoent").ErrnoNumber);
        Assert.False(Parse("getpid:signal=SIGTERM").ReplacesCall);
    }

    [Fact]
    public void FaultDefaultsToEnosys()
    {
        var f = Parse("fault=chdir:when=3+");
        Assert.Equal("ENOSYS", f.Errno);
        Assert.Equal("chdir:error=ENOSYS:when=3+", f.ToString());
        Assert.Equal("EPERM", Parse("fault=chdir:error=EPERM").Errno);
    }

    [Fact]
    public void ResolvesSyscallSetsLikeTraceEquals()
    {
        static int N(string name) => X64.TryGetByName(name, out var i) ? i.Number : throw new ArgumentException(name);
        Assert.Equal([N("openat")], Parse("openat:error=EPERM").Numbers);
        Assert.Equal(new[] { N("close"), N("openat") }.Order(), Parse("openat,close:error=EPERM").Numbers);
        var file = Parse("%file:error=EACCES").Numbers;
        Assert.Contains(N("openat"), file);
        Assert.Contains(N("execve"), file);
        Assert.DoesNotContain(N("read"), file);
        Assert.Contains(N("connect"), Parse("%net:error=ECONNREFUSED").Numbers);
        Assert.Equal(Parse("%network:error=EPERM").Numbers, Parse("%Network:error=EPERM").Numbers);
        Assert.Contains(N("getpid"), Parse("%pure:retval=1").Numbers);
        Assert.Equal(new[] { N("stat"), N("statfs"), N("statx") }.Order(), Parse("/^stat(fs|x)?$:error=EIO").Numbers);
        Assert.Equal([N("openat")], Parse("?nosuchcall,openat:error=EPERM").Numbers);
        Assert.True(Parse("open*:error=EPERM").Numbers.Count >= 3);
        var notRead = Parse("!read:error=EPERM").Numbers;
        Assert.DoesNotContain(N("read"), notRead);
        Assert.Contains(N("write"), notRead);
        Assert.Equal(X64.All.Count, Parse("all:delay_enter=1us").Numbers.Count);
    }

    [Theory]
    [InlineData("openat:error=ENOENT:when=0", "when=0")]
    [InlineData("openat:error=ENOENT:when=65536", "65536")]
    [InlineData("openat:error=ENOENT:when=1..65535", "65535")]
    [InlineData("openat:error=ENOENT:when=5..2", "when=5..2")]
    [InlineData("openat:error=ENOENT:when=2+0", "step number 0")]
    [InlineData("openat:error=ENOENT:when=x", "when=x")]
    [InlineData("openat:error=EFOO", "'EFOO'")]
    [InlineData("openat:error=4096", "4096")]
    [InlineData("openat:error=0", "error=0")]
    [InlineData("openat:retval=-1", "retval=-1")]
    [InlineData("openat:retval=1:error=EPERM", "'error=EPERM'")]
    [InlineData("openat:error=EPERM:retval=1", "'retval=1'")]
    [InlineData("openat:signal=SIGUSR1:signal=SIGUSR2", "'signal=SIGUSR2'")]
    [InlineData("openat:signal=0", "signal=0")]
    [InlineData("openat:signal=65", "signal=65")]
    [InlineData("openat:signal=SIGFOO", "'SIGFOO'")]
    [InlineData("openat:delay_enter=1x", "'1x'")]
    [InlineData("openat:delay_enter=-1", "'-1'")]
    [InlineData("openat:delay_exit=1ms:delay_exit=2ms", "second delay_exit=")]
    [InlineData("openat", "not what to do")]
    [InlineData("openat:when=2", "not what to do")]
    [InlineData("openat:error", "'error'")]
    [InlineData("openat:bogus=1", "'bogus'")]
    [InlineData("openat:syscall=getpid", "'syscall='")]
    [InlineData("openat:poke_enter=@arg1=00", "'poke_enter='")]
    [InlineData("fault=openat:retval=1", "'retval' is not a fault option of fault=")]
    [InlineData(":error=EPERM", "syscall set")]
    [InlineData("nosuchcall:error=EPERM", "'nosuchcall'")]
    [InlineData("openat,,close:error=EPERM", "empty element")]
    [InlineData("%nonsense:error=EPERM", "'%nonsense'")]
    [InlineData("/[unclosed:error=EPERM", "'/[unclosed'")]
    [InlineData("?nosuchcall:error=EPERM", "names no syscall")]
    public void RejectsMalformedSpecsNamingTheBadPart(string text, string part)
    {
        var ex = Assert.Throws<TraceException>(() => Parse(text));
        Assert.Equal("InvalidFaultSpec", ex.ErrorId);
        Assert.Equal(TraceErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains(part, ex.Message, StringComparison.Ordinal);
        Assert.StartsWith($"Invalid fault '{text}'", ex.Message, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(ex.Hint));
    }

    [Theory]
    [InlineData("openat:error=ENOENT:when=3")]
    [InlineData("getuid:retval=42:when=2+2")]
    [InlineData("write:error=ENOSPC:when=2..4+2")]
    [InlineData("nanosleep:signal=SIGUSR2:delay_enter=100ms:delay_exit=1500us")]
    [InlineData("%file:error=EACCES:when=2..3")]
    [InlineData("getpid:delay_exit=700ns:when=5+")]
    public void ToStringIsTheSpecAgain(string text)
    {
        var f = Parse(text);
        Assert.Equal(text, f.ToString());
        var again = Parse(f.ToString());
        Assert.Equal((f.ErrnoNumber, f.ReturnValue, f.SignalNumber, f.DelayEnter, f.DelayExit, f.First, f.Last, f.Step),
            (again.ErrnoNumber, again.ReturnValue, again.SignalNumber, again.DelayEnter, again.DelayExit, again.First, again.Last, again.Step));
        Assert.Equal(f.Numbers, again.Numbers);
    }

    [Fact]
    public void CreateBuildsTheSameFaultsFromParts()
    {
        var made = FaultSpec.Create("openat", errno: "ENOENT", when: "2..4+2", path: "/etc/*", table: X64);
        Assert.Equal("openat:error=ENOENT:when=2..4+2 -Path '/etc/*'", made.ToString());
        Assert.True(made.PathMatches("/etc/hosts"));
        Assert.False(made.PathMatches("/ETC/hosts"));   // paths are case-sensitive
        Assert.False(made.PathMatches(null));
        Assert.True(FaultSpec.Create("getpid", returnValue: 0, table: X64).ReplacesCall);
        Assert.Contains("not what to do", Assert.Throws<TraceException>(() => FaultSpec.Create("openat", table: X64)).Message, StringComparison.Ordinal);
        Assert.Contains("both an errno and a return value",
            Assert.Throws<TraceException>(() => FaultSpec.Create("openat", errno: "EPERM", returnValue: 1, table: X64)).Message, StringComparison.Ordinal);
        Assert.Contains("outside zero to one day",
            Assert.Throws<TraceException>(() => FaultSpec.Create("openat", delayEnter: TimeSpan.FromSeconds(-1), table: X64)).Message, StringComparison.Ordinal);
    }
}
