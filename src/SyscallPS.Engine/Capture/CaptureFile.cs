using System.Text.Json;
using System.Text.Json.Serialization;
using SyscallPS.Tracing;

namespace SyscallPS.Capture;

/// <summary>
/// SyscallPS capture files (like strace -o or sysdig -w): JSON Lines, a header line then one event per
/// line. Text so that jq, grep and Import-Csv-minded users can read them too; every field of
/// <see cref="SyscallEvent"/> survives the round trip.
/// </summary>
public static class CaptureFile
{
    /// <summary>The format name in the header line.</summary>
    public const string FormatName = "syscallps-capture";

    /// <summary>The format version this build writes and reads.</summary>
    public const int FormatVersion = 1;

    private static readonly JsonSerializerOptions Options = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>
    /// Opens a capture file for writing, with its header written. Refusals (an existing file under
    /// -NoClobber, a read-only file or a link without -Force) throw before anything is written.
    /// </summary>
    /// <exception cref="TraceException">The file may not or cannot be written.</exception>
    public static CaptureWriter Create(CaptureOutput output, string engine, string command)
    {
        var stream = CaptureFileAccess.OpenForWriting(output.Path, output.NoClobber, output.Force);
        var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), 1 << 16);
        var header = new CaptureHeader(FormatName, FormatVersion, SyscallTable.CurrentArchitecture, engine, command, DateTime.Now);
        writer.WriteLine(JsonSerializer.Serialize(header, Options));
        return new CaptureWriter(writer);
    }

    /// <summary>Reads the events of a capture file, lazily.</summary>
    /// <exception cref="TraceException">
    /// CaptureNotFound, CaptureNotReadable (a directory, a device, an I/O error), or InvalidCaptureFile (not a
    /// capture, or a damaged line: the message names the line).
    /// </exception>
    public static IEnumerable<SyscallEvent> Read(string path)
    {
        using var reader = new StreamReader(CaptureFileAccess.OpenForReading(path), System.Text.Encoding.UTF8, false, 1 << 16);
        var first = ReadLine(reader, path);
        CaptureHeader? header = null;
        try
        {
            header = first is null ? null : JsonSerializer.Deserialize<CaptureHeader>(first, Options);
        }
        catch (JsonException)
        {
        }

        if (header?.Format != FormatName)
        {
            throw Invalid(path, $"'{path}' is not a SyscallPS capture file (its first line is not a {FormatName} header).");
        }

        if (header.Version > FormatVersion)
        {
            throw Invalid(path, $"'{path}' is a version {header.Version} capture; this SyscallPS reads version {FormatVersion}.");
        }

        string? line;
        int number = 1;
        while ((line = ReadLine(reader, path)) != null)
        {
            number++;
            if (line.Length == 0)
            {
                continue;
            }

            SyscallEvent? e;
            try
            {
                e = JsonSerializer.Deserialize<CapturedEvent>(line, Options)?.ToEvent();
            }
            catch (Exception ex) when (ex is JsonException or FormatException or ArgumentException or InvalidOperationException or OverflowException)
            {
                throw Invalid(path, $"'{path}' line {number} is not a valid event: {ex.Message}", ex);
            }

            if (e is not null)
            {
                yield return e;
            }
        }
    }

    /// <summary>InvalidCaptureFile: the file is not a capture, or is damaged at the place the message names.</summary>
    internal static TraceException Invalid(string path, string message, Exception? inner = null) =>
        new("InvalidCaptureFile", TraceErrorKind.InvalidData, message,
            "Read only files written by Start-SyscallTrace -OutFile; a damaged file reads up to the damage.", path, inner);

    private static string? ReadLine(StreamReader reader, string path)
    {
        try
        {
            return reader.ReadLine();
        }
        catch (IOException ex)
        {
            throw CaptureFileAccess.NotReadable(path, ex.Message, TraceErrorKind.ReadError, ex);
        }
    }

    internal static string Serialize(SyscallEvent e) => JsonSerializer.Serialize(CapturedEvent.From(e), Options);

    private sealed record CaptureHeader(string Format, int Version, string Architecture, string Engine, string Command, DateTime Created);

    /// <summary>The on-disk shape of an event: the event's own properties, arguments as name/type/raw/text.</summary>
    private sealed class CapturedEvent
    {
        public SyscallEventKind Kind { get; set; }

        public DateTime Timestamp { get; set; }

        public long MonotonicNanoseconds { get; set; }

        public int ProcessId { get; set; }

        public int ThreadId { get; set; }

        public string? ProcessName { get; set; }

        public string? Syscall { get; set; }

        public int Number { get; set; }

        public SyscallCategory Category { get; set; }

        public CapturedArgument[]? Arguments { get; set; }

        public long ReturnValue { get; set; }

        public string? ReturnText { get; set; }

        public string? Errno { get; set; }

        public string? ErrorMessage { get; set; }

        public long DurationNanoseconds { get; set; }

        public string? Path { get; set; }

        public string? TargetPath { get; set; }

        public int? ChildProcessId { get; set; }

        public string? Signal { get; set; }

        public string? SignalInfo { get; set; }

        public int? ExitCode { get; set; }

        public long LostCount { get; set; }

        public string? DataHex { get; set; }

        public int? Fd { get; set; }

        public string? FdName { get; set; }

        public Decoding.FdType? FdType { get; set; }

        public string? LocalAddress { get; set; }

        public int? LocalPort { get; set; }

        public string? RemoteAddress { get; set; }

        public int? RemotePort { get; set; }

        public long DataLength { get; set; }

        // Null rather than false, so ordinary events carry no extra fields.
        public bool? Injected { get; set; }

        public bool? Delayed { get; set; }

        public static CapturedEvent From(SyscallEvent e) => new()
        {
            Kind = e.Kind,
            Timestamp = e.Timestamp,
            MonotonicNanoseconds = e.MonotonicNanoseconds,
            ProcessId = e.ProcessId,
            ThreadId = e.ThreadId,
            ProcessName = e.ProcessName,
            Syscall = e.Syscall.Length == 0 ? null : e.Syscall,
            Number = e.Number,
            Category = e.Category,
            Arguments = e.Arguments.Count == 0 ? null : e.Arguments.Select(a => new CapturedArgument(a.Name, a.CType, a.Raw, a.Value as string, a.Text)).ToArray(),
            ReturnValue = e.ReturnValue,
            ReturnText = e.ReturnText.Length == 0 ? null : e.ReturnText,
            Errno = e.Errno,
            ErrorMessage = e.ErrorMessage,
            DurationNanoseconds = e.Duration.Ticks * 100,
            Path = e.Path,
            TargetPath = e.TargetPath,
            ChildProcessId = e.ChildProcessId,
            Signal = e.Signal,
            SignalInfo = e.SignalInfo,
            ExitCode = e.ExitCode,
            LostCount = e.LostCount,
            DataHex = e.Data?.Hex,
            Fd = e.Fd,
            FdName = e.FdName,
            FdType = e.FdType,
            LocalAddress = e.LocalAddress,
            LocalPort = e.LocalPort,
            RemoteAddress = e.RemoteAddress,
            RemotePort = e.RemotePort,
            DataLength = e.Data?.TotalLength ?? 0,
            Injected = e.Injected ? true : null,
            Delayed = e.Delayed ? true : null,
        };

        public SyscallEvent ToEvent() => new()
        {
            Kind = Kind,
            Timestamp = Timestamp,
            MonotonicNanoseconds = MonotonicNanoseconds,
            ProcessId = ProcessId,
            ThreadId = ThreadId,
            ProcessName = ProcessName ?? string.Empty,
            Syscall = Syscall ?? string.Empty,
            Number = Number,
            Category = Category,
            Arguments = Arguments is null
                ? SyscallArgumentList.Empty
                : new SyscallArgumentList(Arguments.Select(a => new SyscallArgument(a.Name, a.CType, a.Raw, a.StringValue ?? (object)a.Raw, a.Text)).ToArray()),
            ReturnValue = ReturnValue,
            ReturnText = ReturnText ?? string.Empty,
            Errno = Errno,
            ErrorMessage = ErrorMessage,
            Duration = TimeSpan.FromTicks(DurationNanoseconds / 100),
            Path = Path,
            TargetPath = TargetPath,
            ChildProcessId = ChildProcessId,
            Signal = Signal,
            SignalInfo = SignalInfo,
            ExitCode = ExitCode,
            LostCount = LostCount,
            Data = DataHex is null ? null : new IoData(Convert.FromHexString(DataHex), DataLength),
            Fd = Fd,
            FdName = FdName,
            FdType = FdType,
            LocalAddress = LocalAddress,
            LocalPort = LocalPort,
            RemoteAddress = RemoteAddress,
            RemotePort = RemotePort,
            Injected = Injected == true,
            Delayed = Delayed == true,
        };
    }

    /// <summary>An argument on disk; string values (paths) are kept, other values come back as the raw number.</summary>
    private sealed record CapturedArgument(string Name, string CType, ulong Raw, string? StringValue, string Text);
}

/// <summary>Appends events to a capture file; thread-safe for one writer at a time.</summary>
public sealed class CaptureWriter : IDisposable
{
    private readonly StreamWriter _writer;

    internal CaptureWriter(StreamWriter writer) => _writer = writer;

    /// <summary>Events written.</summary>
    public long Count { get; private set; }

    /// <summary>Writes one event as a line.</summary>
    public void Write(SyscallEvent e)
    {
        _writer.WriteLine(CaptureFile.Serialize(e));
        Count++;
    }

    /// <inheritdoc />
    public void Dispose() => _writer.Dispose();
}
