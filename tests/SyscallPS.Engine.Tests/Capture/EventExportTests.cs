using DuckDB.NET.Data;
using SyscallPS.Capture;
using Xunit;

namespace SyscallPS.Tests.Capture;

/// <summary>Export-SyscallEvent's formats, read back by DuckDB (a real Parquet and CSV reader) and by Get-SyscallEvent.</summary>
public sealed class EventExportTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("syscallps-export-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static List<(string Syscall, long Count)> Query(string sql)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<(string, long)>();
        while (reader.Read())
        {
            rows.Add((reader.GetString(0), reader.GetInt64(1)));
        }

        return rows;
    }

    private string Export(IEnumerable<SyscallEvent> events, ExportFormat format, string name, int rowGroupSize = EventExporter.DefaultRowGroupSize)
    {
        var path = Path.Combine(_dir, name);
        using var exporter = EventExporter.Create(CaptureFileAccess.OpenForWriting(path, noClobber: true, force: false), format, rowGroupSize);
        foreach (var e in events)
        {
            exporter.Write(e);
        }

        return path;
    }

    [Fact]
    public void DuckDbCountsTheSameSyscallsInParquetAndCsvAsTheTrace()
    {
        var live = CaptureFuzzTests.RecordRealTrace(Path.Combine(_dir, "real.trace"));
        var expected = live.GroupBy(e => e.Syscall).Select(g => (g.Key, (long)g.Count())).OrderBy(r => r.Key, StringComparer.Ordinal).ToList();

        // Small row groups, so that the file has several.
        var parquet = Export(live, ExportFormat.Parquet, "trace.parquet", rowGroupSize: 50);
        Assert.Equal(expected, Query($"SELECT Syscall, count(*) FROM read_parquet('{parquet}') GROUP BY Syscall ORDER BY Syscall COLLATE C"));
        Assert.True(Query($"SELECT 'groups', count(DISTINCT row_group_id) FROM parquet_metadata('{parquet}')")[0].Count > 1);

        // The same counts as Measure-SyscallEvent's aggregator (strace -c: completed calls only).
        var statistics = new SyscallPS.Analysis.SyscallStatistics();
        live.ForEach(e => statistics.Add(e));
        var measured = statistics.GetRows().Where(r => !r.IsTotal).Select(r => (r.Name, r.Calls)).OrderBy(r => r.Name, StringComparer.Ordinal).ToList();
        Assert.Equal(measured, Query($"SELECT Syscall, count(*) FROM read_parquet('{parquet}') WHERE Kind = 'Syscall' AND ReturnText <> '?' GROUP BY Syscall ORDER BY Syscall COLLATE C"));

        var csv = Export(live, ExportFormat.Csv, "trace.csv");
        Assert.Equal(expected, Query($"SELECT coalesce(Syscall, ''), count(*) FROM read_csv('{csv}', header = true) GROUP BY 1 ORDER BY 1 COLLATE C"));
    }

    [Fact]
    public void ParquetColumnsAreTyped()
    {
        var live = CaptureFuzzTests.RecordRealTrace(Path.Combine(_dir, "real.trace"));
        var parquet = Export(live, ExportFormat.Parquet, "typed.parquet");
        var types = Query($"SELECT column_name, 0 FROM (DESCRIBE SELECT * FROM read_parquet('{parquet}'))").Select(r => r.Syscall).ToList();
        Assert.Equal(EventExporter.Columns.Select(c => c.Name), types);

        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('{parquet}'))";
        using var reader = command.ExecuteReader();
        var typeOf = new Dictionary<string, string>();
        while (reader.Read())
        {
            typeOf[reader.GetString(0)] = reader.GetString(1);
        }

        Assert.StartsWith("TIMESTAMP", typeOf["Timestamp"], StringComparison.Ordinal);
        Assert.Equal("INTEGER", typeOf["ProcessId"]);
        Assert.Equal("INTEGER", typeOf["Fd"]);
        Assert.Equal("BIGINT", typeOf["ReturnValue"]);
        Assert.Equal("BIGINT", typeOf["DurationNanoseconds"]);
        Assert.Equal("VARCHAR", typeOf["Arguments"]);

        // The first event's wall time, to the microsecond.
        command.CommandText = $"SELECT epoch_us(Timestamp) FROM read_parquet('{parquet}') LIMIT 1";
        long micros = (long)command.ExecuteScalar()!;
        Assert.Equal((live[0].Timestamp.ToUniversalTime() - DateTime.UnixEpoch).Ticks / 10, micros);
    }

    [Fact]
    public void JsonLinesExportsReadBackAsCaptures()
    {
        var live = CaptureFuzzTests.RecordRealTrace(Path.Combine(_dir, "real.trace"));
        var jsonl = Export(live, ExportFormat.JsonLines, "trace.jsonl");
        Assert.Equal(live.Select(CaptureFile.Serialize), CaptureFile.Read(jsonl).Select(CaptureFile.Serialize));
        Assert.Equal(ExportFormat.Parquet, EventExporter.FormatOf("x.PARQUET"));
        Assert.Equal(ExportFormat.JsonLines, EventExporter.FormatOf("x.ndjson"));
        Assert.Null(EventExporter.FormatOf("x.trace"));
    }
}
