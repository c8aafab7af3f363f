using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using SyscallPS.Analysis;

namespace SyscallPS.Commands;

/// <summary>Completes the <see cref="SyscallEvent"/> properties that events can be grouped by (<c>-GroupBy</c>); comma-list aware.</summary>
public sealed class EventPropertyCompleter : IArgumentCompleter
{
    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var (prefix, word, quote) = CompletionText.Split(wordToComplete);
        var pattern = WildcardPattern.HasWildcards(word) ? word : word + "*";
        foreach (var name in SyscallStatistics.GroupableProperties.Where(n => WildcardPattern.IsMatch(n, pattern)))
        {
            yield return new CompletionResult(CompletionText.Join(prefix, name, quote), name, CompletionResultType.ParameterValue, "Group by the events' " + name);
        }
    }
}
