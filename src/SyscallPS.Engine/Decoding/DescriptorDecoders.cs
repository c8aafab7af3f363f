using System.Runtime.CompilerServices;
using System.Text;
using SyscallPS.Decoding.Tables;

namespace SyscallPS.Decoding;

/// <summary>Decoders for data transfer on descriptors: read/write and their positional and vector forms.</summary>
internal static class DescriptorDecoders
{
    public static void Register(DecoderRegistry r)
    {
        r.Add("read", (s, m, o) => { s.SetFd(0); s.SetULong(2); }, DataOutExit(1));
        r.Add("write", (s, m, o) => { s.SetFd(0); s.SetBuffer(1, m, o, s.Args[2]); s.SetULong(2); });
        r.Add("pread64", (s, m, o) => { s.SetFd(0); s.SetULong(2); s.SetLong(3); }, DataOutExit(1));
        r.Add("pwrite64", (s, m, o) => { s.SetFd(0); s.SetBuffer(1, m, o, s.Args[2]); s.SetULong(2); s.SetLong(3); });
        r.Add("readv", (s, m, o) => { s.SetFd(0); s.SetULong(2); }, ReadvExit);
        r.Add("process_vm_readv", ProcessVmReadvEntry, ProcessVmReadvExit);
        r.Add("process_vm_writev", ProcessVmWritevEntry);
        r.Add("writev", (s, m, o) => { s.SetFd(0); SetIovec(s, 1, m, o, s.Args[2], long.MaxValue); s.SetULong(2); });
        r.Add("preadv", (s, m, o) => { s.SetFd(0); s.SetULong(2); s.SetLong(3); }, ReadvExit, argCount: 4);
        r.Add("pwritev", (s, m, o) => { s.SetFd(0); SetIovec(s, 1, m, o, s.Args[2], long.MaxValue); s.SetULong(2); s.SetLong(3); }, argCount: 4);
        r.Add("copy_file_range", (s, m, o) => { SetOffsetPair(s, m); s.SetULong(4); s.SetUInt(5); });
        r.Add("splice", (s, m, o) => { SetOffsetPair(s, m); s.SetULong(4); s.SetFlags(5, FileTables.SpliceFlags); });
        r.Add("tee", (s, m, o) => { s.SetFd(0); s.SetFd(1); s.SetULong(2); s.SetFlags(3, FileTables.SpliceFlags); });
    }

    /// <summary>copy_file_range, splice: fd_in, off_in, fd_out, off_out.</summary>
    private static void SetOffsetPair(SyscallDecodeState s, ITraceeMemory m)
    {
        s.SetFd(0);
        s.SetText(1, ArgFormat.LongRef(m, s.Args[1]));
        s.SetFd(2);
        s.SetText(3, ArgFormat.LongRef(m, s.Args[3]));
    }

    /// <summary>The local vector holds this process's data; the remote one's addresses belong to the other process.</summary>
    private static void ProcessVmReadvEntry(SyscallDecodeState s, ITraceeMemory m, DecodeOptions o)
    {
        s.SetInt(0);
        s.SetULong(2);
        SetIovec(s, 3, m, o, s.Args[4], 0, addressesOnly: true);
        s.SetULong(4);
        s.SetULong(5);
    }

    private static string? ProcessVmReadvExit(SyscallDecodeState s, long ret, ITraceeMemory m, DecodeOptions o, bool failed)
    {
        SetIovec(s, 1, m, o, s.Args[2], failed ? 0 : ret, addressesOnly: failed);
        return null;
    }

    private static void ProcessVmWritevEntry(SyscallDecodeState s, ITraceeMemory m, DecodeOptions o)
    {
        s.SetInt(0);
        SetIovec(s, 1, m, o, s.Args[2], long.MaxValue);
        s.SetULong(2);
        SetIovec(s, 3, m, o, s.Args[4], 0, addressesOnly: true);
        s.SetULong(4);
        s.SetULong(5);
    }

    /// <summary>An output buffer filled by the call: printed with the returned length, or the address on failure.</summary>
    public static ExitDecoder DataOutExit(int index) => (s, ret, m, o, failed) =>
    {
        if (failed)
        {
            s.SetPointer(index);
        }
        else
        {
            s.SetBuffer(index, m, o, (ulong)ret);
        }

        return null;
    };

    private static string? ReadvExit(SyscallDecodeState s, long ret, ITraceeMemory m, DecodeOptions o, bool failed)
    {
        // A failed read still shows the vector, with the buffers' addresses (nothing was read into them).
        SetIovec(s, 1, m, o, s.Args[2], failed ? 0 : ret, addressesOnly: failed);
        return null;
    }

    private static void SetIovec(SyscallDecodeState s, int index, ITraceeMemory m, DecodeOptions o, ulong count, long dataLimit, bool addressesOnly = false)
    {
        var sb = StraceText.Builder();
        AppendIovec(sb, m, o, s.Args[index], count, dataLimit, addressesOnly);
        s.SetText(index, StraceText.Finish(sb));
    }

    /// <summary>
    /// Appends an iovec array as strace prints it: <c>[{iov_base="…", iov_len=5}, …]</c>, at most -s elements,
    /// the data limited to <paramref name="dataLimit"/> bytes in total (the return value for reads).
    /// </summary>
    public static void AppendIovec(StringBuilder sb, ITraceeMemory m, DecodeOptions o, ulong address, ulong count, long dataLimit, bool addressesOnly = false)
    {
        long remaining = dataLimit;
        ArrayText.Append(sb, m, o, address, count, Unsafe.SizeOf<Iovec>(), (sb, element, _) =>
        {
            var iov = TraceeReader.As<Iovec>(element);
            ulong baseAddr = iov.iov_base;
            ulong len = iov.iov_len;
            ulong data = (ulong)Math.Max(0, Math.Min((long)Math.Min(len, long.MaxValue), remaining));
            sb.Append("{iov_base=");
            if (addressesOnly)
            {
                sb.AppendPointer(baseAddr);
            }
            else
            {
                TraceeReader.AppendBuffer(sb, m, baseAddr, data, o.StringLimit);
            }

            sb.Append(", iov_len=").Append(StraceText.UDec(len)).Append('}');
            remaining -= (long)data;
        }, ArrayProbe.FirstElement, ArrayUnreadable.EllipsisAndAddress);
    }
}
