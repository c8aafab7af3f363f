using System.Text;
using SyscallPS.Raw;
using SyscallPS.Tracing;
using Xunit;

namespace SyscallPS.Tests.Raw;

public class RawSyscallTests
{
    private static RawSyscallResult Call(string name, params object?[] args)
    {
        using var request = RawSyscall.Prepare(name, args);
        return request.Invoke();
    }

    [Fact]
    public void WriteSendsTheStringAndReturnsItsLength()
    {
        // The pipe comes from a raw call: the safety policy lets raw calls use only descriptors they returned.
        using var fds = new SyscallBuffer(8);
        Assert.True(Call("pipe2", fds, 0).Succeeded);
        int readEnd = BitConverter.ToInt32(fds.Bytes, 0), writeEnd = BitConverter.ToInt32(fds.Bytes, 4);
        try
        {
            var result = Call("write", writeEnd, "Hello, world\n", 13);
            Assert.True(result.Succeeded);
            Assert.Equal(13, result.ReturnValue);
            Assert.Null(result.Errno);

            var read = new byte[64];
            var back = Call("read", readEnd, read, 64);
            Assert.Equal(13, back.ReturnValue);
            Assert.Equal("Hello, world\n", Encoding.UTF8.GetString(read, 0, 13));
        }
        finally
        {
            Call("close", readEnd);
            Call("close", writeEnd);
        }
    }

    [Fact]
    public void GetpidByNumberEqualsTheProcessId()
    {
        Assert.True(SyscallTable.Current.TryGetByName("getpid", out var getpid));
        using var request = RawSyscall.Prepare(getpid.Number, []);
        var result = request.Invoke();
        Assert.Equal("getpid", result.Syscall);
        Assert.Equal(Environment.ProcessId, result.ReturnValue);
    }

    [Fact]
    public void GetcwdFillsABuffer()
    {
        using var buffer = new SyscallBuffer(4096);
        var result = Call("getcwd", buffer, 4096);
        Assert.True(result.Succeeded);
        Assert.Equal(Directory.GetCurrentDirectory(), buffer.Text);
        Assert.Equal(Encoding.UTF8.GetByteCount(buffer.Text), buffer.Length);
        Assert.Equal(buffer.Length + 1, result.ReturnValue); // the kernel counts the NUL
        Assert.Same(buffer, result.Arguments[0]);
    }

    [Fact]
    public void AFailingCallIsDataWithErrno()
    {
        var result = Call("openat", -100, "/nonexistent", 0);
        Assert.False(result.Succeeded);
        Assert.Equal(-1, result.ReturnValue);
        Assert.Equal("ENOENT", result.Errno);
        Assert.Equal(2, result.ErrorNumber);
        Assert.Equal("No such file or directory", result.ErrorMessage);
        Assert.Equal(unchecked((ulong)-100L), result.RawArguments[0]);
    }

    [Theory]
    [InlineData("0x10", 0x10UL)]
    [InlineData("0XfF", 0xffUL)]
    [InlineData("-0x1", ulong.MaxValue)]
    [InlineData(" 0x7fffffffffffffff ", 0x7fffffffffffffffUL)]
    [InlineData("-100", 0xffffffffffffff9cUL)]
    [InlineData("4096", 4096UL)]
    [InlineData("18446744073709551615", ulong.MaxValue)]
    [InlineData("-9223372036854775808", 0x8000000000000000UL)]
    public void NumericTextIsAnInteger(string text, ulong expected)
    {
        using var request = RawSyscall.Prepare("getpid", [text]);
        Assert.Equal(expected, request.RawArguments[0]);
    }

    [Fact]
    public void IntegersOfEveryWidthAndSignAreWidened()
    {
        using var request = RawSyscall.Prepare("getpid", [-1, (byte)200, uint.MaxValue, -2L, true, 4096.0]);
        Assert.Equal(new[] { ulong.MaxValue, 200UL, 0xffffffffUL, ulong.MaxValue - 1, 1UL, 4096UL }, request.RawArguments);
    }

    [Theory]
    [InlineData("0x1ffffffffffffffff")]
    [InlineData("18446744073709551616")]
    [InlineData("-9223372036854775809")]
    public void NumericTextWiderThan64BitsIsAnError(string text)
    {
        var e = Assert.Throws<TraceException>(() => RawSyscall.Prepare("getpid", [text]));
        Assert.Equal("ArgumentOutOfRange", e.ErrorId);
    }

    [Theory]
    [InlineData("12a")]
    [InlineData("0x")]
    [InlineData("-")]
    [InlineData("/tmp")]
    [InlineData("")]
    public void OtherTextIsAPointerToUtf8(string text)
    {
        using var request = RawSyscall.Prepare("getpid", [text]);
        Assert.True(request.RawArguments[0] > 4096, $"0x{request.RawArguments[0]:x}");
        Assert.Equal(text, System.Runtime.InteropServices.Marshal.PtrToStringUTF8(new IntPtr((long)request.RawArguments[0])));
    }

    [Fact]
    public void NonIntegralNumbersAreErrors()
    {
        var e = Assert.Throws<TraceException>(() => RawSyscall.Prepare("getpid", [1.5]));
        Assert.Equal("ArgumentOutOfRange", e.ErrorId);
        Assert.Equal(TraceErrorKind.InvalidArgument, e.Kind);
    }

    [Fact]
    public void SevenArgumentsAreAnError()
    {
        var e = Assert.Throws<TraceException>(() => RawSyscall.Prepare("getpid", [1, 2, 3, 4, 5, 6, 7]));
        Assert.Equal("TooManyArguments", e.ErrorId);
        Assert.Equal(TraceErrorKind.InvalidArgument, e.Kind);
    }

    [Fact]
    public void UnknownNameIsNotFoundWithSuggestions()
    {
        var e = Assert.Throws<TraceException>(() => RawSyscall.Prepare("opena", []));
        Assert.Equal("UnknownSyscall", e.ErrorId);
        Assert.Equal(TraceErrorKind.NotFound, e.Kind);
        Assert.Contains("openat", e.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void UnpassableTypeIsAnError()
    {
        var e = Assert.Throws<TraceException>(() => RawSyscall.Prepare("getpid", [new object()]));
        Assert.Equal("UnsupportedArgumentType", e.ErrorId);
        e = Assert.Throws<TraceException>(() => RawSyscall.Prepare("getpid", [new[] { 1, 2 }]));
        Assert.Equal("UnsupportedArgumentType", e.ErrorId);
    }

    [Fact]
    public void DisposedBufferIsAnError()
    {
        var buffer = new SyscallBuffer(16);
        buffer.Dispose();
        var e = Assert.Throws<TraceException>(() => RawSyscall.Prepare("getcwd", [buffer, 16]));
        Assert.Equal("DisposedSyscallBuffer", e.ErrorId);
    }

    [Fact]
    public void NegativeNumberIsAnError()
    {
        var e = Assert.Throws<TraceException>(() => RawSyscall.Prepare(-1, []));
        Assert.Equal("SyscallNumberOutOfRange", e.ErrorId);
    }

    [Fact]
    public void UnknownNumberIsCalledAndAnswersEnosys()
    {
        using var request = RawSyscall.Prepare(999, []);
        var result = request.Invoke();
        Assert.Equal("syscall_0x3e7", result.Syscall);
        Assert.Equal("ENOSYS", result.Errno);
    }

    [Fact]
    public void EveryUnconditionalRuleRefusesWithoutForce()
    {
        var table = SyscallTable.Current;
        int refused = 0;
        foreach (var rule in RawSyscallSafety.Rules.Where(r => !r.IsConditional && table.TryGetByName(r.Syscall, out _)))
        {
            using var request = RawSyscall.Prepare(rule.Syscall, []);
            Assert.Same(rule, request.Refusal);
            var e = Assert.Throws<TraceException>(() => request.Invoke());
            Assert.Equal("SyscallRefused", e.ErrorId);
            Assert.Contains(rule.Reason, e.Message, StringComparison.Ordinal);
            refused++;
        }

        Assert.True(refused >= 35, $"{refused} refused");
        Assert.True(Environment.ProcessId > 0); // still here
    }

    [Fact]
    public void SignalsToSelfAreRefusedOnlyWhenFatal()
    {
        int self = Environment.ProcessId;
        Assert.NotNull(RawSyscall.Prepare("kill", [self, 9]).Refusal);
        Assert.NotNull(RawSyscall.Prepare("kill", [0, 15]).Refusal);
        Assert.NotNull(RawSyscall.Prepare("kill", [-1, 9]).Refusal);
        Assert.NotNull(RawSyscall.Prepare("tgkill", [self, self, 6]).Refusal);
        Assert.NotNull(RawSyscall.Prepare("tkill", [self, 11]).Refusal);
        Assert.NotNull(RawSyscall.Prepare("rt_sigqueueinfo", [self, 10, 0]).Refusal);

        // signal 0 only checks that the process exists: allowed, and answers 0
        using var probe = RawSyscall.Prepare("kill", [self, 0]);
        Assert.Null(probe.Refusal);
        Assert.Equal(0, probe.Invoke().ReturnValue);

        // a fatal signal to a process that is not us: allowed (ESRCH for a pid that does not exist)
        Assert.Null(RawSyscall.Prepare("kill", [int.MaxValue, 9]).Refusal);
    }

    [Fact]
    public void ConditionalMemoryAndProcessRules()
    {
        Assert.NotNull(RawSyscall.Prepare("mmap", [0, 4096, 3, 0x32, -1, 0]).Refusal);   // MAP_FIXED|MAP_PRIVATE|MAP_ANONYMOUS
        Assert.Null(RawSyscall.Prepare("mmap", [0, 4096, 3, 0x22, -1, 0]).Refusal);      // MAP_PRIVATE|MAP_ANONYMOUS
        Assert.NotNull(RawSyscall.Prepare("prctl", [22, 2, 0]).Refusal);                 // PR_SET_SECCOMP
        Assert.Null(RawSyscall.Prepare("prctl", [16, 0]).Refusal);                       // PR_GET_NAME
        Assert.NotNull(RawSyscall.Prepare("ptrace", [0, 0, 0, 0]).Refusal);              // PTRACE_TRACEME
        Assert.NotNull(RawSyscall.Prepare("close", [1]).Refusal);
        Assert.Null(RawSyscall.Prepare("close", [12345]).Refusal);
        Assert.NotNull(RawSyscall.Prepare("dup2", [5, 2]).Refusal);
    }

    [SkippableFact]
    public void AliasNumbersOfARefusedCallAreRefused()
    {
        Skip.IfNot(SyscallTable.CurrentArchitecture == "x86_64", "the x32 number alias exists on x86_64 only");
        using var request = RawSyscall.Prepare(0x40000000 + 60, []); // x32 exit
        Assert.NotNull(request.Refusal);
        Assert.Equal("exit", request.Refusal!.Syscall);
    }

    [Fact]
    public void BufferReportsBytesTextAndLength()
    {
        using var buffer = new SyscallBuffer(8);
        buffer.Write("hé");
        Assert.Equal("hé", buffer.Text);
        Assert.Equal(3, buffer.Length);
        Assert.Equal(8, buffer.Bytes.Length);
        Assert.Equal(new byte[] { 0x68, 0xc3, 0xa9 }, buffer.GetBytes(3));
        buffer.Clear();
        Assert.Equal(0, buffer.Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SyscallBuffer(0));
        buffer.Dispose();
        Assert.True(buffer.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => buffer.Text);
    }
}
