using System.Collections.ObjectModel;
using System.Management.Automation;

namespace SyscallPS.Commands;

/// <summary>Input files of the cmdlets: paths resolved the PowerShell way, capture files read with their errors reported.</summary>
internal static class FileInput
{
    /// <summary>
    /// The files a -Path (wildcards) or -LiteralPath names; a path that names nothing is an ObjectNotFound error
    /// with <paramref name="notFoundErrorId"/>.
    /// </summary>
    public static IEnumerable<string> Resolve(PSCmdlet cmdlet, IEnumerable<string> paths, bool literal, string notFoundErrorId, string hint)
    {
        foreach (var path in paths)
        {
            Collection<string>? files = null;
            try
            {
                if (literal)
                {
                    string file = cmdlet.GetUnresolvedProviderPathFromPSPath(path);
                    if (!File.Exists(file))
                    {
                        throw new ItemNotFoundException($"Cannot find path '{file}' because it does not exist.");
                    }

                    files = [file];
                }
                else
                {
                    files = cmdlet.GetResolvedProviderPathFromPSPath(path, out _);
                }
            }
            catch (ItemNotFoundException ex)
            {
                cmdlet.WriteError(new ErrorRecord(ex, notFoundErrorId, ErrorCategory.ObjectNotFound, path)
                {
                    ErrorDetails = new ErrorDetails(ex.Message) { RecommendedAction = hint },
                });
            }

            foreach (var file in files ?? [])
            {
                yield return file;
            }
        }
    }

    /// <summary>The events of capture files (Start-SyscallTrace -OutFile), lazily; missing or invalid files are errors.</summary>
    public static IEnumerable<SyscallEvent> ReadCaptures(PSCmdlet cmdlet, IEnumerable<string> paths)
    {
        foreach (var file in Resolve(cmdlet, paths, literal: false, "CaptureNotFound", "Check the path; capture files are written by Start-SyscallTrace -OutFile."))
        {
            using var events = Capture.CaptureFile.Read(file).GetEnumerator();
            while (true)
            {
                try
                {
                    if (!events.MoveNext())
                    {
                        break;
                    }
                }
                catch (Tracing.TraceException ex)
                {
                    cmdlet.WriteError(TraceErrors.From(ex));
                    break;
                }

                yield return events.Current;
            }
        }
    }
}
