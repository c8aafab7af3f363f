using SyscallPS.Decoding;
using Xunit;

namespace SyscallPS.Tests.Decoding;

public sealed class UnfinishedTests
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
