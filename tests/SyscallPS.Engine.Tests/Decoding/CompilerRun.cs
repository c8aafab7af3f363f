using System.Diagnostics;
using Xunit;

namespace SyscallPS.Tests.Decoding;

/// <summary>Runs gcc or a program it built for the header checks, with its output and exit code.</summary>
internal static class CompilerRun
{
    /// <summary>Runs <paramref name="file"/>; returns its exit code and its standard output followed by its standard error.</summary>
    public static (int Code, string Output) Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["LC_ALL"] = "C"; // gcc's messages in ASCII, as the tests read them
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        string text = p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(120_000), file + " did not finish within two minutes");
        return (p.ExitCode, text + err.Result);
    }
}
