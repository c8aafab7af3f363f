using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace SyscallPS.Decoding.Tables;

/// <summary>
/// A set of named bits printed as strace does: matching names joined with <c>|</c> in table order (so a
/// composite such as O_SYNC must come before its parts), leftover bits as hex, and
/// <c>0x… /* PREFIX_??? */</c> when nothing matched.
/// </summary>
internal sealed class FlagTable
{
    private readonly (ulong Value, string Name)[] _entries;
    private readonly string _unknown;

    /// <param name="unknownPrefix">Prefix used in the comment for unmatched bits (<c>O_</c>).</param>
    /// <param name="entries">Named bits, composites first.</param>
    /// <param name="unknownMarker">What follows the prefix in the comment: strace writes <c>???</c>, a few tables <c>??</c>.</param>
    public FlagTable(string unknownPrefix, (ulong Value, string Name)[] entries, string unknownMarker = "???")
    {
        _entries = entries;
        _unknown = " /* " + unknownPrefix + unknownMarker + " */";
    }

    /// <summary>The table's entries, in print order.</summary>
    public ReadOnlySpan<(ulong Value, string Name)> Entries => _entries;

    /// <summary>Appends <paramref name="value"/> in symbolic form; 0 prints as <paramref name="zero"/>.</summary>
    public void Append(StringBuilder sb, ulong value, string zero = "0")
    {
        if (value == 0)
        {
            sb.Append(zero);
            return;
        }

        bool any = false;
        ulong rest = value;
        foreach (var (v, name) in _entries)
        {
            if (v != 0 && (rest & v) == v)
            {
                if (any)
                {
                    sb.Append('|');
                }

                sb.Append(name);
                rest &= ~v;
                any = true;
                if (rest == 0)
                {
                    return;
                }
            }
        }

        if (any)
        {
            sb.Append("|0x").Append(rest.ToString("x", CultureInfo.InvariantCulture));
        }
        else
        {
            sb.Append("0x").Append(rest.ToString("x", CultureInfo.InvariantCulture)).Append(_unknown);
        }
    }

    private readonly TextCache _cache = new();

    /// <summary>The symbolic form of <paramref name="value"/>.</summary>
    public string Format(ulong value, string zero = "0")
    {
        if (value == 0)
        {
            return zero;
        }

        return _cache.TryGet(value, out var cached) ? cached : _cache.Add(value, FormatUncached(value, zero));
    }

    private string FormatUncached(ulong value, string zero)
    {
        // Fast path: exactly one named value.
        foreach (var (v, name) in _entries)
        {
            if (v == value)
            {
                return name;
            }
        }

        var sb = StraceText.Builder();
        Append(sb, value, zero);
        return StraceText.Finish(sb);
    }
}

/// <summary>
/// An enumeration (one value, one name) printed as strace does: the name, or the number followed by
/// <c>/* PREFIX_??? */</c> when unknown.
/// </summary>
internal sealed class ValueTable
{
    private readonly (long Value, string Name)[] _entries;
    private readonly Dictionary<long, string> _byValue;
    private readonly string[]? _dense;
    private readonly string _unknown;
    private readonly bool _hexUnknown;

    /// <param name="unknownPrefix">Prefix for the comment after unknown values (<c>F_</c>).</param>
    /// <param name="entries">The values; the first name wins for duplicates.</param>
    /// <param name="hexUnknown">Print unknown values in hex (strace does for most request codes) instead of decimal.</param>
    /// <param name="unknownMarker">What follows the prefix in the comment: strace writes <c>???</c>, but <c>??</c> for socket levels.</param>
    public ValueTable(string unknownPrefix, (long Value, string Name)[] entries, bool hexUnknown = true, string unknownMarker = "???")
    {
        _entries = entries;
        _byValue = new Dictionary<long, string>(entries.Length);
        long max = -1;
        bool denseOk = true;
        foreach (var (v, n) in entries)
        {
            _byValue.TryAdd(v, n);
            if (v < 0)
            {
                denseOk = false;
            }

            max = Math.Max(max, v);
        }

        if (denseOk && max < 512)
        {
            _dense = new string[max + 1];
            foreach (var (v, n) in entries)
            {
                _dense[v] ??= n;
            }
        }

        _unknown = " /* " + unknownPrefix + unknownMarker + " */";
        _hexUnknown = hexUnknown;
    }

    /// <summary>The table's entries, as declared.</summary>
    public ReadOnlySpan<(long Value, string Name)> Entries => _entries;

    /// <summary>The name of <paramref name="value"/>, or null.</summary>
    public string? Lookup(long value)
    {
        if (_dense is not null)
        {
            return value >= 0 && value < _dense.Length ? _dense[value] : null;
        }

        return _byValue.TryGetValue(value, out var n) ? n : null;
    }

    /// <summary>The name, or the number with strace's unknown comment.</summary>
    public string Format(long value) => Lookup(value) ?? FormatUnknown(value);

    /// <summary>The unknown form of a value: <c>0x2a /* F_??? */</c>.</summary>
    public string FormatUnknown(long value) =>
        (_hexUnknown ? "0x" + value.ToString("x", CultureInfo.InvariantCulture) : value.ToString(CultureInfo.InvariantCulture)) + _unknown;
}

/// <summary>
/// Remembers the text of recently formatted values: a trace repeats the same few flag combinations millions of
/// times, so each is built once. Bounded; thread-safe.
/// </summary>
internal sealed class TextCache
{
    private const int Capacity = 512;
    private readonly ConcurrentDictionary<ulong, string> _map = new();

    /// <summary>Looks a value up.</summary>
    public bool TryGet(ulong key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? text) => _map.TryGetValue(key, out text);

    /// <summary>Stores a value's text (unless the cache is full) and returns it.</summary>
    public string Add(ulong key, string text)
    {
        if (_map.Count < Capacity)
        {
            _map.TryAdd(key, text);
        }

        return text;
    }
}
