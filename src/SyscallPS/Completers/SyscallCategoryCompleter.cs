using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace SyscallPS.Commands;

/// <summary>Completes <see cref="SyscallCategory"/> names for <c>-Category</c> parameters; comma-list aware.</summary>
public sealed class SyscallCategoryCompleter : IArgumentCompleter
{
    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var (prefix, word, quote) = CompletionText.Split(wordToComplete);
        var pattern = WildcardPattern.HasWildcards(word) ? word : word + "*";
        var current = SyscallTable.Current;
        foreach (var name in Enum.GetNames<SyscallCategory>().Where(n => WildcardPattern.IsMatch(n, pattern)))
        {
            var category = Enum.Parse<SyscallCategory>(name);
            int count = current.All.Count(s => s.IsIn(category));
            yield return new CompletionResult(CompletionText.Join(prefix, name, quote), name, CompletionResultType.ParameterValue, $"{name}: {count} syscalls on {current.Architecture}");
        }
    }
}

/// <summary>Completes the architectures of the syscall table for <c>-Architecture</c>.</summary>
public sealed class SyscallArchitectureCompleter : IArgumentCompleter
{
    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var (prefix, word, quote) = CompletionText.Split(wordToComplete);
        return SyscallTable.Architectures
            .Where(a => a.StartsWith(word, StringComparison.OrdinalIgnoreCase))
            .Select(a => new CompletionResult(CompletionText.Join(prefix, a, quote), a, CompletionResultType.ParameterValue, a));
    }
}
