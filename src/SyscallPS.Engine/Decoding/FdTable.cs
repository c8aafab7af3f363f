using System.Globalization;
using SyscallPS.Decoding.Tables;

namespace SyscallPS.Decoding;

/// <summary>What kind of object a file descriptor refers to.</summary>
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]
public enum FdType
{
    /// <summary>Not known (the descriptor was open before tracing began and could not be inspected).</summary>
    Unknown = 0,

    /// <summary>A regular file or directory path.</summary>
    File,

    /// <summary>A pipe or FIFO.</summary>
    Pipe,

    /// <summary>An IPv4 socket.</summary>
    Ipv4Socket,

    /// <summary>An IPv6 socket.</summary>
    Ipv6Socket,

    /// <summary>A Unix-domain socket.</summary>
    UnixSocket,

    /// <summary>A netlink socket.</summary>
    NetlinkSocket,

    /// <summary>Another socket family.</summary>
    Socket,

    /// <summary>An eventfd.</summary>
    EventFd,

    /// <summary>An epoll instance.</summary>
    Epoll,

    /// <summary>A signalfd.</summary>
    SignalFd,

    /// <summary>A timerfd.</summary>
    TimerFd,

    /// <summary>An inotify instance.</summary>
    Inotify,

    /// <summary>A memfd.</summary>
    Memfd,

    /// <summary>A pidfd.</summary>
    PidFd,

    /// <summary>Another anonymous inode.</summary>
    AnonInode,
}

/// <summary>One open file descriptor as the tracker knows it.</summary>
/// <param name="Fd">The descriptor number.</param>
/// <param name="Name">Its name: a path, <c>127.0.0.1:40000->127.0.0.1:8080</c>, <c>pipe:[1234]</c>, <c>anon_inode:[eventfd]</c> …</param>
/// <param name="Type">What it refers to.</param>
/// <param name="CloseOnExec">True when execve closes it.</param>
/// <param name="LocalAddress">A socket's local address, when known.</param>
/// <param name="LocalPort">A socket's local port, when known.</param>
/// <param name="RemoteAddress">A socket's peer address, when known.</param>
/// <param name="RemotePort">A socket's peer port, when known.</param>
/// <param name="ServerIsLocal">For a connection: true when this end is the server's (it came from accept), false when it connected; null when not known.</param>
public sealed record FdInfo(
    int Fd,
    string Name,
    FdType Type,
    bool CloseOnExec = false,
    string? LocalAddress = null,
    int? LocalPort = null,
    string? RemoteAddress = null,
    int? RemotePort = null,
    bool? ServerIsLocal = null)
{
    /// <summary>True for the socket types.</summary>
    public bool IsSocket => Type is FdType.Ipv4Socket or FdType.Ipv6Socket or FdType.UnixSocket or FdType.NetlinkSocket or FdType.Socket;

    /// <inheritdoc />
    public override string ToString() => Fd.ToString(CultureInfo.InvariantCulture) + "<" + Name + ">";

    /// <summary>The name an inet socket gets from its endpoints (sysdig's fd.name).</summary>
    internal static string EndpointName(string? localAddress, int? localPort, string? remoteAddress, int? remotePort)
    {
        string local = localAddress is null ? string.Empty : Endpoint(localAddress, localPort);
        return remoteAddress is null ? local : local + "->" + Endpoint(remoteAddress, remotePort);
    }

    private static string Endpoint(string address, int? port)
    {
        string host = address.Contains(':', StringComparison.Ordinal) ? "[" + address + "]" : address;
        return port is null ? host : host + ":" + port.Value.ToString(CultureInfo.InvariantCulture);
    }
}

/// <summary>
/// Per-process file descriptor tables, like <c>strace -yy</c> and sysdig's fd table: updated from decoded
/// syscalls (open, socket, connect, bind, accept, dup, pipe, eventfd, close, fcntl, execve's close-on-exec,
/// fork and clone), seeded from <c>/proc/PID/fd</c> for processes that were running before tracing began.
/// Threads of a process, and children created with CLONE_FILES, share one table.
/// </summary>
/// <remarks>Not thread-safe: an engine updates it from its one event loop.</remarks>
public sealed class FdTable
{
    private sealed class Table
    {
        public readonly Dictionary<int, FdInfo> Fds = [];
        public string? Cwd;
    }

    private readonly Dictionary<int, Table> _byProcess = [];
    private readonly HashSet<int> _seeded = [];

    // The process of the previous call, which is nearly always the process of the next: two hash lookups
    // fewer per syscall. Reset whenever a process's table is replaced or dropped.
    private int _lastProcessId;
    private Table? _lastTable;

    /// <summary>
    /// When true (the ptrace engine: the tracee is stopped at syscall exit), names of new pipes and sockets
    /// are read from <c>/proc/PID/fd</c> and socket endpoints from <c>/proc/PID/net</c>; when false only the
    /// syscall's own arguments are used.
    /// </summary>
    public bool ResolveLive { get; init; } = true;

    /// <summary>The descriptor <paramref name="fd"/> of process <paramref name="processId"/>, or null when unknown.</summary>
    public FdInfo? Lookup(int processId, int fd) =>
        _byProcess.TryGetValue(processId, out var t) && t.Fds.TryGetValue(fd, out var info) ? info : null;

    /// <summary>Every known descriptor of a process, by number.</summary>
    public IReadOnlyList<FdInfo> Snapshot(int processId) =>
        _byProcess.TryGetValue(processId, out var t) ? t.Fds.Values.OrderBy(f => f.Fd).ToArray() : [];

    /// <summary>The tracked working directory of a process, when known.</summary>
    public string? WorkingDirectory(int processId) => _byProcess.TryGetValue(processId, out var t) ? t.Cwd : null;

    /// <summary>Fills a process's table from <c>/proc/PID/fd</c> (for attach). Returns how many descriptors were found.</summary>
    public int Seed(int processId)
    {
        var table = TableOf(processId);
        table.Cwd = ReadLink($"/proc/{processId}/cwd") ?? table.Cwd;
        string dir = $"/proc/{processId}/fd";
        string[] entries;
        try
        {
            entries = Directory.GetFileSystemEntries(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }

        int count = 0;
        foreach (var entry in entries)
        {
            if (!int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out int fd))
            {
                continue;
            }

            var link = ReadLink(entry);
            if (link is null)
            {
                continue;
            }

            table.Fds[fd] = FromProcLink(processId, fd, link, ReadCloseOnExec(processId, fd));
            count++;
        }

        return count;
    }

    /// <summary>
    /// What an engine calls after each completed syscall: reads a process's descriptors from /proc the first
    /// time it is met (inherited ones, or those open before an attach), applies the call, and when
    /// <paramref name="callsHidden"/> (filters hide calls that open and close descriptors) checks the
    /// descriptor used against /proc. Returns the descriptor the event is about.
    /// </summary>
    public FdInfo? Track(int processId, SyscallDecodeState state, in DecodedExit exit, bool callsHidden)
    {
        SeedOnce(processId);
        var info = Apply(processId, state, exit);
        if (callsHidden && state.Fd >= 0 && (info is null || info.Fd == state.Fd))
        {
            info = Revalidate(processId, state.Fd) ?? info;
        }

        return info;
    }

    /// <summary>Seeds a process's table from /proc unless it is already known (seeded, or copied at its fork).</summary>
    public void SeedOnce(int processId)
    {
        if (_lastTable is not null && processId == _lastProcessId)
        {
            return;
        }

        if (_seeded.Add(processId))
        {
            Seed(processId);
        }
    }

    /// <summary>
    /// For traces whose filters hide some calls (a descriptor may have been closed and its number reused
    /// unseen): checks <paramref name="fd"/> against <c>/proc/PID/fd</c> and re-reads it when what is open
    /// there is not what the table holds. When /proc no longer shows it, the table's entry stands.
    /// </summary>
    public FdInfo? Revalidate(int processId, int fd)
    {
        var known = Lookup(processId, fd);
        var link = ReadLink($"/proc/{processId}/fd/{fd}");
        if (link is null)
        {
            return known;
        }

        bool same = known is not null
            && (known.Name == link
                || (known.IsSocket && link.StartsWith("socket:", StringComparison.Ordinal))
                || (link.StartsWith("anon_inode:", StringComparison.Ordinal) && known.Type is not (FdType.File or FdType.Pipe)));
        if (same)
        {
            return known;
        }

        var info = FromProcLink(processId, fd, link, ReadCloseOnExec(processId, fd));
        TableOf(processId).Fds[fd] = info;
        return info;
    }

    /// <summary>A new process: <paramref name="childId"/> gets a copy of the parent's table, or shares it (CLONE_FILES).</summary>
    public void OnProcessStart(int parentId, int childId, bool shareTable)
    {
        // A child already met (its own events came first) was seeded from /proc, which is exact: keep that.
        if (!_byProcess.TryGetValue(parentId, out var parent) || !_seeded.Add(childId))
        {
            return;
        }

        if (shareTable)
        {
            _byProcess[childId] = parent;
            _lastTable = null;
            return;
        }

        var copy = new Table { Cwd = parent.Cwd };
        foreach (var (fd, info) in parent.Fds)
        {
            copy.Fds[fd] = info;
        }

        _byProcess[childId] = copy;
        _lastTable = null;
    }

    /// <summary>A process exited: its table is dropped.</summary>
    public void OnProcessExit(int processId)
    {
        _byProcess.Remove(processId);
        _seeded.Remove(processId);
        _lastTable = null;
    }

    /// <summary>
    /// Drops the tables of processes <paramref name="ended"/> says are gone. For traces that get no exit
    /// records (system-wide): without it, every process ever seen would keep its table. Returns how many.
    /// </summary>
    public int ForgetEnded(Func<int, bool> ended)
    {
        ArgumentNullException.ThrowIfNull(ended);
        var gone = _byProcess.Keys.Concat(_seeded).Distinct().Where(ended).ToList();
        foreach (var pid in gone)
        {
            OnProcessExit(pid);
        }

        return gone.Count;
    }

    /// <summary>
    /// Applies a completed syscall to the table and returns the descriptor the event is about: the fd argument
    /// (read, write, connect …), or the new descriptor (open, socket, accept …), or the closed one (close).
    /// </summary>
    /// <param name="processId">The thread group id.</param>
    /// <param name="state">The decode state after <see cref="SyscallDecoder.OnExit"/>.</param>
    /// <param name="exit">The decoded exit.</param>
    public FdInfo? Apply(int processId, SyscallDecodeState state, in DecodedExit exit)
    {
        var name = state.Info?.Name;
        if (name is null)
        {
            return null;
        }

        var table = TableOf(processId);
        long ret = exit.ReturnValue;
        bool ok = exit.Errno is null;
        var a = state.Args;
        FdInfo? before = state.Fd >= 0 && table.Fds.TryGetValue(state.Fd, out var b0) ? b0 : null;
        switch (name)
        {
            case "open" or "openat" or "openat2" or "creat" when ok:
            {
                ulong flags = name switch { "open" => a[1], "openat" => a[2], "creat" => 0x241, _ => 0 };
                string? path = state.Path;
                string full = ResolvePath(processId, table, name == "open" || name == "creat" ? FileTables.AtFdCwd : (int)a[0], path) ?? path ?? "?";
                if (ResolveLive && (path is null || !Path.IsPathRooted(full)))
                {
                    full = ReadLink($"/proc/{processId}/fd/{ret}") ?? full;
                }

                bool cloexec = ((name == "openat2" ? state.OpenFlags : flags) & 0x80000) != 0;
                return Put(table, new FdInfo((int)ret, full, FdType.File, cloexec));
            }

            case "socket" when ok:
            {
                int domain = (int)a[0];
                var info = new FdInfo((int)ret, "socket", SocketType(domain), ((uint)a[1] & 0x80000) != 0);
                return Put(table, Refresh(processId, info));
            }

            case "socketpair" when ok && state.DescriptorPair is var (first, second):
                foreach (var fd in (ReadOnlySpan<int>)[first, second])
                {
                    Put(table, Refresh(processId, new FdInfo(fd, "socket", SocketType((int)a[0]), ((uint)a[1] & 0x80000) != 0)));
                }

                return null;
            case "connect" when ok || exit.Errno == "EINPROGRESS":
            case "bind" when ok:
            {
                if (before is null)
                {
                    before = new FdInfo(state.Fd, "socket", FdType.Socket);
                }

                var updated = WithEndpoint(before, state.Endpoint, remote: name == "connect");
                if (name == "connect")
                {
                    updated = updated with { ServerIsLocal = false };
                }

                return Put(table, Refresh(processId, updated));
            }

            case "getsockname" or "getpeername" when ok && before is not null:
                // What the kernel says of the socket's ends (a port bind chose, the peer of a connection).
                return Put(table, WithEndpoint(before, state.Endpoint, remote: name == "getpeername"));
            case "accept" or "accept4" when ok:
            {
                var listener = before;
                bool cloexec = name == "accept4" && ((uint)a[3] & 0x80000) != 0;
                // Its local end is the listener's; its peer, what accept returned (when asked for).
                var type = listener?.Type ?? FdType.Socket;
                var info = new FdInfo((int)ret, "socket", type, cloexec, listener?.LocalAddress, listener?.LocalPort, ServerIsLocal: true);
                if (type is FdType.Ipv4Socket or FdType.Ipv6Socket && info.LocalAddress is not null)
                {
                    info = info with { Name = FdInfo.EndpointName(info.LocalAddress, info.LocalPort, null, null) };
                }

                info = WithEndpoint(info, state.Endpoint, remote: true);
                return Put(table, Refresh(processId, info));
            }

            case "dup" when ok:
                return before is null ? null : Put(table, before with { Fd = (int)ret, CloseOnExec = false });
            case "dup2" or "dup3" when ok:
                return before is null ? null : Put(table, before with { Fd = (int)ret, CloseOnExec = name == "dup3" && ((uint)a[2] & 0x80000) != 0 });
            case "fcntl" when ok:
            {
                int cmd = (int)a[1];
                if (before is not null && cmd is 0 or 1030)
                {
                    return Put(table, before with { Fd = (int)ret, CloseOnExec = cmd == 1030 });
                }

                if (before is not null && cmd == 2)
                {
                    return Put(table, before with { CloseOnExec = (a[2] & 1) != 0 });
                }

                return before;
            }

            case "ioctl" when ok && before is not null && (uint)a[1] is IoctlTables.FIOCLEX or IoctlTables.FIONCLEX:
                return Put(table, before with { CloseOnExec = (uint)a[1] == IoctlTables.FIOCLEX });
            case "pipe" or "pipe2" when ok && state.DescriptorPair is var (first, second):
            {
                bool cloexec = name == "pipe2" && ((uint)a[1] & 0x80000) != 0;
                foreach (var fd in (ReadOnlySpan<int>)[first, second])
                {
                    Put(table, state.KernelInode != 0
                        ? new FdInfo(fd, $"pipe:[{state.KernelInode}]", FdType.Pipe, cloexec)
                        : Refresh(processId, new FdInfo(fd, "pipe", FdType.Pipe, cloexec)));
                }

                return null;
            }

            case "eventfd" or "eventfd2" when ok:
                return Put(table, new FdInfo((int)ret, "anon_inode:[eventfd]", FdType.EventFd, name == "eventfd2" && ((uint)a[1] & 0x80000) != 0));
            case "epoll_create" or "epoll_create1" when ok:
                return Put(table, new FdInfo((int)ret, "anon_inode:[eventpoll]", FdType.Epoll, name == "epoll_create1" && ((uint)a[0] & 0x80000) != 0));
            case "signalfd" or "signalfd4" when ok && (int)a[0] == -1:
                return Put(table, new FdInfo((int)ret, "anon_inode:[signalfd]", FdType.SignalFd, name == "signalfd4" && ((uint)a[3] & 0x80000) != 0));
            case "timerfd_create" when ok:
                return Put(table, new FdInfo((int)ret, "anon_inode:[timerfd]", FdType.TimerFd, ((uint)a[1] & 0x80000) != 0));
            case "inotify_init" or "inotify_init1" when ok:
                return Put(table, new FdInfo((int)ret, "anon_inode:inotify", FdType.Inotify, name == "inotify_init1" && ((uint)a[0] & 0x80000) != 0));
            case "memfd_create" when ok:
            {
                return Put(table, new FdInfo((int)ret, "/memfd:" + state.ObjectName + " (deleted)", FdType.Memfd, ((uint)a[1] & 1) != 0));
            }

            case "pidfd_open" when ok:
                return Put(table, new FdInfo((int)ret, "anon_inode:[pidfd]", FdType.PidFd, true));
            case "close":
                if (state.Fd >= 0)
                {
                    table.Fds.Remove(state.Fd);
                }

                return before;
            case "close_range" when ok:
            {
                uint first = (uint)a[0], last = (uint)a[1];
                bool cloexecOnly = ((uint)a[2] & 4) != 0;
                foreach (var fd in table.Fds.Keys.Where(fd => (uint)fd >= first && (uint)fd <= last).ToArray())
                {
                    if (cloexecOnly)
                    {
                        table.Fds[fd] = table.Fds[fd] with { CloseOnExec = true };
                    }
                    else
                    {
                        table.Fds.Remove(fd);
                    }
                }

                return null;
            }

            case "execve" or "execveat" when ok:
                foreach (var fd in table.Fds.Where(kv => kv.Value.CloseOnExec).Select(kv => kv.Key).ToArray())
                {
                    table.Fds.Remove(fd);
                }

                return null;
            case "chdir" when ok:
                table.Cwd = ResolvePath(processId, table, FileTables.AtFdCwd, state.Path) ?? table.Cwd;
                return null;
            case "fchdir" when ok:
                if (before is { Type: FdType.File })
                {
                    table.Cwd = before.Name;
                }

                return before;
            case "clone" or "clone3" or "fork" or "vfork" when ok && exit.ChildProcessId is int child:
            {
                ulong flags = name switch { "clone" => a[0], "clone3" => (ulong)state.Saved, _ => 0 };
                const ulong CLONE_FILES = 0x400, CLONE_THREAD = 0x10000;
                if ((flags & CLONE_THREAD) == 0)
                {
                    OnProcessStart(processId, child, (flags & CLONE_FILES) != 0);
                }

                return null;
            }

            default:
                return before;
        }
    }

    private Table TableOf(int processId)
    {
        if (_lastTable is not null && processId == _lastProcessId)
        {
            return _lastTable;
        }

        if (!_byProcess.TryGetValue(processId, out var t))
        {
            t = new Table();
            _byProcess[processId] = t;
        }

        if (_seeded.Contains(processId))
        {
            _lastProcessId = processId;
            _lastTable = t;
        }

        return t;
    }

    private static FdInfo Put(Table table, FdInfo info)
    {
        table.Fds[info.Fd] = info;
        return info;
    }

    private static FdType SocketType(int domain) => domain switch
    {
        NetworkTables.AF_INET => FdType.Ipv4Socket,
        NetworkTables.AF_INET6 => FdType.Ipv6Socket,
        NetworkTables.AF_UNIX => FdType.UnixSocket,
        NetworkTables.AF_NETLINK => FdType.NetlinkSocket,
        _ => FdType.Socket,
    };

    /// <summary>Applies an endpoint the decoders produced (<c>127.0.0.1:80</c>, <c>[::1]:9</c>, a Unix path, <c>@abstract</c>).</summary>
    private static FdInfo WithEndpoint(FdInfo info, string? endpoint, bool remote)
    {
        if (endpoint is null)
        {
            return info;
        }

        if (info.Type is FdType.Ipv4Socket or FdType.Ipv6Socket || (info.Type == FdType.Socket && endpoint.Contains(':', StringComparison.Ordinal)))
        {
            if (!TrySplitEndpoint(endpoint, out var address, out var port))
            {
                return info;
            }

            var updated = remote
                ? info with { RemoteAddress = address, RemotePort = port }
                : info with { LocalAddress = address, LocalPort = port };
            return updated with { Name = FdInfo.EndpointName(updated.LocalAddress, updated.LocalPort, updated.RemoteAddress, updated.RemotePort) };
        }

        if (info.Type == FdType.UnixSocket)
        {
            return remote
                ? info with { RemoteAddress = endpoint, Name = endpoint }
                : info with { LocalAddress = endpoint, Name = endpoint };
        }

        return info;
    }

    /// <summary>Splits an IPv4 or IPv6 endpoint as the decoders write it into address and port.</summary>
    internal static bool TrySplitEndpoint(string endpoint, out string address, out int port)
    {
        int colon = endpoint.LastIndexOf(':');
        address = string.Empty;
        port = 0;
        if (colon <= 0 || !int.TryParse(endpoint.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port))
        {
            return false;
        }

        address = endpoint[..colon].Trim('[', ']');
        return true;
    }

    /// <summary>With live resolution: the kernel's name for the descriptor and, for inet sockets, both endpoints.</summary>
    private FdInfo Refresh(int processId, FdInfo info)
    {
        if (!ResolveLive)
        {
            return info;
        }

        var link = ReadLink($"/proc/{processId}/fd/{info.Fd}");
        if (link is null)
        {
            return info;
        }

        if (info.Type == FdType.Pipe)
        {
            return info with { Name = link };
        }

        if (info.IsSocket && TryInode(link, "socket:[", out ulong inode))
        {
            if (info.Type is FdType.Ipv4Socket or FdType.Ipv6Socket && ProcNet.TryFindInet(processId, inode, out var ep))
            {
                var withEndpoints = info with
                {
                    LocalAddress = ep.LocalAddress,
                    LocalPort = ep.LocalPort,
                    RemoteAddress = ep.RemoteAddress ?? info.RemoteAddress,
                    RemotePort = ep.RemotePort ?? info.RemotePort,
                };
                return withEndpoints with
                {
                    Name = FdInfo.EndpointName(withEndpoints.LocalAddress, withEndpoints.LocalPort, withEndpoints.RemoteAddress, withEndpoints.RemotePort),
                };
            }

            if (info.Name == "socket")
            {
                return info with { Name = link };
            }
        }

        return info;
    }

    private FdInfo FromProcLink(int processId, int fd, string link, bool cloexec)
    {
        if (link.StartsWith('/'))
        {
            return new FdInfo(fd, link, FdType.File, cloexec);
        }

        if (link.StartsWith("pipe:", StringComparison.Ordinal))
        {
            return new FdInfo(fd, link, FdType.Pipe, cloexec);
        }

        if (TryInode(link, "socket:[", out ulong inode))
        {
            if (ProcNet.TryFindInet(processId, inode, out var ep))
            {
                var type = ep.IsIpv6 ? FdType.Ipv6Socket : FdType.Ipv4Socket;
                return new FdInfo(fd, FdInfo.EndpointName(ep.LocalAddress, ep.LocalPort, ep.RemoteAddress, ep.RemotePort), type, cloexec,
                    ep.LocalAddress, ep.LocalPort, ep.RemoteAddress, ep.RemotePort);
            }

            if (ProcNet.TryFindUnix(processId, inode, out var unixPath))
            {
                return new FdInfo(fd, unixPath ?? link, FdType.UnixSocket, cloexec, unixPath);
            }

            return new FdInfo(fd, link, FdType.Socket, cloexec);
        }

        var anon = link switch
        {
            "anon_inode:[eventfd]" => FdType.EventFd,
            "anon_inode:[eventpoll]" => FdType.Epoll,
            "anon_inode:[signalfd]" => FdType.SignalFd,
            "anon_inode:[timerfd]" => FdType.TimerFd,
            "anon_inode:inotify" => FdType.Inotify,
            "anon_inode:[pidfd]" => FdType.PidFd,
            _ when link.StartsWith("anon_inode:", StringComparison.Ordinal) => FdType.AnonInode,
            _ => FdType.Unknown,
        };
        return new FdInfo(fd, link, anon, cloexec);
    }

    private static bool TryInode(string link, string prefix, out ulong inode)
    {
        inode = 0;
        return link.StartsWith(prefix, StringComparison.Ordinal) && link.EndsWith(']')
            && ulong.TryParse(link.AsSpan(prefix.Length, link.Length - prefix.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out inode);
    }

    private string? ResolvePath(int processId, Table table, int dirFd, string? path)
    {
        if (path is null)
        {
            return null;
        }

        if (path.StartsWith('/'))
        {
            return System.IO.Path.GetFullPath(path);
        }

        string? baseDir = dirFd == FileTables.AtFdCwd
            ? table.Cwd ?? (ResolveLive ? ReadLink($"/proc/{processId}/cwd") : null)
            : table.Fds.TryGetValue(dirFd, out var dir) && dir.Type == FdType.File ? dir.Name : null;
        return baseDir is null ? null : System.IO.Path.GetFullPath(System.IO.Path.Combine(baseDir, path));
    }

    /// <summary>The target of a /proc symbolic link, or null when it cannot be read.</summary>
    internal static string? ReadLink(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static bool ReadCloseOnExec(int processId, int fd)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{processId}/fdinfo/{fd}"))
            {
                if (line.StartsWith("flags:", StringComparison.Ordinal))
                {
                    var octal = line.AsSpan(6).Trim();
                    ulong flags = 0;
                    foreach (var c in octal)
                    {
                        flags = (flags << 3) | (uint)(c - '0');
                    }

                    return (flags & 0x80000) != 0;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }

        return false;
    }
}
