using System.Collections;
using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Language;
using SyscallPS.Tracing;

namespace SyscallPS.Commands;

/// <summary>Completes the names of running processes for <c>-ProcessName</c>; comma-list aware.</summary>
public sealed class ProcessNameCompleter : IArgumentCompleter
{
    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var (prefix, word, quote) = CompletionText.Split(wordToComplete);
        var pattern = new System.Management.Automation.WildcardPattern(System.Management.Automation.WildcardPattern.ContainsWildcardCharacters(word) ? word : word + "*", WildcardOptions.IgnoreCase);
        return RunningProcesses.Snapshot()
            .Where(p => pattern.IsMatch(p.Name))
            .GroupBy(p => p.Name, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.OrdinalIgnoreCase)
            .Select(g => new CompletionResult(
                CompletionText.Join(prefix, g.Key, quote), g.Key, CompletionResultType.ParameterValue,
                $"{g.Key}: process id {string.Join(", ", g.Select(p => p.Id).Take(8))}{(g.Count() > 8 ? " ..." : string.Empty)}"));
    }
}

/// <summary>Completes process ids for <c>-ProcessId</c>, each shown with its process's name.</summary>
public sealed class ProcessIdCompleter : IArgumentCompleter
{
    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var (prefix, word, _) = CompletionText.Split(wordToComplete);
        return RunningProcesses.Snapshot()
            .Select(p => (p.Id, p.Name, Text: p.Id.ToString(CultureInfo.InvariantCulture)))
            .Where(p => p.Text.StartsWith(word, StringComparison.Ordinal) || (word.Length > 0 && !char.IsAsciiDigit(word[0]) && p.Name.StartsWith(word, StringComparison.OrdinalIgnoreCase)))
            .OrderBy(p => p.Id)
            .Select(p => new CompletionResult(prefix + p.Text, $"{p.Text} {p.Name}", CompletionResultType.ParameterValue, $"{p.Name} (process id {p.Text})"));
    }
}

/// <summary>Completes the ids of this session's trace sessions for <c>-Id</c>; the tooltip says what each traces and its state.</summary>
public sealed class TraceSessionIdCompleter : IArgumentCompleter
{
    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var (prefix, word, _) = CompletionText.Split(wordToComplete);
        return TraceSession.All
            .Select(s => (Session: s, Text: s.Id.ToString(CultureInfo.InvariantCulture)))
            .Where(s => s.Text.StartsWith(word, StringComparison.Ordinal))
            .Select(s => new CompletionResult(prefix + s.Text, $"{s.Text} {s.Session.State}: {s.Session.Command}", CompletionResultType.ParameterValue,
                $"Session {s.Text} ({s.Session.State}): {s.Session.Command}"));
    }
}

/// <summary>The running processes' ids and names, read once per completion.</summary>
internal static class RunningProcesses
{
    public static List<(int Id, string Name)> Snapshot()
    {
        var list = new List<(int, string)>();
        foreach (var p in Process.GetProcesses())
        {
            using (p)
            {
                try
                {
                    list.Add((p.Id, p.ProcessName));
                }
                catch (InvalidOperationException)
                {
                    // It exited while we listed it.
                }
            }
        }

        return list;
    }
}
