using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace SyscallPS.Commands;

/// <summary>
/// Completes syscall names from the syscall table, for <c>-Name</c> and <c>-Syscall</c> parameters.
/// Aware of comma lists (<c>open,rea&lt;Tab&gt;</c>) and of an <c>-Architecture</c> already on the command line.
/// </summary>
public sealed class SyscallNameCompleter : IArgumentCompleter
{
    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var (prefix, word, quote) = CompletionText.Split(wordToComplete);
        var table = TableFor(fakeBoundParameters);
        var pattern = WildcardPattern.HasWildcards(word) ? word : word + "*";
        foreach (var info in table.Match(pattern).OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            string tooltip = $"{info.Number}: {info.Signature}" + (info.Advice != null ? Environment.NewLine + info.Advice : string.Empty);
            yield return new CompletionResult(CompletionText.Join(prefix, info.Name, quote), info.Name, CompletionResultType.ParameterValue, tooltip);
        }
    }

    private static SyscallTable TableFor(IDictionary? fakeBoundParameters)
    {
        if (fakeBoundParameters?["Architecture"] is { } arch)
        {
            string name = (arch is PSObject pso ? pso.BaseObject : arch).ToString() ?? string.Empty;
            string? known = SyscallTable.Architectures.FirstOrDefault(a => string.Equals(a, name, StringComparison.OrdinalIgnoreCase));
            if (known != null)
            {
                return SyscallTable.For(known);
            }
        }

        return SyscallTable.Current;
    }
}

/// <summary>Splits and rebuilds the word being completed so completers work inside comma lists and quotes.</summary>
internal static class CompletionText
{
    /// <summary>"open,'rea" -> ("open,", "rea", "'").</summary>
    public static (string Prefix, string Word, string Quote) Split(string? wordToComplete)
    {
        string text = wordToComplete ?? string.Empty;
        int comma = text.LastIndexOf(',');
        string prefix = comma >= 0 ? text[..(comma + 1)] : string.Empty;
        string word = text[(comma + 1)..].TrimStart();
        string quote = string.Empty;
        if (word.Length > 0 && (word[0] == '\'' || word[0] == '"'))
        {
            quote = word[0].ToString();
            word = word[1..].TrimEnd(word[0]);
        }

        return (prefix, word, quote);
    }

    /// <summary>The completion text: the untouched prefix plus the (re-quoted) value.</summary>
    public static string Join(string prefix, string value, string quote) => prefix + quote + value + quote;
}
