using System.Management.Automation;
using SyscallPS.Analysis;

namespace SyscallPS.Commands;

/// <summary>
/// Feeds strace output lines to a <see cref="StraceLogParser"/> for Import-StraceLog and ConvertFrom-StraceLog:
/// writes the events, and a warning (with the line number) for each line that is not strace output.
/// </summary>
internal sealed class StraceLogInput(Cmdlet cmdlet)
{
    // A log with the program's own output mixed in could have millions of such lines: name the first ones, count the rest.
    private const int WarningsPerSource = 20;

    private readonly StraceLogParser _parser = new();
    private readonly List<SyscallEvent> _events = [];
    private string _source = string.Empty;
    private long _invalid;

    /// <summary>Starts a new input (a file, or the strings of the pipeline); -ff files give the pid of their lines without prefix.</summary>
    public void Start(string source, int? defaultProcessId)
    {
        EndSource();
        _source = source;
        _parser.StartFile(defaultProcessId);
    }

    /// <summary>Reads one line.</summary>
    public void Read(string line, long number)
    {
        if (_parser.Parse(line, _events) == StraceLineKind.Invalid)
        {
            if (++_invalid <= WarningsPerSource)
            {
                string shown = line.Length > 100 ? line[..100] + "…" : line;
                cmdlet.WriteWarning($"{_source} line {number} is not strace output: {shown}");
            }
        }

        Flush();
    }

    /// <summary>Ends the input: calls still unfinished are written as such.</summary>
    public void End()
    {
        EndSource();
        _parser.Finish(_events);
        Flush();
    }

    private void EndSource()
    {
        if (_invalid > WarningsPerSource)
        {
            cmdlet.WriteWarning($"{_source}: {_invalid - WarningsPerSource} more lines were not strace output.");
        }

        _invalid = 0;
    }

    private void Flush()
    {
        foreach (var e in _events)
        {
            cmdlet.WriteObject(e);
        }

        _events.Clear();
    }
}
