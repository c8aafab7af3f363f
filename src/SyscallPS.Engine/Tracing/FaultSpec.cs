using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using SyscallPS.Decoding;
using SyscallPS.Decoding.Tables;
using SyscallPS.Tracing;

namespace SyscallPS;

/// <summary>
/// A fault to inject into traced system calls, as strace's <c>-e inject=</c>: an error or a return value in place
/// of the call, a signal, delays before or after it, on chosen invocations (<c>when=</c>) of chosen syscalls.
/// Made by <see cref="FaultSpec.Parse"/> (strace's syntax) or <see cref="FaultSpec.Create"/>; immutable.
/// </summary>
public sealed class SyscallFault
{
    internal SyscallFault(string target, IReadOnlyCollection<int> numbers, string architecture, int errno, long? returnValue, int signal,
        TimeSpan? delayEnter, TimeSpan? delayExit, int first, int? last, int step, string? path)
    {
        Target = target;
        Numbers = numbers;
        Architecture = architecture;
        ErrnoNumber = errno;
        ReturnValue = returnValue;
        SignalNumber = signal;
        DelayEnter = delayEnter;
        DelayExit = delayExit;
        First = first;
        Last = last;
        Step = step;
        Path = path;
        _pathRegex = path is null ? null : WildcardPattern.ToRegex(path, ignoreCase: false);
    }

    private readonly Regex? _pathRegex;

    /// <summary>The syscall set as given: names (wildcards allowed), <c>%class</c>es, comma-separated.</summary>
    public string Target { get; }

    /// <summary>The syscall numbers <see cref="Target"/> names on <see cref="Architecture"/>, in order.</summary>
    public IReadOnlyCollection<int> Numbers { get; }

    /// <summary>The architecture whose syscall table resolved <see cref="Target"/>.</summary>
    public string Architecture { get; }

    /// <summary>The errno the call fails with (<c>ENOENT</c>), or null.</summary>
    public string? Errno => ErrnoNumber == 0 ? null : ErrnoName(ErrnoNumber);

    /// <summary>The errno's number, 0 when the fault injects no error.</summary>
    public int ErrnoNumber { get; }

    /// <summary>The value the call returns instead of running (strace's <c>retval=</c>), or null.</summary>
    public long? ReturnValue { get; }

    /// <summary>The signal delivered to the thread as the call returns (<c>SIGUSR1</c>), or null.</summary>
    public string? Signal => SignalNumber == 0 ? null : SyscallDecoder.SignalName(SignalNumber);

    /// <summary>The signal's number, 0 for none.</summary>
    public int SignalNumber { get; }

    /// <summary>How long the thread is held before the call runs, or null.</summary>
    public TimeSpan? DelayEnter { get; }

    /// <summary>How long the thread is held after the call returned, or null.</summary>
    public TimeSpan? DelayExit { get; }

    /// <summary>The first invocation hit (1 is the first call of each syscall in each thread).</summary>
    public int First { get; }

    /// <summary>The last invocation that may be hit, or null for no end.</summary>
    public int? Last { get; }

    /// <summary>Invocations between two hits from <see cref="First"/> on; 0 hits <see cref="First"/> only.</summary>
    public int Step { get; }

    /// <summary>A wildcard the call's path (or the path of its descriptor) must match, or null for every call.</summary>
    public string? Path { get; }

    /// <summary>strace's <c>when=</c> expression for <see cref="First"/>, <see cref="Last"/> and <see cref="Step"/>.</summary>
    public string When
    {
        get
        {
            var text = First.ToString(CultureInfo.InvariantCulture);
            if (Last is int last)
            {
                text += ".." + last.ToString(CultureInfo.InvariantCulture);
            }

            return Step == 0 || (Step == 1 && Last is not null) ? text : text + "+" + (Step == 1 ? string.Empty : Step.ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <summary>True when the call is not run: it fails with <see cref="Errno"/> or returns <see cref="ReturnValue"/>.</summary>
    public bool ReplacesCall => ErrnoNumber != 0 || ReturnValue is not null;

    /// <summary>The raw return value written for a replaced call: -errno, or the return value.</summary>
    internal long InjectedReturn => ErrnoNumber != 0 ? -ErrnoNumber : ReturnValue ?? 0;

    /// <summary>True when the <paramref name="invocation"/>-th call (1-based, per syscall per thread) is hit.</summary>
    public bool Hits(long invocation)
    {
        if (invocation < First || (Last is int last && invocation > last))
        {
            return false;
        }

        return Step == 0 ? invocation == First : (invocation - First) % Step == 0;
    }

    /// <summary>True when the fault has no path condition or <paramref name="path"/> matches it.</summary>
    internal bool PathMatches(string? path) => _pathRegex is null || (path is not null && _pathRegex.IsMatch(path));

    /// <summary>True when a path condition applies.</summary>
    internal bool HasPath => _pathRegex is not null;

    /// <summary>The fault in strace's <c>-e inject=</c> syntax (a <see cref="Path"/> condition follows as <c>-Path</c>).</summary>
    public override string ToString()
    {
        var sb = new StringBuilder(Target);
        if (ErrnoNumber != 0)
        {
            sb.Append(":error=").Append(Errno);
        }
        else if (ReturnValue is long value)
        {
            sb.Append(":retval=").Append(value.ToString(CultureInfo.InvariantCulture));
        }

        if (SignalNumber != 0)
        {
            sb.Append(":signal=").Append(Signal);
        }

        if (DelayEnter is TimeSpan enter)
        {
            sb.Append(":delay_enter=").Append(FaultSpec.FormatDelay(enter));
        }

        if (DelayExit is TimeSpan exit)
        {
            sb.Append(":delay_exit=").Append(FaultSpec.FormatDelay(exit));
        }

        if (First != 1 || Step != 1 || Last is not null)
        {
            sb.Append(":when=").Append(When);
        }

        if (Path is not null)
        {
            sb.Append(" -Path '").Append(Path).Append('\'');
        }

        return sb.ToString();
    }

    internal static string ErrnoName(int errno) => ErrnoTable.NameOrNumber(errno);
}

/// <summary>
/// Parses strace's fault injection syntax (<c>-e inject=</c>, <c>-e fault=</c>; see strace(1), "Tampering") into
/// <see cref="SyscallFault"/>s. Every mistake is a <see cref="TraceException"/> (InvalidFaultSpec) naming the bad part.
/// </summary>
public static class FaultSpec
{
    // strace's limits for when=: first and step 1..65535, last 1..65534.
    private const int MaxCount = 65535;

    // strace's %pure class: syscalls that always succeed and take no arguments (those x86_64 and aarch64 have).
    private static readonly string[] PureSyscalls = ["getpid", "getppid", "gettid", "getuid", "geteuid", "getgid", "getegid", "getpgrp"];

    private static readonly Dictionary<string, SyscallCategory> Classes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["file"] = SyscallCategory.File,
        ["desc"] = SyscallCategory.Descriptor,
        ["process"] = SyscallCategory.Process,
        ["network"] = SyscallCategory.Network,
        ["net"] = SyscallCategory.Network,
        ["signal"] = SyscallCategory.Signal,
        ["ipc"] = SyscallCategory.Ipc,
        ["memory"] = SyscallCategory.Memory,
        ["creds"] = SyscallCategory.Credentials,
        ["clock"] = SyscallCategory.Clock,

        // SyscallPS keeps one class for every stat-like call.
        ["stat"] = SyscallCategory.Stat,
        ["lstat"] = SyscallCategory.Stat,
        ["fstat"] = SyscallCategory.Stat,
        ["%stat"] = SyscallCategory.Stat,
        ["statfs"] = SyscallCategory.Stat,
        ["fstatfs"] = SyscallCategory.Stat,
        ["%statfs"] = SyscallCategory.Stat,
    };

    /// <summary>
    /// Parses one <c>-e inject=</c> expression: <c>SET:error=E|retval=N[:signal=S][:delay_enter=D][:delay_exit=D][:when=EXPR]</c>.
    /// A leading <c>inject=</c> is allowed; <c>fault=SET[:error=E][:when=EXPR]</c> is strace's <c>-e fault=</c> (ENOSYS by default).
    /// </summary>
    /// <exception cref="TraceException">InvalidFaultSpec: the part of the text that is wrong, and why.</exception>
    public static SyscallFault Parse(string text, SyscallTable? table = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var spec = text.Trim();
        bool faultOnly = false;
        if (spec.StartsWith("inject=", StringComparison.Ordinal))
        {
            spec = spec["inject=".Length..];
        }
        else if (spec.StartsWith("fault=", StringComparison.Ordinal))
        {
            spec = spec["fault=".Length..];
            faultOnly = true;
        }

        var tokens = spec.Split(':');
        if (tokens[0].Length == 0)
        {
            throw Invalid(text, "the syscall set before the first ':' is missing", "Start with the syscalls to hit, e.g. openat:error=ENOENT.");
        }

        int errno = 0;
        long? returnValue = null;
        int signal = 0;
        TimeSpan? delayEnter = null, delayExit = null;
        string? when = null;
        foreach (var token in tokens.Skip(1))
        {
            int eq = token.IndexOf('=', StringComparison.Ordinal);
            string key = eq < 0 ? token : token[..eq];
            string value = eq < 0 ? string.Empty : token[(eq + 1)..];
            if (eq < 0 || value.Length == 0)
            {
                throw Invalid(text, $"'{token}' is not KEY=VALUE", "Each part after the syscall set is error=, retval=, signal=, delay_enter=, delay_exit= or when=.");
            }

            switch (key)
            {
                case "error":
                    if (errno != 0 || returnValue is not null)
                    {
                        throw Invalid(text, $"'{token}' comes after another error= or retval=", "A fault has one error= or one retval=, not both.");
                    }

                    errno = ParseErrno(text, value);
                    break;
                case "retval" when !faultOnly:
                    if (errno != 0 || returnValue is not null)
                    {
                        throw Invalid(text, $"'{token}' comes after another error= or retval=", "A fault has one error= or one retval=, not both.");
                    }

                    returnValue = ParseReturnValue(text, value);
                    break;
                case "signal" when !faultOnly:
                    if (signal != 0)
                    {
                        throw Invalid(text, $"'{token}' is a second signal=", "A fault delivers one signal.");
                    }

                    signal = ParseSignal(text, value);
                    break;
                case "delay_enter" when !faultOnly:
                    delayEnter = delayEnter is null ? ParseDelay(text, value) : throw Invalid(text, $"'{token}' is a second delay_enter=", "Give delay_enter= once.");
                    break;
                case "delay_exit" when !faultOnly:
                    delayExit = delayExit is null ? ParseDelay(text, value) : throw Invalid(text, $"'{token}' is a second delay_exit=", "Give delay_exit= once.");
                    break;
                case "when":
                    when = value;   // strace: the last when= counts
                    break;
                case "syscall" or "poke_enter" or "poke_exit":
                    throw Invalid(text, $"'{key}=' is not supported by SyscallPS", "Use error=, retval=, signal=, delay_enter=, delay_exit= and when=.");
                default:
                    throw Invalid(text, $"'{key}' is not a fault option" + (faultOnly ? " of fault=" : string.Empty),
                        faultOnly ? "fault= takes error= and when=; use inject= for the others." : "Use error=, retval=, signal=, delay_enter=, delay_exit= or when=.");
            }
        }

        if (faultOnly && errno == 0)
        {
            errno = 38;   // ENOSYS: strace's default for -e fault=
        }

        if (errno == 0 && returnValue is null && signal == 0 && delayEnter is null && delayExit is null)
        {
            throw Invalid(text, "it says what to hit but not what to do", "Add error=ERRNO, retval=N, signal=SIG, delay_enter=TIME or delay_exit=TIME.");
        }

        return Build(text, tokens[0], errno, returnValue, signal, delayEnter, delayExit, when, null, table);
    }

    /// <summary>
    /// Builds a fault from parts (New-SyscallFault): the syscall set in <c>-e trace=</c> syntax, then each action.
    /// <paramref name="errno"/> and <paramref name="signal"/> take names or numbers; <paramref name="when"/> strace's
    /// <c>when=</c> expression (null: every call); <paramref name="path"/> a wildcard the call's path must match.
    /// </summary>
    /// <exception cref="TraceException">InvalidFaultSpec naming the bad part.</exception>
    public static SyscallFault Create(string target, string? errno = null, long? returnValue = null, string? signal = null,
        TimeSpan? delayEnter = null, TimeSpan? delayExit = null, string? when = null, string? path = null, SyscallTable? table = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        string context = target;
        if (errno is not null && returnValue is not null)
        {
            throw Invalid(context, "it has both an errno and a return value", "A fault either fails the call (-Errno) or makes it return a value (-ReturnValue).");
        }

        int errnoValue = errno is null ? 0 : ParseErrno(context, errno);
        long? retval = returnValue is long r ? CheckReturnValue(context, r) : null;
        int signalValue = signal is null ? 0 : ParseSignal(context, signal);
        CheckDelay(context, delayEnter);
        CheckDelay(context, delayExit);
        if (errnoValue == 0 && retval is null && signalValue == 0 && delayEnter is null && delayExit is null)
        {
            throw Invalid(context, "it says what to hit but not what to do", "Add -Errno, -ReturnValue, -Signal, -DelayEnter or -DelayExit.");
        }

        if (path is { Length: 0 })
        {
            throw Invalid(context, "the path wildcard is empty", "Give a wildcard such as '/etc/*', or leave -Path out.");
        }

        return Build(context, target, errnoValue, retval, signalValue, delayEnter, delayExit, when, path, table);
    }

    /// <summary>A delay as strace writes it: the largest unit that keeps the value whole (<c>100ms</c>, <c>1500us</c>).</summary>
    internal static string FormatDelay(TimeSpan delay)
    {
        long ns = delay.Ticks * 100;
        return ns % 1_000_000_000 == 0 && ns != 0 ? (ns / 1_000_000_000).ToString(CultureInfo.InvariantCulture) + "s"
            : ns % 1_000_000 == 0 && ns != 0 ? (ns / 1_000_000).ToString(CultureInfo.InvariantCulture) + "ms"
            : ns % 1_000 == 0 ? (ns / 1_000).ToString(CultureInfo.InvariantCulture) + "us"
            : ns.ToString(CultureInfo.InvariantCulture) + "ns";
    }

    /// <summary>The syscall numbers of a set in <c>-e trace=</c> syntax: names (wildcards allowed), <c>%class</c>, <c>/regex</c>, <c>?name</c>, <c>all</c>, a leading <c>!</c>.</summary>
    internal static SortedSet<int> ResolveSet(string context, string set, SyscallTable table)
    {
        bool negate = set.StartsWith('!');
        var body = negate ? set[1..] : set;
        var numbers = new SortedSet<int>();
        foreach (var raw in body.Split(',', StringSplitOptions.TrimEntries))
        {
            if (raw.Length == 0)
            {
                throw Invalid(context, $"the syscall set '{set}' has an empty element", "Separate syscall names with single commas.");
            }

            if (raw.Equals("all", StringComparison.OrdinalIgnoreCase))
            {
                numbers.UnionWith(table.All.Select(s => s.Number));
            }
            else if (raw.Equals("%pure", StringComparison.OrdinalIgnoreCase))
            {
                numbers.UnionWith(PureSyscalls.Select(n => table.TryGetByName(n, out var i) ? i.Number : -1).Where(n => n >= 0));
            }
            else if (raw.StartsWith('%'))
            {
                var name = raw[1..];
                SyscallCategory category = Classes.TryGetValue(name, out var c) ? c
                    : Enum.TryParse(name, ignoreCase: true, out SyscallCategory e) && e != SyscallCategory.Other ? e
                    : throw Invalid(context, $"'{raw}' is not a syscall class", "Use %file, %desc, %process, %network, %signal, %ipc, %memory, %creds, %clock, %stat or %pure.");
                numbers.UnionWith(table.All.Where(s => s.IsIn(category)).Select(s => s.Number));
            }
            else if (raw.StartsWith('/'))
            {
                Regex regex;
                try
                {
                    regex = new Regex(raw[1..], RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
                }
                catch (ArgumentException ex)
                {
                    throw Invalid(context, $"'{raw}' is not a valid regular expression ({ex.Message})", "Write a .NET regular expression after the '/'.");
                }

                numbers.UnionWith(table.All.Where(s => regex.IsMatch(s.Name)).Select(s => s.Number));
            }
            else
            {
                bool optional = raw.StartsWith('?');
                var name = optional ? raw[1..] : raw;
                var matches = table.Match(name).ToList();
                if (matches.Count == 0 && !optional)
                {
                    throw Invalid(context, $"'{name}' matches no syscall on {table.Architecture}", "Look the name up with Get-SyscallInfo -Name '*part*'; wildcards are allowed.");
                }

                numbers.UnionWith(matches.Select(m => m.Number));
            }
        }

        if (negate)
        {
            numbers = new SortedSet<int>(table.All.Select(s => s.Number).Where(n => !numbers.Contains(n)));
        }

        if (numbers.Count == 0)
        {
            throw Invalid(context, $"the syscall set '{set}' names no syscall", "Name at least one syscall.");
        }

        return numbers;
    }

    private static SyscallFault Build(string context, string target, int errno, long? returnValue, int signal,
        TimeSpan? delayEnter, TimeSpan? delayExit, string? when, string? path, SyscallTable? table)
    {
        table ??= SyscallTable.Current;
        var numbers = ResolveSet(context, target, table);
        var (first, last, step) = when is null ? (1, (int?)null, 1) : ParseWhen(context, when);
        return new SyscallFault(target, numbers, table.Architecture, errno, returnValue, signal, delayEnter, delayExit, first, last, step, path);
    }

    /// <summary>strace's <c>first[..last][+[step]]</c>: first and step 1..65535, last first..65534.</summary>
    internal static (int First, int? Last, int Step) ParseWhen(string context, string when)
    {
        var m = Regex.Match(when, @"^(\d+)(?:\.\.(\d+))?(\+(\d*))?$", RegexOptions.CultureInvariant);
        if (!m.Success)
        {
            throw Invalid(context, $"when={when} is not first[..last][+[step]]", "Examples: when=3 (the third call), when=2+ (the second on), when=2..4, when=1+2 (every other call).");
        }

        int first = Count(context, when, m.Groups[1].Value, "first", MaxCount);
        int? last = m.Groups[2].Success ? Count(context, when, m.Groups[2].Value, "last", MaxCount - 1) : null;
        if (last < first)
        {
            throw Invalid(context, $"when={when} ends before it starts", "The last call counted must not come before the first.");
        }

        int step = m.Groups[3].Success
            ? (m.Groups[4].Value.Length == 0 ? 1 : Count(context, when, m.Groups[4].Value, "step", MaxCount))
            : (last is null ? 0 : 1);
        return (first, last, step);
    }

    private static int Count(string context, string when, string digits, string what, int max)
    {
        if (!int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < 1 || n > max)
        {
            throw Invalid(context, $"when={when}: the {what} number {digits} is outside 1..{max}", "Calls are counted from 1 (the first call of each syscall in each thread).");
        }

        return n;
    }

    private static int ParseErrno(string context, string value)
    {
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n))
        {
            return n is >= 1 and <= 4095 ? n : throw Invalid(context, $"error={value} is outside 1..4095", "Give an errno name (ENOENT) or a number from 1 to 4095.");
        }

        return ErrnoTable.ValueOf(value) ?? throw Invalid(context, $"'{value}' is not an errno name", "Use a name such as ENOENT, EACCES, ENOSPC, EINTR (see errno(3)) or a number from 1 to 4095.");
    }

    private static long ParseReturnValue(string context, string value)
    {
        bool hex = value.StartsWith("0x", StringComparison.OrdinalIgnoreCase);
        if (!ulong.TryParse(hex ? value[2..] : value, hex ? NumberStyles.AllowHexSpecifier : NumberStyles.None, CultureInfo.InvariantCulture, out ulong v))
        {
            throw Invalid(context, $"retval={value} is not a non-negative number", "Give a decimal or 0x-hexadecimal value; to make the call fail use error=.");
        }

        return CheckReturnValue(context, unchecked((long)v));
    }

    private static long CheckReturnValue(string context, long value) =>
        value is < 0 and >= -4095
            ? throw Invalid(context, $"the return value {value} would be read as an error", "Use error= (or -Errno) to make the call fail.")
            : value;

    private static int ParseSignal(string context, string value)
    {
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n))
        {
            return n is >= 1 and <= 64 ? n : throw Invalid(context, $"signal={value} is outside 1..64", "Give a signal name (SIGUSR1) or a number from 1 to 64.");
        }

        var name = value.StartsWith("SIG", StringComparison.OrdinalIgnoreCase) ? value : "SIG" + value;
        for (int s = 1; s <= 64; s++)
        {
            if (SyscallDecoder.SignalName(s).Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return s;
            }
        }

        throw Invalid(context, $"'{value}' is not a signal name", "Use a name such as SIGUSR1, SIGTERM, SIGSEGV or a number from 1 to 64.");
    }

    /// <summary>strace's time format: a decimal number with an optional unit s, ms, us or ns; microseconds without one.</summary>
    private static TimeSpan ParseDelay(string context, string value)
    {
        var m = Regex.Match(value, @"^([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)(s|ms|us|ns)?$", RegexOptions.CultureInvariant);
        if (!m.Success || !double.TryParse(m.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double number))
        {
            throw Invalid(context, $"'{value}' is not a time", "Write a number with a unit: 100ms, 1.5s, 250us, 500ns (no unit: microseconds).");
        }

        double ns = number * (m.Groups[2].Value switch { "s" => 1e9, "ms" => 1e6, "ns" => 1, _ => 1e3 });
        if (double.IsInfinity(ns) || ns > TimeSpan.FromDays(1).Ticks * 100.0)
        {
            throw Invalid(context, $"the delay '{value}' is longer than a day", "Give a shorter delay.");
        }

        return TimeSpan.FromTicks((long)Math.Round(ns / 100));
    }

    private static void CheckDelay(string context, TimeSpan? delay)
    {
        if (delay is TimeSpan d && (d < TimeSpan.Zero || d > TimeSpan.FromDays(1)))
        {
            throw Invalid(context, $"the delay {d} is outside zero to one day", "Give a delay such as 00:00:00.100 (100 ms).");
        }
    }

    private static TraceException Invalid(string spec, string what, string hint) =>
        new("InvalidFaultSpec", TraceErrorKind.InvalidArgument, $"Invalid fault '{spec}': {what}.", hint, spec);
}
