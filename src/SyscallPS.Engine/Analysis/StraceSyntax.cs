using System.Globalization;
using System.Text;

namespace SyscallPS.Analysis;

/// <summary>What a strace timestamp counts from.</summary>
internal enum StraceClock
{
    /// <summary>-t, -tt: the time of day.</summary>
    TimeOfDay,

    /// <summary>-ttt: seconds since the Unix epoch.</summary>
    Epoch,

    /// <summary>-r: seconds since the previous line.</summary>
    Relative,
}

/// <summary>
/// The pieces of a strace output line: the pid prefix (<c>[pid 12]</c> or <c>12  </c> with -o), the -t/-tt/-ttt
/// timestamp, the argument list (split at its top-level commas), the return value and the -T duration.
/// </summary>
internal static class StraceSyntax
{
    /// <summary>Reads <c>[pid  123] </c> or (strace -f -o) <c>123  </c> at the start of a line.</summary>
    public static int? ReadPid(ReadOnlySpan<char> line, ref int pos)
    {
        if (line[pos..].StartsWith("[pid", StringComparison.Ordinal))
        {
            int close = line[pos..].IndexOf(']');
            if (close < 0 || !int.TryParse(line[(pos + 4)..(pos + close)].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
            {
                return null;
            }

            pos += close + 1;
            SkipSpaces(line, ref pos);
            return pid;
        }

        // With -o, "%-5d ": digits and then a space (a -ttt timestamp has a '.' after its digits).
        int end = pos;
        while (end < line.Length && char.IsAsciiDigit(line[end]))
        {
            end++;
        }

        if (end > pos && end < line.Length && line[end] == ' ' && int.TryParse(line[pos..end], NumberStyles.None, CultureInfo.InvariantCulture, out int id))
        {
            pos = end;
            SkipSpaces(line, ref pos);
            return id;
        }

        return null;
    }

    /// <summary>
    /// Reads a -t (<c>HH:MM:SS</c>), -tt (<c>HH:MM:SS.uuuuuu</c>), -ttt (<c>1700000000.123456</c>) or -r
    /// (<c>     0.000123</c>, right-aligned) timestamp, in nanoseconds: since midnight, since the Unix epoch, or
    /// since the previous line.
    /// </summary>
    public static bool TryReadTimestamp(ReadOnlySpan<char> line, ref int pos, out long nanoseconds, out StraceClock clock)
    {
        nanoseconds = 0;
        clock = StraceClock.TimeOfDay;
        int start = pos;
        while (start < line.Length && line[start] == ' ')
        {
            start++;
        }

        int space = line[start..].IndexOf(' ');
        if (space <= 0)
        {
            return false;
        }

        var token = line.Slice(start, space);
        int dot = token.IndexOf('.');
        var whole = dot < 0 ? token : token[..dot];
        var fraction = dot < 0 ? [] : token[(dot + 1)..];
        if (dot >= 0 && (!AllDigits(fraction) || fraction.Length > 9))
        {
            return false;
        }

        long fractionNs = fraction.Length == 0 ? 0 : long.Parse(fraction, CultureInfo.InvariantCulture) * Pow10(9 - fraction.Length);
        if (whole.Length == 8 && whole[2] == ':' && whole[5] == ':'
            && AllDigits(whole[..2]) && AllDigits(whole[3..5]) && AllDigits(whole[6..]))
        {
            int h = int.Parse(whole[..2], CultureInfo.InvariantCulture);
            int m = int.Parse(whole[3..5], CultureInfo.InvariantCulture);
            int s = int.Parse(whole[6..], CultureInfo.InvariantCulture);
            nanoseconds = (((h * 60L) + m) * 60 + s) * 1_000_000_000 + fractionNs;
        }
        else if (dot > 0 && AllDigits(whole) && whole.Length <= 10)
        {
            // -ttt prints the seconds since 1970 (ten digits), -r a small number of seconds since the last line.
            nanoseconds = long.Parse(whole, CultureInfo.InvariantCulture) * 1_000_000_000 + fractionNs;
            clock = whole.Length >= 9 ? StraceClock.Epoch : StraceClock.Relative;
        }
        else
        {
            return false;
        }

        pos = start + space;
        SkipSpaces(line, ref pos);
        return true;
    }

    /// <summary>
    /// The index of the <c>)</c> that closes an argument list starting at <paramref name="start"/> (just after
    /// its <c>(</c>), or -1. Commas at depth 0 before it are added to <paramref name="commas"/> when given.
    /// </summary>
    /// <remarks>
    /// Quoted strings (with backslash escapes), (), [] and {} nest; <c>&lt;…&gt;</c> nests only as strace -y
    /// decorates a descriptor (<c>3&lt;/etc/passwd&gt;</c>, <c>AT_FDCWD&lt;/tmp&gt;</c>, after a letter or digit), and
    /// inside it only <c>&lt;</c> and <c>&gt;</c> count, so paths and <c>a-&gt;b</c> socket names pass.
    /// </remarks>
    public static int FindClose(ReadOnlySpan<char> text, int start, List<int>? commas)
    {
        Span<char> stack = stackalloc char[64];
        int depth = 0;
        for (int i = start; i < text.Length; i++)
        {
            char c = text[i];
            char top = depth == 0 ? '\0' : stack[depth - 1];
            if (top == '>')
            {
                if (c == '<' && IsWordChar(text[i - 1]) && depth < stack.Length)
                {
                    stack[depth++] = '>';
                }
                else if (c == '>' && text[i - 1] != '-')
                {
                    depth--;
                }

                continue;
            }

            switch (c)
            {
                case '"':
                    i = SkipString(text, i);
                    if (i < 0)
                    {
                        return -1;
                    }

                    break;
                case '(' or '[' or '{':
                    if (depth == stack.Length)
                    {
                        return -1;
                    }

                    stack[depth++] = c == '(' ? ')' : c == '[' ? ']' : '}';
                    break;
                case '<' when i > start && IsWordChar(text[i - 1]):
                    if (depth == stack.Length)
                    {
                        return -1;
                    }

                    stack[depth++] = '>';
                    break;
                case ')' or ']' or '}':
                    if (depth == 0)
                    {
                        return c == ')' ? i : -1;
                    }

                    if (top == c)
                    {
                        depth--;
                    }

                    break;
                case ',' when depth == 0:
                    commas?.Add(i);
                    break;
            }
        }

        return -1;
    }

    /// <summary>The return value of strace's return text: <c>3</c>, <c>0x55d4c000</c>, <c>022</c>; -1 for errors, 0 for <c>?</c>.</summary>
    public static long ReturnValue(string text, out string? errno, out string? message)
    {
        errno = null;
        message = null;
        if (text.Length > 2 && (text.StartsWith("-1 E", StringComparison.Ordinal) || text.StartsWith("? E", StringComparison.Ordinal)))
        {
            int start = text.IndexOf(' ') + 1;
            int end = text.IndexOf(' ', start);
            errno = end < 0 ? text[start..] : text[start..end];
            if (end > 0 && text.Length > end + 2 && text[end + 1] == '(' && text[^1] == ')')
            {
                message = text[(end + 2)..^1];
            }

            return -1;
        }

        int len = 0;
        while (len < text.Length && text[len] != ' ' && text[len] != '<')
        {
            len++;
        }

        return TryParseNumber(text.AsSpan(0, len), out long value, out _) ? value : 0;
    }

    /// <summary>A number as strace prints one: decimal, <c>0x</c> hex, or octal with a leading 0.</summary>
    public static bool TryParseNumber(ReadOnlySpan<char> text, out long value, out bool unsigned)
    {
        value = 0;
        unsigned = false;
        if (text.Length > 2 && text[0] == '0' && text[1] == 'x')
        {
            unsigned = true;
            bool ok = ulong.TryParse(text[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong u);
            value = unchecked((long)u);
            return ok;
        }

        if (text.Length > 1 && text[0] == '0' && AllDigits(text))
        {
            foreach (char c in text[1..])
            {
                if (c > '7')
                {
                    return false;
                }

                value = (value * 8) + (c - '0');
            }

            unsigned = true;
            return true;
        }

        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>
    /// A quoted strace string (<c>"a\nb"</c>, perhaps followed by <c>...</c>) as the text it stands for, or null
    /// when <paramref name="text"/> is not one.
    /// </summary>
    public static string? Unquote(ReadOnlySpan<char> text)
    {
        if (text.Length < 2 || text[0] != '"')
        {
            return null;
        }

        int end = SkipString(text, 0);
        if (end < 0 || !(end == text.Length - 1 || text[(end + 1)..] is "..."))
        {
            return null;
        }

        var bytes = new List<byte>(end);
        for (int i = 1; i < end; i++)
        {
            char c = text[i];
            if (c != '\\' || i + 1 >= end)
            {
                AppendUtf8(bytes, c);
                continue;
            }

            c = text[++i];
            switch (c)
            {
                case 'n': bytes.Add((byte)'\n'); break;
                case 't': bytes.Add((byte)'\t'); break;
                case 'r': bytes.Add((byte)'\r'); break;
                case 'f': bytes.Add((byte)'\f'); break;
                case 'v': bytes.Add((byte)'\v'); break;
                case 'x' when i + 2 < end && char.IsAsciiHexDigit(text[i + 1]) && char.IsAsciiHexDigit(text[i + 2]):
                    bytes.Add(byte.Parse(text.Slice(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
                    i += 2;
                    break;
                case >= '0' and <= '7':
                    int v = c - '0';
                    for (int n = 0; n < 2 && i + 1 < end && text[i + 1] is >= '0' and <= '7'; n++)
                    {
                        v = (v * 8) + (text[++i] - '0');
                    }

                    bytes.Add((byte)v);
                    break;
                default:
                    AppendUtf8(bytes, c);
                    break;
            }
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    /// <summary>
    /// Splits strace -y's decoration of a descriptor, <c>3&lt;/etc/passwd&gt;</c>, into the number and the name
    /// inside the angle brackets; false when <paramref name="text"/> is not one.
    /// </summary>
    public static bool TrySplitDecorated(ReadOnlySpan<char> text, out int fd, out string name)
    {
        fd = 0;
        name = string.Empty;
        int open = text.IndexOf('<');
        if (open <= 0 || text[^1] != '>' || !int.TryParse(text[..open], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out fd))
        {
            return false;
        }

        name = text[(open + 1)..^1].ToString();
        return true;
    }

    /// <summary>The -T duration at the end of a line (<c> &lt;0.000123&gt;</c>) in nanoseconds, and where it starts; -1 when none.</summary>
    public static int FindDuration(ReadOnlySpan<char> line, out long nanoseconds)
    {
        nanoseconds = 0;
        if (line.Length < 4 || line[^1] != '>')
        {
            return -1;
        }

        int open = line.LastIndexOf(" <", StringComparison.Ordinal);
        if (open < 0)
        {
            return -1;
        }

        var number = line[(open + 2)..^1];
        int dot = number.IndexOf('.');
        if (dot <= 0 || !AllDigits(number[..dot]) || !AllDigits(number[(dot + 1)..]) || number.Length - dot - 1 > 9)
        {
            return -1;
        }

        var fraction = number[(dot + 1)..];
        nanoseconds = (long.Parse(number[..dot], CultureInfo.InvariantCulture) * 1_000_000_000)
            + (fraction.Length == 0 ? 0 : long.Parse(fraction, CultureInfo.InvariantCulture) * Pow10(9 - fraction.Length));
        return open;
    }

    /// <summary>True when every character is an ASCII digit (and there is at least one).</summary>
    public static bool AllDigits(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return false;
        }

        foreach (char c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsWordChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    private static void SkipSpaces(ReadOnlySpan<char> line, ref int pos)
    {
        while (pos < line.Length && line[pos] == ' ')
        {
            pos++;
        }
    }

    // The index of the closing quote of the string opening at start, or -1.
    private static int SkipString(ReadOnlySpan<char> text, int start)
    {
        for (int i = start + 1; i < text.Length; i++)
        {
            if (text[i] == '\\')
            {
                i++;
            }
            else if (text[i] == '"')
            {
                return i;
            }
        }

        return -1;
    }

    private static void AppendUtf8(List<byte> bytes, char c)
    {
        if (c < 0x80)
        {
            bytes.Add((byte)c);
            return;
        }

        Span<byte> buffer = stackalloc byte[4];
        int n = Encoding.UTF8.GetBytes([c], buffer);
        for (int i = 0; i < n; i++)
        {
            bytes.Add(buffer[i]);
        }
    }

    private static long Pow10(int n)
    {
        long v = 1;
        for (int i = 0; i < n; i++)
        {
            v *= 10;
        }

        return v;
    }
}
