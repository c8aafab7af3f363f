namespace SyscallPS.Decoding.Tables;

/// <summary>Common ioctl request codes (asm-generic/ioctls.h, linux/sockios.h, linux/fs.h; x86_64).</summary>
internal static class IoctlTables
{
    public const uint TCGETS = 0x5401;
    public const uint TIOCGWINSZ = 0x5413;
    public const uint TIOCSWINSZ = 0x5414;
    public const uint FIONREAD = 0x541B;
    public const uint FIONBIO = 0x5421;
    public const uint TIOCGPGRP = 0x540F;
    public const uint TIOCSPGRP = 0x5410;
    public const uint FIOCLEX = 0x5451;
    public const uint FIONCLEX = 0x5450;
    public const uint TIOCGPTN = 0x80045430;
    public const uint TIOCSPTLCK = 0x40045431;
    public const uint FIOASYNC = 0x5452;
    public const uint TIOCNOTTY = 0x5422;
    public const uint TIOCSCTTY = 0x540E;
    public const uint TIOCGSID = 0x5429;
    public const uint SIOCGIFNAME = 0x8910;
    public const uint SIOCGIFINDEX = 0x8933;
    public const uint BLKRRPART = 0x125f;
    public const uint BLKFLSBUF = 0x1261;

    public static readonly ValueTable Requests = new("",
    [
        (0x5401, "TCGETS"), (0x5402, "TCSETS"), (0x5403, "TCSETSW"), (0x5404, "TCSETSF"), (0x5405, "TCGETA"), (0x5406, "TCSETA"),
        (0x5407, "TCSETAW"), (0x5408, "TCSETAF"), (0x5409, "TCSBRK"), (0x540A, "TCXONC"), (0x540B, "TCFLSH"),
        (0x540C, "TIOCEXCL"), (0x540D, "TIOCNXCL"), (0x540E, "TIOCSCTTY"), (0x540F, "TIOCGPGRP"), (0x5410, "TIOCSPGRP"),
        (0x5411, "TIOCOUTQ"), (0x5412, "TIOCSTI"), (0x5413, "TIOCGWINSZ"), (0x5414, "TIOCSWINSZ"), (0x5415, "TIOCMGET"),
        (0x5416, "TIOCMBIS"), (0x5417, "TIOCMBIC"), (0x5418, "TIOCMSET"), (0x5419, "TIOCGSOFTCAR"), (0x541A, "TIOCSSOFTCAR"),
        (0x541B, "FIONREAD"), (0x541C, "TIOCLINUX"), (0x541D, "TIOCCONS"), (0x541E, "TIOCGSERIAL"), (0x541F, "TIOCSSERIAL"),
        (0x5420, "TIOCPKT"), (0x5421, "FIONBIO"), (0x5422, "TIOCNOTTY"), (0x5423, "TIOCSETD"), (0x5424, "TIOCGETD"),
        (0x5425, "TCSBRKP"), (0x5427, "TIOCSBRK"), (0x5428, "TIOCCBRK"), (0x5429, "TIOCGSID"), (0x802c542a, "TCGETS2"),
        (0x402c542b, "TCSETS2"), (0x402c542c, "TCSETSW2"), (0x402c542d, "TCSETSF2"), (0x80045430, "TIOCGPTN"),
        (0x40045431, "TIOCSPTLCK"), (0x80045432, "TIOCGDEV"), (0x40045436, "TIOCSIG"), (0x5437, "TIOCVHANGUP"),
        (0x80045438, "TIOCGPKT"), (0x80045439, "TIOCGPTLCK"), (0x80045440, "TIOCGEXCL"), (0x5441, "TIOCGPTPEER"),
        (0x5450, "FIONCLEX"), (0x5451, "FIOCLEX"), (0x5452, "FIOASYNC"), (0x5453, "TIOCSERCONFIG"), (0x5454, "TIOCSERGWILD"),
        (0x5456, "TIOCGLCKTRMIOS"), (0x5457, "TIOCSLCKTRMIOS"), (0x5459, "TIOCSERGETLSR"), (0x545C, "TIOCMIWAIT"),
        (0x545D, "TIOCGICOUNT"), (0x5460, "FIOQSIZE"), (0x8901, "FIOSETOWN"), (0x8902, "SIOCSPGRP"), (0x8903, "FIOGETOWN"),
        (0x8904, "SIOCGPGRP"), (0x8905, "SIOCATMARK"), (0x8906, "SIOCGSTAMP_OLD"), (0x8910, "SIOCGIFNAME"),
        (0x8912, "SIOCGIFCONF"), (0x8913, "SIOCGIFFLAGS"), (0x8914, "SIOCSIFFLAGS"), (0x8915, "SIOCGIFADDR"),
        (0x8921, "SIOCGIFMTU"), (0x8927, "SIOCGIFHWADDR"), (0x8933, "SIOCGIFINDEX"), (0x80086601, "FS_IOC_GETFLAGS"),
        (0x40086602, "FS_IOC_SETFLAGS"), (0x80087601, "FS_IOC_GETVERSION"), (0x40049409, "FICLONE"),
        (0x4020940d, "FICLONERANGE"), (0x80081272, "BLKGETSIZE64"), (0x1260, "BLKGETSIZE"), (0x125e, "BLKROGET"),
        (0x1268, "BLKSSZGET"), (2, "FIGETBSZ"), (1, "FIBMAP"), (0xc020660b, "FS_IOC_FIEMAP"), (0x125f, "BLKRRPART"),
        (0x1261, "BLKFLSBUF"), (0x80044501, "EVIOCGVERSION"), (0x80084502, "EVIOCGID"), (0x80084803, "HIDIOCGRAWINFO"),
        (0x80685600, "VIDIOC_QUERYCAP"),

        // _IOR('H', 0x01, int) is both; strace names the pair.
        (0x80044801, "HIDIOCGRDESCSIZE or HIDIOCGVERSION"),
    ]);

    /// <summary>ioctl direction bits (asm-generic/ioctl.h).</summary>
    public static readonly string[] Directions = ["_IOC_NONE", "_IOC_WRITE", "_IOC_READ", "_IOC_READ|_IOC_WRITE"];
}
