using SyscallPS.Decoding;
using SyscallPS.Native;

namespace SyscallPS.Ptrace;

/// <summary>
/// Reads a stopped tracee's memory with process_vm_readv, page by page so that a string running into an
/// unmapped page still yields the readable part (the kernel fails a whole iovec at the first bad page).
/// </summary>
internal sealed class PtraceMemory : ITraceeMemory
{
    private const ulong PageSize = 4096;

    internal PtraceMemory(int tid) => Tid = tid;

    /// <summary>The thread whose address space is read (any thread of the process works).</summary>
    internal int Tid { get; set; }

    /// <inheritdoc />
    public int Read(ulong address, Span<byte> destination)
    {
        if (address == 0 || destination.IsEmpty)
        {
            return destination.IsEmpty ? 0 : -1;
        }

        // Fast path: the whole range inside one page.
        ulong firstPageLeft = PageSize - (address % PageSize);
        if ((ulong)destination.Length <= firstPageLeft)
        {
            long n = ProcessVm.Read(Tid, address, destination);
            return n < 0 ? -1 : (int)n;
        }

        int total = 0;
        while (total < destination.Length)
        {
            ulong at = address + (ulong)total;
            int chunk = (int)Math.Min((ulong)(destination.Length - total), PageSize - (at % PageSize));
            long n = ProcessVm.Read(Tid, at, destination.Slice(total, chunk));
            if (n <= 0)
            {
                break;
            }

            total += (int)n;
            if (n < chunk)
            {
                break;
            }
        }

        return total == 0 ? -1 : total;
    }
}
