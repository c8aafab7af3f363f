namespace SyscallPS.Decoding;

/// <summary>
/// Shared boxes for the small numbers that most argument values are (descriptors, counts, flags): an
/// argument's <see cref="SyscallArgument.Value"/> is an object, and a box per argument per syscall is
/// garbage the engine would make hundreds of thousands of times a second. Boxes are immutable, so sharing
/// one is invisible to readers.
/// </summary>
internal static class Boxed
{
    private const long SignedMin = -128;
    private const long SignedMax = 1023;
    private const ulong UnsignedMax = 1023;

    private static readonly object[] Signed = BuildSigned();
    private static readonly object[] Unsigned = BuildUnsigned();

    /// <summary>A signed number as a (possibly shared) <see cref="long"/> box.</summary>
    public static object Of(long value) =>
        value >= SignedMin && value <= SignedMax ? Signed[value - SignedMin] : value;

    /// <summary>An unsigned number as a (possibly shared) <see cref="ulong"/> box.</summary>
    public static object Of(ulong value) =>
        value <= UnsignedMax ? Unsigned[value] : value;

    private static object[] BuildSigned()
    {
        var boxes = new object[SignedMax - SignedMin + 1];
        for (long v = SignedMin; v <= SignedMax; v++)
        {
            boxes[v - SignedMin] = v;
        }

        return boxes;
    }

    private static object[] BuildUnsigned()
    {
        var boxes = new object[UnsignedMax + 1];
        for (ulong v = 0; v <= UnsignedMax; v++)
        {
            boxes[v] = v;
        }

        return boxes;
    }
}
