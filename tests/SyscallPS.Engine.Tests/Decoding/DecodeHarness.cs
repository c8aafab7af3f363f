using SyscallPS.Decoding;
using Xunit;

namespace SyscallPS.Tests.Decoding;

/// <summary>Runs a syscall through the decoders as an engine would, and renders the strace line.</summary>
internal static class DecodeHarness
{
    public static DecodedExit Run(string name, ulong[] args, long rawReturn, ITraceeMemory memory, DecodeOptions? options = null, ITraceeMemory? exitMemory = null, ulong stackPointer = 0)
    {
        Assert.True(SyscallTable.Current.TryGetByName(name, out var info), "unknown syscall " + name);
        var state = new SyscallDecodeState { Number = info!.Number, Info = info, StackPointer = stackPointer };
        Array.Clear(state.Args);
        args.CopyTo(state.Args, 0);
        options ??= DecodeOptions.Default;
        SyscallDecoder.OnEntry(state, memory, options);
        return SyscallDecoder.OnExit(state, rawReturn, exitMemory ?? memory, options);
    }

    public static string Line(string name, ulong[] args, long rawReturn, ITraceeMemory memory, DecodeOptions? options = null, ITraceeMemory? exitMemory = null)
    {
        var exit = Run(name, args, rawReturn, memory, options, exitMemory);
        return name + "(" + exit.Arguments + ") = " + exit.ReturnText;
    }

    public static ulong U(long v) => unchecked((ulong)v);
}
