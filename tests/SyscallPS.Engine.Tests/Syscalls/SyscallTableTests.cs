using Xunit;

namespace SyscallPS.Tests.Syscalls;

public class SyscallTableTests
{
    private static readonly SyscallTable X64 = SyscallTable.For("x86_64");
    private static readonly SyscallTable Arm64 = SyscallTable.For("aarch64");

    [Theory]
    [InlineData("write", 1)]
    [InlineData("exit", 60)]
    [InlineData("openat", 257)]
    [InlineData("read", 0)]
    [InlineData("getpid", 39)]
    [InlineData("exit_group", 231)]
    [InlineData("newfstatat", 262)]
    [InlineData("clone3", 435)]
    [InlineData("cachestat", 451)]
    [InlineData("file_setattr", 469)]
    [InlineData("uretprobe", 335)]
    [InlineData("uprobe", 336)]
    public void X86_64NumbersMatchTheKernelAbi(string name, int number)
    {
        Assert.True(X64.TryGetByName(name, out var info));
        Assert.Equal(number, info.Number);
        Assert.Equal("x86_64", info.Architecture);
        Assert.Same(info, X64.ByNumber(number));
    }

    [Theory]
    [InlineData("openat", 56)]
    [InlineData("write", 64)]
    [InlineData("read", 63)]
    [InlineData("exit", 93)]
    [InlineData("fcntl", 25)]
    [InlineData("newfstatat", 79)]
    [InlineData("fstat", 80)]
    [InlineData("lseek", 62)]
    [InlineData("mmap", 222)]
    [InlineData("fadvise64", 223)]
    [InlineData("renameat", 38)]
    [InlineData("clone3", 435)]
    [InlineData("map_shadow_stack", 453)]
    [InlineData("file_setattr", 469)]
    public void Aarch64NumbersMatchTheGenericTable(string name, int number)
    {
        Assert.True(Arm64.TryGetByName(name, out var info));
        Assert.Equal(number, info.Number);
        Assert.Same(info, Arm64.ByNumber(number));
    }

    [Theory]
    [InlineData("open")]
    [InlineData("fork")]
    [InlineData("stat")]
    [InlineData("uretprobe")]
    [InlineData("arch_specific_syscall")]
    [InlineData("syscalls")]
    public void Aarch64LacksTheLegacyAndX86OnlyCalls(string name) =>
        Assert.False(Arm64.TryGetByName(name, out _));

    [Fact]
    public void BothArchitecturesAreComplete()
    {
        Assert.Contains("x86_64", SyscallTable.Architectures);
        Assert.Contains("aarch64", SyscallTable.Architectures);
        Assert.True(X64.All.Count >= 380, $"x86_64 has {X64.All.Count} syscalls");
        Assert.True(Arm64.All.Count >= 320, $"aarch64 has {Arm64.All.Count} syscalls");
        Assert.Equal(469, X64.MaxNumber);
        Assert.Equal(469, Arm64.MaxNumber);
    }

    [Theory]
    [InlineData("x86_64")]
    [InlineData("aarch64")]
    public void NamesAndNumbersAreUnique(string architecture)
    {
        var table = SyscallTable.For(architecture);
        var duplicateNames = table.All.GroupBy(s => s.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.Empty(duplicateNames);
        var duplicateNumbers = table.All.GroupBy(s => s.Number).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.Empty(duplicateNumbers);
    }

    [Theory]
    [InlineData("openat", SyscallCategory.File)]
    [InlineData("openat", SyscallCategory.Descriptor)]
    [InlineData("connect", SyscallCategory.Network)]
    [InlineData("clone", SyscallCategory.Process)]
    [InlineData("kill", SyscallCategory.Signal)]
    [InlineData("kill", SyscallCategory.Process)]
    [InlineData("semop", SyscallCategory.Ipc)]
    [InlineData("mmap", SyscallCategory.Memory)]
    [InlineData("setuid", SyscallCategory.Credentials)]
    [InlineData("clock_gettime", SyscallCategory.Clock)]
    [InlineData("newfstatat", SyscallCategory.Stat)]
    [InlineData("statx", SyscallCategory.Stat)]
    public void CategoriesFollowStraceClasses(string name, SyscallCategory expected)
    {
        Assert.True(X64.TryGetByName(name, out var info));
        Assert.True(info.Categories.HasFlag(expected), $"{name} is {info.Categories}, expected {expected}");
    }

    [Fact]
    public void PrimaryCategoryPrefersTheSpecificClass()
    {
        Assert.True(X64.TryGetByName("openat", out var openat));
        Assert.Equal(SyscallCategory.File, openat.Category);
        Assert.True(X64.TryGetByName("connect", out var connect));
        Assert.Equal(SyscallCategory.Network, connect.Category);
        Assert.True(X64.TryGetByName("getpid", out var getpid));
        Assert.Equal(SyscallCategory.Other, getpid.Category);
        Assert.Equal(SyscallCategory.Other, getpid.Categories);
    }

    [Fact]
    public void CategoriesAreSaneAcrossTheTable()
    {
        // Network calls never also carry File (strace keeps sockets out of %file), and every
        // *at call that takes a path is both File and Descriptor.
        Assert.DoesNotContain(X64.All, s => s.Categories.HasFlag(SyscallCategory.Network) && s.Categories.HasFlag(SyscallCategory.File));
        foreach (var name in new[] { "openat", "mkdirat", "unlinkat", "renameat2", "fchmodat", "faccessat2", "newfstatat" })
        {
            Assert.True(X64.TryGetByName(name, out var s));
            Assert.True(s.Categories.HasFlag(SyscallCategory.File | SyscallCategory.Descriptor), $"{name}: {s.Categories}");
        }

        Assert.True(X64.All.Count(s => s.Categories.HasFlag(SyscallCategory.Network)) >= 20);
        Assert.True(X64.All.Count(s => s.Categories == SyscallCategory.Other) >= 50);
    }

    [Theory]
    [InlineData("open*", new[] { "open", "openat", "open_by_handle_at", "openat2", "open_tree", "open_tree_attr" })]
    [InlineData("OPENAT?", new[] { "openat2" })]
    [InlineData("[gs]etuid", new[] { "getuid", "setuid" })]
    [InlineData("getpid", new[] { "getpid" })]
    [InlineData("no_such_call*", new string[0])]
    public void MatchUsesWildcardsCaseInsensitively(string pattern, string[] expected)
    {
        var names = X64.Match(pattern).Select(s => s.Name).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(expected.Order(StringComparer.Ordinal).ToArray(), names);
    }

    [Fact]
    public void ParametersComeFromTheKernelDeclarations()
    {
        Assert.True(X64.TryGetByName("openat", out var openat));
        Assert.Equal(["dfd", "filename", "flags", "mode"], openat.Parameters.Select(p => p.Name));
        Assert.Equal("const char *", openat.Parameters[1].CType);
        Assert.True(openat.Parameters[1].IsPointer);
        Assert.Equal("openat(int dfd, const char *filename, int flags, umode_t mode)", openat.Signature);

        Assert.True(X64.TryGetByName("execve", out var execve));
        Assert.Equal("const char *const *", execve.Parameters[1].CType);
        Assert.True(X64.TryGetByName("getpid", out var getpid));
        Assert.Empty(getpid.Parameters);

        // from the committed fallback: no tracepoint on kernels without module support
        Assert.True(X64.TryGetByName("finit_module", out var finit));
        Assert.Equal(["fd", "uargs", "flags"], finit.Parameters.Select(p => p.Name));
    }

    [Fact]
    public void EverySyscallWithArgumentsHasParameters()
    {
        // Calls the kernel implements as sys_ni_syscall (or that take none) are the only ones allowed to have none.
        var noParameters = X64.All.Where(s => s.Parameters.Count == 0).Select(s => s.Name).ToHashSet();
        foreach (var name in new[] { "read", "write", "mmap", "clone3", "cachestat", "file_setattr", "map_shadow_stack", "kexec_load", "uselib" })
        {
            Assert.DoesNotContain(name, noParameters);
        }

        Assert.True(noParameters.Count < 40, string.Join(", ", noParameters));
    }

    [Fact]
    public void WatchListCarriesAdvice()
    {
        string[] watchList =
        [
            "clone", "clone3", "fork", "vfork", "execve", "execveat", "chdir", "fchdir", "open", "openat", "openat2", "creat",
            "connect", "accept", "accept4", "read", "write", "readv", "writev", "pread64", "pwrite64", "sendto", "recvfrom",
            "sendmsg", "recvmsg", "sendmmsg", "recvmmsg", "unlink", "unlinkat", "rename", "renameat", "renameat2", "brk",
            "mmap", "munmap", "select", "pselect6", "poll", "ppoll", "epoll_wait", "kill", "tkill", "tgkill",
        ];
        foreach (var name in watchList)
        {
            Assert.True(X64.TryGetByName(name, out var info), name);
            Assert.False(string.IsNullOrWhiteSpace(info.Advice), name);
            Assert.EndsWith(".", info.Advice, StringComparison.Ordinal);
        }

        Assert.Equal(watchList.Length, X64.All.Count(s => s.Advice != null));
        Assert.True(Arm64.TryGetByName("openat", out var arm));
        Assert.NotNull(arm.Advice);
    }

    [Fact]
    public void NameOfFallsBackToStraceSpelling()
    {
        Assert.Equal("openat", X64.NameOf(257));
        Assert.Equal("syscall_0x1f4", X64.NameOf(500));
        Assert.Null(X64.ByNumber(-1));
    }

    [Theory]
    [InlineData("openat", SyscallEffects.CreatesDescriptor)]
    [InlineData("pipe2", SyscallEffects.CreatesDescriptorPair)]
    [InlineData("accept4", SyscallEffects.CreatesDescriptor | SyscallEffects.SetsEndpoint)]
    [InlineData("close_range", SyscallEffects.ClosesDescriptor)]
    [InlineData("clone3", SyscallEffects.CreatesProcess)]
    [InlineData("exit_group", SyscallEffects.NeverReturns)]
    [InlineData("execveat", SyscallEffects.ReplacesProgram)]
    [InlineData("readv", SyscallEffects.ReadsData)]
    [InlineData("recvmmsg", SyscallEffects.ReadsData)]
    [InlineData("copy_file_range", SyscallEffects.TransfersData)]
    [InlineData("getpid", SyscallEffects.None)]
    public void EffectsAreDeclaredPerSyscall(string name, SyscallEffects expected)
    {
        Assert.True(SyscallTable.Current.TryGetByName(name, out var info));
        Assert.Equal(expected, info.Effects);
    }

    /// <summary>Every declared effect names a real syscall, and each data-moving one with a buffer shape a pointer argument that holds the data.</summary>
    [Theory]
    [InlineData("x86_64")]
    [InlineData("aarch64")]
    public void DeclaredEffectsAreConsistent(string architecture)
    {
        var table = SyscallTable.For(architecture);
        var movers = table.All.Where(s => (s.Effects & SyscallEffectGroups.MovesData) != 0).ToList();
        Assert.Contains(movers, s => s.Name == "read");
        Assert.Contains(movers, s => s.Name == "recvmmsg" && s.DataShape == DataShape.None);
        foreach (var s in movers.Where(s => s.DataShape != DataShape.None))
        {
            Assert.InRange(s.DataArgument, 0, s.Parameters.Count - 1);
            Assert.True(s.Parameters[s.DataArgument].IsPointer, $"{s.Name}: argument {s.DataArgument} is not a pointer");
        }

        Assert.All(table.All.Where(s => (s.Effects & SyscallEffectGroups.MovesData) == 0), s => Assert.Equal(DataShape.None, s.DataShape));
        var declared = File.ReadLines(Path.Combine(Fixtures.RepoRoot, "src/SyscallPS.Engine/Syscalls/data/effects.tsv"))
            .Where(l => l.Length > 0 && l[0] != '#').Skip(1).Select(l => l.Split('\t')[0]);
        Assert.All(declared, name => Assert.True(SyscallTable.For("x86_64").TryGetByName(name, out _) || SyscallTable.For("aarch64").TryGetByName(name, out _), name));
    }

    [Fact]
    public void UnknownArchitectureIsAnArgumentError() =>
        Assert.Throws<ArgumentException>(() => SyscallTable.For("mips"));
}
