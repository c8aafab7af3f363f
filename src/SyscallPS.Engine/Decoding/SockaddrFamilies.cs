using System.Buffers.Binary;
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

    /// <summary>sizeof(struct sockaddr_ll), sizeof(struct sockaddr_ax25), sizeof(struct sockaddr_x25).</summary>
    public const int PacketSize = 20, Ax25Size = 16, X25Size = 18;

    /// <summary>An ax25_address: six shifted characters and an SSID byte.</summary>
    private const int Ax25AddressSize = 7;

    /// <summary>AX25_MAX_DIGIS: the digipeaters a full_sockaddr_ax25 holds.</summary>
    private const int Ax25MaxDigipeaters = 8;

    /// <summary>sizeof(x25_address.x25_addr).</summary>
    private const int X25AddressSize = 16;

    /// <summary>sll_addr's size: it holds at most 8 bytes whatever sll_halen says.</summary>
    private const int PacketAddressSize = 8;

    /// <summary>Appends <c>, sll_protocol=htons(ETH_P_ALL), sll_ifindex=…, …, sll_addr=[…]</c>.</summary>
    /// <param name="sb">The line being built.</param>
    /// <param name="sa">The whole sockaddr, at least <see cref="PacketSize"/> bytes.</param>
    /// <param name="interfaceIndex">How the caller prints an interface index (<c>if_nametoindex("lo")</c>).</param>
    public static void AppendPacket(StringBuilder sb, ReadOnlySpan<byte> sa, Func<int, string> interfaceIndex)
    {
        int halen = sa[11];
        sb.Append(", sll_protocol=htons(").Append(PacketTables.EthernetProtocols.Format(BinaryPrimitives.ReadUInt16BigEndian(sa[2..])))
          .Append("), sll_ifindex=").Append(interfaceIndex(BinaryPrimitives.ReadInt32LittleEndian(sa[4..])))
          .Append(", sll_hatype=").Append(PacketTables.ArpHardwareTypes.Format(BinaryPrimitives.ReadUInt16LittleEndian(sa[8..])))
          .Append(", sll_pkttype=").Append(PacketTables.PacketTypes.Format(sa[10]))
          .Append(", sll_halen=").Append(StraceText.Dec(halen)).Append(", sll_addr=[");
        for (int b = 0; b < Math.Min(halen, PacketAddressSize); b++)
        {
            // strace's %#02x: a zero byte is 00, others 0x1, 0xab.
            sb.Append(b == 0 ? string.Empty : ", ").Append(sa[12 + b] == 0 ? "00" : StraceText.Hex(sa[12 + b]));
        }

        sb.Append(halen > PacketAddressSize ? ", ...]" : "]");
    }

    /// <summary>
    /// Appends <c>, sax25_call=N0CALL-1, sax25_ndigis=0</c>, or, when there are digipeaters or more bytes than a
    /// <c>sockaddr_ax25</c>, <c>, fsa_ax25={…}, fsa_digipeater=[…]</c> with <c>...</c> for what the length leaves out.
    /// </summary>
    /// <param name="sb">The line being built.</param>
    /// <param name="sa">The whole sockaddr, at least <see cref="Ax25Size"/> bytes.</param>
    public static void AppendAx25(StringBuilder sb, ReadOnlySpan<byte> sa)
    {
        int ndigis = BinaryPrimitives.ReadInt32LittleEndian(sa[12..]);
        bool full = ndigis != 0 || sa.Length > Ax25Size;
        sb.Append(full ? ", fsa_ax25={sax25_call=" : ", sax25_call=");
        AppendAx25Address(sb, sa.Slice(2, Ax25AddressSize));
        sb.Append(", sax25_ndigis=").Append(StraceText.Dec(ndigis));
        if (!full)
        {
            return;
        }

        sb.Append('}');
        int present = Math.Min((sa.Length - Ax25Size) / Ax25AddressSize, Ax25MaxDigipeaters);
        int wanted = Math.Clamp(ndigis, 0, Ax25MaxDigipeaters);
        if (wanted > 0)
        {
            sb.Append(", fsa_digipeater=[");
            int shown = Math.Min(present, wanted);
            for (int i = 0; i < shown; i++)
            {
                sb.Append(i == 0 ? string.Empty : ", ");
                AppendAx25Address(sb, sa.Slice(Ax25Size + (i * Ax25AddressSize), Ax25AddressSize));
            }

            if (wanted > present)
            {
                sb.Append(shown > 0 ? ", ..." : "...");
            }

            sb.Append(']');
        }

        if (sa.Length > Ax25Size + (present * Ax25AddressSize))
        {
            sb.Append(", ...");
        }
    }

    /// <summary>Appends <c>, sx25_addr={x25_addr="…"}</c>: the address up to its NUL, at most 15 characters and <c>...</c>.</summary>
    /// <param name="sb">The line being built.</param>
    /// <param name="sa">The whole sockaddr, at least <see cref="X25Size"/> bytes.</param>
    public static void AppendX25(StringBuilder sb, ReadOnlySpan<byte> sa)
    {
        var address = sa.Slice(2, X25AddressSize);
        int nul = address.IndexOf((byte)0);
        sb.Append(", sx25_addr={x25_addr=");
        StraceText.AppendQuoted(sb, address[..(nul >= 0 ? nul : X25AddressSize - 1)]);
        sb.Append(nul >= 0 ? "}" : "...}");
    }

    /// <summary>
    /// An ax25_address as strace prints it: a well-formed callsign plainly (<c>N0CALL-7</c>, <c>*</c> for the null
    /// address), anything else as its bytes, followed by the callsign it would spell when that is printable.
    /// </summary>
    private static void AppendAx25Address(StringBuilder sb, ReadOnlySpan<byte> address)
    {
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
        Span<char> call = stackalloc char[Ax25AddressSize - 1];
        int end = call.Length;
        for (int i = 0; i < call.Length; i++)
        {
            call[i] = (char)(address[i] >> 1);
        }

        while (end > 0 && call[end - 1] == ' ')
        {
            end--;
        }

        byte last = address[Ax25AddressSize - 1];
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
