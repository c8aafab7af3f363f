using System.Diagnostics;

namespace SyscallPS.Tests;

/// <summary>The C fixture programs of tests/fixtures, compiled on first use when a C compiler exists.</summary>
internal static class Fixtures
{
    private static readonly object Gate = new();

    internal static string RepoRoot { get; } = FindRepoRoot();

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "SyscallPS.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("SyscallPS.sln not found above the test directory.");
    }

    /// <summary>The compiler the fixtures are built with, or null when the machine has none.</summary>
    internal static string? Compiler { get; } =
        new[] { "/usr/bin/gcc", "/usr/bin/cc", "/usr/local/bin/gcc" }.FirstOrDefault(File.Exists);

    /// <summary>The path of a compiled fixture; Skip() the test when it cannot be built.</summary>
    internal static string Path(string name)
    {
        var source = System.IO.Path.Combine(RepoRoot, "tests", "fixtures", name + ".c");
        var binary = System.IO.Path.Combine(RepoRoot, "tests", "fixtures", "bin", name);
        lock (Gate)
        {
            if (File.Exists(binary) && File.GetLastWriteTimeUtc(binary) >= File.GetLastWriteTimeUtc(source))
            {
                return binary;
            }

            Xunit.Skip.If(Compiler is null, "No C compiler on this machine to build the fixture " + name + " (apt-get install gcc).");
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(binary)!);
            // A fixture may ask for extra flags on a line "// cflags: ...", as build.ps1 reads them.
            var extra = File.ReadLines(source).Select(l => System.Text.RegularExpressions.Regex.Match(l, @"^\s*//\s*cflags:\s*(.+)$"))
                .Where(m => m.Success).SelectMany(m => m.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries));
            using var gcc = Process.Start(new ProcessStartInfo(Compiler!, ["-O2", "-pthread", "-o", binary, source, .. extra]) { RedirectStandardError = true })!;
            var err = gcc.StandardError.ReadToEnd();
            gcc.WaitForExit();
            if (gcc.ExitCode != 0)
            {
                throw new InvalidOperationException($"Building fixture {name} failed: {err}");
            }

            return binary;
        }
    }

    /// <summary>
    /// Starts a fixture detached (through sh, so its parent is not this process: a .NET child cannot be
    /// attached to from its own parent), for attach tests.
    /// </summary>
    internal static Detached Start(string name, params string[] args)
    {
        var command = string.Join(' ', new[] { Path(name) }.Concat(args)) + " >/dev/null 2>&1 & echo $!";
        using var sh = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", command]) { RedirectStandardOutput = true })!;
        int pid = int.Parse(sh.StandardOutput.ReadLine()!, System.Globalization.CultureInfo.InvariantCulture);
        sh.WaitForExit();

        // Give the program time to reach its steady state (threads created, loop entered).
        Thread.Sleep(150);
        return new Detached(pid);
    }

    /// <summary>A process that is not this process's child.</summary>
    internal sealed class Detached(int pid) : IDisposable
    {
        internal int Id => pid;

        internal bool HasExited => !Directory.Exists($"/proc/{pid}") || TraceHelper.ProcState(pid).State == 'Z';

        internal void Kill() => Tmds.Linux.LibC.kill(pid, 9);

        public void Dispose() => Kill();
    }
}
