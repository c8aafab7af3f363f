using SyscallPS.Decoding.Tables;

namespace SyscallPS.Decoding;

/// <summary>Decoders for address-space syscalls: brk, mmap, munmap, mprotect, mremap, madvise, mlock.</summary>
internal static class MemoryDecoders
{
    private const ulong MREMAP_FIXED = 2;
    private const int HugeShift = 26;

    public static void Register(DecoderRegistry r)
    {
        r.Add("brk", (s, m, o) => s.SetPointer(0), ret: ReturnStyle.Address);
        r.Add("mmap", MmapEntry, ret: ReturnStyle.Address);
        r.Add("munmap", (s, m, o) => { s.SetPointer(0); s.SetULong(1); });
        r.Add("mprotect pkey_mprotect", (s, m, o) => { s.SetPointer(0); s.SetULong(1); SetProt(s, 2); });
        r.Add("mremap", MremapEntry, ret: ReturnStyle.Address);
        r.Add("madvise", (s, m, o) => { s.SetPointer(0); s.SetULong(1); s.SetEnum(2, MemoryTables.Madvise); });
        r.Add("msync", (s, m, o) => { s.SetPointer(0); s.SetULong(1); s.SetFlags(2, MemoryTables.MsyncFlags); });
        r.Add("mlock munlock", (s, m, o) => { s.SetPointer(0); s.SetULong(1); });
        r.Add("mlock2", (s, m, o) => { s.SetPointer(0); s.SetULong(1); s.SetFlags(2, MemoryTables.Mlock2Flags); });
        r.Add("mlockall", (s, m, o) => s.SetFlags(0, MemoryTables.MlockallFlags));
        r.Add("set_mempolicy", (s, m, o) => { s.SetText(0, MempolicyModeText((uint)s.Args[0])); s.SetText(1, NodemaskText(m, o, s.Args[1], s.Args[2])); s.SetULong(2); });
        r.Add("get_mempolicy", (s, m, o) => { s.SetULong(2); s.SetPointer(3); s.SetFlags(4, MemoryTables.GetMempolicyFlags); }, GetMempolicyExit);
        r.Add("mbind", MbindEntry);
        r.Add("migrate_pages", (s, m, o) => { s.SetULong(1); s.SetText(2, NodemaskText(m, o, s.Args[2], s.Args[1])); s.SetText(3, NodemaskText(m, o, s.Args[3], s.Args[1])); });
        r.Add("pkey_alloc", (s, m, o) => { s.SetHex(0); s.SetFlags(1, MemoryTables.PkeyAccess); });
    }

    private static void MmapEntry(SyscallDecodeState s, ITraceeMemory m, DecodeOptions o)
    {
        s.SetPointer(0);
        s.SetULong(1);
        SetProt(s, 2);
        s.SetText(3, MapFlagsText(s.Args[3]));
        s.SetFd(4);
        s.SetHex(5);
    }

    private static void MremapEntry(SyscallDecodeState s, ITraceeMemory m, DecodeOptions o)
    {
        s.SetPointer(0);
        s.SetULong(1);
        s.SetULong(2);
        s.SetFlags(3, MemoryTables.MremapFlags);
        if ((s.Args[3] & MREMAP_FIXED) != 0)
        {
            s.SetPointer(4);
            s.ArgumentCount = 5;
        }
        else
        {
            s.ArgumentCount = 4;
        }
    }

    private static string? GetMempolicyExit(SyscallDecodeState s, long ret, ITraceeMemory m, DecodeOptions o, bool failed)
    {
        s.SetStruct<int>(0, m, static mode => "[" + MempolicyModeText((uint)mode) + "]", failed);
        s.SetText(1, failed ? StraceText.Pointer(s.Args[1]) : NodemaskText(m, o, s.Args[1], s.Args[2]));
        return null;
    }

    private static void MbindEntry(SyscallDecodeState s, ITraceeMemory m, DecodeOptions o)
    {
        s.SetPointer(0);
        s.SetULong(1);
        s.SetText(2, MempolicyModeText((uint)s.Args[2]));
        s.SetText(3, NodemaskText(m, o, s.Args[3], s.Args[4]));
        s.SetULong(4);
        s.SetHex(5);
    }

    private static string MempolicyModeText(uint v)
    {
        uint mode = v & 0xff;
        uint flags = v & ~0xffu;
        string text = MemoryTables.MempolicyModes.Format(mode);
        return flags == 0 ? text : text + "|" + MemoryTables.MempolicyModeFlags.Format(flags);
    }

    /// <summary>
    /// A NUMA node mask as strace prints it: (maxnode + 62) / 64 words, counted in 64 bits as the kernel does, each
    /// <c>%#018lx</c>-style (zero as 16 zeros); a maxnode that makes no word (1, or a count that wraps) is the address.
    /// </summary>
    private static string NodemaskText(ITraceeMemory m, DecodeOptions o, ulong address, ulong maxnode)
    {
        ulong words = unchecked(maxnode + 62) / 64;
        if (maxnode != 0 && words == 0)
        {
            return StraceText.Pointer(address);
        }

        return ArrayText.Format(m, o, address, words, 8, static (sb, w, _) =>
        {
            ulong v = TraceeReader.As<ulong>(w);
            sb.Append(v == 0 ? "0000000000000000" : "0x" + v.ToString("x14", System.Globalization.CultureInfo.InvariantCulture));
        });
    }

    private static void SetProt(SyscallDecodeState s, int i)
    {
        ulong prot = (uint)s.Args[i];
        s.SetText(i, MemoryTables.Protection.Format(prot, "PROT_NONE"));
    }

    private static readonly TextCache MapFlagsCache = new();

    /// <summary>mmap flags: the sharing type, then the other bits.</summary>
    public static string MapFlagsText(ulong flags)
    {
        flags = (uint)flags;
        return MapFlagsCache.TryGet(flags, out var text) ? text : MapFlagsCache.Add(flags, MapFlagsUncached(flags));
    }

    private static string MapFlagsUncached(ulong flags)
    {
        string type = MemoryTables.MapType.Format((long)(flags & 0xf));
        ulong huge = (flags >> HugeShift) & 0x3f;
        ulong rest = flags & ~0xfUL & ~(0x3fUL << HugeShift);
        string text = rest == 0 ? type : type + "|" + MemoryTables.MapFlags.Format(rest);
        return huge == 0 ? text : text + "|" + StraceText.Dec((long)huge) + "<<MAP_HUGE_SHIFT";
    }
}
