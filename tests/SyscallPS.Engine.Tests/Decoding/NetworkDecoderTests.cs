using System.Text;
using SyscallPS.Decoding;
using Xunit;
using static SyscallPS.Tests.Decoding.DecodeHarness;

namespace SyscallPS.Tests.Decoding;

public sealed class NetworkDecoderTests
{
    private readonly FakeTraceeMemory _m = new();

    private ulong Inet(byte a, byte b, byte c, byte d, int port) =>
        _m.Put([2, 0, (byte)(port >> 8), (byte)port, a, b, c, d, 0, 0, 0, 0, 0, 0, 0, 0]);

    [Fact]
    public void ConnectIPv4()
    {
        ulong sa = Inet(127, 0, 0, 1, 80);
        var exit = Run("connect", [3, sa, 16], -111, _m);
        Assert.Equal("connect(3, {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr(\"127.0.0.1\")}, 16) = -1 ECONNREFUSED (Connection refused)",
            "connect(" + exit.Arguments + ") = " + exit.ReturnText);
        Assert.Equal("127.0.0.1:80", exit.Arguments[1].Value);
    }

    [Fact]
    public void ConnectIPv6()
    {
        var b = new byte[28];
        b[0] = 10;
        b[3] = 9;
        b[23] = 1;
        ulong sa = _m.Put(b);
        Assert.Equal("connect(3, {sa_family=AF_INET6, sin6_port=htons(9), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, \"::1\", &sin6_addr), sin6_scope_id=0}, 28) = 0",
            Line("connect", [3, sa, 28], 0, _m));
    }

    [Fact]
    public void UnixPathAbstractAndUnnamed()
    {
        var path = new byte[110];
        path[0] = 1;
        Encoding.ASCII.GetBytes("/var/run/nscd/socket").CopyTo(path, 2);
        ulong sa = _m.Put(path);
        Assert.Equal("connect(3, {sa_family=AF_UNIX, sun_path=\"/var/run/nscd/socket\"}, 110) = -1 ENOENT (No such file or directory)", Line("connect", [3, sa, 110], -2, _m));
        var abs = new byte[2 + 5];
        abs[0] = 1;
        Encoding.ASCII.GetBytes("\0name").CopyTo(abs, 2);
        ulong sb = _m.Put(abs);
        Assert.Equal("connect(3, {sa_family=AF_UNIX, sun_path=@\"name\"}, 7) = 0", Line("connect", [3, sb, 7], 0, _m));
        ulong un = _m.Put([1, 0]);
        Assert.Equal("bind(3, {sa_family=AF_UNIX}, 2) = 0", Line("bind", [3, un, 2], 0, _m));
    }

    [Fact]
    public void NetlinkAddress()
    {
        ulong sa = _m.Put([16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        Assert.Equal("bind(3, {sa_family=AF_NETLINK, nl_pid=0, nl_groups=00000000}, 12) = 0", Line("bind", [3, sa, 12], 0, _m));
    }

    [Fact]
    public void SocketDomainTypeProtocol()
    {
        Assert.Equal("socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, 0) = 3", Line("socket", [1, 0x80801, 0], 3, _m));
        Assert.Equal("socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 3", Line("socket", [2, 1, 6], 3, _m));
        Assert.Equal("socket(AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, NETLINK_ROUTE) = 3", Line("socket", [16, 0x80003, 0], 3, _m));
    }

    [Fact]
    public void AcceptShowsValueResultLength()
    {
        ulong sa = Inet(127, 0, 0, 1, 52470);
        ulong len = _m.PutInts(28);
        ulong lenAfter = _m.PutInts(16);
        var entryMem = _m;
        var exitMem = new FakeTraceeMemory();
        exitMem.Map(sa, [2, 0, 0xcc, 0xf6, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
        exitMem.Map(len, [16, 0, 0, 0]);
        Assert.Equal("accept(3, {sa_family=AF_INET, sin_port=htons(52470), sin_addr=inet_addr(\"127.0.0.1\")}, [28 => 16]) = 5",
            Line("accept", [3, sa, len], 5, entryMem, exitMemory: exitMem));
        Assert.Equal("accept4(3, NULL, NULL, SOCK_CLOEXEC) = 6", Line("accept4", [3, 0, 0, 0x80000], 6, _m));
        _ = lenAfter;
    }

    [Fact]
    public void SendtoRecvfromBuffers()
    {
        ulong data = _m.Put(Encoding.ASCII.GetBytes("ping"));
        Assert.Equal("sendto(3, \"ping\", 4, MSG_DONTWAIT, NULL, 0) = 4", Line("sendto", [3, data, 4, 0x40, 0, 0], 4, _m));
        ulong rbuf = _m.Put(Encoding.ASCII.GetBytes("pong...."));
        Assert.Equal("recvfrom(3, \"pong\", 8, 0, NULL, NULL) = 4", Line("recvfrom", [3, rbuf, 8, 0, 0, 0], 4, _m));
        Assert.Equal("recvfrom(3, " + StraceText.Pointer(rbuf) + ", 8, 0, NULL, NULL) = -1 EAGAIN (Resource temporarily unavailable)", Line("recvfrom", [3, rbuf, 8, 0, 0, 0], -11, _m));
    }

    [Fact]
    public void SendmsgWithIovecAndRights()
    {
        ulong payload = _m.Put(Encoding.ASCII.GetBytes("hello"));
        ulong iov = _m.PutWords(payload, 5);
        var cmsg = new byte[24];
        BitConverter.TryWriteBytes(cmsg.AsSpan(0), 20UL);
        BitConverter.TryWriteBytes(cmsg.AsSpan(8), 1);
        BitConverter.TryWriteBytes(cmsg.AsSpan(12), 1);
        BitConverter.TryWriteBytes(cmsg.AsSpan(16), 5);
        ulong control = _m.Put(cmsg);
        ulong msg = _m.PutWords(0, 0, iov, 1, control, 24, 0);
        Assert.Equal(
            "sendmsg(3, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"hello\", iov_len=5}], msg_iovlen=1, msg_control=[{cmsg_len=20, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, cmsg_data=[5]}], msg_controllen=24, msg_flags=0}, 0) = 5",
            Line("sendmsg", [3, msg, 0], 5, _m));
    }

    /// <summary>A cmsg_len near 2^64 would round up to 0 and never advance: the walk ends at the header instead.</summary>
    [Theory]
    [InlineData(ulong.MaxValue)]
    [InlineData(ulong.MaxValue - 6)]
    public async Task AControlMessageLengthNear2To64EndsTheWalk(ulong cmsgLen)
    {
        var cmsg = new byte[32];
        BitConverter.TryWriteBytes(cmsg.AsSpan(0), cmsgLen);
        BitConverter.TryWriteBytes(cmsg.AsSpan(8), 1);
        BitConverter.TryWriteBytes(cmsg.AsSpan(12), 1);
        ulong control = _m.Put(cmsg);
        ulong msg = _m.PutWords(0, 0, 0, 0, control, 32, 0);
        string line = await Task.Run(() => Line("sendmsg", [3, msg, 0], -22, _m)).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Contains("{cmsg_len=" + cmsgLen.ToString(System.Globalization.CultureInfo.InvariantCulture) + ", cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS", line);
        Assert.EndsWith("= -1 EINVAL (Invalid argument)", line);
    }

    [Fact]
    public void SocketOptions()
    {
        ulong one = _m.PutInts(1);
        Assert.Equal("setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0", Line("setsockopt", [3, 1, 2, one, 4], 0, _m));
        ulong len = _m.PutInts(4);
        Assert.Equal("getsockopt(3, SOL_SOCKET, SO_ERROR, [EPERM], [4]) = 0", Line("getsockopt", [3, 1, 4, one, len], 0, _m));
        Assert.Equal("getsockopt(3, SOL_SOCKET, SO_TYPE, [1], [4]) = 0", Line("getsockopt", [3, 1, 3, one, len], 0, _m));
        Assert.Equal("setsockopt(3, SOL_TCP, TCP_NODELAY, [1], 4) = 0", Line("setsockopt", [3, 6, 1, one, 4], 0, _m));
    }

    // Found by the end-to-end conformance suite (tests/SyscallPS.Engine.Tests/Conformance), checked against strace 6.1.
    [Fact]
    public void GetsockoptPrintsTheBufferAddressWhenNothingCameBackAndShowsAChangedLength()
    {
        ulong value = _m.PutInts(1, 0);
        ulong zeroLen = _m.PutInts(0);
        Assert.Equal($"getsockopt(3, SOL_SOCKET, SO_TYPE, 0x{value:x}, [0]) = 0", Line("getsockopt", [3, 1, 3, value, zeroLen], 0, _m));

        // The caller offered 8 bytes, the kernel wrote 4.
        var entry = new FakeTraceeMemory();
        var exit = new FakeTraceeMemory();
        ulong v = entry.Map(0x1000, [1, 0, 0, 0, 0, 0, 0, 0]);
        exit.Map(0x1000, [1, 0, 0, 0, 0, 0, 0, 0]);
        ulong len = entry.Map(0x2000, [8, 0, 0, 0]);
        exit.Map(0x2000, [4, 0, 0, 0]);
        Assert.Equal("getsockopt(3, SOL_SOCKET, SO_TYPE, [1], [8 => 4]) = 0", Line("getsockopt", [3, 1, 3, v, len], 0, entry, exitMemory: exit));
    }

    [Fact]
    public void UnknownSocketLevelSaysSolWithTwoQuestionMarks()
    {
        ulong one = _m.PutInts(1);
        Assert.Equal("setsockopt(4, 0x3e7 /* SOL_?? */, 5, [1], 4) = -1 ENOPROTOOPT (Protocol not available)", Line("setsockopt", [4, 999, 5, one, 4], -92, _m));
    }

    [Fact]
    public void SocketpairProtocolIsAPlainUnsignedNumber()
    {
        Assert.Equal("socketpair(AF_INET, SOCK_STREAM, 0, 0x1234) = -1 EOPNOTSUPP (Operation not supported)", Line("socketpair", [2, 1, 0, 0x1234], -95, _m));
        Assert.Equal("socketpair(AF_UNIX, SOCK_STREAM, 4294967295, 0x1234) = -1 EPROTONOSUPPORT (Protocol not supported)", Line("socketpair", [1, 1, U(-1), 0x1234], -93, _m));
    }
}
