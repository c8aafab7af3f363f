using System.Text;
using System.Text.RegularExpressions;

namespace SyscallPS;

/// <summary>PowerShell-style wildcard matching for the engine, which has no PowerShell reference.</summary>
public static class WildcardPattern
{
    /// <summary>True when the text contains <c>*</c>, <c>?</c> or <c>[</c>.</summary>
    public static bool HasWildcards(string pattern) => pattern.AsSpan().IndexOfAny("*?[") >= 0;

    /// <summary>A case-insensitive anchored regex equivalent to the wildcard pattern.</summary>
    public static Regex ToRegex(string pattern) => ToRegex(pattern, ignoreCase: true);

    /// <summary>An anchored regex equivalent to the wildcard pattern; case-sensitive when <paramref name="ignoreCase"/> is false (paths).</summary>
    public static Regex ToRegex(string pattern, bool ignoreCase)
    {
        var sb = new StringBuilder("^");
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            switch (c)
            {
                case '*': sb.Append(".*"); break;
                case '?': sb.Append('.'); break;
                case '[':
                    int end = pattern.IndexOf(']', i + 1);
                    if (end < 0)
                    {
                        sb.Append(@"\[");
                        break;
                    }

                    sb.Append('[').Append(pattern.AsSpan(i + 1, end - i - 1).ToString().Replace("\\", "\\\\", StringComparison.Ordinal)).Append(']');
                    i = end;
                    break;
                default: sb.Append(Regex.Escape(c.ToString())); break;
            }
        }

        return new Regex(sb.Append('$').ToString(), (ignoreCase ? RegexOptions.IgnoreCase : RegexOptions.None) | RegexOptions.CultureInvariant);
    }

    /// <summary>True when <paramref name="text"/> matches the wildcard <paramref name="pattern"/>.</summary>
    public static bool IsMatch(string text, string pattern) =>
        HasWildcards(pattern) ? ToRegex(pattern).IsMatch(text) : string.Equals(text, pattern, StringComparison.OrdinalIgnoreCase);
}
