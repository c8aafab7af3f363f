using System.Buffers.Binary;
using SyscallPS.Decoding;
using Xunit;

namespace SyscallPS.Tests.Decoding;

public sealed class ArrayTextTests
{
    private static readonly ArrayElementFormatter Int = static (sb, e, _) => sb.Append(BinaryPrimitives.ReadInt32LittleEndian(e));

    private static string Ints(FakeTraceeMemory m, ulong address, ulong count, int limit, ArrayProbe probe = ArrayProbe.None, ArrayUnreadable unreadable = ArrayUnreadable.Ellipsis, ArrayElementFilter? filter = null) =>
        ArrayText.Format(m, new DecodeOptions { StringLimit = limit }, address, count, 4, Int, probe, unreadable, filter);

    [Fact]
    public void PrintsElementsAndCutsAfterTheLimit()
    {
        var m = new FakeTraceeMemory();
        ulong a = m.PutInts(1, 2, 3, 4);
        Assert.Equal("[1, 2, 3, 4]", Ints(m, a, 4, 32));
        Assert.Equal("[1, 2, ...]", Ints(m, a, 4, 2));
        Assert.Equal("[...]", Ints(m, a, 4, 0));
        Assert.Equal("[]", Ints(m, a, 0, 32));
        Assert.Equal("NULL", Ints(m, 0, 4, 32));
    }

    [Fact]
    public void UnreadableElementsFollowTheChosenFallback()
    {
        var m = new FakeTraceeMemory();
        ulong a = m.PutInts(7, 8);
        ulong third = a + 8;
        Assert.Equal("[7, 8, ...]", Ints(m, a, 3, 32));
        Assert.Equal("[7, 8, ... /* 0x" + third.ToString("x", System.Globalization.CultureInfo.InvariantCulture) + " */]", Ints(m, a, 3, 32, unreadable: ArrayUnreadable.EllipsisAndAddress));
        Assert.Equal(StraceText.Pointer(a), Ints(m, a, 3, 32, unreadable: ArrayUnreadable.WholeAddress));

        // An unreadable first element is the address, but only once it is reached unless probed.
        const ulong Unmapped = 0x7f0000000000;
        Assert.Equal(StraceText.Pointer(Unmapped), Ints(m, Unmapped, 2, 32));
        Assert.Equal("[...]", Ints(m, Unmapped, 2, 0));
        Assert.Equal(StraceText.Pointer(Unmapped), Ints(m, Unmapped, 2, 0, ArrayProbe.FirstElement));
        Assert.Equal("[]", Ints(m, Unmapped, 0, 32, ArrayProbe.FirstElement));
        Assert.Equal(StraceText.Pointer(Unmapped), Ints(m, Unmapped, 0, 32, ArrayProbe.FirstElementEvenWhenEmpty));
    }

    [Fact]
    public void FilterSkipsAndEndsWithoutCountingAgainstTheLimit()
    {
        var m = new FakeTraceeMemory();
        ulong a = m.PutInts(1, 0, 2, 0, 3, -1, 4);
        ArrayElementFilter filter = static e => BinaryPrimitives.ReadInt32LittleEndian(e) switch { 0 => ArrayElement.Skip, -1 => ArrayElement.End, _ => ArrayElement.Show };
        Assert.Equal("[1, 2, 3]", Ints(m, a, 7, 32, filter: filter));
        Assert.Equal("[1, 2, ...]", Ints(m, a, 7, 2, filter: filter));

        // Past the limit only a shown element earns the ellipsis: skipped ones and the end do not.
        Assert.Equal("[1, 2, 3]", Ints(m, a, 7, 3, filter: filter));
        Assert.Equal("[1, 2, 3, ...]", Ints(m, a, 9, 3, filter: static e => BinaryPrimitives.ReadInt32LittleEndian(e) == 0 ? ArrayElement.Skip : ArrayElement.Show));
    }
}
