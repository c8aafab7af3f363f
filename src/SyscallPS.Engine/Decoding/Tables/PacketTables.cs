namespace SyscallPS.Decoding.Tables;

/// <summary>AF_PACKET constants: the fields of struct sockaddr_ll and the protocol of socket(AF_PACKET, ...).</summary>
internal static class PacketTables
{
    /// <summary>Ethernet protocol ids (linux/if_ether.h), sockaddr_ll's sll_protocol.</summary>
    public static readonly ValueTable EthernetProtocols = new("ETH_P_",
    [
        (0x0001, "ETH_P_802_3"), (0x0002, "ETH_P_AX25"), (0x0003, "ETH_P_ALL"), (0x0004, "ETH_P_802_2"),
        (0x0005, "ETH_P_SNAP"), (0x0006, "ETH_P_DDCMP"), (0x0007, "ETH_P_WAN_PPP"), (0x0008, "ETH_P_PPP_MP"),
        (0x0009, "ETH_P_LOCALTALK"), (0x000C, "ETH_P_CAN"), (0x000D, "ETH_P_CANFD"), (0x000E, "ETH_P_CANXL"),
        (0x0010, "ETH_P_PPPTALK"), (0x0011, "ETH_P_TR_802_2"), (0x0015, "ETH_P_MOBITEX"), (0x0016, "ETH_P_CONTROL"),
        (0x0017, "ETH_P_IRDA"), (0x0018, "ETH_P_ECONET"), (0x0019, "ETH_P_HDLC"), (0x001A, "ETH_P_ARCNET"),
        (0x001B, "ETH_P_DSA"), (0x001C, "ETH_P_TRAILER"), (0x0060, "ETH_P_LOOP"), (0x00F5, "ETH_P_PHONET"),
        (0x00F6, "ETH_P_IEEE802154"), (0x00F7, "ETH_P_CAIF"), (0x00F8, "ETH_P_XDSA"), (0x00F9, "ETH_P_MAP"),
        (0x00FA, "ETH_P_MCTP"), (0x0200, "ETH_P_PUP"), (0x0201, "ETH_P_PUPAT"), (0x0600, "ETH_P_802_3_MIN"),
        (0x0800, "ETH_P_IP"), (0x0805, "ETH_P_X25"), (0x0806, "ETH_P_ARP"), (0x08FF, "ETH_P_BPQ"),
        (0x0A00, "ETH_P_IEEEPUP"), (0x0A01, "ETH_P_IEEEPUPAT"), (0x22EB, "ETH_P_ERSPAN2"), (0x22F0, "ETH_P_TSN"),
        (0x4305, "ETH_P_BATMAN"), (0x6000, "ETH_P_DEC"), (0x6001, "ETH_P_DNA_DL"), (0x6002, "ETH_P_DNA_RC"),
        (0x6003, "ETH_P_DNA_RT"), (0x6004, "ETH_P_LAT"), (0x6005, "ETH_P_DIAG"), (0x6006, "ETH_P_CUST"),
        (0x6007, "ETH_P_SCA"), (0x6558, "ETH_P_TEB"), (0x8035, "ETH_P_RARP"), (0x809B, "ETH_P_ATALK"),
        (0x80F3, "ETH_P_AARP"), (0x8100, "ETH_P_8021Q"), (0x8137, "ETH_P_IPX"), (0x86DD, "ETH_P_IPV6"),
        (0x8808, "ETH_P_PAUSE"), (0x8809, "ETH_P_SLOW"), (0x883E, "ETH_P_WCCP"), (0x8847, "ETH_P_MPLS_UC"),
        (0x8848, "ETH_P_MPLS_MC"), (0x884C, "ETH_P_ATMMPOA"), (0x8863, "ETH_P_PPP_DISC"), (0x8864, "ETH_P_PPP_SES"),
        (0x886C, "ETH_P_LINK_CTL"), (0x8884, "ETH_P_ATMFATE"), (0x888E, "ETH_P_PAE"), (0x8892, "ETH_P_PROFINET"),
        (0x8899, "ETH_P_REALTEK"), (0x88A2, "ETH_P_AOE"), (0x88A4, "ETH_P_ETHERCAT"), (0x88A8, "ETH_P_8021AD"),
        (0x88B5, "ETH_P_802_EX1"), (0x88BE, "ETH_P_ERSPAN"), (0x88C7, "ETH_P_PREAUTH"), (0x88CA, "ETH_P_TIPC"),
        (0x88CC, "ETH_P_LLDP"), (0x88E3, "ETH_P_MRP"), (0x88E5, "ETH_P_MACSEC"), (0x88E7, "ETH_P_8021AH"),
        (0x88F5, "ETH_P_MVRP"), (0x88F7, "ETH_P_1588"), (0x88F8, "ETH_P_NCSI"), (0x88FB, "ETH_P_PRP"),
        (0x8902, "ETH_P_CFM"), (0x8906, "ETH_P_FCOE"), (0x890D, "ETH_P_TDLS"), (0x8914, "ETH_P_FIP"),
        (0x8915, "ETH_P_IBOE"), (0x8917, "ETH_P_80221"), (0x892F, "ETH_P_HSR"), (0x894F, "ETH_P_NSH"),
        (0x9000, "ETH_P_LOOPBACK"), (0x9100, "ETH_P_QINQ1"), (0x9200, "ETH_P_QINQ2"), (0x9300, "ETH_P_QINQ3"),
        (0xDADA, "ETH_P_EDSA"), (0xDADB, "ETH_P_DSA_8021Q"), (0xE001, "ETH_P_DSA_A5PSW"), (0xED3E, "ETH_P_IFE"),
        (0xFBFB, "ETH_P_AF_IUCV"),
    ]);

    /// <summary>ARP hardware types (linux/if_arp.h), sockaddr_ll's sll_hatype; ARPHRD_HDLC is ARPHRD_CISCO's other name.</summary>
    public static readonly ValueTable ArpHardwareTypes = new("ARPHRD_",
    [
        (0, "ARPHRD_NETROM"), (1, "ARPHRD_ETHER"), (2, "ARPHRD_EETHER"), (3, "ARPHRD_AX25"), (4, "ARPHRD_PRONET"),
        (5, "ARPHRD_CHAOS"), (6, "ARPHRD_IEEE802"), (7, "ARPHRD_ARCNET"), (8, "ARPHRD_APPLETLK"), (15, "ARPHRD_DLCI"),
        (19, "ARPHRD_ATM"), (23, "ARPHRD_METRICOM"), (24, "ARPHRD_IEEE1394"), (27, "ARPHRD_EUI64"),
        (32, "ARPHRD_INFINIBAND"), (256, "ARPHRD_SLIP"), (257, "ARPHRD_CSLIP"), (258, "ARPHRD_SLIP6"),
        (259, "ARPHRD_CSLIP6"), (260, "ARPHRD_RSRVD"), (264, "ARPHRD_ADAPT"), (270, "ARPHRD_ROSE"),
        (271, "ARPHRD_X25"), (272, "ARPHRD_HWX25"), (280, "ARPHRD_CAN"), (290, "ARPHRD_MCTP"), (512, "ARPHRD_PPP"),
        (513, "ARPHRD_CISCO"), (513, "ARPHRD_HDLC"), (516, "ARPHRD_LAPB"), (517, "ARPHRD_DDCMP"),
        (518, "ARPHRD_RAWHDLC"), (519, "ARPHRD_RAWIP"), (768, "ARPHRD_TUNNEL"), (769, "ARPHRD_TUNNEL6"),
        (770, "ARPHRD_FRAD"), (771, "ARPHRD_SKIP"), (772, "ARPHRD_LOOPBACK"), (773, "ARPHRD_LOCALTLK"),
        (774, "ARPHRD_FDDI"), (775, "ARPHRD_BIF"), (776, "ARPHRD_SIT"), (777, "ARPHRD_IPDDP"), (778, "ARPHRD_IPGRE"),
        (779, "ARPHRD_PIMREG"), (780, "ARPHRD_HIPPI"), (781, "ARPHRD_ASH"), (782, "ARPHRD_ECONET"),
        (783, "ARPHRD_IRDA"), (784, "ARPHRD_FCPP"), (785, "ARPHRD_FCAL"), (786, "ARPHRD_FCPL"),
        (787, "ARPHRD_FCFABRIC"), (800, "ARPHRD_IEEE802_TR"), (801, "ARPHRD_IEEE80211"),
        (802, "ARPHRD_IEEE80211_PRISM"), (803, "ARPHRD_IEEE80211_RADIOTAP"), (804, "ARPHRD_IEEE802154"),
        (805, "ARPHRD_IEEE802154_MONITOR"), (820, "ARPHRD_PHONET"), (821, "ARPHRD_PHONET_PIPE"), (822, "ARPHRD_CAIF"),
        (823, "ARPHRD_IP6GRE"), (824, "ARPHRD_NETLINK"), (825, "ARPHRD_6LOWPAN"), (826, "ARPHRD_VSOCKMON"),
        (65534, "ARPHRD_NONE"), (65535, "ARPHRD_VOID"),
    ]);

    /// <summary>Packet types (linux/if_packet.h), sockaddr_ll's sll_pkttype.</summary>
    public static readonly ValueTable PacketTypes = new("PACKET_",
    [
        (0, "PACKET_HOST"), (1, "PACKET_BROADCAST"), (2, "PACKET_MULTICAST"), (3, "PACKET_OTHERHOST"), (4, "PACKET_OUTGOING"),
        (5, "PACKET_LOOPBACK"), (6, "PACKET_USER"), (7, "PACKET_KERNEL"),
    ]);
}
