using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using SyscallPS.Decoding;
using SyscallPS.Decoding.Tables;
using Xunit;
using Xunit.Abstractions;

namespace SyscallPS.Tests.Decoding;

/// <summary>
/// Compares the decoders with real strace: the fixture tests/fixtures/decode_conformance.c makes raw syscalls
/// with every pointer into one fixed region and dumps it; strace -e raw=all gives the registers, plain strace the
/// expected text; the registers are decoded with the dump as tracee memory. ASLR is off (setarch -R) so both
/// runs see the same addresses.
/// </summary>
public sealed class StraceConformanceTests
{
    private const ulong Region = 0x10000000;
    private readonly ITestOutputHelper _output;

    public StraceConformanceTests(ITestOutputHelper output) => _output = output;

    /// <summary>Lines whose difference from strace is known and explained; everything else must match exactly.</summary>
    private static readonly Dictionary<string, string> KnownDifferences = new(StringComparer.Ordinal)
    {
    };

    [SkippableFact]
    public void DecodedLinesMatchStrace()
    {
        var fixture = FixturePath("decode_conformance.c");
        Skip.If(fixture is null, "tests/fixtures/decode_conformance.c not found");
        Skip.If(!OnPath("gcc") || !OnPath("strace") || !OnPath("setarch"), "needs gcc, strace and setarch");
        Skip.If(SyscallTable.CurrentArchitecture != "x86_64", "the fixture's structure layouts are x86_64");

        var dir = Directory.CreateTempSubdirectory("syscallps-decode-");
        try
        {
            string exe = Path.Combine(dir.FullName, "conf");
            Run("gcc", ["-O0", "-o", exe, fixture!]);
            string work = Directory.CreateDirectory(Path.Combine(dir.FullName, "w")).FullName;
            string rawTrace = Path.Combine(dir.FullName, "raw.txt");
            string prettyTrace = Path.Combine(dir.FullName, "pretty.txt");
            string dump = Path.Combine(dir.FullName, "dump.bin");
            Run("setarch", ["-R", "strace", "-f", "-qq", "-e", "raw=all", "-o", rawTrace, exe, dump, work]);
            var dumpBytes = File.ReadAllBytes(dump);
            Run("setarch", ["-R", "strace", "-f", "-qq", "-o", prettyTrace, exe, dump, work]);

            var raw = Between(File.ReadAllLines(rawTrace));
            var pretty = Between(File.ReadAllLines(prettyTrace));
            Assert.Equal(pretty.Count, raw.Count);

            var memory = new FakeTraceeMemory();
            memory.Map(Region, dumpBytes);
            var names = new HashSet<string>(StringComparer.Ordinal);
            int same = 0;
            var failures = new List<string>();
            for (int i = 0; i < raw.Count; i++)
            {
                var (name, args, ret) = ParseRaw(raw[i]);
                names.Add(name);
                string ours = DecodeHarness.Line(name, args, ret, memory);
                string theirs = NormalizePretty(pretty[i]);
                if (ours == theirs)
                {
                    same++;
                }
                else if (KnownDifferences.TryGetValue(theirs, out var why))
                {
                    _output.WriteLine("known difference: " + theirs + "  (" + why + ")");
                }
                else
                {
                    failures.Add("strace: " + theirs + "\n   ours: " + ours);
                }
            }

            _output.WriteLine($"identical {same}/{raw.Count} lines, {names.Count} distinct syscalls");

            // Raw mode must print what strace -e raw=all printed.
            var rawOptions = new DecodeOptions { Raw = true };
            foreach (var line in raw)
            {
                var (name, args, ret) = ParseRaw(line);
                string ours = DecodeHarness.Line(name, args, ret, memory, rawOptions);
                string theirs = NormalizePretty(line);
                if (ours != theirs)
                {
                    failures.Add("strace raw: " + theirs + "\n   ours raw: " + ours);
                }
            }

            foreach (var f in failures)
            {
                _output.WriteLine(f);
            }

            Assert.True(names.Count >= 60, $"the fixture should cover at least 60 syscalls, covers {names.Count}");
            Assert.True(failures.Count == 0, string.Join("\n", failures));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static List<string> Between(string[] lines)
    {
        var result = new List<string>();
        bool inside = false;
        foreach (var line in lines)
        {
            // strace -f prints "PID  " first.
            var text = Regex.Replace(line, @"^\d+\s+", string.Empty);
            if (text.StartsWith("close(-12345)", StringComparison.Ordinal) || text.StartsWith("close(0xffffcfc7)", StringComparison.Ordinal))
            {
                inside = true;
                continue;
            }

            if (text.StartsWith("close(-12346)", StringComparison.Ordinal) || text.StartsWith("close(0xffffcfc6)", StringComparison.Ordinal))
            {
                break;
            }

            if (inside && !text.StartsWith("---", StringComparison.Ordinal) && !text.StartsWith("+++", StringComparison.Ordinal))
            {
                result.Add(text);
            }
        }

        return result;
    }

    private static string NormalizePretty(string line)
    {
        var m = Regex.Match(line, @"^(.*\))\s+= (.*)$");
        return m.Success ? m.Groups[1].Value + " = " + m.Groups[2].Value : line;
    }

    private static (string Name, ulong[] Args, long Ret) ParseRaw(string line)
    {
        var m = Regex.Match(line, @"^(\w+)\((.*)\)\s+= (.*)$");
        Assert.True(m.Success, "cannot parse raw line: " + line);
        var args = new ulong[6];
        var parts = m.Groups[2].Value.Split(", ", StringSplitOptions.RemoveEmptyEntries);
        for (int i = 0; i < parts.Length && i < 6; i++)
        {
            args[i] = ParseNumber(parts[i]);
        }

        string retText = m.Groups[3].Value;
        long ret;
        var err = Regex.Match(retText, @"^(?:-1|\?) (E\w+)");
        if (err.Success)
        {
            var errno = Array.Find(ErrnoTable.Entries, e => e.Name == err.Groups[1].Value);
            Assert.True(errno.Value != 0, "unknown errno " + err.Groups[1].Value);
            ret = -errno.Value;
        }
        else
        {
            ret = (long)ParseNumber(retText.Split(' ')[0]);
        }

        return (m.Groups[1].Value, args, ret);
    }

    private static ulong ParseNumber(string s) =>
        s.StartsWith("0x", StringComparison.Ordinal)
            ? ulong.Parse(s.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture)
            : unchecked((ulong)long.Parse(s, CultureInfo.InvariantCulture));

    internal static string? FixturePath(string name)
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            var candidate = Path.Combine(d.FullName, "tests", "fixtures", name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    internal static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Any(p => File.Exists(Path.Combine(p, program)));

    private static void Run(string program, string[] args)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        string err = p.StandardError.ReadToEnd();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, program + " failed: " + err);
    }
}
