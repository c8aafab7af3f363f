using SyscallPS.Capture;
using SyscallPS.Tracing;
using Xunit;

namespace SyscallPS.Tests.Capture;

/// <summary>
/// Issue 13.3: capture files are private and follow Out-File's rules (replace by default, -NoClobber refuses,
/// a read-only file or a symbolic link needs -Force), and every refusal comes before anything runs.
/// </summary>
public sealed class CaptureFileAccessTests : IDisposable
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly string _dir = Directory.CreateTempSubdirectory("syscallps-capture-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => System.IO.Path.Combine(_dir, name);

    private static void Write(CaptureOutput output)
    {
        using var writer = CaptureWriter.Create(output, "Ptrace", "test");
        writer.Write(new SyscallEvent { Syscall = "read", ProcessId = 1, ThreadId = 1 });
    }

    private static string ErrorIdOf(Action action) => Assert.Throws<TraceException>(action).ErrorId;

    [Fact]
    public void ANewCaptureIsReadableByItsOwnerOnly()
    {
        var path = PathOf("new.trace");
        Write(new CaptureOutput(path));
        Assert.Equal(Private, File.GetUnixFileMode(path));
    }

    [Fact]
    public void AReplacedCaptureBecomesPrivate()
    {
        var path = PathOf("old.trace");
        File.WriteAllText(path, "old");
        File.SetUnixFileMode(path, Private | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        Write(new CaptureOutput(path));
        Assert.Equal(Private, File.GetUnixFileMode(path));
        Assert.Single(CaptureFile.Read(path));
    }

    [Fact]
    public void NoClobberRefusesAnExistingFileAndLeavesItAlone()
    {
        var path = PathOf("kept.trace");
        File.WriteAllText(path, "precious");
        Assert.Equal("CaptureFileExists", ErrorIdOf(() => Write(new CaptureOutput(path) { NoClobber = true })));
        Assert.Equal("CaptureFileExists", ErrorIdOf(() => Write(new CaptureOutput(path) { NoClobber = true, Force = true })));
        Assert.Equal("precious", File.ReadAllText(path));

        var fresh = PathOf("fresh.trace");
        Write(new CaptureOutput(fresh) { NoClobber = true });
        Assert.Single(CaptureFile.Read(fresh));
    }

    [Fact]
    public void AReadOnlyFileIsReplacedOnlyWithForce()
    {
        var path = PathOf("readonly.trace");
        File.WriteAllText(path, "read-only");
        File.SetUnixFileMode(path, UnixFileMode.UserRead);
        Assert.Equal("CaptureFileReadOnly", ErrorIdOf(() => Write(new CaptureOutput(path))));
        Assert.Equal("read-only", File.ReadAllText(path));

        Write(new CaptureOutput(path) { Force = true });
        Assert.Single(CaptureFile.Read(path));
    }

    [Fact]
    public void ASymbolicLinkIsNotFollowedWithoutForce()
    {
        var target = PathOf("target.txt");
        File.WriteAllText(target, "not a capture");
        var link = PathOf("link.trace");
        File.CreateSymbolicLink(link, target);
        Assert.Equal("CaptureFileIsLink", ErrorIdOf(() => Write(new CaptureOutput(link))));
        Assert.Equal("not a capture", File.ReadAllText(target));

        // A dangling link would otherwise create its target.
        var dangling = PathOf("dangling.trace");
        File.CreateSymbolicLink(dangling, PathOf("nowhere"));
        Assert.Equal("CaptureFileIsLink", ErrorIdOf(() => Write(new CaptureOutput(dangling))));
        Assert.False(File.Exists(PathOf("nowhere")));

        Write(new CaptureOutput(link) { Force = true });
        Assert.NotNull(new FileInfo(link).LinkTarget);
        Assert.Single(CaptureFile.Read(target));
    }

    [Fact]
    public void ARefusalComesBeforeTheProgramIsLaunched()
    {
        var path = PathOf("exists.trace");
        File.WriteAllText(path, "precious");
        var marker = PathOf("launched");
        var request = TraceHelper.Launch("touch", marker);
        var error = Assert.Throws<TraceException>(() => TraceSession.Start(request, 0, null, output: new CaptureOutput(path) { NoClobber = true }));
        Assert.Equal("CaptureFileExists", error.ErrorId);
        Thread.Sleep(200);
        Assert.False(File.Exists(marker));
        Assert.Equal("precious", File.ReadAllText(path));
    }
}
