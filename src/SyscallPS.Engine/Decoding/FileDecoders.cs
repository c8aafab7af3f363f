using System.Runtime.CompilerServices;
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
        r.Add("renameat", (s, m, o) => SetPathPair(s, m));
        r.Add("renameat2", (s, m, o) => { SetPathPair(s, m); s.SetFlags(4, FileTables.RenameFlags); });
        r.Add("linkat", (s, m, o) => { SetPathPair(s, m); s.SetFlags(4, FileTables.AtFlags); });
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
        r.Add("statx", StatxEntry, ArgFormat.OutStruct<Statx>(4, Format));
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
        r.Add("setxattr lsetxattr", SetxattrEntry);
        r.Add("listxattr llistxattr", (s, m, o) => { s.SetPath(0, m); s.SetULong(2); }, SizeQueryBufferExit(1));
        r.Add("sendfile", SendfileEntry, SendfileExit, argCount: 4, parameters: "int out_fd;int in_fd;off_t * offset;size_t count");
        r.Add("close_range", (s, m, o) => { s.SetUInt(0); s.SetUInt(1); s.SetFlags(2, FileTables.CloseRangeFlags); });
        r.Add("umount2", (s, m, o) => { s.SetString(0, m, o); s.SetFlags(1, FileTables.UmountFlags); }, argCount: 2, parameters: "char * name;int flags");
        r.Add("statfs", (s, m, o) => s.SetPath(0, m), ArgFormat.OutStruct<Statfs>(1, Format));
        r.Add("fstatfs", (s, m, o) => s.SetFd(0), ArgFormat.OutStruct<Statfs>(1, Format));
        r.Add("sync", null, argCount: 0);
        r.Add("utimensat", (s, m, o) => { s.SetDirFd(0); s.SetPath(1, m); s.SetStruct<TimespecPair>(2, m, Format); s.SetFlags(3, FileTables.AtFlags); });
    }

    /// <summary>renameat, linkat: olddirfd, oldpath, newdirfd, newpath.</summary>
    private static void SetPathPair(SyscallDecodeState s, ITraceeMemory m)
    {
        s.SetDirFd(0);
        s.SetPath(1, m);
        s.SetDirFd(2);
        s.SetPath(3, m, target: true);
    }

    private static void SetxattrEntry(SyscallDecodeState s, ITraceeMemory m, DecodeOptions o)
    {
        s.SetPath(0, m);
        s.SetString(1, m, o);
        s.SetBuffer(2, m, o, s.Args[3]);
        s.SetULong(3);
        s.SetFlags(4, FileTables.XattrFlags);
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
        return ArgFormat.NameAndFlags(access, FileTables.OpenFlags, flags & ~FileTables.O_ACCMODE);
    }

    private static void OpenAt2(SyscallDecodeState s, ITraceeMemory m, DecodeOptions o)
    {
        s.SetDirFd(0);
        s.SetPath(1, m);
        // openat2 refuses a size below the first version of struct open_how (OpenHow's 24 bytes): strace prints the address then.
        s.SetStruct<OpenHow>(2, m, how =>
        {
            s.OpenFlags = how.flags;
            return Format(how);
        }, failed: s.Args[3] < (ulong)Unsafe.SizeOf<OpenHow>());
        s.SetULong(3);
    }

    private static string Format(OpenHow how)
    {
        var flagsText = OpenFlagsText(how.flags);
        var sb = StraceText.Builder();
        sb.Append("{flags=").Append(flagsText);
        if (how.mode != 0 || (how.flags & FileTables.O_CREAT) != 0 || (how.flags & FileTables.TmpfileBit) != 0)
        {
            sb.Append(", mode=").Append(StraceText.Octal(how.mode));
        }

        sb.Append(", resolve=");
        FileTables.ResolveFlags.Append(sb, how.resolve);
        return StraceText.Finish(sb.Append('}'));
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
        s.Set(first + 1, (long)mode, StraceText.Finish(sb));
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

    private static string Format(TimespecPair times) =>
        "[" + TimeWithDate(times.atime.tv_sec, times.atime.tv_nsec) + ", " + TimeWithDate(times.mtime.tv_sec, times.mtime.tv_nsec) + "]";

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

    private static ExitDecoder StatExit(int index) => Abi.IsArm64
        ? ArgFormat.OutStruct<StatArm64>(index, static st => FormatStat(st.st_mode, st.st_rdev, st.st_size))
        : ArgFormat.OutStruct<StatX64>(index, static st => FormatStat(st.st_mode, st.st_rdev, st.st_size));

    private static string FormatStat(uint mode, ulong rdev, long size)
    {
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

        return StraceText.Finish(sb.Append(", ...}"));
    }

    private static string Format(Statfs f)
    {
        var sb = StraceText.Builder();
        sb.Append("{f_type=").Append(StatfsTables.Magic.Lookup(f.f_type) ?? StraceText.Hex((ulong)f.f_type))
          .Append(", f_bsize=").Append(StraceText.Dec(f.f_bsize))
          .Append(", f_blocks=").Append(StraceText.UDec(f.f_blocks)).Append(", f_bfree=").Append(StraceText.UDec(f.f_bfree))
          .Append(", f_bavail=").Append(StraceText.UDec(f.f_bavail)).Append(", f_files=").Append(StraceText.UDec(f.f_files))
          .Append(", f_ffree=").Append(StraceText.UDec(f.f_ffree)).Append(", f_fsid={val=[")
          .Append(StraceText.Hex((uint)f.f_fsid[0])).Append(", ")
          .Append(StraceText.Hex((uint)f.f_fsid[1])).Append("]}, f_namelen=")
          .Append(StraceText.Dec(f.f_namelen)).Append(", f_frsize=").Append(StraceText.Dec(f.f_frsize)).Append(", f_flags=")
          .Append(StatfsTables.MountFlags.Format((ulong)f.f_flags)).Append('}');
        return StraceText.Finish(sb);
    }

    private static void StatxEntry(SyscallDecodeState s, ITraceeMemory m, DecodeOptions o)
    {
        s.SetDirFd(0);
        s.SetPath(1, m);
        s.Set(2, (long)(uint)s.Args[2], StatxFlagsText((uint)s.Args[2]));
        s.SetFlags(3, FileTables.StatxMask);
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
        return ArgFormat.NameAndFlags(syncName, FileTables.AtFlags, flags & ~0x6000u);
    }

    private static string Format(Statx st)
    {
        var sb = StraceText.Builder();
        sb.Append("{stx_mask=");
        FileTables.StatxMask.Append(sb, st.stx_mask);
        sb.Append(", stx_attributes=");
        FileTables.StatxAttributes.Append(sb, st.stx_attributes);
        sb.Append(", stx_mode=");
        ArgFormat.AppendModeWithType(sb, st.stx_mode);
        sb.Append(", stx_size=").Append(StraceText.UDec(st.stx_size)).Append(", ...}");
        return StraceText.Finish(sb);
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
                int reclen = TraceeReader.As<ushort>(buf.AsSpan(off + ReclenOffset));
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
        s.SetFdPair(0, m, failed);
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
                s.SetStruct<Flock>(2, m, FormatWithoutPid);
                break;
            case F_SETOWN_EX:
                s.SetStruct<FOwnerEx>(2, m, Format);
                break;
            case F_GETLK or F_OFD_GETLK or F_GETOWN_EX:
                break;
            default:
                s.SetHex(2);
                break;
        }
    }

    /// <summary>struct f_owner_ex: <c>{type=F_OWNER_PID, pid=0}</c>.</summary>
    private static string Format(FOwnerEx owner) => "{type=" + FileTables.OwnerTypes.Format(owner.type) + ", pid=" + StraceText.Dec(owner.pid) + "}";

    /// <summary>A struct flock as F_SETLK takes it: l_pid is an output, filled by F_GETLK.</summary>
    private static string FormatWithoutPid(Flock fl) => StraceText.Finish(AppendFlock(fl).Append('}'));

    private static string Format(Flock fl) => StraceText.Finish(AppendFlock(fl).Append(", l_pid=").Append(StraceText.Dec(fl.l_pid)).Append('}'));

    private static System.Text.StringBuilder AppendFlock(Flock fl) =>
        StraceText.Builder().Append("{l_type=").Append(FileTables.LockTypes.Format(fl.l_type))
          .Append(", l_whence=").Append(FileTables.SeekWhence.Format(fl.l_whence))
          .Append(", l_start=").Append(StraceText.Dec(fl.l_start))
          .Append(", l_len=").Append(StraceText.Dec(fl.l_len));

    private static string? FcntlExit(SyscallDecodeState s, long ret, ITraceeMemory m, DecodeOptions o, bool failed)
    {
        int cmd = (int)s.Args[1];
        if (cmd is F_GETLK or F_OFD_GETLK)
        {
            s.SetStruct<Flock>(2, m, Format, failed);
        }
        else if (cmd == F_GETOWN_EX)
        {
            s.SetStruct<FOwnerEx>(2, m, Format, failed);
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
                s.SetStruct<Winsize>(2, m, Format);
                break;
            case IoctlTables.TIOCSCTTY:
                s.SetInt(2);
                break;
            case IoctlTables.FIONREAD or IoctlTables.TIOCGPGRP or IoctlTables.TIOCGWINSZ or IoctlTables.TCGETS or IoctlTables.TIOCGPTN or IoctlTables.TIOCGSID:
                break;
            case IoctlTables.SIOCGIFINDEX or IoctlTables.SIOCGIFNAME:
                // The input half of struct ifreq; the exit adds what the kernel filled in.
                s.SetStruct<Ifreq>(2, m, req == IoctlTables.SIOCGIFINDEX ? FormatIndexQuery : FormatNameQuery);
                break;
            default:
                s.SetHex(2);
                break;
        }
    }

    /// <summary>
    /// struct ifreq for SIOCGIFINDEX (<c>{ifr_name="lo", ifr_ifindex=1}</c>) and SIOCGIFNAME
    /// (<c>{ifr_ifindex=1, ifr_name="lo"}</c>): the input field at entry, both at a successful exit.
    /// </summary>
    private static string FormatIndexQuery(Ifreq ifr) => "{" + IfrName(ifr) + "}";

    private static string FormatIndexAnswer(Ifreq ifr) => "{" + IfrName(ifr) + ", " + IfrIndex(ifr) + "}";

    private static string FormatNameQuery(Ifreq ifr) => "{" + IfrIndex(ifr) + "}";

    private static string FormatNameAnswer(Ifreq ifr) => "{" + IfrIndex(ifr) + ", " + IfrName(ifr) + "}";

    private static string IfrName(Ifreq ifr)
    {
        ReadOnlySpan<byte> raw = ifr.ifr_name;
        int nul = raw.IndexOf((byte)0);
        var sb = StraceText.Builder().Append("ifr_name=");
        StraceText.AppendQuoted(sb, nul >= 0 ? raw[..nul] : raw);
        return StraceText.Finish(sb);
    }

    private static string IfrIndex(Ifreq ifr) => "ifr_ifindex=" + StraceText.Dec(ifr.ifr_ifindex);

    private static string? IoctlExit(SyscallDecodeState s, long ret, ITraceeMemory m, DecodeOptions o, bool failed)
    {
        uint req = (uint)s.Args[1];
        switch (req)
        {
            case IoctlTables.FIONREAD or IoctlTables.TIOCGPGRP or IoctlTables.TIOCGPTN or IoctlTables.TIOCGSID:
                s.SetStruct<int>(2, m, ArgFormat.Bracketed, failed);
                break;
            case IoctlTables.TIOCGWINSZ:
                s.SetStruct<Winsize>(2, m, Format, failed);
                break;
            case IoctlTables.TCGETS:
                s.SetStruct<KernelTermios>(2, m, Format, failed);
                break;
            case IoctlTables.SIOCGIFINDEX when !failed:
                s.SetStruct<Ifreq>(2, m, FormatIndexAnswer);
                break;
            case IoctlTables.SIOCGIFNAME when !failed:
                s.SetStruct<Ifreq>(2, m, FormatNameAnswer);
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

    private static string Format(Winsize ws) =>
        "{ws_row=" + StraceText.Dec(ws.ws_row) + ", ws_col=" + StraceText.Dec(ws.ws_col) + ", ws_xpixel=" + StraceText.Dec(ws.ws_xpixel)
        + ", ws_ypixel=" + StraceText.Dec(ws.ws_ypixel) + "}";

    private static string Format(KernelTermios t)
    {
        var sb = StraceText.Builder();
        sb.Append("{c_iflag=").Append(TermiosTables.InputFlags.Format(t.c_iflag)).Append(", c_oflag=");
        uint delayBits = 0;
        foreach (var (mask, names) in TermiosTables.OutputDelays)
        {
            uint v = t.c_oflag & mask;
            delayBits |= mask;
            sb.Append(Array.Find(names, n => n.Value == v).Name).Append('|');
        }

        uint oRest = t.c_oflag & ~delayBits;
        if (oRest == 0)
        {
            sb.Length--;
        }
        else
        {
            TermiosTables.OutputFlags.Append(sb, oRest);
        }

        uint cflag = t.c_cflag;
        sb.Append(", c_cflag=").Append(TermiosTables.Bauds.Format(cflag & 0x100f)).Append('|').Append(TermiosTables.CharSizes[(cflag >> 4) & 3]);
        uint cRest = cflag & ~0x100fu & ~0x30u & ~0x100f0000u;
        if (cRest != 0)
        {
            sb.Append('|');
            TermiosTables.ControlFlags.Append(sb, cRest);
        }

        sb.Append(", c_lflag=").Append(TermiosTables.LocalFlags.Format(t.c_lflag)).Append(", ...}");
        return StraceText.Finish(sb);
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
        s.SetStruct<long>(2, m, off =>
        {
            s.Saved = 1;
            s.Saved2 = off;
            return "[" + StraceText.UDec((ulong)off) + "]";
        });

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
