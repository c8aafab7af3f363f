using System.Buffers.Binary;
using System.Globalization;
using System.Net;

namespace SyscallPS.Decoding;

/// <summary>Socket endpoints found in <c>/proc/PID/net/{tcp,tcp6,udp,udp6}</c>.</summary>
/// <param name="LocalAddress">Local address.</param>
/// <param name="LocalPort">Local port.</param>
/// <param name="RemoteAddress">Peer address, or null when unconnected.</param>
/// <param name="RemotePort">Peer port, or null when unconnected.</param>
/// <param name="IsIpv6">True when found in an IPv6 table.</param>
internal readonly record struct InetEndpoints(string LocalAddress, int LocalPort, string? RemoteAddress, int? RemotePort, bool IsIpv6);

/// <summary>Looks socket inodes up in a process's network namespace tables.</summary>
internal static class ProcNet
{
    private static readonly (string File, bool V6)[] InetTables = [("tcp", false), ("udp", false), ("tcp6", true), ("udp6", true), ("raw", false), ("raw6", true)];

    /// <summary>Finds the endpoints of an inet socket inode.</summary>
    public static bool TryFindInet(int processId, ulong inode, out InetEndpoints endpoints)
    {
        string inodeText = inode.ToString(CultureInfo.InvariantCulture);
        foreach (var (file, v6) in InetTables)
        {
            try
            {
                foreach (var line in File.ReadLines($"/proc/{processId}/net/{file}").Skip(1))
                {
                    var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (f.Length < 10 || f[9] != inodeText)
                    {
                        continue;
                    }

                    var (la, lp) = ParseEndpoint(f[1], v6);
                    var (ra, rp) = ParseEndpoint(f[2], v6);
                    bool connected = rp != 0;
                    endpoints = new InetEndpoints(la, lp, connected ? ra : null, connected ? rp : null, v6);
                    return true;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }
        }

        endpoints = default;
        return false;
    }

    /// <summary>Finds a Unix socket inode; <paramref name="path"/> is its bound path (or <c>@name</c>), null when unnamed.</summary>
    public static bool TryFindUnix(int processId, ulong inode, out string? path)
    {
        string inodeText = inode.ToString(CultureInfo.InvariantCulture);
        try
        {
            foreach (var line in File.ReadLines($"/proc/{processId}/net/unix").Skip(1))
            {
                var f = line.Split(' ', 8, StringSplitOptions.RemoveEmptyEntries);
                if (f.Length >= 7 && f[6] == inodeText)
                {
                    path = f.Length >= 8 ? f[7].Trim() : null;
                    return true;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            path = null;
            return false;
        }

        path = null;
        return false;
    }

    /// <summary>Parses <c>0100007F:1F90</c> (address words in host order, port big-endian hex).</summary>
    internal static (string Address, int Port) ParseEndpoint(string text, bool v6)
    {
        int colon = text.IndexOf(':');
        var hex = text.AsSpan(0, colon);
        int port = int.Parse(text.AsSpan(colon + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        Span<byte> bytes = stackalloc byte[v6 ? 16 : 4];
        for (int w = 0; w < bytes.Length / 4; w++)
        {
            uint word = uint.Parse(hex.Slice(w * 8, 8), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            BinaryPrimitives.WriteUInt32LittleEndian(bytes[(w * 4)..], word);
        }

        var ip = new IPAddress(bytes);
        string address = ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4().ToString() : ip.ToString();
        return (address, port);
    }
}
