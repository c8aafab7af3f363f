using System.Globalization;
using System.Management.Automation;
using System.Text;
using System.Text.RegularExpressions;

namespace SyscallPS.Commands;

/// <summary>
/// Binds a duration the way a shell user writes one: a number is seconds (<c>5</c>, <c>0.25</c>); a number with a unit
/// is <c>500us</c>, <c>500ms</c>, <c>5s</c>, <c>2m</c>, <c>1h</c> or <c>1d</c>; anything else is a TimeSpan string
/// (<c>00:00:05</c>) or a TimeSpan. Without it PowerShell binds <c>-Duration 5</c> as five ticks (500 ns).
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed partial class DurationTransformationAttribute : ArgumentTransformationAttribute
{
    /// <summary>Turns a number, a string with a unit, or a TimeSpan string into a TimeSpan.</summary>
    /// <param name="engineIntrinsics">Unused.</param>
    /// <param name="inputData">What the user gave.</param>
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        object value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        return value switch
        {
            TimeSpan span => span,
            byte or sbyte or short or ushort or int or uint or long or ulong or float or double or decimal =>
                FromSeconds(Convert.ToDouble(value, CultureInfo.InvariantCulture), value),
            string text => Parse(text),
            _ => inputData,
        };
    }

    /// <summary>Parses a duration string; throws the binder's transformation error, saying what is accepted, when it is none.</summary>
    internal static TimeSpan Parse(string text)
    {
        string trimmed = text.Trim();
        var match = WithUnit().Match(trimmed);
        if (match.Success)
        {
            double number = double.Parse(match.Groups["n"].Value, NumberStyles.Float, CultureInfo.InvariantCulture);
            double seconds = match.Groups["u"].Value.ToLowerInvariant() switch
            {
                "us" or "µs" => number / 1e6,
                "ms" => number / 1e3,
                "" or "s" => number,
                "m" => number * 60,
                "h" => number * 3600,
                _ => number * 86400,
            };
            return FromSeconds(seconds, text);
        }

        if (TimeSpan.TryParse(trimmed, CultureInfo.InvariantCulture, out var span))
        {
            return span;
        }

        throw new ArgumentTransformationMetadataException(
            $"'{text}' is not a duration. Give seconds (5, 0.5), a number with a unit (500ms, 5s, 2m, 1h) or a time span (00:00:05).");
    }

    private static TimeSpan FromSeconds(double seconds, object original)
    {
        if (double.IsNaN(seconds) || double.IsInfinity(seconds) || Math.Abs(seconds) > TimeSpan.MaxValue.TotalSeconds)
        {
            throw new ArgumentTransformationMetadataException($"'{original}' is out of range for a duration.");
        }

        return TimeSpan.FromTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond));
    }

    [GeneratedRegex(@"^(?<n>[+-]?(\d+(\.\d*)?|\.\d+))\s*(?<u>us|µs|ms|s|m|h|d)?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex WithUnit();
}

/// <summary>
/// Binds -ArgumentList as Start-Process does on Unix for the common case: one string is a command line, split at
/// white space with double quotes grouping (<c>"-la /etc"</c> is two arguments, <c>'"a b" c'</c> is <c>a b</c> and
/// <c>c</c>); an array is taken element by element, as given, so an element may hold spaces.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class CommandLineTransformationAttribute : ArgumentTransformationAttribute
{
    /// <summary>Splits a single string; passes arrays through.</summary>
    /// <param name="engineIntrinsics">Unused.</param>
    /// <param name="inputData">What the user gave.</param>
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        object value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        return value is string line ? Split(line) : inputData;
    }

    /// <summary>
    /// The arguments of a command line, by the main rules of .NET's ProcessStartInfo.Arguments (and so Start-Process):
    /// white space separates, double quotes group and are removed, a backslash before a quote makes it literal. The
    /// finer backslash-doubling rules are left out: an array argument passes anything unchanged.
    /// </summary>
    internal static string[] Split(string line)
    {
        var args = new List<string>();
        var current = new StringBuilder();
        bool inQuotes = false, any = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (c == '\\' && i + 1 < line.Length && line[i + 1] == '"')
            {
                current.Append('"');
                any = true;
                i++;
            }
            else if (c == '"')
            {
                inQuotes = !inQuotes;
                any = true;
            }
            else if (char.IsWhiteSpace(c) && !inQuotes)
            {
                if (any)
                {
                    args.Add(current.ToString());
                    current.Clear();
                    any = false;
                }
            }
            else
            {
                current.Append(c);
                any = true;
            }
        }

        if (any)
        {
            args.Add(current.ToString());
        }

        return [.. args];
    }
}
