using System.Text;
using SyscallPS.Decoding;
using Xunit;
using static SyscallPS.Tests.Decoding.DecodeHarness;

namespace SyscallPS.Tests.Decoding;

public sealed class FileDecoderTests
{
    private readonly FakeTraceeMemory _m = new();

    [Fact]
    public void OpenatWithoutCreatHasThreeArguments()
    {
        ulong p = _m.PutString("/etc/passwd");
        var exit = Run("openat", [U(-100), p, 0x80000, 0x1ff], 3, _m);
        Assert.Equal("AT_FDCWD, \"/etc/passwd\", O_RDONLY|O_CLOEXEC", exit.Arguments.ToString());
        Assert.Equal("3", exit.ReturnText);
        Assert.Equal("/etc/passwd", exit.Arguments["filename"]!.Value);
    }

    [Fact]
    public void OpenWithCreatPrintsModeAndSetsPath()
    {
        ulong p = _m.PutString("x.txt");
        Assert.Equal("open(\"x.txt\", O_WRONLY|O_CREAT|O_TRUNC, 0666) = 3", Line("open", [p, 0x241, 0x1b6], 3, _m));
        var state = Entry("open", [p, 0x241, 0x1b6]);
        Assert.Equal("x.txt", state.Path);
    }

    [Fact]
    public void FailedOpenHasErrnoNameAndMessage()
    {
        ulong p = _m.PutString("/nope");
        var exit = Run("openat", [U(-100), p, 0], -2, _m);
        Assert.Equal("-1 ENOENT (No such file or directory)", exit.ReturnText);
        Assert.Equal("ENOENT", exit.Errno);
        Assert.Equal("No such file or directory", exit.ErrorMessage);
        Assert.Equal(-1, exit.ReturnValue);
    }

    [Fact]
    public void UnreadablePathPrintsTheAddress()
    {
        Assert.Equal("openat(AT_FDCWD, 0xdead0000, O_RDONLY) = -1 EFAULT (Bad address)", Line("openat", [U(-100), 0xdead0000, 0], -14, _m));
    }

    [Fact]
    public void PathsArePrintedWholeNotCutAtTheStringLimit()
    {
        string longPath = "/" + new string('a', 100);
        ulong p = _m.PutString(longPath);
        Assert.Equal("chdir(\"" + longPath + "\") = 0", Line("chdir", [p], 0, _m));
    }

    [Fact]
    public void RenameSetsPathAndTargetPath()
    {
        ulong a = _m.PutString("x.txt"), b = _m.PutString("y.txt");
        var state = Entry("renameat2", [U(-100), a, U(-100), b, 1]);
        Assert.Equal("x.txt", state.Path);
        Assert.Equal("y.txt", state.TargetPath);
        Assert.Equal("renameat2(AT_FDCWD, \"x.txt\", AT_FDCWD, \"y.txt\", RENAME_NOREPLACE) = 0", Line("renameat2", [U(-100), a, U(-100), b, 1], 0, _m));
    }

    [Fact]
    public void StatDecodesModeAndSizeAtExitOnly()
    {
        var st = new byte[144];
        BitConverter.TryWriteBytes(st.AsSpan(24), 0x81a4u);
        BitConverter.TryWriteBytes(st.AsSpan(48), 1221L);
        ulong buf = _m.Put(st);
        ulong p = _m.PutString("/etc/passwd");
        Assert.Equal("newfstatat(AT_FDCWD, \"/etc/passwd\", {st_mode=S_IFREG|0644, st_size=1221, ...}, 0) = 0", Line("newfstatat", [U(-100), p, buf, 0], 0, _m));
        Assert.Equal("newfstatat(AT_FDCWD, \"/etc/passwd\", " + StraceText.Pointer(buf) + ", 0) = -1 ENOENT (No such file or directory)", Line("newfstatat", [U(-100), p, buf, 0], -2, _m));
        Assert.Equal("fstat(3, {st_mode=S_IFREG|0644, st_size=1221, ...}) = 0", Line("fstat", [3, buf], 0, _m));
    }

    [Fact]
    public void StatOfADeviceShowsRdev()
    {
        var st = new byte[144];
        BitConverter.TryWriteBytes(st.AsSpan(24), 0x21b6u);
        BitConverter.TryWriteBytes(st.AsSpan(40), 0x103UL);
        ulong buf = _m.Put(st);
        Assert.Equal("fstat(1, {st_mode=S_IFCHR|0666, st_rdev=makedev(0x1, 0x3), ...}) = 0", Line("fstat", [1, buf], 0, _m));
    }

    [Fact]
    public void FcntlDecorationsAndCommands()
    {
        Assert.Equal("fcntl(3, F_GETFL) = 0x2 (flags O_RDWR)", Line("fcntl", [3, 3, 0], 2, _m));
        Assert.Equal("fcntl(3, F_GETFD) = 0x1 (flags FD_CLOEXEC)", Line("fcntl", [3, 1, 0], 1, _m));
        Assert.Equal("fcntl(3, F_GETFD) = 0", Line("fcntl", [3, 1, 0], 0, _m));
        Assert.Equal("fcntl(11, F_SETFD, FD_CLOEXEC) = 0", Line("fcntl", [11, 2, 1], 0, _m));
        Assert.Equal("fcntl(1, F_DUPFD, 10) = 11", Line("fcntl", [1, 0, 10], 11, _m));
        Assert.Equal("fcntl(3, F_SETFL, O_RDONLY|O_NONBLOCK) = 0", Line("fcntl", [3, 4, 0x800], 0, _m));
    }

    [Fact]
    public void IoctlRequestsByNameOrIocTuple()
    {
        Assert.Equal("ioctl(1, TCGETS, 0x7fff0000) = -1 ENOTTY (Inappropriate ioctl for device)", Line("ioctl", [1, 0x5401, 0x7fff0000], -25, _m));
        ulong ws = _m.Put([24, 0, 80, 0, 0, 0, 0, 0]);
        Assert.Equal("ioctl(1, TIOCGWINSZ, {ws_row=24, ws_col=80, ws_xpixel=0, ws_ypixel=0}) = 0", Line("ioctl", [1, 0x5413, ws], 0, _m));
        ulong n = _m.PutInts(5);
        Assert.Equal("ioctl(0, FIONREAD, [5]) = 0", Line("ioctl", [0, 0x541B, n], 0, _m));
        Assert.Equal("ioctl(3, FIOCLEX) = 0", Line("ioctl", [3, 0x5451, 0], 0, _m));
        Assert.Equal("ioctl(0, _IOC(_IOC_READ, 0x12, 0x34, 0x8), 0) = -1 ENOTTY (Inappropriate ioctl for device)", Line("ioctl", [0, 0x80081234, 0], -25, _m));
    }

    [Fact]
    public void TcgetsOnATerminal()
    {
        var t = new byte[60];
        BitConverter.TryWriteBytes(t.AsSpan(0), 0x500u);
        BitConverter.TryWriteBytes(t.AsSpan(4), 0x5u);
        BitConverter.TryWriteBytes(t.AsSpan(8), 0xbfu);
        BitConverter.TryWriteBytes(t.AsSpan(12), 0x8a3bu);
        ulong p = _m.Put(t);
        Assert.Equal(
            "ioctl(0, TCGETS, {c_iflag=ICRNL|IXON, c_oflag=NL0|CR0|TAB0|BS0|VT0|FF0|OPOST|ONLCR, c_cflag=B38400|CS8|CREAD, c_lflag=ISIG|ICANON|ECHO|ECHOE|ECHOK|IEXTEN|ECHOCTL|ECHOKE, ...}) = 0",
            Line("ioctl", [0, 0x5401, p], 0, _m));
        ulong pg = _m.PutInts(1987);
        Assert.Equal("ioctl(0, TIOCGPGRP, [1987]) = 0", Line("ioctl", [0, 0x540F, pg], 0, _m));
    }

    [Fact]
    public void PipeFdsAtExitAndAddressOnFailure()
    {
        ulong fds = _m.PutInts(3, 4);
        Assert.Equal("pipe2([3, 4], O_CLOEXEC) = 0", Line("pipe2", [fds, 0x80000], 0, _m));
        Assert.Equal("pipe([3, 4]) = 0", Line("pipe", [fds], 0, _m));
        Assert.Equal("pipe2(0x10, 0) = -1 EFAULT (Bad address)", Line("pipe2", [0x10, 0], -14, _m));
    }

    [Fact]
    public void GetcwdAndReadlinkUseTheReturnedLength()
    {
        ulong cwd = _m.PutString("/tmp");
        Assert.Equal("getcwd(\"/tmp\", 4096) = 5", Line("getcwd", [cwd, 4096], 5, _m));
        ulong link = _m.PutString("/proc/self/exe");
        ulong target = _m.Put(Encoding.ASCII.GetBytes("/usr/bin/lsXXXX"));
        Assert.Equal("readlink(\"/proc/self/exe\", \"/usr/bin/ls\", 4096) = 11", Line("readlink", [link, target, 4096], 11, _m));
    }

    [Fact]
    public void GetdentsCountsEntries()
    {
        var buf = new byte[48];
        BitConverter.TryWriteBytes(buf.AsSpan(16), (ushort)24);
        BitConverter.TryWriteBytes(buf.AsSpan(24 + 16), (ushort)24);
        ulong p = _m.Put(buf);
        Assert.Equal("getdents64(3, " + StraceText.Pointer(p) + " /* 2 entries */, 32768) = 48", Line("getdents64", [3, p, 32768], 48, _m));
        Assert.Equal("getdents64(3, " + StraceText.Pointer(p) + " /* 0 entries */, 32768) = 0", Line("getdents64", [3, p, 32768], 0, _m));
    }

    [Fact]
    public void AccessModesLseekAndUmask()
    {
        ulong p = _m.PutString("/etc/ld.so.preload");
        Assert.Equal("access(\"/etc/ld.so.preload\", R_OK) = -1 ENOENT (No such file or directory)", Line("access", [p, 4], -2, _m));
        Assert.Equal("access(\"/etc/ld.so.preload\", F_OK) = 0", Line("access", [p, 0], 0, _m));
        Assert.Equal("lseek(3, -60, SEEK_CUR) = 54", Line("lseek", [3, U(-60), 1], 54, _m));
        Assert.Equal("umask(022) = 077", Line("umask", [0x12], 0x3f, _m));
    }

    [Fact]
    public void StatxPrintsMaskAttributesModeSize()
    {
        var stx = new byte[256];
        BitConverter.TryWriteBytes(stx.AsSpan(0), 0x17ffu);
        BitConverter.TryWriteBytes(stx.AsSpan(28), (ushort)0x81ed);
        BitConverter.TryWriteBytes(stx.AsSpan(40), 3UL);
        ulong buf = _m.Put(stx);
        ulong p = _m.PutString("/etc/hostname");
        Assert.Equal(
            "statx(AT_FDCWD, \"/etc/hostname\", AT_STATX_SYNC_AS_STAT|AT_SYMLINK_NOFOLLOW|AT_NO_AUTOMOUNT, STATX_MODE|STATX_NLINK|STATX_UID|STATX_GID|STATX_MTIME|STATX_SIZE, {stx_mask=STATX_BASIC_STATS|STATX_MNT_ID, stx_attributes=0, stx_mode=S_IFREG|0755, stx_size=3, ...}) = 0",
            Line("statx", [U(-100), p, 0x900, 0x25e, buf], 0, _m));
    }

    private SyscallDecodeState Entry(string name, ulong[] args)
    {
        Assert.True(SyscallTable.Current.TryGetByName(name, out var info));
        var state = new SyscallDecodeState { Number = info!.Number, Info = info };
        args.CopyTo(state.Args, 0);
        SyscallDecoder.OnEntry(state, _m, DecodeOptions.Default);
        return state;
    }
}
