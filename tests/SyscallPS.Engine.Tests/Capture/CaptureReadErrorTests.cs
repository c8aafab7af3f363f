using System.Diagnostics;
using SyscallPS.Capture;
using SyscallPS.Tracing;
using Xunit;

namespace SyscallPS.Tests.Capture;

/// <summary>
/// Issue 13.6: a capture that cannot be read gives one of three stable ids at once (CaptureNotFound,
/// CaptureNotReadable, InvalidCaptureFile), never a raw .NET exception or a read that does not end.
/// </summary>
public sealed class CaptureReadErrorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("syscallps-capture-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static TraceException ReadFails(string path)
    {
        var watch = Stopwatch.StartNew();
        var error = Assert.Throws<TraceException>(() => CaptureFile.Read(path).Count());
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"Reading {path} took {watch.Elapsed} before it failed.");
        Assert.Equal(path, error.Target);
        return error;
    }

    [Fact]
    public void AMissingFileIsNotFound() =>
        Assert.Equal("CaptureNotFound", ReadFails(System.IO.Path.Combine(_dir, "missing.trace")).ErrorId);

    [Theory]
    [InlineData("/dev/zero")]
    [InlineData("/dev/null")]
    [InlineData("/proc/self/mem")]
    public void ADeviceOrAnUnreadableFileIsRefused(string path) =>
        Assert.Equal("CaptureNotReadable", ReadFails(path).ErrorId);

    [Fact]
    public void ADirectoryIsRefused() =>
        Assert.Equal("CaptureNotReadable", ReadFails(_dir).ErrorId);

    [Fact]
    public void AFileThatIsNotACaptureIsInvalid()
    {
        var path = System.IO.Path.Combine(_dir, "text.trace");
        File.WriteAllText(path, "hello\n");
        Assert.Equal("InvalidCaptureFile", ReadFails(path).ErrorId);
    }

    [Fact]
    public void ADamagedVersion1LineIsReportedWithItsNumber()
    {
        var path = System.IO.Path.Combine(_dir, "damaged.jsonl");
        using (var writer = EventExporter.Create(path, ExportFormat.JsonLines, noClobber: false, force: false))
        {
            writer.Write(new SyscallEvent { Syscall = "read", ProcessId = 1 });
            writer.Write(new SyscallEvent { Syscall = "write", ProcessId = 1, Data = new IoData([1, 2], 2) });
        }

        // A hex digit turned into a letter that is not one: FromHexString's FormatException before the fix.
        var lines = File.ReadAllLines(path);
        lines[2] = lines[2].Replace("\"0102\"", "\"01x2\"", StringComparison.Ordinal);
        File.WriteAllLines(path, lines);
        var error = ReadFails(path);
        Assert.Equal("InvalidCaptureFile", error.ErrorId);
        Assert.Contains("line 3", error.Message, StringComparison.Ordinal);
    }
}
