using System.Text.Json;
using System.Text.Json.Serialization;
using SyscallPS.Tracing;

namespace SyscallPS.Capture;

/// <summary>
/// Capture format version 1: JSON Lines, a header line then one event per line, every field of
/// <see cref="SyscallEvent"/> kept. <c>-OutFile</c> writes version 2 (<see cref="CaptureWriter"/>); version 1 is
/// still read, and is what <c>Export-SyscallEvent -Format JsonLines</c> writes, for jq and other line tools.
/// </summary>
public static class CaptureFile
{
    /// <summary>The format name in the header.</summary>
    public const string FormatName = CaptureSchema.FormatName;

    /// <summary>The JSON Lines format's version.</summary>
    public const int JsonLinesVersion = 1;

    private static JsonSerializerOptions Options => CaptureHeader.Json;

    /// <summary>Reads every event of a capture file of either version, lazily; damaged v2 blocks are skipped silently.</summary>
    /// <exception cref="TraceException">CaptureNotFound, CaptureNotReadable, or InvalidCaptureFile.</exception>
    public static IEnumerable<SyscallEvent> Read(string path)
    {
        using var reader = CaptureReader.Open(path);
        foreach (var e in reader.ReadEvents())
        {
            yield return e;
        }
    }

    /// <summary>Writes the JSON Lines header line.</summary>
    internal static void WriteHeader(TextWriter writer, string engine, string command)
    {
        var header = new CaptureHeader
        {
            Format = FormatName,
            Version = JsonLinesVersion,
            Architecture = SyscallTable.CurrentArchitecture,
            HostName = Environment.MachineName,
            Engine = engine,
            Command = command,
            Created = DateTime.Now,
        };
        writer.WriteLine(JsonSerializer.Serialize(header, Options));
    }

    /// <summary>Reads the header line of a version 1 file.</summary>
    internal static CaptureHeader ReadHeader(FileStream stream, string path)
    {
        using var reader = new StreamReader(stream, System.Text.Encoding.UTF8, false, 4096, leaveOpen: true);
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

        if (header.Version != JsonLinesVersion)
        {
            throw Invalid(path, $"'{path}' says it is a version {header.Version} capture in JSON Lines; only version 1 is JSON Lines.");
        }

        return header;
    }

    /// <summary>The events of a version 1 file, after its header line.</summary>
    /// <exception cref="TraceException">InvalidCaptureFile at a damaged line (named in the message), or CaptureNotReadable.</exception>
    internal static IEnumerable<SyscallEvent> ReadEvents(FileStream stream, string path)
    {
        stream.Position = 0;
        using var reader = new StreamReader(stream, System.Text.Encoding.UTF8, false, 16 << 10, leaveOpen: true);
        ReadLine(reader, path);
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

    /// <summary>The on-disk shape of an event: the event's own properties, arguments as name/type/raw/text.</summary>
    private sealed class CapturedEvent
    {
        public SyscallEventKind Kind { get; set; }

        public DateTime Timestamp { get; set; }

        public long MonotonicNanoseconds { get; set; }

        public int ProcessId { get; set; }

        public int ThreadId { get; set; }

        public string? ProcessName { get; set; }

        public string? ThreadName { get; set; }

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

        public int? ParentProcessId { get; set; }

        public string? CommandLine { get; set; }

        public string? ExecutablePath { get; set; }

        public int? UserId { get; set; }

        public string? UserName { get; set; }

        public int? VirtualProcessId { get; set; }

        public string? ContainerId { get; set; }

        public string? Cgroup { get; set; }

        public bool? ServerIsLocal { get; set; }

        public int? Cpu { get; set; }

        public static CapturedEvent From(SyscallEvent e) => new()
        {
            Kind = e.Kind,
            Timestamp = e.Timestamp,
            MonotonicNanoseconds = e.MonotonicNanoseconds,
            ProcessId = e.ProcessId,
            ThreadId = e.ThreadId,
            ProcessName = e.ProcessName,
            ThreadName = string.Equals(e.ThreadName, e.ProcessName, StringComparison.Ordinal) ? null : e.ThreadName,
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
            ParentProcessId = e.ParentProcessId,
            CommandLine = e.CommandLine,
            ExecutablePath = e.ExecutablePath,
            UserId = e.UserId,
            UserName = e.UserName,
            VirtualProcessId = e.VirtualProcessId,
            ContainerId = e.ContainerId,
            Cgroup = e.Cgroup,
            ServerIsLocal = e.LocalPort is null ? null : e.ServerIsLocal,
            Cpu = e.Cpu,
        };

        public SyscallEvent ToEvent() => new()
        {
            Kind = Kind,
            Timestamp = Timestamp,
            MonotonicNanoseconds = MonotonicNanoseconds,
            ProcessId = ProcessId,
            ThreadId = ThreadId,
            ProcessName = ProcessName ?? string.Empty,
            ThreadName = ThreadName ?? ProcessName ?? string.Empty,
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
            Context = ParentProcessId is null && CommandLine is null && ExecutablePath is null && UserId is null && UserName is null
                && VirtualProcessId is null && ContainerId is null && Cgroup is null
                ? null
                : new Tracing.ProcessContext(ParentProcessId, CommandLine, ExecutablePath, UserId, UserName, VirtualProcessId, ContainerId, Cgroup),
            ServerIsLocal = ServerIsLocal,
            Cpu = Cpu,
        };
    }

    /// <summary>An argument on disk; string values (paths) are kept, other values come back as the raw number.</summary>
    private sealed record CapturedArgument(string Name, string CType, ulong Raw, string? StringValue, string Text);
}
