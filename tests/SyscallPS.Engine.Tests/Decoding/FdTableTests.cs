using System.Net;
using System.Net.Sockets;
using System.Text;
using SyscallPS.Decoding;
using Xunit;

namespace SyscallPS.Tests.Decoding;

public sealed class FdTableTests
{
    private const int Pid = 4242;
    private readonly FakeTraceeMemory _m = new();
    private readonly FdTable _table = new() { ResolveLive = false };

    private FdInfo? Apply(string name, ulong[] args, long ret, int pid = Pid)
    {
        Assert.True(SyscallTable.Current.TryGetByName(name, out var info));
        var state = new SyscallDecodeState { Number = info!.Number, Info = info };
        args.CopyTo(state.Args, 0);
        SyscallDecoder.OnEntry(state, _m, DecodeOptions.Default);
        var exit = SyscallDecoder.OnExit(state, ret, _m, DecodeOptions.Default);
        return _table.Apply(pid, state, exit);
    }

    private static ulong U(long v) => unchecked((ulong)v);

    [Fact]
    public void OpenReadDupClose()
    {
        ulong p = _m.PutString("/etc/passwd");
        var opened = Apply("openat", [U(-100), p, 0x80000], 3);
        Assert.Equal(new FdInfo(3, "/etc/passwd", FdType.File, CloseOnExec: true), opened);
        ulong buf = _m.Put(new byte[16]);
        Assert.Equal("/etc/passwd", Apply("read", [3, buf, 16], 16)?.Name);
        Assert.Equal(new FdInfo(10, "/etc/passwd", FdType.File), Apply("dup2", [3, 10], 10));
        Assert.Equal("/etc/passwd", Apply("close", [3], 0)?.Name);
        Assert.Null(_table.Lookup(Pid, 3));
        Assert.NotNull(_table.Lookup(Pid, 10));
    }

    [Fact]
    public void APipeTakesTheInodeTheEngineLearnedInTheKernel()
    {
        Assert.True(SyscallTable.Current.TryGetByName("pipe2", out var info));
        ulong fds = _m.Put([5, 0, 0, 0, 6, 0, 0, 0]);
        var state = new SyscallDecodeState { Number = info!.Number, Info = info };
        state.Args[0] = fds;
        SyscallDecoder.OnEntry(state, _m, DecodeOptions.Default);
        var exit = SyscallDecoder.OnExit(state, 0, _m, DecodeOptions.Default);
        state.KernelInode = 777;
        _table.Apply(Pid, state, exit);
        Assert.Equal("pipe:[777]", _table.Lookup(Pid, 5)?.Name);
        Assert.Equal("pipe:[777]", _table.Lookup(Pid, 6)?.Name);
    }

    [Fact]
    public void ForgetEndedDropsOnlyTheTablesOfEndedProcesses()
    {
        ulong p = _m.PutString("/etc/passwd");
        Apply("openat", [U(-100), p, 0], 3, pid: Pid);
        Apply("openat", [U(-100), p, 0], 4, pid: Pid + 1);
        Assert.Equal(1, _table.ForgetEnded(pid => pid == Pid + 1));
        Assert.NotNull(_table.Lookup(Pid, 3));
        Assert.Null(_table.Lookup(Pid + 1, 4));
        Assert.Equal(0, _table.ForgetEnded(pid => pid == Pid + 1));
    }

    [Fact]
    public void RelativePathsFollowChdirAndDirFds()
    {
        ulong tmp = _m.PutString("/tmp");
        Apply("chdir", [tmp], 0);
        ulong rel = _m.PutString("x/y.log");
        Assert.Equal("/tmp/x/y.log", Apply("openat", [U(-100), rel, 0x241, 0x1a4], 4)?.Name);
        ulong dir = _m.PutString("/var/log");
        Apply("openat", [U(-100), dir, 0x10000], 5);
        ulong leaf = _m.PutString("syslog");
        Assert.Equal("/var/log/syslog", Apply("openat", [5, leaf, 0], 6)?.Name);
    }

    [Fact]
    public void SocketConnectAndAcceptEndpoints()
    {
        Assert.Equal(FdType.Ipv4Socket, Apply("socket", [2, 1, 6], 3)?.Type);
        ulong sa = _m.Put([2, 0, 0x1f, 0x90, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
        var connected = Apply("connect", [3, sa, 16], 0);
        Assert.Equal("127.0.0.1", connected?.RemoteAddress);
        Assert.Equal(8080, connected?.RemotePort);
        Assert.Equal("->127.0.0.1:8080", connected?.Name);

        Apply("socket", [2, 1, 0], 4);
        ulong bindAddr = _m.Put([2, 0, 0x1f, 0x90, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        Assert.Equal("0.0.0.0:8080", Apply("bind", [4, bindAddr, 16], 0)?.Name);
        ulong peer = _m.Put([2, 0, 0x9c, 0x40, 10, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0]);
        ulong len = _m.PutInts(16);
        var accepted = Apply("accept4", [4, peer, len, 0x80000], 5);
        Assert.Equal(new FdInfo(5, "0.0.0.0:8080->10.0.0.7:40000", FdType.Ipv4Socket, true, "0.0.0.0", 8080, "10.0.0.7", 40000, ServerIsLocal: true), accepted);
        Assert.True(accepted!.IsSocket);
    }

    [Fact]
    public void PipesEventfdsAndExecCloseOnExec()
    {
        ulong fds = _m.PutInts(3, 4);
        Apply("pipe2", [fds, 0x80000], 0);
        Assert.Equal(FdType.Pipe, _table.Lookup(Pid, 3)?.Type);
        Assert.True(_table.Lookup(Pid, 4)!.CloseOnExec);
        Assert.Equal("anon_inode:[eventfd]", Apply("eventfd2", [0, 0], 5)?.Name);
        Assert.Equal(FdType.Epoll, Apply("epoll_create1", [0x80000], 6)?.Type);
        Apply("fcntl", [5, 2, 1], 0);
        ulong path = _m.PutString("/bin/true");
        ulong argv = _m.PutWords(0);
        Apply("execve", [path, argv, 0], 0);
        Assert.Empty(_table.Snapshot(Pid));
    }

    [Fact]
    public void ForkCopiesAndCloneFilesShares()
    {
        ulong p = _m.PutString("/etc/hosts");
        Apply("openat", [U(-100), p, 0], 3);
        Apply("clone", [0x1200011, 0, 0, 0, 0], 100);
        Apply("close", [3], 0, pid: 100);
        Assert.NotNull(_table.Lookup(Pid, 3));
        Assert.Null(_table.Lookup(100, 3));

        Apply("clone", [0x400 | 17, 0, 0, 0, 0], 101);
        Apply("close", [3], 0, pid: 101);
        Assert.Null(_table.Lookup(Pid, 3));
        _table.OnProcessExit(100);
        Assert.Empty(_table.Snapshot(100));
    }

    [Fact]
    public void SeedsFromProcSelf()
    {
        string file = Path.Combine(Path.GetTempPath(), "syscallps-fdtable-" + Guid.NewGuid().ToString("N") + ".log");
        using var stream = new FileStream(file, FileMode.Create);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var client = new TcpClient();
        client.Connect(IPAddress.Loopback, port);
        try
        {
            var table = new FdTable();
            int pid = Environment.ProcessId;
            Assert.True(table.Seed(pid) > 3);
            var all = table.Snapshot(pid);
            var log = Assert.Single(all, f => f.Name == file);
            Assert.Equal(FdType.File, log.Type);
            Assert.Contains(all, f => f.IsSocket && f.LocalPort == port && f.RemoteAddress is null);
            var conn = Assert.Single(all, f => f.IsSocket && f.RemotePort == port);
            Assert.Equal("127.0.0.1", conn.RemoteAddress);
            Assert.Equal(Directory.GetCurrentDirectory(), table.WorkingDirectory(pid));
        }
        finally
        {
            stream.Dispose();
            File.Delete(file);
        }
    }

    [Fact]
    public void LiveResolutionNamesPipes()
    {
        var table = new FdTable();
        // A pipe of this very process: the kernel's name for it is pipe:[inode].
        using var server = new System.IO.Pipes.AnonymousPipeServerStream();
        table.Seed(Environment.ProcessId);
        Assert.Contains(table.Snapshot(Environment.ProcessId), f => f.Type == FdType.Pipe && f.Name.StartsWith("pipe:[", StringComparison.Ordinal));
    }

    [Fact]
    public void LiveResolutionFindsEphemeralPortsAfterConnect()
    {
        // A real connected socket of this process, fed through Apply as if a tracee had made the calls.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(IPAddress.Loopback, port);
        int fd = (int)client.Handle;
        var live = new FdTable();
        int pid = Environment.ProcessId;

        Assert.True(SyscallTable.Current.TryGetByName("socket", out var socketInfo));
        var state = new SyscallDecodeState { Number = socketInfo!.Number, Info = socketInfo };
        state.Args[0] = 2;
        state.Args[1] = 1;
        SyscallDecoder.OnEntry(state, _m, DecodeOptions.Default);
        var created = live.Apply(pid, state, SyscallDecoder.OnExit(state, fd, _m, DecodeOptions.Default));

        Assert.Equal(FdType.Ipv4Socket, created?.Type);
        Assert.Equal(port, created?.RemotePort);
        Assert.Equal("127.0.0.1", created?.LocalAddress);
        Assert.NotNull(created?.LocalPort);
        Assert.Equal($"127.0.0.1:{created!.LocalPort}->127.0.0.1:{port}", created.Name);
    }

    [Theory]
    [InlineData("0100007F:1F90", false, "127.0.0.1", 8080)]
    [InlineData("00000000000000000000000001000000:0050", true, "::1", 80)]
    [InlineData("0000000000000000FFFF00000100007F:0016", true, "127.0.0.1", 22)]
    public void ProcNetEndpoints(string text, bool v6, string address, int port)
    {
        var (a, p) = ProcNet.ParseEndpoint(text, v6);
        Assert.Equal(address, a);
        Assert.Equal(port, p);
    }

    [Fact]
    public void UnknownFdsStayUnknown()
    {
        ulong buf = _m.Put(Encoding.ASCII.GetBytes("x"));
        Assert.Null(Apply("write", [9, buf, 1], 1));
    }
}
