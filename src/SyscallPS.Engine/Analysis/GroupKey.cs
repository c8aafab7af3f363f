using System.Reflection;
using SyscallPS.Tracing;

namespace SyscallPS.Analysis;

/// <summary>
/// The properties <see cref="SyscallStatistics"/> groups by: any public property of <see cref="SyscallEvent"/>,
/// resolved once by name. The ones a <see cref="SyscallSample"/> carries are read from it too.
/// </summary>
internal sealed class GroupField
{
    private static readonly Dictionary<string, PropertyInfo> EventProperties =
        typeof(SyscallEvent).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);

    private GroupField(string name, SampleGetter? fromSample, Func<SyscallEvent, object?> fromEvent)
    {
        Name = name;
        FromSample = fromSample;
        FromEvent = fromEvent;
    }

    /// <summary>Reads a key value from a sample.</summary>
    internal delegate object? SampleGetter(in SyscallSample sample);

    /// <summary>The property name as <see cref="SyscallEvent"/> spells it.</summary>
    public string Name { get; }

    /// <summary>The value from a sample; null when the sample does not carry this property.</summary>
    public SampleGetter? FromSample { get; }

    /// <summary>The value from an event.</summary>
    public Func<SyscallEvent, object?> FromEvent { get; }

    /// <summary>The names every <see cref="SyscallEvent"/> property can be grouped by.</summary>
    public static IEnumerable<string> Names => EventProperties.Values.Select(p => p.Name).Order(StringComparer.Ordinal);

    /// <summary>Resolves a property name (case-insensitive).</summary>
    /// <exception cref="TraceException">The event has no such property (<c>UnknownGroupProperty</c>).</exception>
    public static GroupField Resolve(string name)
    {
        if (!EventProperties.TryGetValue(name.Trim(), out var property))
        {
            throw new TraceException("UnknownGroupProperty", TraceErrorKind.InvalidArgument,
                $"SyscallEvent has no property '{name}' to group by.",
                "Group by a property of SyscallPS.SyscallEvent: " + string.Join(", ", Names) + ".", name);
        }

        return property.Name switch
        {
            nameof(SyscallEvent.Syscall) => new(property.Name, (in SyscallSample s) => s.Syscall, e => e.Syscall),
            nameof(SyscallEvent.Category) => new(property.Name, (in SyscallSample s) => s.Category, e => e.Category),
            nameof(SyscallEvent.ProcessId) => new(property.Name, (in SyscallSample s) => s.ProcessId, e => e.ProcessId),
            nameof(SyscallEvent.ThreadId) => new(property.Name, (in SyscallSample s) => s.ThreadId, e => e.ThreadId),
            nameof(SyscallEvent.ProcessName) => new(property.Name, (in SyscallSample s) => s.ProcessName, e => e.ProcessName),
            nameof(SyscallEvent.Errno) => new(property.Name, (in SyscallSample s) => s.Errno, e => e.Errno),
            nameof(SyscallEvent.Path) => new(property.Name, (in SyscallSample s) => s.Path, e => e.Path),
            nameof(SyscallEvent.FdName) => new(property.Name, (in SyscallSample s) => s.FdName, e => e.FdName),
            _ => new(property.Name, null, e => KeyValue(property.GetValue(e))),
        };
    }

    // Values with value semantics stay as they are; anything else (the argument list, captured data) is
    // grouped by its text, so equal-looking values fall into one group.
    private static object? KeyValue(object? value) =>
        value is null or string or ValueType ? value : value.ToString();
}

/// <summary>The values of one group's properties; equal when every value is.</summary>
internal readonly struct GroupKey : IEquatable<GroupKey>
{
    private readonly object? _single;
    private readonly object?[]? _many;

    public GroupKey(object? single)
    {
        _single = single;
        _many = null;
    }

    public GroupKey(object?[] many)
    {
        _single = null;
        _many = many;
    }

    public object?[] ToArray() => _many is null ? [_single] : (object?[])_many.Clone();

    public bool Equals(GroupKey other)
    {
        if (_many is null || other._many is null)
        {
            return _many is null && other._many is null && Equals(_single, other._single);
        }

        for (int i = 0; i < _many.Length; i++)
        {
            if (!Equals(_many[i], other._many[i]))
            {
                return false;
            }
        }

        return true;
    }

    public override bool Equals(object? obj) => obj is GroupKey k && Equals(k);

    public override int GetHashCode()
    {
        if (_many is null)
        {
            return _single?.GetHashCode() ?? 0;
        }

        var hash = default(HashCode);
        foreach (var v in _many)
        {
            hash.Add(v);
        }

        return hash.ToHashCode();
    }
}
