using System.Diagnostics;
using SyscallPS.Tracing;
using Xunit;

namespace SyscallPS.Tests.Tracing;

/// <summary>Process context read from /proc, and what stands in when /proc no longer has it.</summary>
public class ProcessContextTests
{
    /// <summary>
    /// A process that has ended but is not reaped yet (a zombie) keeps its /proc folder without a command line or an
    /// exe link (as does one still exiting, between releasing its memory and becoming a zombie): the command line and
    /// program of the execve that started it stand in for them.
    /// </summary>
    [Fact]
    public void AZombieTakesItsCommandLineFromItsExecve()
    {
        // The inner sleep ends first; its parent, exec'd into `sleep 5`, never reaps it.
        using var parent = Process.Start("sh", ["-c", "sleep 0.05 & exec sleep 5"]);
        try
        {
            int zombie = 0;
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(10))
            {
                var children = File.ReadAllText($"/proc/{parent.Id}/task/{parent.Id}/children").Trim();
                if (children.Length > 0 && int.TryParse(children.Split(' ')[0], out zombie)
                    && File.ReadAllText($"/proc/{zombie}/stat").Split(") ")[1].StartsWith('Z'))
                {
                    break;
                }

                zombie = 0;
                Thread.Sleep(20);
            }

            Assert.True(zombie > 0, "the child did not become a zombie");
            Assert.Equal(string.Empty, File.ReadAllText($"/proc/{zombie}/cmdline"));

            var contexts = new ProcessContexts();
            contexts.ProgramReplaced(zombie, "sleep 0.05", "/usr/bin/sleep");
            var context = contexts.Get(zombie);
            Assert.Equal("sleep 0.05", context.CommandLine);
            Assert.Equal("/usr/bin/sleep", context.ExecutablePath);
        }
        finally
        {
            parent.Kill();
            parent.WaitForExit();
        }
    }
}
