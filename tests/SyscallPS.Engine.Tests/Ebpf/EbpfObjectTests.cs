using Xunit;
using System.Security.Cryptography;
using SyscallPS.Ebpf;

namespace SyscallPS.Tests.Ebpf;

public sealed class EbpfObjectTests
{
    private static string BpfDir => Path.Combine(EbpfTestSupport.RepoRoot(), "src", "SyscallPS.Engine", "Ebpf", "bpf");

    [Fact]
    public void CommittedObject_WasBuiltFromTheCurrentSource()
    {
        var source = File.ReadAllBytes(Path.Combine(BpfDir, "syscallps.bpf.c"));
        var recorded = File.ReadAllText(Path.Combine(BpfDir, "syscallps.bpf.c.sha256")).Trim();
        Assert.True(
            Convert.ToHexStringLower(SHA256.HashData(source)) == recorded,
            "syscallps.bpf.o is stale: run src/SyscallPS.Engine/Ebpf/bpf/build.sh and commit the object and its .sha256.");
    }

    [Fact]
    public void EmbeddedObject_IsTheCommittedFile()
    {
        var onDisk = File.ReadAllBytes(Path.Combine(BpfDir, "syscallps.bpf.o"));
        var embedded = EbpfProgram.EmbeddedObject();
        Assert.Equal(SHA256.HashData(onDisk), SHA256.HashData(embedded));
        Assert.Equal(0x7f, embedded[0]);
        Assert.Equal((byte)'E', embedded[1]);
    }

    [SkippableFact]
    public void Rodata_HoldsOnlyTheConfigAtOffsetZero()
    {
        // EbpfProgram writes EbpfConfig at the start of .rodata before load.
        var dump = EbpfTestSupport.Bpftool("btf dump file " + Path.Combine(BpfDir, "syscallps.bpf.o"));
        Skip.If(dump is null, "bpftool is not installed");
        var lines = dump.Split('\n');
        int at = Array.FindIndex(lines, l => l.Contains("DATASEC '.rodata'", StringComparison.Ordinal));
        Assert.True(at >= 0, "no .rodata section");
        Assert.Contains("vlen=1", lines[at]);
        int size = System.Runtime.InteropServices.Marshal.SizeOf<global::SyscallPS.Ebpf.EbpfConfig>();
        Assert.Contains($"offset=0 size={size} (VAR 'cfg')", lines[at + 1]);
    }

    [SkippableFact]
    public void BuildScript_RebuildsTheObjectFromTheSource()
    {
        Skip.If(!File.Exists("/usr/bin/clang-14") || !File.Exists("/usr/sbin/bpftool") || !File.Exists("/usr/include/bpf/bpf_helpers.h"), "clang-14, bpftool or libbpf-dev is missing");
        using var tmpOwner = new TempDirectory("sps-bpf-build-");
        var tmp = tmpOwner.Path;
        foreach (var f in new[] { "syscallps.bpf.c", "build.sh" })
        {
            File.Copy(Path.Combine(BpfDir, f), Path.Combine(tmp, f));
        }

        using var p = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("/bin/sh", [Path.Combine(tmp, "build.sh")]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, "build.sh failed: " + err);
        Assert.Equal(File.ReadAllText(Path.Combine(BpfDir, "syscallps.bpf.c.sha256")), File.ReadAllText(Path.Combine(tmp, "syscallps.bpf.c.sha256")));
        Assert.True(new FileInfo(Path.Combine(tmp, "syscallps.bpf.o")).Length > 1000);
    }
}
