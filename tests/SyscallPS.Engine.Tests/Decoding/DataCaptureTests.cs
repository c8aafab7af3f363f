using System.Text;
using SyscallPS.Decoding;
using Xunit;

namespace SyscallPS.Tests.Decoding;

public sealed class DataCaptureTests
{
    private readonly FakeTraceeMemory _m = new();

    private SyscallDecodeState State(string name, params ulong[] args)
    {
        Assert.True(SyscallTable.Current.TryGetByName(name, out var info));
        var state = new SyscallDecodeState { Number = info!.Number, Info = info };
        args.CopyTo(state.Args, 0);
        SyscallDecoder.OnEntry(state, _m, DecodeOptions.Default);
        return state;
    }

    [Fact]
    public void ReadCapturesTheReturnedBytesUpToTheLimit()
    {
        ulong buf = _m.Put(Encoding.ASCII.GetBytes("root:x:0:0:root\n"));
        var state = State("read", 3, buf, 4096);
        Assert.Equal("root:x:0:0:root\n"u8.ToArray(), DataCapture.Capture(state, 16, _m, 256));
        Assert.Equal("root"u8.ToArray(), DataCapture.Capture(state, 16, _m, 4));
        Assert.Null(DataCapture.Capture(state, -9, _m, 256));
        Assert.Equal("root:x:0:0:root\\n", DataCapture.ToText(DataCapture.Capture(state, 16, _m, 256)));
        Assert.Equal(DataDirection.Read, DataCapture.DirectionOf("recvfrom"));
        Assert.Equal(DataDirection.None, DataCapture.DirectionOf("close"));
    }

    [Fact]
    public void WritevAndSendmsgGatherIovecs()
    {
        ulong a = _m.Put(Encoding.ASCII.GetBytes("GET ")), b = _m.Put(Encoding.ASCII.GetBytes("/ HTTP/1.1\r\n"));
        ulong iov = _m.PutWords(a, 4, b, 12);
        Assert.Equal("GET / HTTP/1.1\r\n"u8.ToArray(), DataCapture.Capture(State("writev", 3, iov, 2), 16, _m, 256));
        ulong msg = _m.PutWords(0, 0, iov, 2, 0, 0, 0);
        Assert.Equal("GET / H"u8.ToArray(), DataCapture.Capture(State("sendmsg", 3, msg, 0), 7, _m, 256));
        Assert.Null(DataCapture.Capture(State("close", 3), 0, _m, 256));
    }

    [Fact]
    public void UnfinishedCallsPrintTheirInputsOnly()
    {
        var wait = State("wait4", unchecked((ulong)-1), 0x7ffd0000, 0, 0);
        Assert.Equal("-1", SyscallDecoder.OnUnfinished(wait, DecodeOptions.Default).ToString());
        ulong path = _m.PutString("/usr/bin/mv");
        ulong argv = _m.PutWords(_m.PutString("mv"), 0);
        var exec = State("execve", path, argv, 0);
        Assert.Equal("\"/usr/bin/mv\", [\"mv\"], NULL", SyscallDecoder.OnUnfinished(exec, DecodeOptions.Default).ToString());
        Assert.Equal("0", SyscallDecoder.OnUnfinished(State("exit_group", 0), DecodeOptions.Default).ToString());
        Assert.Equal("0x7f00, 24", SyscallDecoder.OnUnfinished(State("set_robust_list", 0x7f00, 24), DecodeOptions.Default).ToString());
    }
}
