using System.Globalization;
using System.Management.Automation;
using System.Reflection;

namespace SyscallPS.Formatting;

/// <summary>
/// Members SyscallPS.Types.ps1xml adds to <see cref="SyscallEvent"/> for PowerShell only: the event's
/// <see cref="SyscallEvent.Timestamp"/> stays a <see cref="DateTime"/> to scripts, but prints as ISO 8601 with
/// its 100 ns digits, so Export-Csv, ConvertTo-Csv and ConvertTo-Json keep the sub-seconds.
/// </summary>
public static class EventMembers
{
    /// <summary>The type name a wrapped timestamp carries; SyscallPS.Types.ps1xml gives it the ISO ToString.</summary>
    public const string TimestampTypeName = "SyscallPS.Timestamp";
    private static readonly PropertyInfo TimestampProperty = typeof(SyscallEvent).GetProperty(nameof(SyscallEvent.Timestamp))!;

    /// <summary>The event's timestamp, wrapped so that its ToString() is the round-trip ('o') format.</summary>
    /// <param name="instance">The event.</param>
    public static object? Timestamp(PSObject instance)
    {
        if (instance?.BaseObject is not SyscallEvent e)
        {
            return null;
        }

        // A type name, not an instance member: adding a member to each wrapper cost more than the rest of the access.
        var wrapped = new PSObject(e.Timestamp);
        wrapped.TypeNames.Insert(0, TimestampTypeName);
        return wrapped;
    }

    /// <summary>Sets the timestamp, as the C# init accessor does: <c>[SyscallPS.SyscallEvent]@{ Timestamp = ... }</c> keeps working.</summary>
    /// <param name="instance">The event.</param>
    /// <param name="value">A DateTime, or anything PowerShell converts to one.</param>
    public static void SetTimestamp(PSObject instance, object? value)
    {
        TimestampProperty.SetValue(instance.BaseObject, LanguagePrimitives.ConvertTo<DateTime>(value));
    }

    /// <summary>ToString of a wrapped timestamp: ISO 8601 round-trip without a format, DateTime.ToString otherwise.</summary>
    /// <param name="instance">The wrapped timestamp.</param>
    /// <param name="format">A .NET date format, or null for 'o'.</param>
    /// <param name="provider">The culture, or null for the current one.</param>
    public static string FormatTimestamp(PSObject instance, string? format = null, IFormatProvider? provider = null) =>
        ((DateTime)instance.BaseObject).ToString(format ?? "o", provider ?? CultureInfo.CurrentCulture);
}
