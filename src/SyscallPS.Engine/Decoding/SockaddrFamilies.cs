using System.Runtime.CompilerServices;
using System.Text;
using SyscallPS.Decoding.Tables;

namespace SyscallPS.Decoding;

/// <summary>
/// The bodies of the sockaddrs of link-layer and radio families, as strace prints them after <c>{sa_family=AF_…</c>:
/// AF_PACKET's <c>struct sockaddr_ll</c>, AF_AX25's <c>struct full_sockaddr_ax25</c>, AF_X25's <c>struct sockaddr_x25</c>.
/// A sockaddr shorter than its family's struct is printed as <c>sa_data</c> by the caller.
/// </summary>
internal static class SockaddrFamilies
{
    /// <summary>The address family numbers (linux/socket.h).</summary>
    public const int AF_AX25 = 3, AF_X25 = 9;

    /// <summary>Appends <c>, sll_protocol=htons(ETH_P_ALL), sll_ifindex=…, …, sll_addr=[…]</c>.</summary>
    /// <param name="sb">The line being built.</param>
    /// <param name="ll">The sockaddr.</param>
    /// <param name="interfaceIndex">How the caller prints an interface index (<c>if_nametoindex("lo")</c>).</param>
    public static void AppendPacket(StringBuilder sb, SockaddrLl ll, Func<int, string> interfaceIndex)
    {
        int halen = ll.sll_halen;
        sb.Append(", sll_protocol=htons(").Append(PacketTables.EthernetProtocols.Format(NetworkDecoders.Ntohs(ll.sll_protocol)))
          .Append("), sll_ifindex=").Append(interfaceIndex(ll.sll_ifindex))
          .Append(", sll_hatype=").Append(PacketTables.ArpHardwareTypes.Format(ll.sll_hatype))
          .Append(", sll_pkttype=").Append(PacketTables.PacketTypes.Format(ll.sll_pkttype))
          .Append(", sll_halen=").Append(StraceText.Dec(halen)).Append(", sll_addr=[");

        // sll_addr holds at most 8 bytes whatever sll_halen says.
        ReadOnlySpan<byte> address = ll.sll_addr;
        for (int b = 0; b < Math.Min(halen, address.Length); b++)
        {
            // strace's %#02x: a zero byte is 00, others 0x1, 0xab.
            sb.Append(b == 0 ? string.Empty : ", ").Append(address[b] == 0 ? "00" : StraceText.Hex(address[b]));
        }

        sb.Append(halen > address.Length ? ", ...]" : "]");
    }

    /// <summary>
    /// Appends <c>, sax25_call=N0CALL-1, sax25_ndigis=0</c>, or, when there are digipeaters or more bytes than a
    /// <c>sockaddr_ax25</c>, <c>, fsa_ax25={…}, fsa_digipeater=[…]</c> with <c>...</c> for what the length leaves out.
    /// </summary>
    /// <param name="sb">The line being built.</param>
    /// <param name="sa">The whole sockaddr, at least a <c>sockaddr_ax25</c>; the length says how many digipeaters are there.</param>
    public static void AppendAx25(StringBuilder sb, ReadOnlySpan<byte> sa)
    {
        var fsa = TraceeReader.Prefix<FullSockaddrAx25>(sa);
        int ndigis = fsa.fsa_ax25.sax25_ndigis;
        int ax25Size = Unsafe.SizeOf<SockaddrAx25>(), addressSize = Unsafe.SizeOf<Ax25Address>();
        bool full = ndigis != 0 || sa.Length > ax25Size;
        sb.Append(full ? ", fsa_ax25={sax25_call=" : ", sax25_call=");
        AppendAx25Address(sb, fsa.fsa_ax25.sax25_call);
        sb.Append(", sax25_ndigis=").Append(StraceText.Dec(ndigis));
        if (!full)
        {
            return;
        }

        sb.Append('}');
        ReadOnlySpan<Ax25Address> digipeaters = fsa.fsa_digipeater;
        int present = Math.Min((sa.Length - ax25Size) / addressSize, digipeaters.Length);
        int wanted = Math.Clamp(ndigis, 0, digipeaters.Length);
        if (wanted > 0)
        {
            sb.Append(", fsa_digipeater=[");
            int shown = Math.Min(present, wanted);
            for (int i = 0; i < shown; i++)
            {
                sb.Append(i == 0 ? string.Empty : ", ");
                AppendAx25Address(sb, digipeaters[i]);
            }

            if (wanted > present)
            {
                sb.Append(shown > 0 ? ", ..." : "...");
            }

            sb.Append(']');
        }

        if (sa.Length > ax25Size + (present * addressSize))
        {
            sb.Append(", ...");
        }
    }

    /// <summary>Appends <c>, sx25_addr={x25_addr="…"}</c>: the address up to its NUL, at most 15 characters and <c>...</c>.</summary>
    /// <param name="sb">The line being built.</param>
    /// <param name="x25">The sockaddr.</param>
    public static void AppendX25(StringBuilder sb, SockaddrX25 x25)
    {
        ReadOnlySpan<byte> address = x25.sx25_addr.x25_addr;
        int nul = address.IndexOf((byte)0);
        sb.Append(", sx25_addr={x25_addr=");
        StraceText.AppendQuoted(sb, address[..(nul >= 0 ? nul : address.Length - 1)]);
        sb.Append(nul >= 0 ? "}" : "...}");
    }

    /// <summary>
    /// An ax25_address as strace prints it: a well-formed callsign plainly (<c>N0CALL-7</c>, <c>*</c> for the null
    /// address), anything else as its bytes, followed by the callsign it would spell when that is printable.
    /// </summary>
    private static void AppendAx25Address(StringBuilder sb, Ax25Address ax25)
    {
        ReadOnlySpan<byte> address = ax25.ax25_call;
        var text = Ax25Callsign(address, out bool wellFormed);
        if (wellFormed)
        {
            sb.Append(text);
            return;
        }

        sb.Append("{ax25_call=");
        StraceText.AppendQuoted(sb, address, hex: true);
        sb.Append('}');
        if (text is not null)
        {
            sb.Append(" /* ").Append(text).Append(" */");
        }
    }

    /// <summary>
    /// The callsign an ax25_address spells (each character shifted left by one, trailing spaces dropped, the SSID in
    /// bits 1-4 of the last byte), or null when a character is not printable. Well formed: upper-case letters and
    /// digits with nothing after the first space, no low bits set, nothing but the SSID in the last byte.
    /// </summary>
    private static string? Ax25Callsign(ReadOnlySpan<byte> address, out bool wellFormed)
    {
        Span<char> call = stackalloc char[address.Length - 1];
        int end = call.Length;
        for (int i = 0; i < call.Length; i++)
        {
            call[i] = (char)(address[i] >> 1);
        }

        while (end > 0 && call[end - 1] == ' ')
        {
            end--;
        }

        byte last = address[^1];
        wellFormed = (last & ~0x1e) == 0;
        for (int i = 0; i < call.Length; i++)
        {
            wellFormed &= (address[i] & 1) == 0;
        }

        for (int i = 0; i < end; i++)
        {
            char c = call[i];
            if (c < ' ' || c > '~')
            {
                wellFormed = false;
                return null;
            }

            wellFormed &= c is (>= 'A' and <= 'Z') or (>= '0' and <= '9');
        }

        int ssid = (last >> 1) & 0xf;
        if (end == 0)
        {
            // The null address is six spaces; with an SSID it is not well formed.
            wellFormed &= ssid == 0;
            return ssid == 0 ? "*" : "-" + StraceText.Dec(ssid);
        }

        return new string(call[..end]) + "-" + StraceText.Dec(ssid);
    }
}
