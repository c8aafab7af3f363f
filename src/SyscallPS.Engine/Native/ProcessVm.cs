namespace SyscallPS.Native;

/// <summary>process_vm_readv(2): copies memory out of another process without stopping it further.</summary>
internal static class ProcessVm
{
    private struct IoVec
    {
        internal ulong Base;
        internal ulong Length;
    }

    /// <summary>Reads <c>destination.Length</c> bytes at <paramref name="address"/> in <paramref name="pid"/>; returns bytes read or -1.</summary>
    internal static unsafe long Read(int pid, ulong address, Span<byte> destination)
    {
        fixed (byte* p = destination)
        {
            var local = new IoVec { Base = (ulong)p, Length = (ulong)destination.Length };
            var remote = new IoVec { Base = address, Length = (ulong)destination.Length };
            return NativeSyscalls.Call(NativeSyscalls.ProcessVmReadv, pid, (long)&local, 1, (long)&remote, 1, 0);
        }
    }
}
