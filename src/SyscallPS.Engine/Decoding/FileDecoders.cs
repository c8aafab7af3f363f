using System.Buffers.Binary;
using SyscallPS.Decoding.Tables;

namespace SyscallPS.Decoding;

/// <summary>Decoders for file and directory syscalls: open family, paths, stat family, fcntl, ioctl, links.</summary>
internal static class FileDecoders
{
    public static void Register(DecoderRegistry r)
    {
        r.Add("open", (s, m, o) => OpenCommon(s, m, -1));
        r.Add("openat", (s, m, o) => OpenCommon(s, m, 0));
        r.Add("creat", (s, m, o) => { s.SetPath(0, m); s.SetMode(1); });
        r.Add("openat2", OpenAt2);
        r.Add("close fchdir fsync fdatasync syncfs dup", (s, m, o) => s.SetFd(0));
        r.Add("chdir rmdir unlink chroot acct swapoff", (s, m, o) => s.SetPath(0, m));
        r.Add("mkdir chmod", (s, m, o) => { s.SetPath(0, m); s.SetMode(1); });
        r.Add("mkdirat", (s, m, o) => { s.SetDirFd(0); s.SetPath(1, m); s.SetMode(2); });
        r.Add("fchmodat", (s, m, o) => { s.SetDirFd(0); s.SetPath(1, m); s.SetMode(2); }, argCount: 3);
        r.Add("fchmod", (s, m, o) => { s.SetFd(0); s.SetMode(1); });
        r.Add("fchmodat2", (s, m, o) => { s.SetDirFd(0); s.SetPath(1, m); s.SetMode(2); s.SetFlags(3, FileTables.AtFlags); });
        r.Add("chown lchown", (s, m, o) => { s.SetPath(0, m); s.SetInt(1); s.SetInt(2); });
        r.Add("fchown", (s, m, o) => { s.SetFd(0); s.SetInt(1); s.SetInt(2); });
        r.Add("fchownat", (s, m, o) => { s.SetDirFd(0); s.SetPath(1, m); s.SetInt(2); s.SetInt(3); s.SetFlags(4, FileTables.AtFlags); });
        r.Add("access", (s, m, o) => { s.SetPath(0, m); SetAccessMode(s, 1); });
        r.Add("faccessat", (s, m, o) => { s.SetDirFd(0); s.SetPath(1, m); SetAccessMode(s, 2); }, argCount: 3);
        r.Add("faccessat2", (s, m, o) => { s.SetDirFd(0); s.SetPath(1, m); SetAccessMode(s, 2); s.SetFlags(3, FileTables.AccessAtFlags); });
        r.Add("unlinkat", (s, m, o) => { s.SetDirFd(0); s.SetPath(1, m); s.SetFlags(2, FileTables.AtFlags); });
        r.Add("rename link symlink", (s, m, o) => { s.SetPath(0, m); s.SetPath(1, m, target: true); });
        r.Add("renameat", (s, m, o) => { s.SetDirFd(0); s.SetPath(1, m); s.SetDirFd(2); s.SetPath(3, m, target: true); });
        r.Add("renameat2", (s, m, o) =>
        {
            s.SetDirFd(0); s.SetPath(1, m); s.SetDirFd(2); s.SetPath(3, m, target: true); s.SetFlags(4, FileTables.RenameFlags);
        });
        r.Add("linkat", (s, m, o) =>
        {
            s.SetDirFd(0); s.SetPath(1, m); s.SetDirFd(2); s.SetPath(3, m, target: true); s.SetFlags(4, FileTables.AtFlags);
        });
        r.Add("symlinkat", (s, m, o) => { s.SetPath(0, m, target: true); s.SetDirFd(1); s.SetPath(2, m); });
        r.Add("truncate", (s, m, o) => { s.SetPath(0, m); s.SetLong(1); });
        r.Add("ftruncate", (s, m, o) => { s.SetFd(0); s.SetLong(1); });
        // umask takes a umode_t: strace prints the low 16 bits.
        r.Add("umask", (s, m, o) => s.Set(0, (long)(ushort)s.Args[0], StraceText.Octal((ushort)s.Args[0])), ret: ReturnStyle.Octal);
        r.Add("mknod", (s, m, o) => Mknod(s, m, 0));
        r.Add("mknodat", (s, m, o) => { s.SetDirFd(0); Mknod(s, m, 1); });

        // stat family: the table carries no parameters for the legacy ones.
        r.Add("stat lstat", (s, m, o) => s.SetPath(0, m), StatExit(1), argCount: 2, parameters: "const char * filename;struct stat * statbuf");
        r.Add("fstat", (s, m, o) => s.SetFd(0), StatExit(1), argCount: 2, parameters: "unsigned int fd;struct stat * statbuf");
        r.Add("newfstatat", (s, m, o) => { s.SetDirFd(0); s.SetPath(1, m); s.SetFlags(3, FileTables.AtFlags); }, StatExit(2));
        r.Add("statx", (s, m, o) =>
        {
            s.SetDirFd(0); s.SetPath(1, m);
            s.Set(2, (long)(uint)s.Args[2], StatxFlagsText((uint)s.Args[2]));
            s.SetFlags(3, FileTables.StatxMask);
        }, StatxExit);
        r.Add("readlink", (s, m, o) => { s.SetPath(0, m); s.SetULong(2); }, DescriptorDecoders.DataOutExit(1));
        r.Add("readlinkat", (s, m, o) => { s.SetDirFd(0); s.SetPath(1, m); s.SetULong(3); }, DescriptorDecoders.DataOutExit(2));
        r.Add("getcwd", (s, m, o) => s.SetULong(1), GetcwdExit);
        r.Add("getdents64 getdents", (s, m, o) => { s.SetFd(0); s.SetUInt(2); }, GetdentsExit);
        r.Add("lseek", (s, m, o) => { s.SetFd(0); s.SetLong(1); s.SetEnum(2, FileTables.SeekWhence); });
        r.Add("dup2", (s, m, o) => { s.SetFd(0); s.SetInt(1); });
        r.Add("dup3", (s, m, o) => { s.SetFd(0); s.SetInt(1); s.SetFlags(2, FileTables.OpenFlags); }); // strace prints any O_ flag
        r.Add("pipe", null, PipeExit);
        r.Add("pipe2", (s, m, o) => s.SetFlags(1, FileTables.OpenFlags), PipeExit);
        r.Add("fcntl", FcntlEntry, FcntlExit);
        r.Add("ioctl", IoctlEntry, IoctlExit);
        r.Add("flock", (s, m, o) => { s.SetFd(0); s.SetFlags(1, FileTables.FlockOps); });
        r.Add("sync_file_range", (s, m, o) => { s.SetFd(0); s.SetLong(1); s.SetLong(2); s.SetFlags(3, FileTables.SyncFileRangeFlags); });
        r.Add("fallocate", (s, m, o) => { s.SetFd(0); s.SetFlags(1, FileTables.FallocateModes); s.SetLong(2); s.SetLong(3); });
        r.Add("fadvise64", (s, m, o) => { s.SetFd(0); s.SetLong(1); s.SetLong(2); s.SetEnum(3, FileTables.FadviseAdvice); });
        r.Add("memfd_create", (s, m, o) => { s.SetString(0, m, o); s.ObjectName = TraceeReader.ReadPath(m, s.Args[0]); SetMemfdFlags(s, 1); });
        r.Add("eventfd2", (s, m, o) => { s.SetUInt(0); s.SetFlags(1, FileTables.EventFdFlags); });
        r.Add("eventfd", (s, m, o) => s.SetUInt(0));
        r.Add("inotify_init1", (s, m, o) => s.SetFlags(0, FileTables.InotifyInitFlags));
        r.Add("inotify_add_watch", (s, m, o) => { s.SetFd(0); s.SetPath(1, m); s.SetFlags(2, FileTables.InotifyMask); });
        r.Add("inotify_rm_watch", (s, m, o) => { s.SetFd(0); s.SetInt(1); });
        r.Add("getxattr lgetxattr", (s, m, o) => { s.SetPath(0, m); s.SetString(1, m, o); s.SetULong(3); }, SizeQueryBufferExit(2));
        r.Add("fgetxattr", (s, m, o) => { s.SetFd(0); s.SetString(1, m, o); s.SetULong(3); }, SizeQueryBufferExit(2));
        r.Add("setxattr lsetxattr", (s, m, o) =>
        {
            s.SetPath(0, m); s.SetString(1, m, o); s.SetBuffer(2, m, o, s.Args[3]); s.SetULong(3); s.SetFlags(4, FileTables.XattrFlags);
        });
        r.Add("listxattr llistxattr", (s, m, o) => { s.SetPath(0, m); s.SetULong(2); }, SizeQueryBufferExit(1));
        r.Add("sendfile", SendfileEntry, SendfileExit, argCount: 4, parameters: "int out_fd;int in_fd;off_t * offset;size_t count");
        r.Add("close_range", (s, m, o) => { s.SetUInt(0); s.SetUInt(1); s.SetFlags(2, FileTables.CloseRangeFlags); });
        r.Add("umount2", (s, m, o) => { s.SetString(0, m, o); s.SetFlags(1, FileTables.UmountFlags); }, argCount: 2, parameters: "char * name;int flags");
        r.Add("statfs", (s, m, o) => s.SetPath(0, m), StatfsExit);
        r.Add("fstatfs", (s, m, o) => s.SetFd(0), StatfsExit);
        r.Add("sync", null, argCount: 0);
        r.Add("utimensat", (s, m, o) => { s.SetDirFd(0); s.SetPath(1, m); s.SetText(2, UtimensText(m, s.Args[2])); s.SetFlags(3, FileTables.AtFlags); });
    }

    private static void OpenCommon(SyscallDecodeState s, ITraceeMemory m, int dirIndex)
    {
        int first = 0;
        if (dirIndex >= 0)
        {
            s.SetDirFd(0);
            first = 1;
        }

        s.SetPath(first, m);
        ulong flags = (uint)s.Args[first + 1];
        s.Set(first + 1, (long)flags, OpenFlagsText(flags));
        if ((flags & FileTables.O_CREAT) != 0 || (flags & FileTables.TmpfileBit) != 0)
        {
            s.SetMode(first + 2);
            s.ArgumentCount = first + 3;
        }
        else
        {
            s.ArgumentCount = first + 2;
        }
    }

    private static readonly TextCache OpenFlagsCache = new();

    /// <summary>Open flags as strace prints them: the access mode, then the other bits.</summary>
    public static string OpenFlagsText(ulong flags) =>
        OpenFlagsCache.TryGet(flags, out var text) ? text : OpenFlagsCache.Add(flags, OpenFlagsUncached(flags));

    private static string OpenFlagsUncached(ulong flags)
    {
        string access = FileTables.AccessModes.Format((long)(flags & FileTables.O_ACCMODE));
        ulong rest = flags & ~FileTables.O_ACCMODE;
        if (rest == 0)
        {
            return access;
        }

        var sb = StraceText.LeafBuilder();
        sb.Append(access).Append('|');
        FileTables.OpenFlags.Append(sb, rest);
        return sb.ToString();
    }

    private static void OpenAt2(SyscallDecodeState s, ITraceeMemory m, DecodeOptions o)
    {
        s.SetDirFd(0);
        s.SetPath(1, m);
        Span<byte> how = stackalloc byte[24];
        if (s.Args[3] >= 24 && TraceeReader.TryRead(m, s.Args[2], how))
        {
            ulong flags = BinaryPrimitives.ReadUInt64LittleEndian(how);
            s.OpenFlags = flags;
            ulong mode = BinaryPrimitives.ReadUInt64LittleEndian(how[8..]);
            ulong resolve = BinaryPrimitives.ReadUInt64LittleEndian(how[16..]);
            var flagsText = OpenFlagsText(flags);
            var sb = StraceText.Builder();
            sb.Append("{flags=").Append(flagsText);
            if (mode != 0 || (flags & FileTables.O_CREAT) != 0 || (flags & FileTables.TmpfileBit) != 0)
            {
                sb.Append(", mode=").Append(StraceText.Octal(mode));
            }

            sb.Append(", resolve=");
            FileTables.ResolveFlags.Append(sb, resolve);
            sb.Append('}');
            s.SetText(2, sb.ToString());
        }
        else
        {
            s.SetPointer(2);
        }

        s.SetULong(3);
    }

    private static void SetAccessMode(SyscallDecodeState s, int i)
    {
        uint mode = (uint)s.Args[i];
        s.Set(i, (long)mode, mode == 0 ? "F_OK" : FileTables.AccessModesFlags.Format(mode));
    }

    private static void Mknod(SyscallDecodeState s, ITraceeMemory m, int first)
    {
        s.SetPath(first, m);
        uint mode = (uint)s.Args[first + 1];
        var sb = StraceText.Builder();
        ArgFormat.AppendModeWithType(sb, mode);
        s.Set(first + 1, (long)mode, sb.ToString());
        uint type = mode & 0xF000;
        if (type is 0x2000 or 0x6000)
        {
            s.SetText(first + 2, MakeDev(s.Args[first + 2]));
            s.ArgumentCount = first + 3;
        }
        else
        {
            s.ArgumentCount = first + 2;
        }
    }

    private const long UtimeNow = (1L << 30) - 1;
    private const long UtimeOmit = (1L << 30) - 2;

    private static string UtimensText(ITraceeMemory m, ulong address)
    {
        if (address == 0)
        {
            return "NULL";
        }

        Span<long> ts = stackalloc long[4];
        if (!TraceeReader.TryRead(m, address, System.Runtime.InteropServices.MemoryMarshal.AsBytes(ts)))
        {
            return StraceText.Pointer(address);
        }

        return "[" + TimeWithDate(ts[0], ts[1]) + ", " + TimeWithDate(ts[2], ts[3]) + "]";
    }

    private static string TimeWithDate(long sec, long nsec)
    {
        if (nsec == UtimeNow)
        {
            return "UTIME_NOW";
        }

        if (nsec == UtimeOmit)
        {
            return "UTIME_OMIT";
        }

        return TimeDecoders.FormatTimespec(sec, nsec) + TimeDecoders.DateComment(sec, nsec);
    }

    /// <summary>A device number as strace prints it: <c>makedev(0x1, 0x3)</c>.</summary>
    public static string MakeDev(ulong dev)
    {
        ulong major = ((dev >> 8) & 0xfff) | ((dev >> 32) & ~0xfffUL);
        ulong minor = (dev & 0xff) | ((dev >> 12) & ~0xffUL);
        return "makedev(" + StraceText.Hex(major) + ", " + StraceText.Hex(minor) + ")";
    }

    private static ExitDecoder StatExit(int index) => (s, ret, m, o, failed) =>
    {
        if (failed)
        {
            s.SetPointer(index);
            return null;
        }

        Span<byte> st = stackalloc byte[144];
        if (!TraceeReader.TryRead(m, s.Args[index], st))
        {
            s.SetPointer(index);
            return null;
        }

        uint mode = BinaryPrimitives.ReadUInt32LittleEndian(st[Abi.StatModeOffset..]);
        ulong rdev = BinaryPrimitives.ReadUInt64LittleEndian(st[Abi.StatRdevOffset..]);
        long size = BinaryPrimitives.ReadInt64LittleEndian(st[Abi.StatSizeOffset..]);
        var sb = StraceText.Builder();
        sb.Append("{st_mode=");
        ArgFormat.AppendModeWithType(sb, mode);
        uint type = mode & 0xF000;
        if (type is 0x2000 or 0x6000)
        {
            sb.Append(", st_rdev=").Append(MakeDev(rdev));
        }
        else
        {
            sb.Append(", st_size=").Append(StraceText.Dec(size));
        }

        sb.Append(", ...}");
        s.SetText(index, sb.ToString());
        return null;
    };

    private static string? StatfsExit(SyscallDecodeState s, long ret, ITraceeMemory m, DecodeOptions o, bool failed)
    {
        var b = new byte[88];
        if (failed || !TraceeReader.TryRead(m, s.Args[1], b))
        {
            s.SetPointer(1);
            return null;
        }

        ulong U(int off) => BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(off));
        var sb = new System.Text.StringBuilder("{f_type=");
        long type = (long)U(0);
        sb.Append(StatfsTables.Magic.Lookup(type) ?? StraceText.Hex((ulong)type))
          .Append(", f_bsize=").Append(StraceText.Dec((long)U(8)))
          .Append(", f_blocks=").Append(StraceText.UDec(U(16))).Append(", f_bfree=").Append(StraceText.UDec(U(24)))
          .Append(", f_bavail=").Append(StraceText.UDec(U(32))).Append(", f_files=").Append(StraceText.UDec(U(40)))
          .Append(", f_ffree=").Append(StraceText.UDec(U(48))).Append(", f_fsid={val=[")
          .Append(StraceText.Hex(BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(56)))).Append(", ")
          .Append(StraceText.Hex(BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(60)))).Append("]}, f_namelen=")
          .Append(StraceText.Dec((long)U(64))).Append(", f_frsize=").Append(StraceText.Dec((long)U(72))).Append(", f_flags=")
          .Append(StatfsTables.MountFlags.Format(U(80))).Append('}');
        s.SetText(1, sb.ToString());
        return null;
    }

    private static string StatxFlagsText(uint flags)
    {
        // The sync type (bits 0x6000) prints first, AT_STATX_SYNC_AS_STAT when zero.
        uint sync = flags & 0x6000;
        string syncName = sync switch
        {
            0 => "AT_STATX_SYNC_AS_STAT",
            0x2000 => "AT_STATX_FORCE_SYNC",
            0x4000 => "AT_STATX_DONT_SYNC",
            _ => "AT_STATX_FORCE_SYNC|AT_STATX_DONT_SYNC",
        };
        uint rest = flags & ~0x6000u;
        if (rest == 0)
        {
            return syncName;
        }

        var sb = StraceText.Builder();
        sb.Append(syncName).Append('|');
        FileTables.AtFlags.Append(sb, rest);
        return sb.ToString();
    }

    private static string? StatxExit(SyscallDecodeState s, long ret, ITraceeMemory m, DecodeOptions o, bool failed)
    {
        Span<byte> st = stackalloc byte[144];
        if (failed || !TraceeReader.TryRead(m, s.Args[4], st))
        {
            s.SetPointer(4);
            return null;
        }

        uint mask = BinaryPrimitives.ReadUInt32LittleEndian(st);
        ulong attrs = BinaryPrimitives.ReadUInt64LittleEndian(st[8..]);
        uint mode = BinaryPrimitives.ReadUInt16LittleEndian(st[28..]);
        ulong size = BinaryPrimitives.ReadUInt64LittleEndian(st[40..]);
        var sb = StraceText.Builder();
        sb.Append("{stx_mask=");
        FileTables.StatxMask.Append(sb, mask);
        sb.Append(", stx_attributes=");
        FileTables.StatxAttributes.Append(sb, attrs);
        sb.Append(", stx_mode=");
        ArgFormat.AppendModeWithType(sb, mode);
        sb.Append(", stx_size=").Append(StraceText.UDec(size)).Append(", ...}");
        s.SetText(4, sb.ToString());
        return null;
    }

    private static string? GetcwdExit(SyscallDecodeState s, long ret, ITraceeMemory m, DecodeOptions o, bool failed)
    {
        if (failed || ret <= 0)
        {
            s.SetPointer(0);
            return null;
        }

        s.SetPath(0, m);
        return null;
    }

    private static string? GetdentsExit(SyscallDecodeState s, long ret, ITraceeMemory m, DecodeOptions o, bool failed)
    {
        if (failed)
        {
            s.SetPointer(1);
            return null;
        }

        int count = 0;
        if (ret > 0)
        {
            var buf = new byte[ret];
            if (!TraceeReader.TryRead(m, s.Args[1], buf))
            {
                s.SetPointer(1);
                return null;
            }

            // d_reclen sits at offset 16 in both linux_dirent and linux_dirent64.
            const int ReclenOffset = 16;
            for (int off = 0; off + ReclenOffset + 2 <= buf.Length;)
            {
                int reclen = BinaryPrimitives.ReadUInt16LittleEndian(buf.AsSpan(off + ReclenOffset));
                if (reclen == 0)
                {
                    break;
                }

                count++;
                off += reclen;
            }
        }

        s.SetText(1, StraceText.Pointer(s.Args[1]) + " /* " + StraceText.Dec(count) + (count == 1 ? " entry */" : " entries */"));
        return null;
    }

    private static string? PipeExit(SyscallDecodeState s, long ret, ITraceeMemory m, DecodeOptions o, bool failed)
    {
        Span<int> fds = stackalloc int[2];
        if (!failed && TraceeReader.TryRead(m, s.Args[0], System.Runtime.InteropServices.MemoryMarshal.AsBytes(fds)))
        {
            s.DescriptorPair = (fds[0], fds[1]);
            s.Set(0, new long[] { fds[0], fds[1] }, "[" + StraceText.Dec(fds[0]) + ", " + StraceText.Dec(fds[1]) + "]");
        }
        else
        {
            s.SetPointer(0);
        }

        return null;
    }

    private const int F_DUPFD = 0, F_GETFD = 1, F_SETFD = 2, F_GETFL = 3, F_SETFL = 4, F_GETLK = 5, F_SETLK = 6, F_SETLKW = 7;
    private const int F_SETOWN = 8, F_GETOWN = 9, F_SETSIG = 10, F_GETSIG = 11, F_OFD_GETLK = 36, F_OFD_SETLK = 37, F_OFD_SETLKW = 38;
    private const int F_SETOWN_EX = 15, F_GETOWN_EX = 16;
    private const int F_SETLEASE = 1024, F_GETLEASE = 1025, F_NOTIFY = 1026, F_DUPFD_CLOEXEC = 1030, F_SETPIPE_SZ = 1031;
    private const int F_GETPIPE_SZ = 1032, F_ADD_SEALS = 1033, F_GET_SEALS = 1034;

    private static void FcntlEntry(SyscallDecodeState s, ITraceeMemory m, DecodeOptions o)
    {
        s.SetFd(0);
        int cmd = (int)s.Args[1];
        s.SetEnum(1, FileTables.FcntlCommands);
        s.ArgumentCount = 3;
        switch (cmd)
        {
            case F_GETFD or F_GETFL or F_GETOWN or F_GETSIG or F_GETLEASE or F_GETPIPE_SZ or F_GET_SEALS:
                s.ArgumentCount = 2;
                break;
            case F_SETFD:
                s.SetFlags(2, FileTables.FdFlags);
                break;
            case F_SETFL:
                s.Set(2, (long)(uint)s.Args[2], OpenFlagsText((uint)s.Args[2]));
                break;
            case F_DUPFD or F_DUPFD_CLOEXEC or F_SETOWN or F_SETPIPE_SZ:
                s.SetInt(2);
                break;
            case F_SETSIG:
                s.SetSignal(2);
                break;
            case F_SETLEASE:
                s.SetEnum(2, FileTables.LeaseTypes);
                break;
            case F_NOTIFY:
                s.SetFlags(2, FileTables.DirNotify);
                break;
            case F_ADD_SEALS:
                s.SetFlags(2, FileTables.Seals);
                break;
            case F_SETLK or F_SETLKW or F_OFD_SETLK or F_OFD_SETLKW:
                s.SetText(2, FlockText(m, s.Args[2], withPid: false));
                break;
            case F_SETOWN_EX:
                s.SetText(2, OwnerText(m, s.Args[2]));
                break;
            case F_GETLK or F_OFD_GETLK or F_GETOWN_EX:
                break;
            default:
                s.SetHex(2);
                break;
        }
    }

    /// <summary>struct f_owner_ex: <c>{type=F_OWNER_PID, pid=0}</c>.</summary>
    private static string OwnerText(ITraceeMemory m, ulong address)
    {
        Span<int> owner = stackalloc int[2];
        if (!TraceeReader.TryRead(m, address, System.Runtime.InteropServices.MemoryMarshal.AsBytes(owner)))
        {
            return StraceText.Pointer(address);
        }

        return "{type=" + FileTables.OwnerTypes.Format(owner[0]) + ", pid=" + StraceText.Dec(owner[1]) + "}";
    }

    private static string FlockText(ITraceeMemory m, ulong address, bool withPid)
    {
        Span<byte> fl = stackalloc byte[32];
        if (!TraceeReader.TryRead(m, address, fl))
        {
            return StraceText.Pointer(address);
        }

        short type = BinaryPrimitives.ReadInt16LittleEndian(fl);
        short whence = BinaryPrimitives.ReadInt16LittleEndian(fl[2..]);
        long start = BinaryPrimitives.ReadInt64LittleEndian(fl[8..]);
        long len = BinaryPrimitives.ReadInt64LittleEndian(fl[16..]);
        int pid = BinaryPrimitives.ReadInt32LittleEndian(fl[24..]);
        var sb = StraceText.Builder();
        sb.Append("{l_type=").Append(FileTables.LockTypes.Format(type))
          .Append(", l_whence=").Append(FileTables.SeekWhence.Format(whence))
          .Append(", l_start=").Append(StraceText.Dec(start))
          .Append(", l_len=").Append(StraceText.Dec(len));
        if (withPid)
        {
            sb.Append(", l_pid=").Append(StraceText.Dec(pid));
        }

        return sb.Append('}').ToString();
    }

    private static string? FcntlExit(SyscallDecodeState s, long ret, ITraceeMemory m, DecodeOptions o, bool failed)
    {
        int cmd = (int)s.Args[1];
        if (cmd is F_GETLK or F_OFD_GETLK)
        {
            s.SetText(2, failed ? StraceText.Pointer(s.Args[2]) : FlockText(m, s.Args[2], withPid: true));
        }
        else if (cmd == F_GETOWN_EX)
        {
            s.SetText(2, failed ? StraceText.Pointer(s.Args[2]) : OwnerText(m, s.Args[2]));
        }

        if (failed)
        {
            return null;
        }

        switch (cmd)
        {
            case F_GETFD when ret != 0:
                return StraceText.Hex((ulong)ret) + " (flags " + FileTables.FdFlags.Format((ulong)ret) + ")";
            case F_GETFL:
                return StraceText.Hex((ulong)ret) + " (flags " + OpenFlagsText((ulong)ret) + ")";
            case F_GET_SEALS when ret != 0:
                return StraceText.Hex((ulong)ret) + " (seals " + FileTables.Seals.Format((ulong)ret) + ")";
            case F_GETLEASE:
                return StraceText.Hex((ulong)ret) + " (" + FileTables.LeaseTypes.Format(ret) + ")";
            case F_GETSIG when ret != 0:
                return StraceText.Dec(ret) + " (" + SyscallDecoder.SignalName((int)ret) + ")";
            default:
                return null;
        }
    }

    private static void IoctlEntry(SyscallDecodeState s, ITraceeMemory m, DecodeOptions o)
    {
        s.SetFd(0);
        uint req = (uint)s.Args[1];
        s.Set(1, (long)req, IoctlName(req));
        switch (req)
        {
            case IoctlTables.FIOCLEX or IoctlTables.FIONCLEX or IoctlTables.TIOCNOTTY or IoctlTables.BLKRRPART or IoctlTables.BLKFLSBUF:
                s.ArgumentCount = 2;
                break;
            case IoctlTables.FIONBIO or IoctlTables.FIOASYNC or IoctlTables.TIOCSPGRP or IoctlTables.TIOCSPTLCK:
                s.SetText(2, ArgFormat.IntRef(m, s.Args[2]));
                break;
            case IoctlTables.TIOCSWINSZ:
                s.SetText(2, WinsizeText(m, s.Args[2]));
                break;
            case IoctlTables.TIOCSCTTY:
                s.SetInt(2);
                break;
            case IoctlTables.FIONREAD or IoctlTables.TIOCGPGRP or IoctlTables.TIOCGWINSZ or IoctlTables.TCGETS or IoctlTables.TIOCGPTN or IoctlTables.TIOCGSID:
                break;
            case IoctlTables.SIOCGIFINDEX or IoctlTables.SIOCGIFNAME:
                // The input half of struct ifreq; the exit adds what the kernel filled in.
                s.SetText(2, IfreqText(m, s.Args[2], req, exit: false));
                break;
            default:
                s.SetHex(2);
                break;
        }
    }

    /// <summary>
    /// struct ifreq for SIOCGIFINDEX (<c>{ifr_name="lo", ifr_ifindex=1}</c>) and SIOCGIFNAME
    /// (<c>{ifr_ifindex=1, ifr_name="lo"}</c>): the input field, then at a successful exit the output one.
    /// </summary>
    private static string IfreqText(ITraceeMemory m, ulong address, uint req, bool exit)
    {
        Span<byte> ifr = stackalloc byte[20];
        if (!TraceeReader.TryRead(m, address, ifr))
        {
            return StraceText.Pointer(address);
        }

        var name = StraceText.Builder();
        var raw = ifr[..16];
        int nul = raw.IndexOf((byte)0);
        StraceText.AppendQuoted(name, nul >= 0 ? raw[..nul] : raw);
        string nameText = "ifr_name=" + name;
        string indexText = "ifr_ifindex=" + StraceText.Dec(BinaryPrimitives.ReadInt32LittleEndian(ifr[16..]));
        var (input, output) = req == IoctlTables.SIOCGIFINDEX ? (nameText, indexText) : (indexText, nameText);
        return exit ? "{" + input + ", " + output + "}" : "{" + input + "}";
    }

    private static string? IoctlExit(SyscallDecodeState s, long ret, ITraceeMemory m, DecodeOptions o, bool failed)
    {
        uint req = (uint)s.Args[1];
        switch (req)
        {
            case IoctlTables.FIONREAD or IoctlTables.TIOCGPGRP or IoctlTables.TIOCGPTN or IoctlTables.TIOCGSID:
                s.SetText(2, failed ? StraceText.Pointer(s.Args[2]) : ArgFormat.IntRef(m, s.Args[2]));
                break;
            case IoctlTables.TIOCGWINSZ:
                s.SetText(2, failed ? StraceText.Pointer(s.Args[2]) : WinsizeText(m, s.Args[2]));
                break;
            case IoctlTables.TCGETS:
                s.SetText(2, failed ? StraceText.Pointer(s.Args[2]) : TermiosText(m, s.Args[2]));
                break;
            case IoctlTables.SIOCGIFINDEX or IoctlTables.SIOCGIFNAME when !failed:
                s.SetText(2, IfreqText(m, s.Args[2], req, exit: true));
                break;
        }

        return null;
    }

    /// <summary>An ioctl request: its name, or <c>_IOC(dir, type, nr, size)</c>.</summary>
    public static string IoctlName(uint req)
    {
        var name = IoctlTables.Requests.Lookup(req);
        if (name is not null)
        {
            return name;
        }

        uint dir = req >> 30, size = (req >> 16) & 0x3fff, type = (req >> 8) & 0xff, nr = req & 0xff;
        const uint Read = 2;
        string? sized = (dir, type, nr) switch
        {
            // Requests whose size (and event type) are parameters: strace prints them as the macro call.
            (Read, 'E', >= 0x20 and < 0x40) => "EVIOCGBIT(" + StraceText.UDec(nr - 0x20) + ", ",
            (Read, 'E', 0x06) => "EVIOCGNAME(",
            (Read, 'H', 0x04) => "HIDIOCGRAWNAME(",
            _ => null,
        };
        if (sized is not null)
        {
            return sized + StraceText.UDec(size) + ")";
        }

        return "_IOC(" + IoctlTables.Directions[dir] + ", " + StraceText.Hex(type) + ", " + StraceText.Hex(nr) + ", " + StraceText.Hex(size) + ")";
    }

    private static string WinsizeText(ITraceeMemory m, ulong address)
    {
        Span<ushort> ws = stackalloc ushort[4];
        if (!TraceeReader.TryRead(m, address, System.Runtime.InteropServices.MemoryMarshal.AsBytes(ws)))
        {
            return StraceText.Pointer(address);
        }

        return "{ws_row=" + StraceText.Dec(ws[0]) + ", ws_col=" + StraceText.Dec(ws[1]) + ", ws_xpixel=" + StraceText.Dec(ws[2]) + ", ws_ypixel=" + StraceText.Dec(ws[3]) + "}";
    }

    private static string TermiosText(ITraceeMemory m, ulong address)
    {
        Span<byte> t = stackalloc byte[36];
        if (!TraceeReader.TryRead(m, address, t))
        {
            return StraceText.Pointer(address);
        }

        uint iflag = BinaryPrimitives.ReadUInt32LittleEndian(t);
        uint oflag = BinaryPrimitives.ReadUInt32LittleEndian(t[4..]);
        uint cflag = BinaryPrimitives.ReadUInt32LittleEndian(t[8..]);
        uint lflag = BinaryPrimitives.ReadUInt32LittleEndian(t[12..]);
        var sb = new System.Text.StringBuilder("{c_iflag=");
        sb.Append(TermiosTables.InputFlags.Format(iflag)).Append(", c_oflag=");
        uint delayBits = 0;
        foreach (var (mask, names) in TermiosTables.OutputDelays)
        {
            uint v = oflag & mask;
            delayBits |= mask;
            sb.Append(Array.Find(names, n => n.Value == v).Name).Append('|');
        }

        uint oRest = oflag & ~delayBits;
        if (oRest == 0)
        {
            sb.Length--;
        }
        else
        {
            TermiosTables.OutputFlags.Append(sb, oRest);
        }

        sb.Append(", c_cflag=").Append(TermiosTables.Bauds.Format(cflag & 0x100f)).Append('|').Append(TermiosTables.CharSizes[(cflag >> 4) & 3]);
        uint cRest = cflag & ~0x100fu & ~0x30u & ~0x100f0000u;
        if (cRest != 0)
        {
            sb.Append('|');
            TermiosTables.ControlFlags.Append(sb, cRest);
        }

        sb.Append(", c_lflag=").Append(TermiosTables.LocalFlags.Format(lflag)).Append(", ...}");
        return sb.ToString();
    }

    /// <summary>
    /// An output buffer that may be NULL to ask for the size (getxattr, listxattr): the address when NULL or on
    /// failure, else the returned length of it.
    /// </summary>
    private static ExitDecoder SizeQueryBufferExit(int index) => (s, ret, m, o, failed) =>
    {
        if (failed || s.Args[index] == 0)
        {
            s.SetPointer(index);
        }
        else
        {
            s.SetBuffer(index, m, o, (ulong)ret);
        }

        return null;
    };

    /// <summary>memfd_create's flags: the MFD_ names, then the huge page size as strace writes it, <c>21&lt;&lt;MFD_HUGE_SHIFT</c>.</summary>
    private static void SetMemfdFlags(SyscallDecodeState s, int i)
    {
        const int HugeShift = 26;
        uint flags = (uint)s.Args[i];
        uint low = flags & ((1u << HugeShift) - 1), huge = flags >> HugeShift;
        string text = FileTables.MemfdFlags.Format(low);
        if (huge != 0)
        {
            text = (low == 0 ? string.Empty : text + "|") + StraceText.UDec(huge) + "<<MFD_HUGE_SHIFT";
        }

        s.Set(i, text, text);
    }

    private static void SendfileEntry(SyscallDecodeState s, ITraceeMemory m, DecodeOptions o)
    {
        s.SetFd(0);
        s.SetFd(1);
        if (s.Args[2] != 0 && TraceeReader.TryRead(m, s.Args[2], out long off))
        {
            s.Saved = 1;
            s.Saved2 = off;
            s.SetText(2, "[" + StraceText.UDec((ulong)off) + "]");
        }
        else
        {
            s.SetPointer(2);
        }

        s.SetULong(3);
    }

    private static string? SendfileExit(SyscallDecodeState s, long ret, ITraceeMemory m, DecodeOptions o, bool failed)
    {
        if (s.Saved == 1 && !failed && ret > 0 && TraceeReader.TryRead(m, s.Args[2], out long off))
        {
            s.SetText(2, "[" + StraceText.UDec((ulong)s.Saved2) + "] => [" + StraceText.UDec((ulong)off) + "]");
        }

        return null;
    }

}
