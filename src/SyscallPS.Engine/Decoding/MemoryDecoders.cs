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
        r.Add("mmap", (s, m, o) =>
        {
            s.SetPointer(0); s.SetULong(1); SetProt(s, 2); s.SetText(3, MapFlagsText(s.Args[3])); s.SetInt(4); s.SetHex(5);
        }, ret: ReturnStyle.Address);
        r.Add("munmap", (s, m, o) => { s.SetPointer(0); s.SetULong(1); });
        r.Add("mprotect pkey_mprotect", (s, m, o) => { s.SetPointer(0); s.SetULong(1); SetProt(s, 2); });
        r.Add("mremap", (s, m, o) =>
        {
            s.SetPointer(0); s.SetULong(1); s.SetULong(2); s.SetFlags(3, MemoryTables.MremapFlags);
            if ((s.Args[3] & MREMAP_FIXED) != 0)
            {
                s.SetPointer(4);
                s.ArgumentCount = 5;
            }
            else
            {
                s.ArgumentCount = 4;
            }
        }, ret: ReturnStyle.Address);
        r.Add("madvise", (s, m, o) => { s.SetPointer(0); s.SetULong(1); s.SetEnum(2, MemoryTables.Madvise); });
        r.Add("msync", (s, m, o) => { s.SetPointer(0); s.SetULong(1); s.SetFlags(2, MemoryTables.MsyncFlags); });
        r.Add("mlock munlock", (s, m, o) => { s.SetPointer(0); s.SetULong(1); });
        r.Add("mlock2", (s, m, o) => { s.SetPointer(0); s.SetULong(1); s.SetFlags(2, MemoryTables.Mlock2Flags); });
        r.Add("mlockall", (s, m, o) => s.SetFlags(0, MemoryTables.MlockallFlags));
        r.Add("pkey_alloc", (s, m, o) => { s.SetHex(0); s.SetFlags(1, MemoryTables.PkeyAccess); });
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
