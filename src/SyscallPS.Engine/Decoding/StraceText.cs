using System.Globalization;
using System.Text;

namespace SyscallPS.Decoding;

/// <summary>
/// strace's text conventions: quoted strings with its escapes and <c>-s</c> truncation, NULL and hex
/// pointers, octal modes. Formatters build in <see cref="Builder"/>'s per-thread cached builder, so a line is built with few allocations.
/// </summary>
internal static class StraceText
{
    /// <summary>The set bits among the first <paramref name="count"/> of a bitmap (fd_set, cpu_set_t), as strace prints them: <c>[0 3 5]</c>.</summary>
    internal static string BitList(ReadOnlySpan<byte> bits, int count)
    {
        var sb = Builder().Append('[');
        bool first = true;
        for (int bit = 0; bit < count; bit++)
        {
            if ((bits[bit >> 3] & (1 << (bit & 7))) != 0)
            {
                if (!first)
                {
                    sb.Append(' ');
                }

                first = false;
                sb.Append(Dec(bit));
            }
        }

        return Finish(sb.Append(']'));
    }

    /// <summary>A builder that grew past this is dropped rather than kept (one huge buffer should not stay alive per thread).</summary>
    private const int MaxCachedCapacity = 16 * 1024;

    [ThreadStatic]
    private static StringBuilder? t_cached;

    /// <summary>
    /// A cleared builder: the thread's cached one when it is free, else a new one, so a formatter may call
    /// another while it builds. <see cref="Finish"/> returns the text and gives the builder back.
    /// </summary>
    public static StringBuilder Builder()
    {
        var sb = t_cached;
        if (sb is null)
        {
            return new StringBuilder(256);
        }

        t_cached = null;
        return sb.Clear();
    }

    /// <summary>The text of a builder from <see cref="Builder"/>, which goes back to the thread's cache.</summary>
    public static string Finish(StringBuilder sb)
    {
        var text = sb.ToString();
        if (sb.Capacity <= MaxCachedCapacity)
        {
            t_cached = sb;
        }

        return text;
    }

    private static readonly string[] SmallNumbers = BuildSmallNumbers();

    private static string[] BuildSmallNumbers()
    {
        var a = new string[1024];
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = i.ToString(CultureInfo.InvariantCulture);
        }

        return a;
    }

    /// <summary>Decimal text of a signed number, cached for small values.</summary>
    public static string Dec(long value) =>
        value >= 0 && value < SmallNumbers.Length ? SmallNumbers[value] : value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Decimal text of an unsigned number.</summary>
    public static string UDec(ulong value) =>
        value < (ulong)SmallNumbers.Length ? SmallNumbers[value] : value.ToString(CultureInfo.InvariantCulture);

    /// <summary><c>0x…</c> in lower-case hex (<c>0</c> for zero, as strace's %#lx).</summary>
    public static string Hex(ulong value) => value == 0 ? "0" : "0x" + value.ToString("x", CultureInfo.InvariantCulture);

    /// <summary>A pointer: <c>NULL</c> or <c>0x…</c>.</summary>
    public static string Pointer(ulong value) => value == 0 ? "NULL" : "0x" + value.ToString("x", CultureInfo.InvariantCulture);

    /// <summary>Appends a pointer: <c>NULL</c> or <c>0x…</c>.</summary>
    public static StringBuilder AppendPointer(this StringBuilder sb, ulong value) =>
        value == 0 ? sb.Append("NULL") : sb.Append("0x").Append(value.ToString("x", CultureInfo.InvariantCulture));

    /// <summary>Appends <c>0x…</c> hex (<c>0</c> for zero).</summary>
    public static StringBuilder AppendHex(this StringBuilder sb, ulong value) =>
        value == 0 ? sb.Append('0') : sb.Append("0x").Append(value.ToString("x", CultureInfo.InvariantCulture));

    /// <summary>Octal with a leading zero and at least three digits (strace's %#03o): <c>0644</c>, <c>000</c>.</summary>
    public static string Octal(ulong value)
    {
        Span<char> buf = stackalloc char[24];
        int pos = buf.Length;
        do
        {
            buf[--pos] = (char)('0' + (int)(value & 7));
            value >>= 3;
        }
        while (value != 0);

        buf[--pos] = '0';
        while (buf.Length - pos < 3)
        {
            buf[--pos] = '0';
        }

        return new string(buf[pos..]);
    }

    /// <summary>
    /// Appends <paramref name="data"/> quoted with strace's escapes. With <paramref name="hex"/> every byte is
    /// <c>\xNN</c> (strace's forced-hex style for random bytes).
    /// </summary>
    public static void AppendQuoted(StringBuilder sb, ReadOnlySpan<byte> data, bool hex = false)
    {
        sb.Append('"');
        if (hex)
        {
            foreach (var b in data)
            {
                sb.Append('\\').Append('x').Append(HexDigit(b >> 4)).Append(HexDigit(b & 0xf));
            }

            sb.Append('"');
            return;
        }

        for (int i = 0; i < data.Length; i++)
        {
            byte c = data[i];
            switch (c)
            {
                case (byte)'"': sb.Append("\\\""); continue;
                case (byte)'\\': sb.Append("\\\\"); continue;
                case (byte)'\n': sb.Append("\\n"); continue;
                case (byte)'\t': sb.Append("\\t"); continue;
                case (byte)'\r': sb.Append("\\r"); continue;
                case (byte)'\f': sb.Append("\\f"); continue;
                case (byte)'\v': sb.Append("\\v"); continue;
            }

            if (c >= 0x20 && c < 0x7f)
            {
                sb.Append((char)c);
                continue;
            }

            // Octal escape: three digits when the next byte is an octal digit (it would otherwise be read
            // as part of the escape), else as few as needed.
            sb.Append('\\');
            bool nextIsOctalDigit = i + 1 < data.Length && data[i + 1] >= (byte)'0' && data[i + 1] <= (byte)'7';
            if (nextIsOctalDigit)
            {
                sb.Append((char)('0' + (c >> 6))).Append((char)('0' + ((c >> 3) & 7)));
            }
            else if ((c >> 3) != 0)
            {
                if ((c >> 6) != 0)
                {
                    sb.Append((char)('0' + (c >> 6)));
                }

                sb.Append((char)('0' + ((c >> 3) & 7)));
            }

            sb.Append((char)('0' + (c & 7)));
        }

        sb.Append('"');
    }

    private static char HexDigit(int v) => (char)(v < 10 ? '0' + v : 'a' + v - 10);

    /// <summary>The printable form of captured bytes (for data capture): strace's escapes without quotes.</summary>
    public static string Printable(ReadOnlySpan<byte> data)
    {
        var sb = Builder();
        AppendQuoted(sb, data);
        sb.Length--;
        return Finish(sb.Remove(0, 1));
    }
}
