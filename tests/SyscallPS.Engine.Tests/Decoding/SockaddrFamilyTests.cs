using SyscallPS.Decoding;
using Xunit;

namespace SyscallPS.Tests.Decoding;

/// <summary>
/// AF_AX25, AF_X25 and AF_PACKET sockaddrs, and addresses an addrlen cuts short of their family's struct, against the
/// text strace 6.1 printed for the same bytes (the conf_stops fixture runs the first end to end; these hold the rules
/// where no strace is installed).
/// </summary>
public sealed class SockaddrFamilyTests
{
    private static string Format(byte[] sa) => NetworkDecoders.FormatSockaddr(sa, out _);

    private static byte[] Ax25(string call, int ndigis, int length, params string[] digipeaters)
    {
        var sa = new byte[length];
        sa[0] = 3;
        Put(sa, 2, call);
        BitConverter.TryWriteBytes(sa.AsSpan(12), ndigis);
        for (int i = 0; i < digipeaters.Length && 16 + (7 * i) + 7 <= length; i++)
        {
            Put(sa, 16 + (7 * i), digipeaters[i]);
        }

        return sa;
    }

    private static void Put(byte[] sa, int at, string hex) => Convert.FromHexString(hex).CopyTo(sa, at);

    [Theory]
    [InlineData("8240404040401e", "sax25_call=A-15")]
    [InlineData("40404040404000", "sax25_call=*")]
    [InlineData("60626440404000", "sax25_call=012-0")]
    [InlineData("828486888a8c60", "sax25_call={ax25_call=\"\\x82\\x84\\x86\\x88\\x8a\\x8c\\x60\"} /* ABCDEF-0 */")]
    [InlineData("40404040404002", "sax25_call={ax25_call=\"\\x40\\x40\\x40\\x40\\x40\\x40\\x02\"} /* -1 */")]
    [InlineData("40404040404001", "sax25_call={ax25_call=\"\\x40\\x40\\x40\\x40\\x40\\x40\\x01\"} /* * */")]
    [InlineData("82408440404000", "sax25_call={ax25_call=\"\\x82\\x40\\x84\\x40\\x40\\x40\\x00\"} /* A B-0 */")]
    [InlineData("c2424040404000", "sax25_call={ax25_call=\"\\xc2\\x42\\x40\\x40\\x40\\x40\\x00\"} /* a!-0 */")]
    [InlineData("82404040404100", "sax25_call={ax25_call=\"\\x82\\x40\\x40\\x40\\x40\\x41\\x00\"} /* A-0 */")]
    [InlineData("82024040404000", "sax25_call={ax25_call=\"\\x82\\x02\\x40\\x40\\x40\\x40\\x00\"}")]
    [InlineData("828486888a8cff", "sax25_call={ax25_call=\"\\x82\\x84\\x86\\x88\\x8a\\x8c\\xff\"} /* ABCDEF-15 */")]
    public void Ax25Callsigns(string call, string expected) =>
        Assert.Equal("{sa_family=AF_AX25, " + expected + ", sax25_ndigis=0}", Format(Ax25(call, 0, 16)));

    [Fact]
    public void Ax25DigipeatersAndLengths()
    {
        const string Abc = "828486888a8c60", A15 = "8240404040401e", Null = "40404040404000";
        const string Head = "{sa_family=AF_AX25, fsa_ax25={sax25_call={ax25_call=\"\\x82\\x84\\x86\\x88\\x8a\\x8c\\x60\"} /* ABCDEF-0 */, sax25_ndigis=";
        Assert.Equal(Head + "2}, fsa_digipeater=[{ax25_call=\"\\x9c\\x9e\\xa0\\xa2\\x40\\x40\\x62\"} /* NOPQ-1 */, *]}", Format(Ax25(Abc, 2, 72, "9c9ea0a2404062", Null)));
        Assert.Equal(Head + "2}, fsa_digipeater=[...]}", Format(Ax25(Abc, 2, 16, A15, Null)));
        Assert.Equal(Head + "3}, fsa_digipeater=[A-15, *, ...]}", Format(Ax25(Abc, 3, 30, A15, Null)));
        Assert.Equal(Head + "3}, fsa_digipeater=[A-15, ...], ...}", Format(Ax25(Abc, 3, 26, A15, Null)));
        Assert.Equal(Head + "2}, fsa_digipeater=[A-15, *], ...}", Format(Ax25(Abc, 2, 40, A15, Null)));
        Assert.Equal(Head + "0}, ...}", Format(Ax25(Abc, 0, 40)));
        Assert.Equal(Head + "-1}}", Format(Ax25(Abc, -1, 72)));
        var nine = Format(Ax25(Abc, 9, 72, A15, Null));
        Assert.EndsWith(", {ax25_call=\"\\x00\\x00\\x00\\x00\\x00\\x00\\x00\"}]}", nine, StringComparison.Ordinal);
        Assert.Equal(8, nine.Split("fsa_digipeater=[")[1].Split(", ").Length);
        Assert.Equal("{sa_family=AF_AX25, sa_data=\"\\202\\204\\206\\210\\212\\214`\\0\\0\\0\\0\\0\\0\"}", Format(Ax25(Abc, 0, 15)));
    }

    [Fact]
    public void X25Addresses()
    {
        var sa = new byte[20];
        sa[0] = 9;
        byte[] address = [(byte)'1', (byte)'2', 1, 0xff, (byte)'"', (byte)'\\', (byte)'a', (byte)'b', (byte)'9', (byte)'0'];
        address.CopyTo(sa, 2);
        Assert.Equal("{sa_family=AF_X25, sx25_addr={x25_addr=\"12\\1\\377\\\"\\\\ab90\"}}", Format(sa));
        Array.Fill(sa, (byte)'7', 2, 16);
        Assert.Equal("{sa_family=AF_X25, sx25_addr={x25_addr=\"777777777777777\"...}}", Format(sa[..18]));
        Assert.Equal("{sa_family=AF_X25, sa_data=\"777777777777777\"}", Format(sa[..17]));
    }

    [Fact]
    public void PacketAddresses()
    {
        // ETH_P_PAE, ifindex 0, ARPHRD_IEEE80211, PACKET_OUTGOING, halen 9: eight bytes and "...", zero as 00.
        byte[] sa = [17, 0, 0x88, 0x8e, 0, 0, 0, 0, 0x21, 0x03, 4, 9, 0, 0xab, 0, 0, 0, 0, 0, 0];
        Assert.Equal("{sa_family=AF_PACKET, sll_protocol=htons(ETH_P_PAE), sll_ifindex=0, sll_hatype=ARPHRD_IEEE80211, sll_pkttype=PACKET_OUTGOING, sll_halen=9, sll_addr=[00, 0xab, 00, 00, 00, 00, 00, 00, ...]}", Format(sa));
        sa[2] = 0x06;
        sa[3] = 0x00;
        sa[8] = 0x01;
        sa[9] = 0x02;
        sa[10] = 9;
        sa[11] = 2;
        Assert.Equal("{sa_family=AF_PACKET, sll_protocol=htons(ETH_P_802_3_MIN), sll_ifindex=0, sll_hatype=ARPHRD_CISCO, sll_pkttype=0x9 /* PACKET_??? */, sll_halen=2, sll_addr=[00, 0xab]}", Format(sa));
    }

    [Theory]
    [InlineData("0a0001bb0001234520010db8000000000000000000000005", "{sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(74565), inet_pton(AF_INET6, \"2001:db8::5\", &sin6_addr)}")]
    [InlineData("0a0001bb0001234520010db80000000000000000000000", "{sa_family=AF_INET6, sa_data=\"\\1\\273\\0\\1#E \\1\\r\\270\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0\"}")]
    [InlineData("020000500a0000010000000000000000", "{sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr(\"10.0.0.1\")}")]
    [InlineData("020000500a00000100000000000000", "{sa_family=AF_INET, sa_data=\"\\0P\\n\\0\\0\\1\\0\\0\\0\\0\\0\\0\\0\"}")]
    [InlineData("1000000092100000030000", "{sa_family=AF_NETLINK, sa_data=\"\\0\\0\\222\\20\\0\\0\\3\\0\\0\"}")]
    [InlineData("01002f746d70", "{sa_family=AF_UNIX, sun_path=\"/tmp\"}")]
    [InlineData("0100", "{sa_family=AF_UNIX}")]
    [InlineData("0200", "{sa_family=AF_INET}")]
    public void AddressesCutByTheirLength(string hex, string expected) => Assert.Equal(expected, Format(Convert.FromHexString(hex)));
}
