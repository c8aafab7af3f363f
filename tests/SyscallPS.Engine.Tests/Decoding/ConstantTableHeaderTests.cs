using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using SyscallPS.Tracing;
using Xunit;
using Xunit.Abstractions;

namespace SyscallPS.Tests.Decoding;

/// <summary>
/// strace's <c>#checkval</c>: every (name, value) pair of the constant tables' data files (<c>Decoding/Tables/data</c>)
/// is compiled with gcc against this machine's <c>/usr/include</c> and the value the headers give is compared with
/// the data's. <see cref="ConstantTableDataTests"/> checks that the generated C# holds the same pairs.
/// </summary>
public sealed partial class ConstantTableHeaderTests(ITestOutputHelper output)
{
    /// <summary>
    /// Headers per table class (or per <c>Class.Field</c> when a table needs headers that clash with its class's).
    /// Kernel headers where glibc's differ from what the kernel takes (glibc's O_LARGEFILE is 0 on x86_64).
    /// </summary>
    private static readonly Dictionary<string, string[]> Headers = new(StringComparer.Ordinal)
    {
        ["ErrnoTable"] = ["errno.h"],
        ["FileTables"] =
        [
            "unistd.h", "linux/fcntl.h", "linux/stat.h", "linux/fs.h", "linux/openat2.h", "linux/falloc.h",
            "linux/inotify.h", "linux/close_range.h", "sys/eventfd.h", "sys/signalfd.h", "sys/timerfd.h",
            "linux/xattr.h", "linux/memfd.h", "sys/mman.h", "sys/stat.h", "linux/watch_queue.h", "sys/random.h",
            "linux/fadvise.h",
        ],
        ["FileTables.SpliceFlags"] = ["fcntl.h"], // glibc's names for the kernel's internal SPLICE_F_ bits
        ["FileTables.UmountFlags"] = ["sys/mount.h"],
        ["IoctlTables"] =
        [
            "asm/ioctls.h", "asm/termbits.h", "linux/sockios.h", "linux/fs.h", "linux/fiemap.h", "linux/input.h",
            "linux/hidraw.h", "linux/hiddev.h", "sys/time.h", "linux/videodev2.h",
        ],
        ["IpcTables"] = ["sys/ipc.h", "sys/shm.h", "sys/sem.h", "sys/msg.h"],
        ["IpcTables.MqFlags"] = ["fcntl.h"],
        ["MemoryTables"] = ["sys/mman.h", "linux/mman.h", "linux/mempolicy.h"],
        ["NetworkTables"] =
        [
            "sys/socket.h", "netinet/in.h", "netinet/tcp.h", "netinet/udp.h", "linux/netlink.h", "linux/if_packet.h",
        ],
        ["NetworkTables.InetProtocols"] = ["linux/in.h", "linux/in6.h"],
        ["PacketTables"] = ["linux/if_ether.h", "linux/if_arp.h", "linux/if_packet.h"],
        ["PollTables"] = ["poll.h", "sys/epoll.h"],
        ["PollTables.EpollEvents"] = ["linux/eventpoll.h"],
        ["ProcessTables"] =
        [
            "sched.h", "linux/sched.h", "sys/wait.h", "sys/resource.h", "sys/prctl.h", "time.h", "sys/time.h",
            "linux/futex.h", "sys/ptrace.h", "linux/personality.h", "sys/timerfd.h", "asm/prctl.h", "linux/rseq.h",
            "fcntl.h", "sys/pidfd.h",
        ],
        ["ProcessTables.ClockIds"] = ["linux/time.h"],
        ["ProcessTables.KcmpTypes"] = ["linux/kcmp.h"],
        ["SignalTables"] = ["signal.h", "sys/signalfd.h"],
        ["SignalTables.SigactionFlags"] = ["linux/signal.h"],
        ["SignalTables.SigaltstackFlags"] = ["linux/signal.h"],
        ["SignalTables.SegvCodes"] = ["linux/signal.h"],
        ["SignalTables.TrapCodes"] = ["linux/signal.h"],
        ["SignalTables.SysCodes"] = ["linux/signal.h"],
        ["StatfsTables"] = ["linux/magic.h", "sys/statvfs.h", "sys/mount.h"],
        ["StatfsTables.Capabilities"] = ["linux/capability.h"],
        ["SystemTables"] =
        [
            "linux/ptrace.h", "linux/seccomp.h", "linux/capability.h", "linux/mount.h", "linux/personality.h",
            "linux/bpf.h", "asm/prctl.h",
        ],
        ["TermiosTables"] = ["asm/termbits.h"],
    };

    /// <summary>C expressions for names whose header spelling differs from the name strace prints.</summary>
    private static readonly Dictionary<string, string> Expressions = new(StringComparer.Ordinal)
    {
        ["SIGRTMIN"] = "__SIGRTMIN", // glibc's SIGRTMIN is a function call that skips the signals it reserves
        ["PTRACE_PEEKUSER"] = "PTRACE_PEEKUSR", // strace prints glibc's spelling, linux/ptrace.h has the kernel's
        ["PTRACE_POKEUSER"] = "PTRACE_POKEUSR",
    };

    /// <summary>Names that no header of this machine defines, each with the reason (checked by hand instead).</summary>
    private static readonly Dictionary<string, string> Exclusions = new(StringComparer.Ordinal)
    {
        ["ERESTARTSYS"] = InternalErrno,
        ["ERESTARTNOINTR"] = InternalErrno,
        ["ERESTARTNOHAND"] = InternalErrno,
        ["ENOIOCTLCMD"] = InternalErrno,
        ["ERESTART_RESTARTBLOCK"] = InternalErrno,
        ["EPROBE_DEFER"] = InternalErrno,
        ["EOPENSTALE"] = InternalErrno,
        ["ENOPARAM"] = InternalErrno,
        ["EBADHANDLE"] = InternalErrno,
        ["ENOTSYNC"] = InternalErrno,
        ["EBADCOOKIE"] = InternalErrno,
        ["ENOTSUPP"] = InternalErrno,
        ["ETOOSMALL"] = InternalErrno,
        ["ESERVERFAULT"] = InternalErrno,
        ["EBADTYPE"] = InternalErrno,
        ["EJUKEBOX"] = InternalErrno,
        ["EIOCBQUEUED"] = InternalErrno,
        ["ERECALLCONFLICT"] = InternalErrno,
        ["ENOGRACE"] = InternalErrno,
        ["MFD_NOEXEC_SEAL"] = "added in Linux 6.3 (linux/memfd.h); newer than this machine's linux-libc-dev",
        ["MFD_EXEC"] = "added in Linux 6.3 (linux/memfd.h); newer than this machine's linux-libc-dev",
        ["MPOL_WEIGHTED_INTERLEAVE"] = "added in Linux 6.9 (linux/mempolicy.h); newer than this machine's linux-libc-dev",
        ["SO_PASSPIDFD"] = "added in Linux 6.5 (asm-generic/socket.h); newer than this machine's linux-libc-dev",
        ["SO_PEERPIDFD"] = "added in Linux 6.5 (asm-generic/socket.h); newer than this machine's linux-libc-dev",
        ["SCM_PIDFD"] = "added in Linux 6.5 (linux/socket.h); newer than this machine's linux-libc-dev",
        ["PR_SET_MDWE"] = "added in Linux 6.3 (linux/prctl.h); newer than this machine's linux-libc-dev",
        ["PR_GET_MDWE"] = "added in Linux 6.3 (linux/prctl.h); newer than this machine's linux-libc-dev",
        ["SEGV_CPERR"] = "added in Linux 6.6 (asm-generic/siginfo.h); newer than this machine's linux-libc-dev",
        ["ARCH_SHSTK_ENABLE"] = "added in Linux 6.6 (asm/prctl.h); newer than this machine's linux-libc-dev",
        ["ARCH_SHSTK_DISABLE"] = "added in Linux 6.6 (asm/prctl.h); newer than this machine's linux-libc-dev",
        ["ARCH_SHSTK_LOCK"] = "added in Linux 6.6 (asm/prctl.h); newer than this machine's linux-libc-dev",
        ["ARCH_SHSTK_UNLOCK"] = "added in Linux 6.6 (asm/prctl.h); newer than this machine's linux-libc-dev",
        ["ARCH_SHSTK_STATUS"] = "added in Linux 6.6 (asm/prctl.h); newer than this machine's linux-libc-dev",
        ["SA_INTERRUPT"] = "gone from the kernel's headers (a no-op bit since Linux 2.6); only glibc's signal.h keeps it, which clashes with asm/signal.h",
        ["SCM_SECURITY"] = "kernel-internal (include/linux/socket.h)",
        ["SOL_SCTP"] = "kernel-internal (include/linux/socket.h); lksctp-tools' netinet/sctp.h is not a system header",
        ["MSG_PROBE"] = "kernel-internal (include/linux/socket.h)",
        ["ST_VALID"] = "kernel-internal (include/linux/statfs.h)",
        ["ST_NOSYMFOLLOW"] = "kernel-internal (include/linux/statfs.h); glibc 2.36's sys/statvfs.h lacks it",
        ["SUID_DUMP_DISABLE"] = "kernel-internal (include/linux/sched/coredump.h)",
        ["SUID_DUMP_USER"] = "kernel-internal (include/linux/sched/coredump.h)",
        ["SUID_DUMP_ROOT"] = "kernel-internal (include/linux/sched/coredump.h)",
    };

    private const string InternalErrno = "kernel-internal errno (include/linux/errno.h), not exported to user space";

    /// <summary>A (table, name, value) pair of the data files.</summary>
    private sealed record Pair(string Group, string Table, string Name, ulong Value);

    [SkippableFact]
    public void EveryTableValueMatchesTheSystemHeaders()
    {
        Skip.If(Fixtures.Compiler is null, "no C compiler to compile the tables against /usr/include (apt-get install gcc)");
        Skip.If(SyscallTable.CurrentArchitecture != "x86_64", "the header lists are x86_64's (asm/prctl.h, the x86 ioctl and signal headers)");
        Skip.If(!File.Exists("/usr/include/linux/fcntl.h"), "the kernel headers are not installed (apt-get install linux-libc-dev)");

        var pairs = CollectPairs();
        Assert.True(pairs.Count > 1600, $"only {pairs.Count} pairs were found in the data files; reading them is broken");

        var checkable = pairs.Where(p => !Exclusions.ContainsKey(p.Name)).ToList();
        var unexplained = new List<string>();
        var mismatches = new List<string>();
        int compared = 0;
        using var work = new global::SyscallPS.Tests.Ebpf.TempDirectory("syscallps-checkval-");
        foreach (var group in checkable.GroupBy(p => p.Group))
        {
            Assert.True(Headers.TryGetValue(group.Key, out var headers), $"no header list for the table group {group.Key}");
            var members = group.ToList();
            var (values, undeclared) = CompileAndRun(work.Path, group.Key, headers, members);
            unexplained.AddRange(undeclared.Select(n => $"{group.Key}: {n} is not declared by {string.Join(", ", headers)}"));
            foreach (var p in members.Where(p => !undeclared.Contains(p.Name)))
            {
                var (value, size) = values[p.Name];
                ulong mask = size >= 8 ? ulong.MaxValue : (1UL << (size * 8)) - 1;
                compared++;
                if ((value & mask) != (p.Value & mask))
                {
                    mismatches.Add($"{p.Table}: {p.Name} is 0x{p.Value:x} in the table, 0x{value & mask:x} in the headers");
                }
            }
        }

        output.WriteLine($"{ConstantTableData.Rows.Count} rows in the data files, {pairs.Count} pairs for {SyscallTable.CurrentArchitecture}, {compared} compared with the headers, {pairs.Count - checkable.Count} excluded by name, {mismatches.Count} mismatches");
        Assert.True(unexplained.Count + mismatches.Count == 0,
            "table values that differ from the headers:\n" + string.Join("\n", mismatches) +
            "\nnames the headers do not declare (fix the header list or add an exclusion with its reason):\n" + string.Join("\n", unexplained));
        Assert.True(compared > 1550, $"only {compared} pairs were compared");
    }

    /// <summary>Every excluded name is still in a data file: an exclusion outliving its entry would hide nothing.</summary>
    [Fact]
    public void EveryExclusionNamesATableEntry()
    {
        var names = CollectPairs(allArchs: true).Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var stale = Exclusions.Keys.Where(n => !names.Contains(n)).ToList();
        Assert.True(stale.Count == 0, "exclusions naming no table entry: " + string.Join(", ", stale));
    }

    /// <summary>
    /// The pairs of the data files that hold this architecture's values: one per (header group, name, value), as
    /// a name shared by two tables of a class is compiled once. A row naming two constants that share a value
    /// (<c>HIDIOCGRDESCSIZE or HIDIOCGVERSION</c>) gives a pair for each.
    /// </summary>
    private static List<Pair> CollectPairs(bool allArchs = false)
    {
        var pairs = new List<Pair>();
        foreach (var row in ConstantTableData.Rows.Where(r => allArchs || r.ForCurrentArch))
        {
            string table = row.Class + "." + row.Table;
            string group = Headers.ContainsKey(table) ? table : row.Class;
            foreach (var name in row.Name.Split(" or "))
            {
                if (CName().IsMatch(name))
                {
                    pairs.Add(new Pair(group, table, name, (ulong)row.Value));
                }
            }
        }

        return pairs.DistinctBy(p => (p.Group, p.Name, p.Value)).ToList();
    }

    /// <summary>Compiles a program printing every name's value and size; names gcc reports undeclared are left out and returned.</summary>
    private static (Dictionary<string, (ulong Value, int Size)> Values, HashSet<string> Undeclared) CompileAndRun(
        string directory, string group, string[] headers, List<Pair> pairs)
    {
        var undeclared = new HashSet<string>(StringComparer.Ordinal);
        string source = Path.Combine(directory, group + ".c"), binary = Path.Combine(directory, group);
        for (int attempt = 0; ; attempt++)
        {
            var sb = new StringBuilder("#define _GNU_SOURCE\n");
            foreach (var h in headers)
            {
                sb.Append("#include <").Append(h).Append(">\n");
            }

            sb.Append("#include <stdio.h>\nint main(void)\n{\n");
            foreach (var name in pairs.Select(p => p.Name).Distinct().Where(n => !undeclared.Contains(n)))
            {
                string expr = Expressions.GetValueOrDefault(name) ?? name;
                sb.Append(CultureInfo.InvariantCulture, $"    printf(\"%s\\t%llx\\t%d\\n\", \"{name}\", (unsigned long long)({expr}), (int)sizeof({expr}));\n");
            }

            sb.Append("    return 0;\n}\n");
            File.WriteAllText(source, sb.ToString());
            var (code, text) = CompilerRun.Run(Fixtures.Compiler!, "-w", "-o", binary, source);
            if (code == 0)
            {
                break;
            }

            var missing = UndeclaredName().Matches(text).Select(m => m.Groups[1].Value).Where(n => !undeclared.Contains(n)).ToList();
            Assert.True(missing.Count > 0 && attempt < 5, $"gcc failed on the {group} tables for another reason than undeclared names:\n{text}");
            undeclared.UnionWith(missing);
        }

        var (rc, stdout) = CompilerRun.Run(binary);
        Assert.Equal(0, rc);
        var values = new Dictionary<string, (ulong, int)>(StringComparer.Ordinal);
        foreach (var line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var f = line.Split('\t');
            values[f[0]] = (ulong.Parse(f[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture), int.Parse(f[2], CultureInfo.InvariantCulture));
        }

        return (values, undeclared);
    }


    /// <summary>A C identifier, or several joined with <c>|</c> (a composite a table prints as one name).</summary>
    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*(\|[A-Za-z_][A-Za-z0-9_]*)*$")]
    private static partial Regex CName();

    [GeneratedRegex(@"'([A-Za-z_][A-Za-z0-9_]*)' undeclared")]
    private static partial Regex UndeclaredName();
}
