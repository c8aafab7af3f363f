using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using SyscallPS.Decoding.Tables;

namespace SyscallPS.Decoding;

/// <summary>Decoders for sockets: creation, addresses (IPv4, IPv6, Unix, netlink), data transfer, options.</summary>
internal static class NetworkDecoders
{
    public static void Register(DecoderRegistry r)
    {
        r.Add("socket", (s, m, o) => { SetDomain(s, 0); SetSocketType(s, 1); SetProtocol(s, 2, (int)s.Args[0]); });
        r.Add("socketpair", SocketpairEntry, (s, ret, m, o, failed) => { s.SetFdPair(3, m, failed); return null; });
        r.Add("connect bind", (s, m, o) => { s.SetFd(0); SetSockaddr(s, 1, m, (long)(int)s.Args[2]); s.SetInt(2); });
        r.Add("listen", (s, m, o) => { s.SetFd(0); s.SetInt(1); });
        r.Add("accept", AcceptEntry, AcceptExit);
        r.Add("accept4", (s, m, o) => { AcceptEntry(s, m, o); s.SetFlags(3, NetworkTables.SocketTypeFlags); }, AcceptExit);
        r.Add("getsockname getpeername", AcceptEntry, AcceptExit);
        r.Add("shutdown", (s, m, o) => { s.SetFd(0); s.SetEnum(1, NetworkTables.ShutdownHow); });
        r.Add("sendto", SendtoEntry);
        r.Add("recvfrom", RecvfromEntry, RecvfromExit);
        r.Add("sendmsg", (s, m, o) => { s.SetFd(0); s.SetText(1, MsghdrText(m, o, s.Args[1], long.MaxValue)); s.SetFlags(2, NetworkTables.MessageFlags); });
        r.Add("recvmsg", (s, m, o) => { s.SetFd(0); s.SetFlags(2, NetworkTables.MessageFlags); }, RecvmsgExit);
        r.Add("sendmmsg", (s, m, o) => { s.SetFd(0); s.SetUInt(2); s.SetFlags(3, NetworkTables.MessageFlags); }, SendmmsgExit);
        r.Add("recvmmsg", RecvmmsgEntry, RecvmmsgExit);
        r.Add("setsockopt", SetsockoptEntry);
        r.Add("getsockopt", GetsockoptEntry, GetsockoptExit);
    }

    /// <summary>socketpair's protocol is printed as a plain unsigned number, unlike socket's.</summary>
    private static void SocketpairEntry(SyscallDecodeState s, ITraceeMemory m, DecodeOptions o)
    {
        SetDomain(s, 0);
        SetSocketType(s, 1);
        s.SetText(2, StraceText.Dec((long)(uint)s.Args[2]));
    }

    private static void SendtoEntry(SyscallDecodeState s, ITraceeMemory m, DecodeOptions o)
    {
        s.SetFd(0);
        s.SetBuffer(1, m, o, s.Args[2]);
        s.SetULong(2);
        s.SetFlags(3, NetworkTables.MessageFlags);
        SetSockaddr(s, 4, m, (long)(int)s.Args[5]);
        s.SetInt(5);
    }

    private static void RecvfromEntry(SyscallDecodeState s, ITraceeMemory m, DecodeOptions o)
    {
        s.SetFd(0);
        s.SetULong(2);
        s.SetFlags(3, NetworkTables.MessageFlags);
        if (s.Args[5] != 0 && TraceeReader.TryReadInt(m, s.Args[5], out int len))
        {
            s.Saved = len;
            s.Saved2 = 1;
        }
    }

    private static string? RecvmsgExit(SyscallDecodeState s, long ret, ITraceeMemory m, DecodeOptions o, bool failed)
    {
        // On failure strace shows only the name length the caller offered.
        s.SetText(1, failed
            ? TraceeReader.BytesOrAddress(m, s.Args[1], 12, static h => "{msg_namelen=" + StraceText.UDec(TraceeReader.As<uint>(h[8..])) + "}")
            : MsghdrText(m, o, s.Args[1], ret));
        return null;
    }

    private static string? SendmmsgExit(SyscallDecodeState s, long ret, ITraceeMemory m, DecodeOptions o, bool failed)
    {
        s.SetText(1, failed ? StraceText.Pointer(s.Args[1]) : MmsgText(m, o, s.Args[1], (uint)s.Args[2], ret, send: true));
        return null;
    }

    private static void RecvmmsgEntry(SyscallDecodeState s, ITraceeMemory m, DecodeOptions o)
    {
        s.SetFd(0);
        s.SetUInt(2);
        s.SetFlags(3, NetworkTables.MessageFlags);
        s.SetText(4, TimeDecoders.TimespecAt(m, s.Args[4]));
    }

    private static string? RecvmmsgExit(SyscallDecodeState s, long ret, ITraceeMemory m, DecodeOptions o, bool failed)
    {
        s.SetText(1, failed ? StraceText.Pointer(s.Args[1]) : MmsgText(m, o, s.Args[1], (uint)ret, ret, send: false));
        return null;
    }

    private static void SetsockoptEntry(SyscallDecodeState s, ITraceeMemory m, DecodeOptions o)
    {
        s.SetFd(0);
        SetLevel(s, 1);
        SetOptName(s, 2, (int)s.Args[1]);
        s.SetText(3, SockoptValueText(m, o, (int)s.Args[1], (int)s.Args[2], s.Args[3], (int)s.Args[4]));
        s.SetInt(4);
    }

    private static void GetsockoptEntry(SyscallDecodeState s, ITraceeMemory m, DecodeOptions o)
    {
        s.SetFd(0);
        SetLevel(s, 1);
        SetOptName(s, 2, (int)s.Args[1]);

        // The caller's buffer size, for strace's "[ulen => rlen]" when the kernel changes it.
        s.Saved = TraceeReader.TryReadInt(m, s.Args[4], out int ulen) ? ulen : long.MinValue;
    }

    private static string? GetsockoptExit(SyscallDecodeState s, long ret, ITraceeMemory m, DecodeOptions o, bool failed)
    {
        if (failed || !TraceeReader.TryReadInt(m, s.Args[4], out int len))
        {
            s.SetPointer(3);
            s.SetText(4, ArgFormat.IntRef(m, s.Args[4]));
            return null;
        }

        string lenText = s.Saved != long.MinValue && s.Saved != len
            ? "[" + StraceText.Dec(s.Saved) + " => " + StraceText.Dec(len) + "]"
            : "[" + StraceText.Dec(len) + "]";
        if (len <= 0 || s.Saved <= 0)
        {
            // Nothing was returned: strace prints the buffer's address.
            s.SetPointer(3);
            s.SetText(4, lenText);
            return null;
        }

        if ((int)s.Args[1] == 1 && (int)s.Args[2] == 4 && len == 4 && TraceeReader.TryReadInt(m, s.Args[3], out int soError))
        {
            // SO_ERROR holds an errno value.
            s.SetText(3, "[" + (soError == 0 ? "0" : ErrnoTable.NameOrNumber(soError)) + "]");
        }
        else
        {
            s.SetText(3, SockoptValueText(m, o, (int)s.Args[1], (int)s.Args[2], s.Args[3], len));
        }

        s.SetText(4, lenText);
        return null;
    }

    private static void SetDomain(SyscallDecodeState s, int i) => s.SetEnum(i, NetworkTables.Families);

    private static void SetSocketType(SyscallDecodeState s, int i)
    {
        uint v = (uint)s.Args[i];
        uint flags = v & ~0xfu;
        var typeName = NetworkTables.SocketTypes.Lookup(v & 0xf);
        var sb = StraceText.Builder();
        if (typeName is null)
        {
            // An unknown type: strace prints the whole value as flags.
            NetworkTables.SocketTypeFlags.Append(sb, v);
        }
        else
        {
            sb.Append(typeName);
            if (flags != 0)
            {
                sb.Append('|');
                NetworkTables.SocketTypeFlags.Append(sb, flags);
            }
        }

        s.SetText(i, sb.ToString());
    }

    private static void SetProtocol(SyscallDecodeState s, int i, int domain)
    {
        int proto = (int)s.Args[i];
        switch (domain)
        {
            case NetworkTables.AF_INET or NetworkTables.AF_INET6:
                s.SetText(i, NetworkTables.InetProtocols.Format(proto));
                break;
            case NetworkTables.AF_NETLINK:
                s.SetText(i, NetworkTables.NetlinkProtocols.Format(proto));
                break;
            case NetworkTables.AF_PACKET:
                s.SetText(i, "htons(" + PacketTables.EthernetProtocols.Format(Ntohs((ushort)proto)) + ")");
                break;
            default:
                s.SetInt(i);
                break;
        }
    }

    private static void SetSockaddr(SyscallDecodeState s, int i, ITraceeMemory m, long length)
    {
        var text = SockaddrText(m, s.Args[i], length, out var endpoint);
        s.Set(i, (object?)endpoint ?? s.Args[i], text);
        s.Endpoint = endpoint;
    }

    /// <summary>A socket address as strace prints it, or the address when unreadable.</summary>
    /// <param name="m">The tracee.</param>
    /// <param name="address">Where the sockaddr is.</param>
    /// <param name="length">Its length in bytes.</param>
    /// <param name="endpoint">The decoded endpoint (<c>127.0.0.1:80</c>, a Unix path), when there is one.</param>
    public static string SockaddrText(ITraceeMemory m, ulong address, long length, out string? endpoint)
    {
        endpoint = null;
        if (address == 0)
        {
            return "NULL";
        }

        if (length < SaFamilySize)
        {
            return StraceText.Pointer(address);
        }

        int len = (int)Math.Min(length, SockaddrStorageSize);
        Span<byte> sa = stackalloc byte[SockaddrStorageSize];
        if (!TraceeReader.TryRead(m, address, sa[..len]))
        {
            return StraceText.Pointer(address);
        }

        return FormatSockaddr(sa[..len], out endpoint);
    }

    /// <summary>sizeof(struct sockaddr_storage): the most of an address strace reads.</summary>
    private const int SockaddrStorageSize = 128;

    /// <summary>sizeof(sa_family_t): the least a sockaddr is printed for; sa_data starts there.</summary>
    private static readonly int SaFamilySize = (int)Marshal.OffsetOf<Sockaddr>(nameof(Sockaddr.sa_data));

    /// <summary>offsetof(struct sockaddr_in6, sin6_scope_id): RFC 2133's sockaddr_in6 ended there.</summary>
    private static readonly int SockaddrIn6ScopeOffset = (int)Marshal.OffsetOf<SockaddrIn6>(nameof(SockaddrIn6.sin6_scope_id));

    /// <summary>ntohs, for the fields the kernel keeps in network byte order.</summary>
    internal static ushort Ntohs(ushort value) => (ushort)IPAddress.NetworkToHostOrder((short)value);

    /// <summary>ntohl.</summary>
    private static uint Ntohl(uint value) => (uint)IPAddress.NetworkToHostOrder((int)value);

    /// <summary>nl_groups as strace prints it: <c>%#08x</c>, so 0 is <c>00000000</c> and others <c>0x000010</c>.</summary>
    private static string NetlinkGroups(uint groups) =>
        groups == 0 ? "00000000" : "0x" + groups.ToString("x6", CultureInfo.InvariantCulture);

    /// <summary>Formats a sockaddr held in <paramref name="sa"/> (its full length).</summary>
    public static string FormatSockaddr(ReadOnlySpan<byte> sa, out string? endpoint)
    {
        endpoint = null;
        int family = TraceeReader.Prefix<Sockaddr>(sa).sa_family;
        var sb = StraceText.Builder();
        sb.Append("{sa_family=").Append(NetworkTables.Families.Format(family));
        switch (family)
        {
            case NetworkTables.AF_INET when sa.Length >= Unsafe.SizeOf<SockaddrIn>():
            {
                var sin = TraceeReader.As<SockaddrIn>(sa);
                int port = Ntohs(sin.sin_port);
                string ip = new IPAddress((ReadOnlySpan<byte>)sin.sin_addr).ToString();
                sb.Append(", sin_port=htons(").Append(StraceText.Dec(port)).Append("), sin_addr=inet_addr(\"").Append(ip).Append("\")");
                endpoint = ip + ":" + port.ToString(CultureInfo.InvariantCulture);
                break;
            }

            case NetworkTables.AF_INET6 when sa.Length >= SockaddrIn6ScopeOffset:
            {
                var sin6 = TraceeReader.Prefix<SockaddrIn6>(sa);
                int port = Ntohs(sin6.sin6_port);
                var ip = new IPAddress((ReadOnlySpan<byte>)sin6.sin6_addr);
                string ipText = ip.IsIPv4MappedToIPv6 ? "::ffff:" + ip.MapToIPv4() : ip.ToString();
                sb.Append(", sin6_port=htons(").Append(StraceText.Dec(port)).Append("), sin6_flowinfo=htonl(").Append(StraceText.UDec(Ntohl(sin6.sin6_flowinfo)))
                  .Append("), inet_pton(AF_INET6, \"").Append(ipText).Append("\", &sin6_addr)");
                if (sa.Length >= Unsafe.SizeOf<SockaddrIn6>())
                {
                    sb.Append(", sin6_scope_id=").Append(InterfaceIndexText((int)sin6.sin6_scope_id));
                }

                endpoint = "[" + ipText + "]:" + port.ToString(CultureInfo.InvariantCulture);
                break;
            }

            case NetworkTables.AF_UNIX:
            {
                var un = TraceeReader.Prefix<SockaddrUn>(sa);
                ReadOnlySpan<byte> path = un.sun_path;

                // strace prints no more than sun_path holds, whatever the length says.
                path = path[..Math.Min(sa.Length - SaFamilySize, path.Length)];
                if (path.Length == 0)
                {
                    break;
                }

                sb.Append(", sun_path=");
                if (path[0] == 0)
                {
                    // Abstract socket: the name is every byte after the leading NUL.
                    sb.Append('@');
                    StraceText.AppendQuoted(sb, path[1..]);
                    endpoint = "@" + Encoding.UTF8.GetString(path[1..]);
                }
                else
                {
                    int nul = path.IndexOf((byte)0);
                    var p = nul >= 0 ? path[..nul] : path;
                    StraceText.AppendQuoted(sb, p);
                    endpoint = Encoding.UTF8.GetString(p);
                }

                break;
            }

            case NetworkTables.AF_PACKET when sa.Length >= Unsafe.SizeOf<SockaddrLl>():
                SockaddrFamilies.AppendPacket(sb, TraceeReader.As<SockaddrLl>(sa), InterfaceIndexText);
                break;
            case SockaddrFamilies.AF_AX25 when sa.Length >= Unsafe.SizeOf<SockaddrAx25>():
                SockaddrFamilies.AppendAx25(sb, sa);
                break;
            case SockaddrFamilies.AF_X25 when sa.Length >= Unsafe.SizeOf<SockaddrX25>():
                SockaddrFamilies.AppendX25(sb, TraceeReader.As<SockaddrX25>(sa));
                break;
            case NetworkTables.AF_NETLINK when sa.Length >= Unsafe.SizeOf<SockaddrNl>():
                var nl = TraceeReader.As<SockaddrNl>(sa);
                if (nl.nl_pad != 0)
                {
                    sb.Append(", nl_pad=").Append(StraceText.Hex(nl.nl_pad));
                }

                sb.Append(", nl_pid=").Append(StraceText.Dec((int)nl.nl_pid))
                  .Append(", nl_groups=").Append(NetlinkGroups(nl.nl_groups));
                break;
            default:
                // strace prints nothing after the family when the length stops there.
                if (sa.Length > SaFamilySize)
                {
                    sb.Append(", sa_data=");
                    StraceText.AppendQuoted(sb, sa[SaFamilySize..]);
                }

                break;
        }

        return sb.Append('}').ToString();
    }

    private static void AcceptEntry(SyscallDecodeState s, ITraceeMemory m, DecodeOptions o)
    {
        s.SetFd(0);
        if (s.Args[2] != 0 && TraceeReader.TryReadInt(m, s.Args[2], out int len))
        {
            s.Saved = len;
            s.Saved2 = 1;
        }
    }

    private static string? AcceptExit(SyscallDecodeState s, long ret, ITraceeMemory m, DecodeOptions o, bool failed)
    {
        SetAddrOut(s, 1, 2, m, failed);
        return null;
    }

    private static void SetAddrOut(SyscallDecodeState s, int addrIndex, int lenIndex, ITraceeMemory m, bool failed)
    {
        if (s.Args[lenIndex] == 0)
        {
            s.SetPointer(addrIndex);
            s.SetText(lenIndex, "NULL");
            return;
        }

        if (failed || !TraceeReader.TryReadInt(m, s.Args[lenIndex], out int outLen))
        {
            s.SetPointer(addrIndex);
            s.SetText(lenIndex, s.Saved2 == 1 ? "[" + StraceText.Dec(s.Saved) + "]" : StraceText.Pointer(s.Args[lenIndex]));
            return;
        }

        SetSockaddr(s, addrIndex, m, Math.Min(outLen, s.Saved2 == 1 ? s.Saved : outLen));
        s.SetText(lenIndex, s.Saved2 == 1 && s.Saved != outLen
            ? "[" + StraceText.Dec(s.Saved) + " => " + StraceText.Dec(outLen) + "]"
            : "[" + StraceText.Dec(outLen) + "]");
    }

    private static string? RecvfromExit(SyscallDecodeState s, long ret, ITraceeMemory m, DecodeOptions o, bool failed)
    {
        if (failed)
        {
            s.SetPointer(1);
        }
        else
        {
            s.SetBuffer(1, m, o, (ulong)ret);
        }

        if (s.Args[4] == 0)
        {
            s.SetText(4, "NULL");
            s.SetText(5, s.Args[5] == 0 ? "NULL" : ArgFormat.IntRef(m, s.Args[5]));
        }
        else
        {
            SetAddrOut(s, 4, 5, m, failed);
        }

        return null;
    }

    private static string MsghdrText(ITraceeMemory m, DecodeOptions o, ulong address, long dataLimit) =>
        TraceeReader.StructOrAddress<Msghdr>(m, address, h => Format(m, o, h, dataLimit));

    private static string Format(ITraceeMemory m, DecodeOptions o, Msghdr h, long dataLimit)
    {
        ulong name = h.msg_name;
        uint namelen = h.msg_namelen;
        ulong iov = h.msg_iov;
        ulong iovlen = h.msg_iovlen;
        ulong control = h.msg_control;
        ulong controllen = h.msg_controllen;
        uint flags = (uint)h.msg_flags;

        string nameText = name == 0 ? "NULL" : SockaddrText(m, name, namelen, out _);
        string controlText = controllen == 0 ? string.Empty : CmsgText(m, o, control, controllen);
        string flagsText = NetworkTables.MessageFlags.Format(flags);
        var sb = StraceText.Builder();
        sb.Append("{msg_name=").Append(nameText).Append(", msg_namelen=").Append(StraceText.UDec(namelen)).Append(", msg_iov=");
        DescriptorDecoders.AppendIovec(sb, m, o, iov, iovlen, dataLimit);
        sb.Append(", msg_iovlen=").Append(StraceText.UDec(iovlen));
        if (controllen != 0)
        {
            sb.Append(", msg_control=").Append(controlText);
        }

        sb.Append(", msg_controllen=").Append(StraceText.UDec(controllen)).Append(", msg_flags=").Append(flagsText).Append('}');
        return StraceText.Finish(sb);
    }

    private static string MmsgText(ITraceeMemory m, DecodeOptions o, ulong address, uint count, long done, bool send)
    {
        if (address == 0)
        {
            return "NULL";
        }

        var parts = new List<string>();
        for (uint i = 0; i < count; i++)
        {
            if (i >= (uint)o.StringLimit)
            {
                parts.Add("...");
                break;
            }

            ulong at = address + (i * (ulong)Unsafe.SizeOf<Mmsghdr>());
            if (!TraceeReader.TryReadInt(m, at + (ulong)Marshal.OffsetOf<Mmsghdr>(nameof(Mmsghdr.msg_len)), out int len))
            {
                if (i == 0)
                {
                    return StraceText.Pointer(address);
                }

                parts.Add("...");
                break;
            }

            string hdr = MsghdrText(m, o, at, send ? long.MaxValue : len);
            parts.Add(i < done ? "{msg_hdr=" + hdr + ", msg_len=" + StraceText.UDec((uint)len) + "}" : "{msg_hdr=" + hdr + "}");
        }

        return "[" + string.Join(", ", parts) + "]";
    }

    /// <summary>The most of a control buffer decoded (the eBPF engine copies as much, BLOB_MAX).</summary>
    private const int ControlLimit = 4096;

    /// <summary>sizeof(struct cmsghdr) on a 64-bit ABI.</summary>
    private static readonly int CmsgHeader = Unsafe.SizeOf<Cmsghdr>();

    /// <summary>
    /// The control messages as strace walks them (CMSG_NXTHDR's rules): each header with its data when the type has a
    /// printer and enough bytes; a length below the header's ends the walk; leftover bytes print as
    /// <c>... /* address */</c>. A buffer shorter than one header prints as its address.
    /// </summary>
    private static string CmsgText(ITraceeMemory m, DecodeOptions o, ulong address, ulong length)
    {
        if (length < (ulong)CmsgHeader)
        {
            return StraceText.Pointer(address);
        }

        int controlLen = (int)Math.Min(length, ControlLimit);
        var buf = new byte[controlLen];
        if (!TraceeReader.TryRead(m, address, buf))
        {
            return StraceText.Pointer(address);
        }

        var sb = StraceText.Builder().Append('[');
        int off = 0, left = controlLen;
        while (left >= CmsgHeader)
        {
            var header = TraceeReader.As<Cmsghdr>(buf.AsSpan(off));
            ulong cmsgLen = header.cmsg_len;
            int level = header.cmsg_level;
            int type = header.cmsg_type;
            if (off != 0)
            {
                sb.Append(", ");
            }

            sb.Append("{cmsg_len=").Append(StraceText.UDec(cmsgLen)).Append(", cmsg_level=").Append(NetworkTables.SocketLevels.Format(level))
              .Append(", cmsg_type=");
            int dataLen = (int)Math.Min(cmsgLen, (ulong)left) - CmsgHeader;
            AppendCmsgTypeData(sb, o, level, type, buf.AsSpan(off + CmsgHeader, Math.Max(dataLen, 0)));
            sb.Append('}');
            if (cmsgLen < (ulong)CmsgHeader)
            {
                left -= CmsgHeader;
                break;
            }

            // Compared before rounding up: a cmsg_len near 2^64 would round to 0 and never advance.
            ulong step = (cmsgLen + 7) & ~7UL;
            if (cmsgLen >= (ulong)left || step >= (ulong)left)
            {
                left = 0;
                break;
            }

            off += (int)step;
            left -= (int)step;
        }

        if (left > 0)
        {
            sb.Append(", ... /* ").Append(StraceText.Pointer(address + (ulong)(controlLen - left))).Append(" */");
        }
        else if ((ulong)controlLen < length)
        {
            sb.Append(", ...");
        }

        return StraceText.Finish(sb.Append(']'));
    }

    /// <summary>A control message's type and, when the type has a printer and the data its minimum size, <c>cmsg_data</c>.</summary>
    private static void AppendCmsgTypeData(StringBuilder sb, DecodeOptions o, int level, int type, ReadOnlySpan<byte> data)
    {
        switch (level)
        {
            case 1: // SOL_SOCKET
                sb.Append(NetworkTables.CmsgTypesSocket.Format(type));
                switch (type)
                {
                    case 1 when data.Length >= 4: // SCM_RIGHTS
                        sb.Append(", cmsg_data=");
                        AppendNumbers(sb, o, data, 4, v => StraceText.Dec((int)v));
                        break;
                    case 2 when data.Length >= Unsafe.SizeOf<Ucred>(): // SCM_CREDENTIALS
                        var cred = TraceeReader.As<Ucred>(data);
                        sb.Append(", cmsg_data={pid=").Append(StraceText.Dec(cred.pid))
                          .Append(", uid=").Append(StraceText.UDec(cred.uid)).Append(", gid=").Append(StraceText.UDec(cred.gid)).Append('}');
                        break;
                    case 3 when data.Length >= 1: // SCM_SECURITY
                        sb.Append(", cmsg_data=");
                        StraceText.AppendQuoted(sb, data);
                        break;
                    case 29 or 63 when data.Length >= Unsafe.SizeOf<Timeval>(): // SO_TIMESTAMP_OLD, SO_TIMESTAMP_NEW
                        sb.Append(", cmsg_data=");
                        AppendTimePair(sb, data, "tv_usec");
                        break;
                    case 35 or 64 when data.Length >= Unsafe.SizeOf<Timespec>(): // SO_TIMESTAMPNS_OLD, SO_TIMESTAMPNS_NEW
                        sb.Append(", cmsg_data=");
                        AppendTimePair(sb, data, "tv_nsec");
                        break;
                    case 37 or 65 when data.Length >= 3 * Unsafe.SizeOf<Timespec>(): // SO_TIMESTAMPING_OLD, SO_TIMESTAMPING_NEW: three timespecs
                        sb.Append(", cmsg_data=[");
                        for (int i = 0; i < 3; i++)
                        {
                            AppendTimePair(sb.Append(i == 0 ? string.Empty : ", "), data[(i * Unsafe.SizeOf<Timespec>())..], "tv_nsec");
                        }

                        sb.Append(']');
                        break;
                }

                break;
            case 0: // SOL_IP
                sb.Append(NetworkTables.IpOptions.Format(type));
                switch (type)
                {
                    case 8 when data.Length >= Unsafe.SizeOf<InPktinfo>(): // IP_PKTINFO
                        var pkt = TraceeReader.As<InPktinfo>(data);
                        sb.Append(", cmsg_data={ipi_ifindex=").Append(InterfaceIndexText(pkt.ipi_ifindex))
                          .Append(", ipi_spec_dst=inet_addr(\"").Append(new IPAddress(pkt.ipi_spec_dst).ToString())
                          .Append("\"), ipi_addr=inet_addr(\"").Append(new IPAddress(pkt.ipi_addr).ToString()).Append("\")}");
                        break;
                    case 2 or 23 when data.Length >= 4: // IP_TTL, IP_CHECKSUM
                        sb.Append(", cmsg_data=");
                        AppendNumbers(sb, o, data, 4, v => StraceText.UDec(v));
                        break;
                    case 1 or 6 or 7 when data.Length >= 1: // IP_TOS, IP_RECVOPTS, IP_RETOPTS
                        sb.Append(", cmsg_data=");
                        AppendNumbers(sb, o, data, 1, StraceText.Hex);
                        break;
                    case 11 when data.Length >= Unsafe.SizeOf<SockExtendedErr>(): // IP_RECVERR: struct sock_extended_err, then the offender
                        var err = TraceeReader.As<SockExtendedErr>(data);
                        sb.Append(", cmsg_data={ee_errno=").Append(StraceText.UDec(err.ee_errno))
                          .Append(", ee_origin=").Append(StraceText.UDec(err.ee_origin)).Append(", ee_type=").Append(StraceText.UDec(err.ee_type))
                          .Append(", ee_code=").Append(StraceText.UDec(err.ee_code))
                          .Append(", ee_info=").Append(StraceText.UDec(err.ee_info))
                          .Append(", ee_data=").Append(StraceText.UDec(err.ee_data))
                          .Append(", offender=").Append(OffenderText(data[Unsafe.SizeOf<SockExtendedErr>()..])).Append('}');
                        break;
                    case 20 when data.Length >= Unsafe.SizeOf<SockaddrIn>(): // IP_ORIGDSTADDR: a sockaddr_in
                        sb.Append(", cmsg_data=").Append(FormatSockaddr(data, out _));
                        break;
                }

                break;
            default:
                sb.Append(StraceText.Hex((uint)type));
                break;
        }
    }

    /// <summary>SO_EE_OFFENDER: the sockaddr after a sock_extended_err, NULL when not even its family is there.</summary>
    private static string OffenderText(ReadOnlySpan<byte> sa) => sa.Length >= SaFamilySize ? FormatSockaddr(sa, out _) : "NULL";

    /// <summary><c>[a, b, …]</c> of little-endian numbers <paramref name="width"/> bytes wide, cut at the string limit.</summary>
    private static void AppendNumbers(StringBuilder sb, DecodeOptions o, ReadOnlySpan<byte> data, int width, Func<ulong, string> format)
    {
        sb.Append('[');
        for (int i = 0, n = 0; i + width <= data.Length; i += width, n++)
        {
            if (n > 0)
            {
                sb.Append(", ");
            }

            if (n >= o.StringLimit)
            {
                sb.Append("...");
                break;
            }

            ulong v = width == 1 ? data[i] : TraceeReader.As<uint>(data[i..]);
            sb.Append(format(v));
        }

        sb.Append(']');
    }

    /// <summary><c>{tv_sec=S, tv_usec=U}</c> (or tv_nsec) from two 64-bit words.</summary>
    private static void AppendTimePair(StringBuilder sb, ReadOnlySpan<byte> data, string fraction)
    {
        // struct timeval and struct timespec share the 64-bit layout: seconds, then the fraction.
        var t = TraceeReader.As<Timespec>(data);
        sb.Append("{tv_sec=").Append(StraceText.Dec(t.tv_sec)).Append(", ").Append(fraction).Append('=').Append(StraceText.UDec((ulong)t.tv_nsec)).Append('}');
    }

    // This machine's interfaces by index, read again on a miss at most once a second: decoding an IPv6 address or a
    // packet socket must not list /sys for every call.
    private static Dictionary<int, string> s_interfaces = [];
    private static long s_interfacesReadAt = -2000;

    /// <summary>An interface index as strace prints it: <c>if_nametoindex("lo")</c> when this machine has such an interface.</summary>
    private static string InterfaceIndexText(int index)
    {
        if (index <= 0)
        {
            return StraceText.Dec(index);
        }

        var interfaces = Volatile.Read(ref s_interfaces);
        if (!interfaces.TryGetValue(index, out var name) && Environment.TickCount64 - Interlocked.Read(ref s_interfacesReadAt) > 1000)
        {
            interfaces = ReadInterfaces();
            Volatile.Write(ref s_interfaces, interfaces);
            Interlocked.Exchange(ref s_interfacesReadAt, Environment.TickCount64);
            interfaces.TryGetValue(index, out name);
        }

        return name is null ? StraceText.Dec(index) : "if_nametoindex(\"" + name + "\")";
    }

    private static Dictionary<int, string> ReadInterfaces()
    {
        var interfaces = new Dictionary<int, string>();
        try
        {
            foreach (var dir in Directory.EnumerateDirectories("/sys/class/net"))
            {
                if (int.TryParse(File.ReadAllText(Path.Combine(dir, "ifindex")).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int index))
                {
                    interfaces[index] = Path.GetFileName(dir);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return interfaces;
    }

    private static void SetLevel(SyscallDecodeState s, int i) => s.SetText(i, NetworkTables.SocketLevels.Format((int)s.Args[i]));

    private static void SetOptName(SyscallDecodeState s, int i, int level)
    {
        int name = (int)s.Args[i];
        ValueTable? table = level switch
        {
            1 => NetworkTables.SocketOptions,
            6 => NetworkTables.TcpOptions,
            0 => NetworkTables.IpOptions,
            41 => NetworkTables.Ipv6Options,
            270 => NetworkTables.NetlinkOptions,
            _ => null,
        };
        s.SetText(i, table is null ? StraceText.Dec(name) : table.Format(name));
    }

    private const int SOL_SOCKET = 1, SO_LINGER = 13;

    /// <summary>SOL_SOCKET options whose value is an int: strace prints <c>[N]</c> from 4 bytes on and the address below that.</summary>
    private static bool IsSocketIntOption(int name) => name is (>= 1 and <= 12) or 14 or 15 or 16 or 18 or 19 or 32 or 33 or 36;

    /// <summary>A socket option's value as strace prints it for this level and name.</summary>
    private static string SockoptValueText(ITraceeMemory m, DecodeOptions o, int level, int name, ulong address, int length)
    {
        if (address != 0 && level == SOL_SOCKET)
        {
            if (name == SO_LINGER)
            {
                return TraceeReader.StructOrAddress<Linger>(
                    m, address, static l => "{l_onoff=" + StraceText.Dec(l.l_onoff) + ", l_linger=" + StraceText.Dec(l.l_linger) + "}", failed: length < 8);
            }

            if (IsSocketIntOption(name) && length != 4)
            {
                return TraceeReader.StructOrAddress<int>(m, address, ArgFormat.Bracketed, failed: length <= 4);
            }
        }

        return OptvalText(m, o, address, length);
    }

    private static string OptvalText(ITraceeMemory m, DecodeOptions o, ulong address, int length)
    {
        if (address == 0)
        {
            return "NULL";
        }

        if (length == 4 && TraceeReader.TryReadInt(m, address, out int v))
        {
            return "[" + StraceText.Dec(v) + "]";
        }

        var sb = StraceText.Builder();
        TraceeReader.AppendBuffer(sb, m, address, (ulong)Math.Max(length, 0), o.StringLimit);
        return StraceText.Finish(sb);
    }
}
