using System.Buffers.Binary;
using SyscallPS.Decoding.Tables;

namespace SyscallPS.Decoding;

/// <summary>Decoders for System V IPC: shared memory, semaphores, message queues.</summary>
internal static class IpcDecoders
{
    public static void Register(DecoderRegistry r)
    {
        r.Add("shmget", (s, m, o) => { SetKey(s, 0); s.SetULong(1); SetGetFlags(s, 2, IpcTables.ShmGetFlags); });
        r.Add("semget", (s, m, o) => { SetKey(s, 0); s.SetInt(1); SetGetFlags(s, 2, IpcTables.GetFlags); });
        r.Add("msgget", (s, m, o) => { SetKey(s, 0); SetGetFlags(s, 1, IpcTables.GetFlags); });
        r.Add("shmat", (s, m, o) => { s.SetInt(0); s.SetPointer(1); s.SetFlags(2, IpcTables.ShmatFlags); }, ret: ReturnStyle.Address);
        r.Add("shmdt", (s, m, o) => s.SetPointer(0));
        r.Add("shmctl", (s, m, o) => { s.SetInt(0); s.SetEnum(1, IpcTables.ShmCommands); s.SetPointer(2); });
        r.Add("msgctl", (s, m, o) => { s.SetInt(0); s.SetEnum(1, IpcTables.MsgCommands); s.SetPointer(2); });
        r.Add("semctl", (s, m, o) => { s.SetInt(0); s.SetInt(1); s.SetEnum(2, IpcTables.SemCommands); s.SetPointer(3); });
        r.Add("semop", (s, m, o) => { s.SetInt(0); s.SetText(1, SembufText(m, o, s.Args[1], s.Args[2])); s.SetULong(2); });
        r.Add("semtimedop", (s, m, o) =>
        {
            s.SetInt(0); s.SetText(1, SembufText(m, o, s.Args[1], s.Args[2])); s.SetULong(2); s.SetText(3, TimeDecoders.TimespecAt(m, s.Args[3]));
        });
        r.Add("msgsnd", (s, m, o) =>
        {
            s.SetInt(0); s.SetText(1, MsgbufText(m, o, s.Args[1], s.Args[2])); s.SetULong(2); s.SetFlags(3, IpcTables.MsgFlags);
        });
        // strace prints msgrcv's mtext with the size asked for (msgsz), not the size received.
        r.Add("msgrcv", (s, m, o) => { s.SetInt(0); s.SetULong(2); s.SetLong(3); s.SetFlags(4, IpcTables.MsgFlags); }, (s, ret, m, o, failed) =>
        {
            s.SetText(1, failed ? StraceText.Pointer(s.Args[1]) : MsgbufText(m, o, s.Args[1], s.Args[2]));
            return null;
        });

        // POSIX message queues.
        r.Add("mq_open", (s, m, o) =>
        {
            s.SetPath(0, m);
            s.SetText(1, FileDecoders.OpenFlagsText(s.Args[1]));
            if ((s.Args[1] & O_CREAT) != 0)
            {
                s.SetMode(2);
                s.SetText(3, MqAttrText(m, s.Args[3]));
                s.ArgumentCount = 4;
            }
            else
            {
                // Without O_CREAT the mode and attributes are not read, and strace leaves them out.
                s.ArgumentCount = 2;
            }
        });
        r.Add("mq_unlink", (s, m, o) => s.SetPath(0, m));
        r.Add("mq_timedsend", (s, m, o) =>
        {
            s.SetFd(0); s.SetBuffer(1, m, o, s.Args[2]); s.SetULong(2); s.SetUInt(3); s.SetText(4, TimeDecoders.TimespecAt(m, s.Args[4]));
        });
        r.Add("mq_timedreceive", (s, m, o) => { s.SetFd(0); s.SetULong(2); s.SetText(4, TimeDecoders.TimespecAt(m, s.Args[4])); }, (s, ret, m, o, failed) =>
        {
            if (failed)
            {
                s.SetPointer(1);
                s.SetPointer(3);
            }
            else
            {
                s.SetBuffer(1, m, o, (ulong)ret);
                s.SetText(3, ArgFormat.IntRef(m, s.Args[3]));
            }

            return null;
        });
        r.Add("mq_getsetattr", (s, m, o) => { s.SetFd(0); s.SetText(1, MqAttrText(m, s.Args[1])); }, (s, ret, m, o, failed) =>
        {
            s.SetText(2, failed ? StraceText.Pointer(s.Args[2]) : MqAttrText(m, s.Args[2]));
            return null;
        });
    }

    private const ulong O_CREAT = 0x40;

    /// <summary><c>struct mq_attr</c> (four longs): <c>{mq_flags=O_NONBLOCK, mq_maxmsg=10, mq_msgsize=8192, mq_curmsgs=0}</c>.</summary>
    private static string MqAttrText(ITraceeMemory m, ulong address)
    {
        if (address == 0)
        {
            return "NULL";
        }

        Span<long> attr = stackalloc long[4];
        if (!TraceeReader.TryRead(m, address, System.Runtime.InteropServices.MemoryMarshal.AsBytes(attr)))
        {
            return StraceText.Pointer(address);
        }

        return "{mq_flags=" + MqFlags.Format((ulong)attr[0]) + ", mq_maxmsg=" + StraceText.Dec(attr[1]) + ", mq_msgsize=" + StraceText.Dec(attr[2])
            + ", mq_curmsgs=" + StraceText.Dec(attr[3]) + "}";
    }

    private static readonly FlagTable MqFlags = new("O_", [(0x800, "O_NONBLOCK")]);

    private static void SetKey(SyscallDecodeState s, int i)
    {
        int key = (int)s.Args[i];
        s.Set(i, (long)key, key == 0 ? "IPC_PRIVATE" : StraceText.Hex((uint)key));
    }

    private static void SetGetFlags(SyscallDecodeState s, int i, FlagTable table)
    {
        uint v = (uint)s.Args[i];
        uint flags = v & ~0x1FFu;
        uint mode = v & 0x1FF;
        string text;
        if (flags == 0)
        {
            text = StraceText.Octal(mode);
        }
        else
        {
            text = table.Format(flags);
            if (mode != 0)
            {
                text += "|" + StraceText.Octal(mode);
            }
        }

        s.Set(i, (long)v, text);
    }

    private static string SembufText(ITraceeMemory m, DecodeOptions o, ulong address, ulong count) =>
        ArrayText.Format(m, o, address, count, 6, AppendSembuf, ArrayProbe.FirstElementEvenWhenEmpty);

    private static void AppendSembuf(System.Text.StringBuilder sb, ReadOnlySpan<byte> op, ulong index)
    {
        short flg = BinaryPrimitives.ReadInt16LittleEndian(op[4..]);
        sb.Append("{sem_num=").Append(StraceText.Dec(BinaryPrimitives.ReadUInt16LittleEndian(op)))
          .Append(", sem_op=").Append(StraceText.Dec(BinaryPrimitives.ReadInt16LittleEndian(op[2..])))
          .Append(", sem_flg=").Append(flg == 0 ? "0" : SemFlags.Format((ushort)flg)).Append('}');
    }

    private static readonly FlagTable SemFlags = new("SEM_", [(0x1000, "SEM_UNDO"), (0x800, "IPC_NOWAIT")]); // strace's order

    private static string MsgbufText(ITraceeMemory m, DecodeOptions o, ulong address, ulong size)
    {
        if (address == 0)
        {
            return "NULL";
        }

        if (!TraceeReader.TryRead(m, address, out long type))
        {
            return StraceText.Pointer(address);
        }

        var sb = StraceText.Builder();
        sb.Append("{mtype=").Append(StraceText.Dec(type)).Append(", mtext=");
        TraceeReader.AppendBuffer(sb, m, address + 8, size, o.StringLimit);
        return sb.Append('}').ToString();
    }
}
