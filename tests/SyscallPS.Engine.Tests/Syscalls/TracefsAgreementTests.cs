using System.Text.RegularExpressions;
using Tmds.Linux;
using Xunit;

namespace SyscallPS.Tests.Syscalls;

/// <summary>Checks the committed table against the running kernel's syscall tracepoints.</summary>
public partial class TracefsAgreementTests
{
    private const string Tracing = "/sys/kernel/tracing";
    private const string SyscallEvents = Tracing + "/events/syscalls";

    // Tracepoints named after the kernel function where it differs from the syscall name.
    private static readonly Dictionary<string, string> TracepointAliases = new()
    {
        ["newfstat"] = "fstat", ["newstat"] = "stat", ["newlstat"] = "lstat", ["newuname"] = "uname",
        ["sendfile64"] = "sendfile", ["umount"] = "umount2",
    };

    private static string SyscallNameOf(string tracepoint) => TracepointAliases.GetValueOrDefault(tracepoint, tracepoint);

    private static string TracepointOf(string syscall) =>
        TracepointAliases.FirstOrDefault(kv => kv.Value == syscall).Key ?? syscall;

    private static IEnumerable<string> EnterTracepoints() =>
        Directory.EnumerateDirectories(SyscallEvents, "sys_enter_*").Select(d => Path.GetFileName(d)["sys_enter_".Length..]);

    private static bool TracefsReadable()
    {
        try
        {
            return Directory.Exists(SyscallEvents)
                && File.ReadAllText(Path.Combine(SyscallEvents, "sys_enter_openat", "format")).Contains("field:", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    [SkippableFact]
    public void EveryKernelTracepointHasATableEntry()
    {
        Skip.IfNot(TracefsReadable(), "tracefs syscall events are not available or not readable (needs root)");
        var table = SyscallTable.Current;
        var missing = EnterTracepoints().Select(SyscallNameOf).Where(n => !table.TryGetByName(n, out _)).ToList();
        Assert.Empty(missing);
    }

    [SkippableFact]
    public void ParametersAgreeWithTracepointFormats()
    {
        Skip.IfNot(TracefsReadable(), "tracefs syscall events are not available or not readable (needs root)");
        var table = SyscallTable.Current;
        int compared = 0;
        foreach (var tracepoint in EnterTracepoints())
        {
            var fields = File.ReadLines(Path.Combine(SyscallEvents, "sys_enter_" + tracepoint, "format"))
                .Select(l => FieldRegex().Match(l))
                .Where(m => m.Success)
                .Select(m => m.Groups[1].Value.Trim())
                .Where(f => !f.EndsWith("__syscall_nr", StringComparison.Ordinal) && !Regex.IsMatch(f, @"\bcommon_\w+$"))
                .ToList();
            Assert.True(table.TryGetByName(SyscallNameOf(tracepoint), out var info), tracepoint);
            Assert.Equal(fields.Count, info.Parameters.Count);
            for (int i = 0; i < fields.Count; i++)
            {
                Assert.EndsWith(info.Parameters[i].Name, fields[i], StringComparison.Ordinal);
                Assert.StartsWith(info.Parameters[i].CType, fields[i], StringComparison.Ordinal);
            }

            compared++;
        }

        Assert.True(compared > 300, $"compared {compared} tracepoints");
    }

    // Harmless calls: an fd that is never open (0x5ca11) or NULL pointers make each fail with EBADF/EFAULT/EINVAL
    // after the kernel has entered it, which is all the enter tracepoint needs.
    private const long Marker = 0x5ca11;

    private static readonly (string Name, long[] Args)[] Probes =
    [
        ("read", [Marker, 0, 0]), ("write", [Marker, 0, 0]), ("close", [Marker]), ("fstat", [Marker, 0]),
        ("lseek", [Marker, 0, 0]), ("ioctl", [Marker, 0, 0]), ("pread64", [Marker, 0, 0, 0]), ("pwrite64", [Marker, 0, 0, 0]),
        ("readv", [Marker, 0, 0]), ("writev", [Marker, 0, 0]), ("dup", [Marker]), ("fcntl", [Marker, 0, 0]),
        ("flock", [Marker, 0]), ("fsync", [Marker]), ("ftruncate", [Marker, 0]), ("fchdir", [Marker]),
        ("getdents64", [Marker, 0, 0]), ("connect", [Marker, 0, 0]), ("accept4", [Marker, 0, 0, 0]),
        ("sendto", [Marker, 0, 0, 0, 0, 0]), ("recvfrom", [Marker, 0, 0, 0, 0, 0]), ("sendmsg", [Marker, 0, 0]),
        ("recvmsg", [Marker, 0, 0]), ("shutdown", [Marker, 0]), ("bind", [Marker, 0, 0]), ("listen", [Marker, 0]),
        ("getsockname", [Marker, 0, 0]), ("epoll_ctl", [Marker, 0, 0, 0]), ("epoll_pwait", [Marker, 0, 1, 0, 0, 0]),
        ("openat", [Marker, 0, 0, 0]), ("newfstatat", [Marker, 0, 0, 0]), ("unlinkat", [Marker, 0, 0]),
        ("mkdirat", [Marker, 0, 0]), ("renameat2", [Marker, 0, Marker, 0, 0]), ("readlinkat", [Marker, 0, 0, 0]),
        ("faccessat2", [Marker, 0, 0, 0]), ("statx", [Marker, 0, 0, 0, 0]), ("openat2", [Marker, 0, 0, 0]),
        ("cachestat", [Marker, 0, 0, 0]), ("fchmodat2", [Marker, 0, 0, 0]), ("getxattrat", [Marker, 0, 0, 0, 0, 0]),
        ("listxattrat", [Marker, 0, 0, 0, 0, 0]), ("file_getattr", [Marker, 0, 0, 0, 0]),
        ("getppid", []), ("getuid", []), ("geteuid", []), ("getgid", []), ("getegid", []), ("gettid", []), ("uname", [0]),
    ];

    [SkippableFact]
    public unsafe void KernelNamesTheNumbersTheWayTheTableDoes()
    {
        Skip.IfNot(Directory.Exists(Tracing + "/instances"), "tracefs instances are not available");
        Skip.IfNot(LibC.geteuid() == 0, "creating a tracefs instance needs root");
        var table = SyscallTable.Current;
        var probes = Probes
            .Where(p => table.TryGetByName(p.Name, out _) && Directory.Exists(Path.Combine(SyscallEvents, "sys_enter_" + TracepointOf(p.Name))))
            .ToList();
        Skip.If(probes.Count == 0, "none of the probe tracepoints exist on this kernel");

        var instance = Path.Combine(Tracing, "instances", $"syscallps_table_{Environment.ProcessId}_{Environment.CurrentManagedThreadId}");
        Directory.CreateDirectory(instance);
        try
        {
            foreach (var p in probes)
            {
                File.WriteAllText(Path.Combine(instance, "events/syscalls/sys_enter_" + TracepointOf(p.Name), "enable"), "1");
            }

            // The thread is pinned to no CPU, but common_pid is the thread id, so the filter follows it.
            var thread = new Thread(() =>
            {
                int tid = (int)LibC.syscall(table.TryGetByName("gettid", out var g) ? g.Number : throw new InvalidOperationException());
                foreach (var p in probes)
                {
                    File.WriteAllText(Path.Combine(instance, "events/syscalls/sys_enter_" + TracepointOf(p.Name), "filter"), $"common_pid == {tid}");
                }

                File.WriteAllText(Path.Combine(instance, "tracing_on"), "1");
                foreach (var p in probes)
                {
                    Assert.True(table.TryGetByName(p.Name, out var info));
                    var a = new long[6];
                    p.Args.CopyTo(a, 0);
                    LibC.syscall(info.Number, (void*)a[0], (void*)a[1], (void*)a[2], (void*)a[3], (void*)a[4], (void*)a[5]);
                }

                File.WriteAllText(Path.Combine(instance, "tracing_on"), "0");
            });
            thread.Start();
            thread.Join();

            var lines = File.ReadAllLines(Path.Combine(instance, "trace")).Where(l => !l.StartsWith('#')).ToList();
            foreach (var p in probes)
            {
                string tracepoint = TracepointOf(p.Name);
                table.TryGetByName(p.Name, out var info);
                bool seen = lines.Any(l => l.Contains($" sys_{tracepoint}(", StringComparison.Ordinal)
                    && (p.Args.Length == 0 || l.Contains("5ca11", StringComparison.Ordinal) || p.Args[0] != Marker));
                Assert.True(seen, $"calling {p.Name} as number {info!.Number} did not fire sys_enter_{tracepoint}; trace:\n{string.Join('\n', lines)}");
            }
        }
        finally
        {
            foreach (var p in probes)
            {
                try { File.WriteAllText(Path.Combine(instance, "events/syscalls/sys_enter_" + TracepointOf(p.Name), "enable"), "0"); } catch (IOException) { }
            }

            Directory.Delete(instance);
        }
    }

    [GeneratedRegex(@"^\s*field:([^;]+);")]
    private static partial Regex FieldRegex();
}
