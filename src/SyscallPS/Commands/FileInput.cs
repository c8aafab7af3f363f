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
                    if (files.Count == 0)
                    {
                        // A wildcard that matches nothing: as likely a file name with [ ] in it as a typo.
                        throw new ItemNotFoundException($"No file matches '{path}'. For a name with wildcard characters ([ ] * ?) in it, use -LiteralPath.");
                    }
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

    /// <summary>
    /// The events of capture files (Start-SyscallTrace -OutFile), lazily, that <paramref name="filter"/> keeps (applied
    /// to the stored values, before an event is built). The files of one path are read in recording order (the parts of
    /// a rotated recording, <c>make.*.trace</c>, whatever order their names sort in). Missing or unreadable files are
    /// errors, damaged blocks warnings; large reads show progress. Several paths (one per host, say) are merged in
    /// timestamp order, so the recordings of several machines read as one timeline; each event's ComputerName says
    /// which host recorded it.
    /// </summary>
    public static IEnumerable<SyscallEvent> ReadCaptures(PSCmdlet cmdlet, IEnumerable<string> paths, Capture.EventFilter? filter = null, bool literal = false)
    {
        var recordings = paths.Select(path => ReadRecording(cmdlet, path, filter, literal)).ToList();
        return recordings.Count == 1 ? recordings[0] : Merge(recordings);
    }

    /// <summary>Merges streams that are each in timestamp order into one; ties keep the order of the streams.</summary>
    private static IEnumerable<SyscallEvent> Merge(List<IEnumerable<SyscallEvent>> streams)
    {
        var sources = new List<IEnumerator<SyscallEvent>>();
        try
        {
            var next = new PriorityQueue<int, (DateTime Time, int Stream)>();
            foreach (var stream in streams)
            {
                var source = stream.GetEnumerator();
                sources.Add(source);
                if (source.MoveNext())
                {
                    next.Enqueue(sources.Count - 1, (source.Current.Timestamp, sources.Count - 1));
                }
            }

            while (next.TryDequeue(out int i, out _))
            {
                yield return sources[i].Current;
                if (sources[i].MoveNext())
                {
                    next.Enqueue(i, (sources[i].Current.Timestamp, i));
                }
            }
        }
        finally
        {
            sources.ForEach(source => source.Dispose());
        }
    }

    /// <summary>The events of one -Path: its files, in recording order.</summary>
    private static IEnumerable<SyscallEvent> ReadRecording(PSCmdlet cmdlet, string path, Capture.EventFilter? filter, bool literal)
    {
        var readers = new List<Capture.CaptureReader>();
        try
        {
            foreach (var file in Resolve(cmdlet, [path], literal, "CaptureNotFound", "Check the path; capture files are written by Start-SyscallTrace -OutFile."))
            {
                try
                {
                    readers.Add(Capture.CaptureReader.Open(file));
                }
                catch (Tracing.TraceException ex)
                {
                    cmdlet.WriteError(TraceErrors.From(ex));
                }
            }

            readers.Sort((a, b) => (a.Header.Created, a.Header.Part).CompareTo((b.Header.Created, b.Header.Part)));
            var progress = new ReadProgress(cmdlet, readers.Sum(r => r.Length));
            foreach (var reader in readers)
            {
                using var events = reader.ReadEvents(filter, w => cmdlet.WriteWarning($"[{w.ErrorId}] {w.Message}")).GetEnumerator();
                int sinceProgress = 0;
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
                    if (++sinceProgress == 4096)
                    {
                        sinceProgress = 0;
                        progress.Update(reader);
                    }
                }

                progress.Done(reader);
            }

            progress.Complete();
        }
        finally
        {
            readers.ForEach(r => r.Dispose());
        }
    }

    /// <summary>Write-Progress for reads of large captures (8 MiB or more), through <see cref="ThrottledProgress"/>.</summary>
    private sealed class ReadProgress(PSCmdlet cmdlet, long totalBytes)
    {
        private const long LargeBytes = 8 << 20;
        private readonly ThrottledProgress _progress = new(cmdlet, 1, "Reading capture files", wanted: totalBytes >= LargeBytes);
        private long _doneBytes;

        public void Update(Capture.CaptureReader reader)
        {
            if (_progress.Due)
            {
                long done = _doneBytes + reader.Position;
                _progress.Update($"{reader.Path}: {done >> 20} of {totalBytes >> 20} MiB", (int)(done * 100 / Math.Max(1, totalBytes)));
            }
        }

        public void Done(Capture.CaptureReader reader) => _doneBytes += reader.Length;

        public void Complete() => _progress.Complete();
    }
}
