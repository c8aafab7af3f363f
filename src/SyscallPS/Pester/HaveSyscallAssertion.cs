using System.Globalization;
using System.Management.Automation;
using System.Text;
using SyscallPS.Tracing;

namespace SyscallPS.Commands;

/// <summary>
/// The test behind Pester's <c>Should -HaveSyscall</c> (registered by <see cref="PesterOperators"/>): counts the
/// syscall events that meet the filters and explains a failure with the nearest events as strace lines.
/// </summary>
public static class HaveSyscallAssertion
{
    /// <summary>At most this many events are quoted in a failure message.</summary>
    internal const int QuotedEvents = 10;

    /// <summary>
    /// The Pester operator's script: its parameters become Should's (in this order; <c>-Syscall</c> is positional),
    /// and it hands everything to <see cref="Test"/>.
    /// </summary>
    internal const string OperatorScript = """
        param(
            $ActualValue,
            [string[]] $Syscall,
            [string[]] $Path,
            [int[]] $Port,
            [int[]] $ProcessId,
            [string[]] $ProcessName,
            [switch] $Failed,
            [string] $Errno,
            [int] $Times,
            [switch] $Exactly,
            [switch] $Negate,
            [string] $Because,
            $CallerSessionState
        )
        [SyscallPS.Commands.HaveSyscallAssertion]::Test($ActualValue, $Negate.IsPresent, $Syscall, $Path, $Port, $ProcessId, $ProcessName,
            $Failed.IsPresent, $Errno, $(if ($PSBoundParameters.ContainsKey('Times')) { $Times } else { -1 }), $Exactly.IsPresent, $Because)
        """;

    /// <summary>
    /// Evaluates <c>Should [-Not] -HaveSyscall</c>: <paramref name="actualValue"/> holds SyscallEvent objects (or a
    /// background TraceSession or its SyscallTraceJob); the expectation is at least <paramref name="times"/> matching calls (1 when
    /// <paramref name="times"/> is negative), exactly that many with <paramref name="exactly"/>, and the opposite when negated.
    /// Returns Pester's result object: <c>Succeeded</c> and <c>FailureMessage</c>.
    /// </summary>
    public static PSObject Test(object? actualValue, bool negate, string[]? syscall, string[]? path, int[]? port, int[]? processId,
        string[]? processName, bool failed, string? errno, int times, bool exactly, string? because)
    {
        var events = new List<SyscallEvent>();
        foreach (var item in Flatten(actualValue))
        {
            switch (item)
            {
                case SyscallEvent e:
                    events.Add(e);
                    break;
                case TraceSession session:
                    long next = 0;
                    session.ReadSpool(ref next, events);
                    break;
                case Jobs.SyscallTraceJob job:
                    long first = 0;
                    job.Session.ReadSpool(ref first, events);
                    break;
                default:
                    return Result(false, $"Expected SyscallPS.SyscallEvent objects (from Start-SyscallTrace or Get-SyscallEvent), but got {item?.GetType().FullName ?? "$null"}.");
            }
        }

        var filter = new EventFilter(syscall, processId, processName, failed, path, port, string.IsNullOrEmpty(errno) ? null : errno);
        var calls = events.Where(e => e.Kind is SyscallEventKind.Syscall or SyscallEventKind.Unfinished).ToList();
        var matches = calls.Where(filter.Matches).ToList();
        int expected = times < 0 ? 1 : times;
        bool met = exactly ? matches.Count == expected : matches.Count >= expected;
        if (met != negate)
        {
            return Result(true, null);
        }

        string amount = (negate, exactly) switch
        {
            (false, false) => "at least " + Count(expected),
            (false, true) => "exactly " + Count(expected),
            (true, false) => times < 0 ? "no" : "fewer than " + Count(expected),
            (true, true) => "other than exactly " + Count(expected),
        };
        bool plural = amount != "no" && !(expected == 1 && !negate);
        var text = new StringBuilder("Expected ")
            .Append(amount).Append(' ').Append(filter.Describe(plural))
            .Append(string.IsNullOrWhiteSpace(because) ? string.Empty : ", because " + because.Trim())
            .Append(", but found ").Append(matches.Count == 0 ? "none" : Count(matches.Count))
            .Append(" among ").Append(Count(calls.Count)).Append(calls.Count == 1 ? " call." : " calls.");

        // Shown: the offending calls when there should be none or fewer, else the calls that came closest.
        var shown = negate || matches.Count > 0 ? matches : calls
            .Select(e => (Event: e, Score: filter.Closeness(e)))
            .Where(c => c.Score > 0)
            .OrderByDescending(c => c.Score)
            .Select(c => c.Event)
            .ToList();
        if (shown.Count > 0)
        {
            text.AppendLine().Append(negate || matches.Count > 0 ? "Matching calls:" : "Nearest calls:");
            foreach (var e in shown.Take(QuotedEvents))
            {
                text.AppendLine().Append("    ").Append(e.ToString());
            }

            if (shown.Count > QuotedEvents)
            {
                text.AppendLine().Append("    ... and ").Append(shown.Count - QuotedEvents).Append(" more");
            }
        }

        return Result(false, text.ToString());
    }

    private static string Count(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static IEnumerable<object?> Flatten(object? value)
    {
        value = value is PSObject p ? p.BaseObject : value;
        if (value is null)
        {
            yield break;
        }

        if (value is System.Collections.IEnumerable list and not string)
        {
            foreach (var item in list)
            {
                foreach (var inner in Flatten(item))
                {
                    yield return inner;
                }
            }

            yield break;
        }

        yield return value;
    }

    private static PSObject Result(bool succeeded, string? message)
    {
        var result = new PSObject();
        result.Properties.Add(new PSNoteProperty("Succeeded", succeeded));
        result.Properties.Add(new PSNoteProperty("FailureMessage", message));
        return result;
    }
}
