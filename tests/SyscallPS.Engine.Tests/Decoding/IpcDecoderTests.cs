using System.Text;
using Xunit;
using static SyscallPS.Tests.Decoding.DecodeHarness;

namespace SyscallPS.Tests.Decoding;

/// <summary>System V and POSIX message queue decoding, as strace 6.1 prints it (found by the end-to-end conformance suite).</summary>
public sealed class IpcDecoderTests
{
    private readonly FakeTraceeMemory _m = new();

    private ulong Msg(long type, string text, int size)
    {
        var bytes = new byte[8 + size];
        BitConverter.GetBytes(type).CopyTo(bytes, 0);
        Encoding.ASCII.GetBytes(text).CopyTo(bytes, 8);
        return _m.Put(bytes);
    }

    [Fact]
    public void MsgsndAndMsgrcvNameTheFields()
    {
        ulong snd = Msg(5, "sysv message", 13);
        Assert.Equal("msgsnd(41, {mtype=5, mtext=\"sysv message\\0\"}, 13, 0) = 0", Line("msgsnd", [41, snd, 13, 0], 0, _m));

        // msgrcv shows msgsz bytes of mtext (16 here), whatever the kernel returned (13).
        ulong rcv = Msg(5, "sysv message", 16);
        Assert.Equal("msgrcv(41, {mtype=5, mtext=\"sysv message\\0\\0\\0\\0\"}, 16, 0, IPC_NOWAIT) = 13", Line("msgrcv", [41, rcv, 16, 0, 0x800], 13, _m));
        Assert.Equal($"msgrcv(41, 0x{rcv:x}, 16, 0, IPC_NOWAIT) = -1 ENOMSG (No message of desired type)", Line("msgrcv", [41, rcv, 16, 0, 0x800], -42, _m));
    }

    [Fact]
    public void SemopFlagsInStraceOrder()
    {
        ulong ops = _m.Put([0, 0, 0xff, 0xff, 0x00, 0x18]);
        Assert.Equal("semop(41, [{sem_num=0, sem_op=-1, sem_flg=SEM_UNDO|IPC_NOWAIT}], 1) = 0", Line("semop", [41, ops, 1], 0, _m));
    }

    [Fact]
    public void PosixMessageQueues()
    {
        ulong name = _m.PutString("syscallps-conf");
        // struct mq_attr is 64 bytes (four reserved longs); strace reads it whole.
        ulong attr = _m.PutWords(0, 4, 32, 0, 0, 0, 0, 0);
        Assert.Equal("mq_open(\"syscallps-conf\", O_RDWR|O_CREAT|O_EXCL, 0600, {mq_flags=0, mq_maxmsg=4, mq_msgsize=32, mq_curmsgs=0}) = 3",
            Line("mq_open", [name, 0xc2, 0x180, attr], 3, _m));
        Assert.Equal("mq_open(\"syscallps-conf\", O_RDONLY) = -1 ENOENT (No such file or directory)", Line("mq_open", [name, 0, 0x180, attr], -2, _m));
        ulong nonblock = _m.PutWords(0x800, 10, 8192, 1, 0, 0, 0, 0);
        Assert.Equal("mq_open(\"syscallps-conf\", O_RDONLY|O_CREAT, 0644, {mq_flags=O_NONBLOCK, mq_maxmsg=10, mq_msgsize=8192, mq_curmsgs=1}) = 3",
            Line("mq_open", [name, 0x40, 0x1a4, nonblock], 3, _m));

        ulong text = _m.PutString("posix mq");
        Assert.Equal("mq_timedsend(3, \"posix mq\", 8, 3, NULL) = 0", Line("mq_timedsend", [3, text, 8, 3, 0], 0, _m));
        ulong prio = _m.PutInts(3);
        Assert.Equal("mq_timedreceive(3, \"posix mq\", 32, [3], NULL) = 8", Line("mq_timedreceive", [3, text, 32, prio, 0], 8, _m));
        Assert.Equal("mq_unlink(\"syscallps-conf\") = -1 ENOENT (No such file or directory)", Line("mq_unlink", [name], -2, _m));
    }
}
