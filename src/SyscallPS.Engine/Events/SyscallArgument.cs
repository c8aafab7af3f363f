using System.Collections;

namespace SyscallPS;

/// <summary>One decoded argument of a system call.</summary>
public sealed class SyscallArgument
{
    /// <summary>Creates a decoded argument.</summary>
    /// <param name="name">Parameter name from the syscall table.</param>
    /// <param name="cType">C type from the syscall table.</param>
    /// <param name="raw">The register value.</param>
    /// <param name="value">The typed value (number, string, string[] ...); the raw value when nothing better is known.</param>
    /// <param name="text">The strace-style rendering.</param>
    public SyscallArgument(string name, string cType, ulong raw, object? value, string text)
        : this(new SyscallParameter(name, cType), raw, value, text)
    {
    }

    /// <summary>Creates a decoded argument of a parameter the syscall table describes (shared, not copied).</summary>
    internal SyscallArgument(SyscallParameter parameter, ulong raw, object? value, string text)
    {
        _parameter = parameter;
        Raw = raw;
        Value = value;
        Text = text;
    }

    // One reference to the table's parameter instead of its two strings: an argument is made per syscall.
    private readonly SyscallParameter _parameter;

    /// <summary>The parameter name (<c>filename</c>).</summary>
    public string Name => _parameter.Name;

    /// <summary>The parameter's C type (<c>const char *</c>).</summary>
    public string CType => _parameter.CType;

    /// <summary>The raw 64-bit register value.</summary>
    public ulong Raw { get; }

    /// <summary>The decoded value: a string for paths, a long for numbers, a string array for argv, the symbolic text for flags.</summary>
    public object? Value { get; }

    /// <summary>The argument as strace prints it.</summary>
    public string Text { get; }

    /// <inheritdoc />
    public override string ToString() => Text;
}

/// <summary>The decoded arguments of a syscall; indexable by position or parameter name, printed like strace's argument list.</summary>
public sealed class SyscallArgumentList : IReadOnlyList<SyscallArgument>
{
    /// <summary>An empty list (signals, exits).</summary>
    public static readonly SyscallArgumentList Empty = new([]);

    private readonly SyscallArgument[] _items;

    /// <summary>Wraps decoded arguments.</summary>
    public SyscallArgumentList(SyscallArgument[] items) => _items = items;

    /// <inheritdoc />
    public int Count => _items.Length;

    /// <inheritdoc />
    public SyscallArgument this[int index] => _items[index];

    /// <summary>The argument with this parameter name, or null.</summary>
    public SyscallArgument? this[string name] => Array.Find(_items, a => string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <inheritdoc />
    public IEnumerator<SyscallArgument> GetEnumerator() => ((IEnumerable<SyscallArgument>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _items.GetEnumerator();

    /// <summary>The arguments as strace prints them, comma-separated.</summary>
    public override string ToString() => string.Join(", ", _items.Select(a => a.Text));
}
