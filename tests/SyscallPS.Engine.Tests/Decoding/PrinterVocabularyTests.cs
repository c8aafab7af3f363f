using SyscallPS.Decoding;
using Xunit;

namespace SyscallPS.Tests.Decoding;

/// <summary>The shared printers of the decoders: StructOrAddress, BytesOrAddress and the one builder cache.</summary>
public sealed class PrinterVocabularyTests
{
    private readonly FakeTraceeMemory _m = new();

    private static string Print(Rlimit r) => "{cur=" + r.rlim_cur + ", max=" + r.rlim_max + "}";

    [Fact]
    public void StructOrAddressPrintsTheStructOnlyWhenItIsWhollyReadableAndTheCallSucceeded()
    {
        ulong whole = _m.PutWords(1, 2);
        Assert.Equal("{cur=1, max=2}", TraceeReader.StructOrAddress<Rlimit>(_m, whole, Print));
        Assert.Equal("NULL", TraceeReader.StructOrAddress<Rlimit>(_m, 0, Print));
        Assert.Equal("0x" + whole.ToString("x"), TraceeReader.StructOrAddress<Rlimit>(_m, whole, Print, failed: true));

        // Half of the struct before an unmapped page: strace's umove fails, and so the address is printed.
        ulong half = _m.PutWords(7);
        Assert.Equal("0x" + half.ToString("x"), TraceeReader.StructOrAddress<Rlimit>(_m, half, Print));
        Assert.Equal("0xdead0000", TraceeReader.StructOrAddress<Rlimit>(_m, 0xdead0000, Print));
    }

    [Fact]
    public void BytesOrAddressReadsTheLengthAskedFor()
    {
        ulong at = _m.Put([1, 2, 3]);
        Assert.Equal("3", TraceeReader.BytesOrAddress(_m, at, 3, static b => b.Length.ToString()));
        Assert.Equal("0x" + at.ToString("x"), TraceeReader.BytesOrAddress(_m, at, 4, static b => b.Length.ToString()));
        Assert.Equal("NULL", TraceeReader.BytesOrAddress(_m, 0, 4, static b => b.Length.ToString()));
        Assert.Equal("0x" + at.ToString("x"), TraceeReader.BytesOrAddress(_m, at, 3, static b => b.Length.ToString(), failed: true));
    }

    [Fact]
    public void ANestedBuilderDoesNotDisturbTheOuterOne()
    {
        var outer = StraceText.Builder().Append("outer[");
        var inner = StraceText.Builder().Append("inner");
        Assert.NotSame(outer, inner);
        string innerText = StraceText.Finish(inner);
        outer.Append(innerText).Append(']');
        Assert.Equal("outer[inner]", StraceText.Finish(outer));

        // The cached builder comes back cleared.
        Assert.Equal(string.Empty, StraceText.Finish(StraceText.Builder()));
    }
}
