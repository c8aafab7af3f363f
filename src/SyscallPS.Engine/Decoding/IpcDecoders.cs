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
        r.Add("semtimedop", SemtimedopEntry);
        r.Add("msgsnd", MsgsndEntry);
        r.Add("msgrcv", (s, m, o) => { s.SetInt(0); s.SetULong(2); s.SetLong(3); s.SetFlags(4, IpcTables.MsgFlags); }, MsgrcvExit);

        // POSIX message queues.
        r.Add("mq_open", MqOpenEntry);
        r.Add("mq_unlink", (s, m, o) => s.SetPath(0, m));
        r.Add("mq_timedsend", MqTimedsendEntry);
        r.Add("mq_timedreceive", (s, m, o) => { s.SetFd(0); s.SetULong(2); s.SetText(4, TimeDecoders.TimespecAt(m, s.Args[4])); }, MqTimedreceiveExit);
        r.Add("mq_getsetattr", (s, m, o) => { s.SetFd(0); s.SetStruct<MqAttr>(1, m, Format); }, ArgFormat.OutStruct<MqAttr>(2, Format));
    }

    private static void SemtimedopEntry(SyscallDecodeState s, ITraceeMemory m, DecodeOptions o)
    {
        s.SetInt(0);
        s.SetText(1, SembufText(m, o, s.Args[1], s.Args[2]));
        s.SetULong(2);
        s.SetText(3, TimeDecoders.TimespecAt(m, s.Args[3]));
    }

    private static void MsgsndEntry(SyscallDecodeState s, ITraceeMemory m, DecodeOptions o)
    {
        s.SetInt(0);
        s.SetText(1, MsgbufText(m, o, s.Args[1], s.Args[2]));
        s.SetULong(2);
        s.SetFlags(3, IpcTables.MsgFlags);
    }

    /// <summary>strace prints msgrcv's mtext with the size asked for (msgsz), not the size received.</summary>
    private static string? MsgrcvExit(SyscallDecodeState s, long ret, ITraceeMemory m, DecodeOptions o, bool failed)
    {
        s.SetText(1, MsgbufText(m, o, s.Args[1], s.Args[2], failed));
        return null;
    }

    private static void MqOpenEntry(SyscallDecodeState s, ITraceeMemory m, DecodeOptions o)
    {
        s.SetPath(0, m);
        s.SetText(1, FileDecoders.OpenFlagsText(s.Args[1]));
        if ((s.Args[1] & FileTables.O_CREAT) != 0)
        {
            s.SetMode(2);
            s.SetStruct<MqAttr>(3, m, Format);
            s.ArgumentCount = 4;
        }
        else
        {
            // Without O_CREAT the mode and attributes are not read, and strace leaves them out.
            s.ArgumentCount = 2;
        }
    }

    private static void MqTimedsendEntry(SyscallDecodeState s, ITraceeMemory m, DecodeOptions o)
    {
        s.SetFd(0);
        s.SetBuffer(1, m, o, s.Args[2]);
        s.SetULong(2);
        s.SetUInt(3);
        s.SetText(4, TimeDecoders.TimespecAt(m, s.Args[4]));
    }

    private static string? MqTimedreceiveExit(SyscallDecodeState s, long ret, ITraceeMemory m, DecodeOptions o, bool failed)
    {
        if (failed)
        {
            s.SetPointer(1);
        }
        else
        {
            s.SetBuffer(1, m, o, (ulong)ret);
        }

        s.SetText(3, ArgFormat.IntRef(m, s.Args[3], failed));
        return null;
    }

    /// <summary><c>struct mq_attr</c>: <c>{mq_flags=O_NONBLOCK, mq_maxmsg=10, mq_msgsize=8192, mq_curmsgs=0}</c>.</summary>
    private static string Format(MqAttr attr) =>
        "{mq_flags=" + IpcTables.MqFlags.Format((ulong)attr.mq_flags) + ", mq_maxmsg=" + StraceText.Dec(attr.mq_maxmsg) + ", mq_msgsize="
        + StraceText.Dec(attr.mq_msgsize) + ", mq_curmsgs=" + StraceText.Dec(attr.mq_curmsgs) + "}";

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

    private static void AppendSembuf(System.Text.StringBuilder sb, ReadOnlySpan<byte> element, ulong index)
    {
        var op = TraceeReader.As<Sembuf>(element);
        sb.Append("{sem_num=").Append(StraceText.Dec(op.sem_num))
          .Append(", sem_op=").Append(StraceText.Dec(op.sem_op))
          .Append(", sem_flg=").Append(op.sem_flg == 0 ? "0" : IpcTables.SemFlags.Format((ushort)op.sem_flg)).Append('}');
    }

    /// <summary>
    /// struct msgbuf: a long mtype, then mtext of <paramref name="size"/> bytes. The struct is read whole first (16
    /// bytes, its one-byte mtext padded), as strace reads it: fewer readable bytes print the address.
    /// </summary>
    private static string MsgbufText(ITraceeMemory m, DecodeOptions o, ulong address, ulong size, bool failed = false) =>
        TraceeReader.StructOrAddress<Msgbuf>(m, address, msg =>
        {
            var sb = StraceText.Builder();
            sb.Append("{mtype=").Append(StraceText.Dec(msg.mtype)).Append(", mtext=");
            TraceeReader.AppendBuffer(sb, m, address + 8, size, o.StringLimit);
            return StraceText.Finish(sb.Append('}'));
        }, failed);
}
