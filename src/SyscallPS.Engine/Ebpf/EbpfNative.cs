using System.Runtime.InteropServices;

namespace SyscallPS.Ebpf;

/// <summary>The libc calls the eBPF engine needs besides libbpf (signals to the launched process, identity).</summary>
internal static partial class EbpfNative
{
    internal const int SIGINT = 2;
    internal const int SIGKILL = 9;
    internal const int SIGCONT = 18;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    internal static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    internal static partial uint GetEffectiveUserId();
}
