using System.Buffers.Binary;

namespace SyscallPS.Ptrace;

/// <summary>
/// Builds the classic-BPF seccomp program that makes only the traced syscalls stop a launched tracee
/// (SECCOMP_RET_TRACE) and lets every other syscall run untouched (SECCOMP_RET_ALLOW), as strace --seccomp-bpf.
/// </summary>
internal static class SeccompFilter
{
    // <linux/filter.h>, <linux/bpf_common.h>
    private const ushort BPF_LD_W_ABS = 0x20;
    private const ushort BPF_JMP_JEQ_K = 0x15;
    private const ushort BPF_RET_K = 0x06;

    // <linux/seccomp.h>
    private const uint SECCOMP_RET_ALLOW = 0x7fff0000;
    private const uint SECCOMP_RET_TRACE = 0x7ff00000;

    // struct seccomp_data: int nr; __u32 arch; ...
    private const uint OffsetNr = 0;
    private const uint OffsetArch = 4;

    /// <summary>The kernel refuses longer programs (BPF_MAXINSNS).</summary>
    internal const int MaxInstructions = 4096;

    /// <summary>The AUDIT_ARCH_* value of an architecture (<c>&lt;linux/audit.h&gt;</c>).</summary>
    internal static uint AuditArch(string architecture) => architecture switch
    {
        "x86_64" => 0xc000003e,
        "aarch64" => 0xc00000b7,
        _ => throw new PlatformNotSupportedException($"No seccomp architecture value for {architecture}."),
    };

    /// <summary>The filter as struct sock_filter records (8 bytes each, little-endian), for the launcher's --seccomp.</summary>
    internal static byte[] Build(IEnumerable<int> tracedNumbers, string architecture)
    {
        var numbers = tracedNumbers.Distinct().Order().ToArray();
        var program = new List<(ushort Code, byte Jt, byte Jf, uint K)>(numbers.Length * 2 + 5)
        {
            (BPF_LD_W_ABS, 0, 0, OffsetArch),
            (BPF_JMP_JEQ_K, 1, 0, AuditArch(architecture)),
            (BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW),   // another ABI (e.g. 32-bit compat): not ours to trace
            (BPF_LD_W_ABS, 0, 0, OffsetNr),
        };
        foreach (var n in numbers)
        {
            // Equal: fall through to RET TRACE; otherwise skip it.
            program.Add((BPF_JMP_JEQ_K, 0, 1, (uint)n));
            program.Add((BPF_RET_K, 0, 0, SECCOMP_RET_TRACE));
        }

        program.Add((BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW));
        if (program.Count > MaxInstructions)
        {
            throw new ArgumentException($"Too many syscalls for a seccomp filter ({numbers.Length}).", nameof(tracedNumbers));
        }

        var bytes = new byte[program.Count * 8];
        for (int i = 0; i < program.Count; i++)
        {
            var span = bytes.AsSpan(i * 8, 8);
            BinaryPrimitives.WriteUInt16LittleEndian(span, program[i].Code);
            span[2] = program[i].Jt;
            span[3] = program[i].Jf;
            BinaryPrimitives.WriteUInt32LittleEndian(span[4..], program[i].K);
        }

        return bytes;
    }
}
