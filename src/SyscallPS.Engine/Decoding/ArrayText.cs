using System.Text;

namespace SyscallPS.Decoding;

/// <summary>Whether an array element is printed, passed over, or ends the array (a NULL terminator).</summary>
internal enum ArrayElement
{
    /// <summary>Printed, and counted against the <c>-s</c> limit.</summary>
    Show,

    /// <summary>Passed over silently (poll's exit shows only the entries with events).</summary>
    Skip,

    /// <summary>The array ends before this element (argv's NULL).</summary>
    End,
}

/// <summary>When the array's first element is read to decide between the array and its address.</summary>
internal enum ArrayProbe
{
    /// <summary>No early read: an unreadable first element gives the address only when it is reached.</summary>
    None,

    /// <summary>A non-empty array whose first element is unreadable prints as its address, whatever the <c>-s</c> limit.</summary>
    FirstElement,

    /// <summary>As <see cref="FirstElement"/>, and an empty array is read too (unreadable: the address, not <c>[]</c>).</summary>
    FirstElementEvenWhenEmpty,
}

/// <summary>What is printed when an element after the first cannot be read.</summary>
internal enum ArrayUnreadable
{
    /// <summary><c>...</c> in place of it and the rest.</summary>
    Ellipsis,

    /// <summary><c>... /* 0x… */</c>: the ellipsis and the unreadable element's address as a comment (strace 6).</summary>
    EllipsisAndAddress,

    /// <summary>The array's address instead of the whole array.</summary>
    WholeAddress,
}

/// <summary>Appends one array element, given its bytes and its index.</summary>
internal delegate void ArrayElementFormatter(StringBuilder sb, ReadOnlySpan<byte> element, ulong index);

/// <summary>Decides, from its bytes, whether an array element is shown, skipped, or ends the array.</summary>
internal delegate ArrayElement ArrayElementFilter(ReadOnlySpan<byte> element);

/// <summary>
/// A user-memory array as strace prints it: <c>[elem, elem, ...]</c>, cut with <c>...</c> after the <c>-s</c> limit
/// of shown elements, each element read from the tracee, the address printed when the array cannot be read.
/// </summary>
internal static class ArrayText
{
    /// <summary>Elements up to this size are read into a stack buffer.</summary>
    private const int StackElementSize = 256;

    /// <summary>The array as a string; see <see cref="Append"/>.</summary>
    public static string Format(
        ITraceeMemory m, DecodeOptions o, ulong address, ulong count, int elementSize, ArrayElementFormatter format,
        ArrayProbe probe = ArrayProbe.None, ArrayUnreadable unreadable = ArrayUnreadable.Ellipsis, ArrayElementFilter? filter = null)
    {
        var sb = new StringBuilder();
        Append(sb, m, o, address, count, elementSize, format, probe, unreadable, filter);
        return sb.ToString();
    }

    /// <summary>
    /// Appends <paramref name="count"/> elements of <paramref name="elementSize"/> bytes at <paramref name="address"/>:
    /// <c>NULL</c> for a null address, <c>[]</c> when empty, otherwise the shown elements separated by <c>, </c>.
    /// An unreadable first element prints the address instead of the array; a later one follows
    /// <paramref name="unreadable"/>.
    /// </summary>
    public static void Append(
        StringBuilder sb, ITraceeMemory m, DecodeOptions o, ulong address, ulong count, int elementSize, ArrayElementFormatter format,
        ArrayProbe probe = ArrayProbe.None, ArrayUnreadable unreadable = ArrayUnreadable.Ellipsis, ArrayElementFilter? filter = null)
    {
        if (address == 0)
        {
            sb.Append("NULL");
            return;
        }

        Span<byte> element = elementSize <= StackElementSize ? stackalloc byte[elementSize] : new byte[elementSize];
        if (probe == ArrayProbe.FirstElementEvenWhenEmpty && !TraceeReader.TryRead(m, address, element))
        {
            sb.AppendPointer(address);
            return;
        }

        if (count == 0)
        {
            sb.Append("[]");
            return;
        }

        if (probe == ArrayProbe.FirstElement && !TraceeReader.TryRead(m, address, element))
        {
            sb.AppendPointer(address);
            return;
        }

        int start = sb.Length;
        sb.Append('[');
        ulong shown = 0;
        for (ulong i = 0; i < count; i++)
        {
            // Without a filter every element is shown, so the cut is known before reading it.
            if (filter is null && shown >= (ulong)o.StringLimit)
            {
                AppendEllipsis(sb, shown);
                break;
            }

            ulong at = address + (i * (ulong)elementSize);
            if (!TraceeReader.TryRead(m, at, element))
            {
                if (i == 0 || unreadable == ArrayUnreadable.WholeAddress)
                {
                    sb.Length = start;
                    sb.AppendPointer(address);
                    return;
                }

                AppendEllipsis(sb, shown);
                if (unreadable == ArrayUnreadable.EllipsisAndAddress)
                {
                    sb.Append(" /* ").AppendPointer(at).Append(" */");
                }

                break;
            }

            if (filter is not null)
            {
                ArrayElement kind = filter(element);
                if (kind == ArrayElement.End)
                {
                    break;
                }

                if (kind == ArrayElement.Skip)
                {
                    continue;
                }

                if (shown >= (ulong)o.StringLimit)
                {
                    AppendEllipsis(sb, shown);
                    break;
                }
            }

            if (shown > 0)
            {
                sb.Append(", ");
            }

            format(sb, element, i);
            shown++;
        }

        sb.Append(']');
    }

    private static void AppendEllipsis(StringBuilder sb, ulong shown) => sb.Append(shown > 0 ? ", ..." : "...");
}
