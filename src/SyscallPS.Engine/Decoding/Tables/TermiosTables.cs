namespace SyscallPS.Decoding.Tables;

/// <summary>termios flag bits (asm-generic/termbits.h, octal values written in hex), in strace's print order.</summary>
internal static class TermiosTables
{
    public static readonly FlagTable InputFlags = new("",
    [
        (0x1, "IGNBRK"), (0x2, "BRKINT"), (0x4, "IGNPAR"), (0x8, "PARMRK"), (0x10, "INPCK"), (0x20, "ISTRIP"), (0x40, "INLCR"),
        (0x80, "IGNCR"), (0x100, "ICRNL"), (0x200, "IUCLC"), (0x400, "IXON"), (0x800, "IXANY"), (0x1000, "IXOFF"),
        (0x2000, "IMAXBEL"), (0x4000, "IUTF8"),
    ]);

    public static readonly FlagTable OutputFlags = new("",
    [
        (0x1, "OPOST"), (0x2, "OLCUC"), (0x4, "ONLCR"), (0x8, "OCRNL"), (0x10, "ONOCR"), (0x20, "ONLRET"), (0x40, "OFILL"),
        (0x80, "OFDEL"),
    ]);

    /// <summary>The output delay fields: (mask, names by value).</summary>
    public static readonly (uint Mask, (uint Value, string Name)[] Names)[] OutputDelays =
    [
        (0x100, [(0, "NL0"), (0x100, "NL1")]),
        (0x600, [(0, "CR0"), (0x200, "CR1"), (0x400, "CR2"), (0x600, "CR3")]),
        (0x1800, [(0, "TAB0"), (0x800, "TAB1"), (0x1000, "TAB2"), (0x1800, "TAB3")]),
        (0x2000, [(0, "BS0"), (0x2000, "BS1")]),
        (0x4000, [(0, "VT0"), (0x4000, "VT1")]),
        (0x8000, [(0, "FF0"), (0x8000, "FF1")]),
    ];

    public static readonly ValueTable Bauds = new("B",
    [
        (0, "B0"), (1, "B50"), (2, "B75"), (3, "B110"), (4, "B134"), (5, "B150"), (6, "B200"), (7, "B300"), (8, "B600"),
        (9, "B1200"), (10, "B1800"), (11, "B2400"), (12, "B4800"), (13, "B9600"), (14, "B19200"), (15, "B38400"),
        (0x1000, "BOTHER"), (0x1001, "B57600"), (0x1002, "B115200"), (0x1003, "B230400"), (0x1004, "B460800"),
        (0x1005, "B500000"), (0x1006, "B576000"), (0x1007, "B921600"), (0x1008, "B1000000"), (0x1009, "B1152000"),
        (0x100a, "B1500000"), (0x100b, "B2000000"), (0x100c, "B2500000"), (0x100d, "B3000000"), (0x100e, "B3500000"),
        (0x100f, "B4000000"),
    ]);

    public static readonly string[] CharSizes = ["CS5", "CS6", "CS7", "CS8"];

    public static readonly FlagTable ControlFlags = new("",
    [
        (0x40, "CSTOPB"), (0x80, "CREAD"), (0x100, "PARENB"), (0x200, "PARODD"), (0x400, "HUPCL"), (0x800, "CLOCAL"),
        (0x40000000, "CMSPAR"), (0x80000000, "CRTSCTS"),
    ]);

    public static readonly FlagTable LocalFlags = new("",
    [
        (0x1, "ISIG"), (0x2, "ICANON"), (0x4, "XCASE"), (0x8, "ECHO"), (0x10, "ECHOE"), (0x20, "ECHOK"), (0x40, "ECHONL"),
        (0x80, "NOFLSH"), (0x100, "TOSTOP"), (0x8000, "IEXTEN"), (0x200, "ECHOCTL"), (0x400, "ECHOPRT"), (0x800, "ECHOKE"),
        (0x1000, "FLUSHO"), (0x4000, "PENDIN"), (0x10000, "EXTPROC"),
    ]);
}
