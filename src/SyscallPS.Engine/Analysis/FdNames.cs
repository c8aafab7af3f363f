using System.Globalization;
using SyscallPS.Decoding;

namespace SyscallPS.Analysis;

/// <summary>What strace -y/-yy's name of a descriptor says, in the terms of <see cref="SyscallEvent"/>'s fd fields.</summary>
/// <param name="Name">The name as the engines write <see cref="SyscallEvent.FdName"/> (a path without -yy's device suffix, <c>a:p-&gt;b:q</c> for TCP/UDP).</param>
/// <param name="Type">The kind of descriptor.</param>
/// <param name="LocalAddress">A socket's local address.</param>
/// <param name="LocalPort">A socket's local port.</param>
/// <param name="RemoteAddress">A socket's peer address.</param>
/// <param name="RemotePort">A socket's peer port.</param>
internal readonly record struct FdNames(string? Name, FdType Type, string? LocalAddress, int? LocalPort, string? RemoteAddress, int? RemotePort)
{
    /// <summary>Reads strace's name: <c>/dev/null&lt;char 1:3&gt;</c>, <c>pipe:[123]</c>, <c>TCP:[127.0.0.1:40000-&gt;127.0.0.1:8080]</c> …</summary>
    public static FdNames Parse(string name)
    {
        if (name.StartsWith('/'))
        {
            // -yy adds the device of character and block devices: "/dev/null<char 1:3>".
            int device = name.LastIndexOf('<');
            if (device > 0 && name.EndsWith('>') && (name.AsSpan(device + 1).StartsWith("char ", StringComparison.Ordinal) || name.AsSpan(device + 1).StartsWith("block ", StringComparison.Ordinal)))
            {
                name = name[..device];
            }

            return new(name, name.StartsWith("/memfd:", StringComparison.Ordinal) ? FdType.Memfd : FdType.File, null, null, null, null);
        }

        int bracket = name.IndexOf(":[", StringComparison.Ordinal);
        var protocol = bracket < 0 ? name : name[..bracket];
        switch (protocol)
        {
            case "TCP" or "UDP" or "TCPv6" or "UDPv6" when name.EndsWith(']'):
                return Endpoints(name[(bracket + 2)..^1], protocol.EndsWith("v6", StringComparison.Ordinal) ? FdType.Ipv6Socket : FdType.Ipv4Socket);
            case "pipe":
                return Of(name, FdType.Pipe);
            case "socket":
                return Of(name, FdType.Socket);
            case "NETLINK":
                return Of(name, FdType.NetlinkSocket);
        }

        if (protocol.StartsWith("UNIX", StringComparison.Ordinal))
        {
            return Of(name, FdType.UnixSocket);
        }

        if (name.StartsWith("anon_inode:", StringComparison.Ordinal))
        {
            var kind = name["anon_inode:".Length..].Trim('[', ']');
            return Of(name, kind switch
            {
                "eventfd" => FdType.EventFd,
                "eventpoll" => FdType.Epoll,
                "signalfd" => FdType.SignalFd,
                "timerfd" => FdType.TimerFd,
                "inotify" => FdType.Inotify,
                "pidfd" => FdType.PidFd,
                _ => FdType.AnonInode,
            });
        }

        return Of(name, FdType.Unknown);
    }

    private static FdNames Of(string name, FdType type) => new(name, type, null, null, null, null);

    // "127.0.0.1:40000->127.0.0.1:8080", "[::1]:40000->[::1]:8080", or one side only.
    private static FdNames Endpoints(string text, FdType type)
    {
        int arrow = text.IndexOf("->", StringComparison.Ordinal);
        var (localAddress, localPort) = Endpoint(arrow < 0 ? text : text[..arrow]);
        var (remoteAddress, remotePort) = arrow < 0 ? (null, null) : Endpoint(text[(arrow + 2)..]);
        if (localPort is null)
        {
            // An inode number only (a socket strace could not look up): keep strace's text.
            return Of(text, type);
        }

        return new(text, type, localAddress, localPort, remoteAddress, remotePort);
    }

    private static (string? Address, int? Port) Endpoint(string text)
    {
        int colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port))
        {
            return (null, null);
        }

        return (text[..colon].Trim('[', ']'), port);
    }
}
