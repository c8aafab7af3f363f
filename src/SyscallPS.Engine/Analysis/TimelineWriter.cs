using System.Text.Encodings.Web;
using System.Text.Json;

namespace SyscallPS.Analysis;

/// <summary>
/// Writes events as a Chrome/Perfetto trace-event JSON file (<c>{"traceEvents":[...]}</c>, the format
/// ui.perfetto.dev, chrome://tracing and speedscope open), streaming: one event at a time, nothing kept but
/// the names of the processes and threads seen.
/// </summary>
/// <remarks>
/// Each call is a complete event (<c>"ph":"X"</c>) on its process/thread track, <c>ts</c> and <c>dur</c> in
/// microseconds from the first event written; signals, exits and kills are instant events (<c>"ph":"i"</c>), loss
/// records global instant events in the category <c>lost</c>; <c>process_name</c>/<c>thread_name</c> metadata
/// events name the tracks.
/// </remarks>
public sealed class TimelineWriter : IDisposable
{
    private const int FlushThreshold = 1 << 16;

    private static readonly JsonWriterOptions Options = new()
    {
        // strace text is full of < > & and quotes: keep it readable in the file (it is still valid JSON).
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly Stream _stream;
    private readonly Utf8JsonWriter _json;
    private readonly Dictionary<int, string> _processNames = [];
    private readonly Dictionary<int, string> _threadNames = [];
    private long? _origin;
    private long _latest;
    private DateTime _firstTimestamp;
    private bool _disposed;

    /// <summary>Starts a trace-event file on a stream (which the writer owns and closes).</summary>
    public TimelineWriter(Stream stream)
    {
        _stream = stream;
        _json = new Utf8JsonWriter(stream, Options);
        _json.WriteStartObject();
        _json.WritePropertyName("traceEvents");
        _json.WriteStartArray();
    }

    /// <summary>Trace events written (metadata included).</summary>
    public long Count { get; private set; }

    /// <summary>Calls written as complete events.</summary>
    public long CallCount { get; private set; }

    /// <summary>Events lost, from the loss records written.</summary>
    public long LostCount { get; private set; }

    /// <summary>Writes one event.</summary>
    public void Write(SyscallEvent e)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);

        // A record without a clock reading (a session's closing loss record) goes where the trace is.
        if (e.MonotonicNanoseconds != 0)
        {
            if (_origin is null)
            {
                _origin = e.MonotonicNanoseconds;
                _firstTimestamp = e.Timestamp;
            }

            _latest = e.MonotonicNanoseconds;
        }

        NameTracks(e);
        decimal ts = _origin is null ? 0 : Microseconds(_latest - _origin.Value);
        switch (e.Kind)
        {
            case SyscallEventKind.Syscall:
            case SyscallEventKind.Unfinished:
                WriteCall(e, ts);
                break;
            case SyscallEventKind.Signal:
                StartInstant(e.Signal ?? "signal", "signal", ts, e, scope: "t");
                _json.WriteString("info", e.SignalInfo);
                EndEvent();
                break;
            case SyscallEventKind.Stopped:
                StartInstant("stopped by " + e.Signal, "signal", ts, e, scope: "t");
                EndEvent();
                break;
            case SyscallEventKind.Exited:
                StartInstant("exited " + e.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture), "process", ts, e, scope: "p");
                _json.WriteNumber("exitCode", e.ExitCode ?? 0);
                EndEvent();
                break;
            case SyscallEventKind.Killed:
                StartInstant("killed by " + e.Signal, "process", ts, e, scope: "p");
                _json.WriteString("signal", e.Signal);
                EndEvent();
                break;
            case SyscallEventKind.Lost:
                LostCount += e.LostCount;
                StartInstant("lost " + e.LostCount.ToString(System.Globalization.CultureInfo.InvariantCulture) + " events", "lost", ts, e, scope: "g");
                _json.WriteNumber("lost", e.LostCount);
                EndEvent();
                break;
        }

        if (_json.BytesPending > FlushThreshold)
        {
            _json.Flush();
        }
    }

    /// <summary>Ends the JSON document and closes the stream.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _json.WriteEndArray();
        _json.WriteString("displayTimeUnit", "ns");
        _json.WritePropertyName("otherData");
        _json.WriteStartObject();
        _json.WriteString("producer", "SyscallPS");
        if (_origin is not null)
        {
            // ts 0 is the first event; this says when that was.
            _json.WriteString("startTime", _firstTimestamp.ToString("o", System.Globalization.CultureInfo.InvariantCulture));
        }

        _json.WriteEndObject();
        _json.WriteEndObject();
        _json.Flush();
        _json.Dispose();
        _stream.Dispose();
    }

    private static decimal Microseconds(long nanoseconds) => nanoseconds / 1000m;

    private void WriteCall(SyscallEvent e, decimal ts)
    {
        _json.WriteStartObject();
        _json.WriteString("name", e.Syscall);
        _json.WriteString("cat", e.Category.ToString());
        _json.WriteString("ph", "X");
        _json.WriteNumber("ts", ts);
        _json.WriteNumber("dur", Microseconds(e.Duration.Ticks * 100));
        _json.WriteNumber("pid", e.ProcessId);
        _json.WriteNumber("tid", e.ThreadId);
        _json.WritePropertyName("args");
        _json.WriteStartObject();
        _json.WriteString("call", e.ToStraceLine());
        if (e.Kind == SyscallEventKind.Unfinished)
        {
            _json.WriteBoolean("unfinished", true);
        }
        else
        {
            _json.WriteString("return", e.ReturnText);
        }

        WriteIfSet("errno", e.Errno);
        WriteIfSet("path", e.Path);
        WriteIfSet("targetPath", e.TargetPath);
        if (e.Fd is int fd)
        {
            _json.WriteNumber("fd", fd);
        }

        WriteIfSet("fdName", e.FdName);
        if (e.ChildProcessId is int child)
        {
            _json.WriteNumber("childProcessId", child);
        }

        _json.WriteEndObject();
        _json.WriteEndObject();
        Count++;
        CallCount++;
    }

    private void StartInstant(string name, string category, decimal ts, SyscallEvent e, string scope)
    {
        _json.WriteStartObject();
        _json.WriteString("name", name);
        _json.WriteString("cat", category);
        _json.WriteString("ph", "i");
        _json.WriteString("s", scope);
        _json.WriteNumber("ts", ts);
        _json.WriteNumber("pid", e.ProcessId);
        _json.WriteNumber("tid", e.ThreadId);
        _json.WritePropertyName("args");
        _json.WriteStartObject();
    }

    private void EndEvent()
    {
        _json.WriteEndObject();
        _json.WriteEndObject();
        Count++;
    }

    private void WriteIfSet(string name, string? value)
    {
        if (value is not null)
        {
            _json.WriteString(name, value);
        }
    }

    // A track is named when first seen and again when its name changes (after execve).
    private void NameTracks(SyscallEvent e)
    {
        if (e.Kind == SyscallEventKind.Lost || e.ProcessName.Length == 0)
        {
            return;
        }

        if (!_processNames.TryGetValue(e.ProcessId, out var p) || p != e.ProcessName)
        {
            _processNames[e.ProcessId] = e.ProcessName;
            WriteMetadata("process_name", e.ProcessId, e.ProcessId, e.ProcessName);
        }

        if (!_threadNames.TryGetValue(e.ThreadId, out var t) || t != e.ProcessName)
        {
            _threadNames[e.ThreadId] = e.ProcessName;
            WriteMetadata("thread_name", e.ProcessId, e.ThreadId, e.ProcessName);
        }
    }

    private void WriteMetadata(string kind, int pid, int tid, string name)
    {
        _json.WriteStartObject();
        _json.WriteString("name", kind);
        _json.WriteString("ph", "M");
        _json.WriteNumber("pid", pid);
        _json.WriteNumber("tid", tid);
        _json.WritePropertyName("args");
        _json.WriteStartObject();
        _json.WriteString("name", name);
        _json.WriteEndObject();
        _json.WriteEndObject();
        Count++;
    }
}
