using System.Globalization;
using System.Text;
using Parquet;
using Parquet.Schema;

namespace SyscallPS.Capture;

/// <summary>The file formats of <c>Export-SyscallEvent</c>.</summary>
public enum ExportFormat
{
    /// <summary>Apache Parquet with typed columns in row groups (DuckDB, Spark, Trino, ClickHouse, pandas).</summary>
    Parquet,

    /// <summary>A version 1 capture: a header line, then one JSON object per event; Get-SyscallEvent -Path reads it.</summary>
    JsonLines,

    /// <summary>RFC 4180 CSV with a header row, the same columns as Parquet.</summary>
    Csv,
}

/// <summary>
/// Writes events to an analysis format. Parquet and CSV share one column table (<see cref="Columns"/>), so a new
/// column appears in both; JSON Lines keeps every field.
/// </summary>
public abstract class EventExporter : IDisposable
{
    /// <summary>Rows per Parquet row group: the exporter holds one group in memory.</summary>
    public const int DefaultRowGroupSize = 100_000;

    /// <summary>The columns of Parquet and CSV exports, in order.</summary>
    internal static readonly ExportColumn[] Columns =
    [
        new TimeColumn("Timestamp", e => e.Timestamp),
        new TextColumn("Kind", e => e.Kind.ToString()),
        new ValueColumn<int>("ProcessId", e => e.ProcessId),
        new ValueColumn<int>("ThreadId", e => e.ThreadId),
        new TextColumn("ProcessName", e => e.ProcessName),
        new TextColumn("Syscall", e => e.Syscall),
        new ValueColumn<int>("Number", e => e.Number),
        new TextColumn("Category", e => e.Category.ToString()),
        new TextColumn("Arguments", e => e.Arguments.Count == 0 ? null : e.Arguments.ToString()),
        new ValueColumn<long>("ReturnValue", e => e.ReturnValue),
        new TextColumn("ReturnText", e => e.ReturnText),
        new TextColumn("Errno", e => e.Errno),
        new ValueColumn<long>("DurationNanoseconds", e => e.Duration.Ticks * 100),
        new TextColumn("Path", e => e.Path),
        new TextColumn("TargetPath", e => e.TargetPath),
        new NullableColumn<int>("Fd", e => e.Fd),
        new TextColumn("FdName", e => e.FdName),
        new TextColumn("FdType", e => e.FdType?.ToString()),
        new TextColumn("LocalAddress", e => e.LocalAddress),
        new NullableColumn<int>("LocalPort", e => e.LocalPort),
        new TextColumn("RemoteAddress", e => e.RemoteAddress),
        new NullableColumn<int>("RemotePort", e => e.RemotePort),
        new TextColumn("Signal", e => e.Signal),
        new NullableColumn<int>("ExitCode", e => e.ExitCode),
        new NullableColumn<int>("ChildProcessId", e => e.ChildProcessId),
        new ValueColumn<long>("LostCount", e => e.LostCount),
        new ValueColumn<long>("MonotonicNanoseconds", e => e.MonotonicNanoseconds),
        new TextColumn("ThreadName", e => e.ThreadName),
        new NullableColumn<int>("ParentProcessId", e => e.ParentProcessId),
        new TextColumn("CommandLine", e => e.CommandLine),
        new NullableColumn<int>("UserId", e => e.UserId),
        new TextColumn("UserName", e => e.UserName),
        new TextColumn("ContainerId", e => e.ContainerId),
        new TextColumn("ServerAddress", e => e.ServerAddress),
        new NullableColumn<int>("ServerPort", e => e.ServerPort),
        new TextColumn("ClientAddress", e => e.ClientAddress),
        new NullableColumn<int>("ClientPort", e => e.ClientPort),
        new NullableColumn<int>("Cpu", e => e.Cpu),
    ];

    /// <summary>Events written.</summary>
    public long Count { get; protected set; }

    /// <summary>An exporter writing <paramref name="format"/> to <paramref name="stream"/>, which it owns.</summary>
    public static EventExporter Create(Stream stream, ExportFormat format, int rowGroupSize = DefaultRowGroupSize) => format switch
    {
        ExportFormat.Parquet => new ParquetExporter(stream, rowGroupSize),
        ExportFormat.JsonLines => new JsonLinesExporter(stream),
        _ => new CsvExporter(stream),
    };

    /// <summary>Opens <paramref name="path"/> under Out-File's rules (see <see cref="CaptureOutput"/>) and creates an exporter on it.</summary>
    /// <exception cref="Tracing.TraceException">The file may not or cannot be written.</exception>
    public static EventExporter Create(string path, ExportFormat format, bool noClobber, bool force, int rowGroupSize = DefaultRowGroupSize) =>
        Create(CaptureFileAccess.OpenForWriting(path, noClobber, force), format, rowGroupSize);

    /// <summary>The format a file name asks for (<c>.parquet</c>, <c>.csv</c>, <c>.jsonl</c>/<c>.ndjson</c>/<c>.json</c>), or null.</summary>
    public static ExportFormat? FormatOf(string path) => System.IO.Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".parquet" => ExportFormat.Parquet,
        ".csv" => ExportFormat.Csv,
        ".jsonl" or ".ndjson" or ".json" => ExportFormat.JsonLines,
        _ => null,
    };

    /// <summary>Writes one event.</summary>
    public abstract void Write(SyscallEvent e);

    /// <summary>Writes what is buffered and closes the file.</summary>
    public abstract void Dispose();

    private sealed class JsonLinesExporter : EventExporter
    {
        private readonly StreamWriter _writer;

        public JsonLinesExporter(Stream stream)
        {
            _writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16);
            CaptureFile.WriteHeader(_writer, string.Empty, "Export-SyscallEvent");
        }

        public override void Write(SyscallEvent e)
        {
            _writer.WriteLine(CaptureFile.Serialize(e));
            Count++;
        }

        public override void Dispose() => _writer.Dispose();
    }

    private sealed class CsvExporter : EventExporter
    {
        private readonly StreamWriter _writer;

        public CsvExporter(Stream stream)
        {
            _writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16);
            _writer.WriteLine(string.Join(',', Columns.Select(c => c.Name)));
        }

        public override void Write(SyscallEvent e)
        {
            for (int i = 0; i < Columns.Length; i++)
            {
                if (i > 0)
                {
                    _writer.Write(',');
                }

                WriteCell(Columns[i].Text(e));
            }

            _writer.WriteLine();
            Count++;
        }

        public override void Dispose() => _writer.Dispose();

        private void WriteCell(string? cell)
        {
            if (cell is null)
            {
                return;
            }

            if (cell.AsSpan().IndexOfAny(",\"\r\n") < 0)
            {
                _writer.Write(cell);
                return;
            }

            _writer.Write('"');
            _writer.Write(cell.Replace("\"", "\"\"", StringComparison.Ordinal));
            _writer.Write('"');
        }
    }

    private sealed class ParquetExporter : EventExporter
    {
        private readonly Stream _stream;
        private readonly ParquetWriter _writer;
        private readonly List<SyscallEvent> _rows;
        private readonly int _rowGroupSize;

        public ParquetExporter(Stream stream, int rowGroupSize)
        {
            _stream = stream;
            _rowGroupSize = rowGroupSize;
            _rows = new List<SyscallEvent>(Math.Min(rowGroupSize, 1 << 16));
            var options = new ParquetOptions { CompressionMethod = CompressionMethod.Zstd };
            _writer = ParquetWriter.CreateAsync(new ParquetSchema(Columns.Select(c => c.Field)), stream, options).GetAwaiter().GetResult();
            _writer.CustomMetadata = new Dictionary<string, string> { ["created_by_syscallps"] = CaptureSchema.FormatName };
        }

        public override void Write(SyscallEvent e)
        {
            _rows.Add(e);
            Count++;
            if (_rows.Count >= _rowGroupSize)
            {
                Flush();
            }
        }

        public override void Dispose()
        {
            try
            {
                Flush();
                _writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
            finally
            {
                _stream.Dispose();
            }
        }

        private void Flush()
        {
            if (_rows.Count == 0)
            {
                return;
            }

            using (var group = _writer.CreateRowGroup())
            {
                foreach (var column in Columns)
                {
                    column.WriteAsync(group, _rows).GetAwaiter().GetResult();
                }

                group.CompleteValidate();
            }

            _rows.Clear();
        }
    }
}

/// <summary>One column of Parquet and CSV exports.</summary>
internal abstract class ExportColumn(string name)
{
    public string Name { get; } = name;

    public abstract DataField Field { get; }

    public abstract string? Text(SyscallEvent e);

    public abstract Task WriteAsync(ParquetRowGroupWriter group, List<SyscallEvent> rows);
}

/// <summary>A non-null number column (INT32, INT64).</summary>
internal sealed class ValueColumn<T>(string name, Func<SyscallEvent, T> get) : ExportColumn(name)
    where T : struct, IFormattable
{
    public override DataField Field { get; } = new DataField<T>(name);

    public override string? Text(SyscallEvent e) => get(e).ToString(null, CultureInfo.InvariantCulture);

    public override Task WriteAsync(ParquetRowGroupWriter group, List<SyscallEvent> rows) =>
        group.WriteAsync<T>(Field, rows.Select(get).ToArray().AsMemory());
}

/// <summary>A nullable number column.</summary>
internal sealed class NullableColumn<T>(string name, Func<SyscallEvent, T?> get) : ExportColumn(name)
    where T : struct, IFormattable
{
    public override DataField Field { get; } = new DataField<T?>(name);

    public override string? Text(SyscallEvent e) => get(e)?.ToString(null, CultureInfo.InvariantCulture);

    public override Task WriteAsync(ParquetRowGroupWriter group, List<SyscallEvent> rows) =>
        group.WriteAsync<T>(Field, rows.Select(get).ToArray().AsMemory());
}

/// <summary>A nullable UTF-8 string column.</summary>
internal sealed class TextColumn(string name, Func<SyscallEvent, string?> get) : ExportColumn(name)
{
    public override DataField Field { get; } = new DataField<string>(name, nullable: true);

    public override string? Text(SyscallEvent e) => get(e);

    public override Task WriteAsync(ParquetRowGroupWriter group, List<SyscallEvent> rows) =>
        group.WriteAsync(Field, rows.Select(get).ToArray()!);
}

/// <summary>A TIMESTAMP column (microseconds, UTC); CSV shows ISO 8601 with the offset.</summary>
internal sealed class TimeColumn(string name, Func<SyscallEvent, DateTime> get) : ExportColumn(name)
{
    public override DataField Field { get; } = new DateTimeDataField(name, DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Micros);

    public override string? Text(SyscallEvent e) => get(e).ToString("o", CultureInfo.InvariantCulture);

    public override Task WriteAsync(ParquetRowGroupWriter group, List<SyscallEvent> rows) =>
        group.WriteAsync<DateTime>(Field, rows.Select(e => get(e).ToUniversalTime()).ToArray().AsMemory());
}
