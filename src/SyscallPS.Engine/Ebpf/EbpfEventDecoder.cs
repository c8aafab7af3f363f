using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using SyscallPS.Decoding;
using SyscallPS.Tracing;

namespace SyscallPS.Ebpf;

/// <summary>What one ring record meant for the run: whether to go on, and a process that began or ended.</summary>
/// <param name="Continue">False when the consumer has gone and tracing should end.</param>
/// <param name="Started">A traced process's new child (tgid), or 0.</param>
/// <param name="Ended">A traced process that ended (tgid), or 0.</param>
/// <param name="WaitStatus">With <paramref name="Ended"/>: its wait status.</param>
internal readonly record struct EbpfRecordOutcome(bool Continue, int Started = 0, int Ended = 0, int WaitStatus = 0)
{
    /// <summary>Nothing for the run to do; go on unless the consumer has gone.</summary>
    public static EbpfRecordOutcome Go(bool consumerThere) => new(consumerThere);
}

/// <summary>
/// Reads ring-buffer records: pairs entry copies with their exit record per thread, puts each signal among its
/// thread's calls, and hands the results to the engine-neutral <see cref="EventAssembler"/>, which builds the
/// events. Single-threaded: the consumer thread owns it.
/// </summary>
internal sealed class EbpfEventDecoder
{
    private const int MaxPendingEntries = 1 << 16;
    private const int SIGCONT = 18;

    /// <summary>How long a signal reported by its sender waits at most for its receiver's next syscall record.</summary>
    public const long SignalHoldNanoseconds = 1_000_000_000;

    private readonly EventAssembler _assembler;
    private readonly Dictionary<int, byte[]> _pendingEntries = [];
    private readonly SyscallDecodeState _state = new();
    private readonly CapturedMemory _memory = new();
    private readonly byte[] _lastCommBytes = new byte[16];
    private readonly Dictionary<int, ulong> _started = [];
    private readonly Dictionary<int, ulong> _ended = [];
    private readonly List<HeldSignal> _heldSignals = [];
    private string _lastComm = string.Empty;

    /// <summary>Creates a decoder that hands what it reads to <paramref name="assembler"/>.</summary>
    public EbpfEventDecoder(EventAssembler assembler) => _assembler = assembler;

    /// <summary>The launched program, until the engine's SIGCONT that resumed it has been seen (and left out).</summary>
    public int? ResumedProcessId { get; set; }

    /// <summary>Decodes one record.</summary>
    public EbpfRecordOutcome Process(ReadOnlySpan<byte> record)
    {
        if (record.Length < EbpfRecord.HeaderSize)
        {
            return EbpfRecordOutcome.Go(!_assembler.ConsumerGone);
        }

        ref readonly var head = ref MemoryMarshal.AsRef<EbpfRecord>(record);
        switch (head.Type)
        {
            case EbpfRecordType.Syscall:
                // Held signals sent before the call began come before it; those sent while it ran (a wait4
                // woken by its child's exit) after it, as a tracer sees them at the call's return.
                return EbpfRecordOutcome.Go(ReleaseSignals((int)head.Tid, (long)head.EnterNanoseconds) && OnSyscall(record, head) && ReleaseSignals((int)head.Tid, long.MaxValue));
            case EbpfRecordType.Entry:
                return EbpfRecordOutcome.Go(ReleaseSignals((int)head.Tid, (long)head.EnterNanoseconds) && OnEntry(record, head));
            case EbpfRecordType.Signal:
                return EbpfRecordOutcome.Go(OnSignal(record, head));
            case EbpfRecordType.Fork:
                // Each fork comes twice: in the syscall ring, where the child begins (its calls follow it), and
                // in the process ring (never lost). The first to arrive gives the child its parent's name and a
                // copy of its descriptors; the child's own calls may precede the parent's clone record.
                // Both copies carry the same fork time; another time is a new process that reused the pid
                // (its predecessor's exit record was lost).
                if (!_started.TryGetValue((int)head.Aux, out var forkTime) || forkTime != head.EnterNanoseconds)
                {
                    _started[(int)head.Aux] = head.EnterNanoseconds;
                    _assembler.ProcessStarted((int)head.Tgid, (int)head.Aux, copyDescriptors: true);
                    return new EbpfRecordOutcome(!_assembler.ConsumerGone, Started: (int)head.Aux);
                }

                return EbpfRecordOutcome.Go(!_assembler.ConsumerGone);
            case EbpfRecordType.ThreadExit:
                return EbpfRecordOutcome.Go(OnThreadExit(head));
            case EbpfRecordType.ProcessExit:
                return OnProcessExit(head);
            default:
                return EbpfRecordOutcome.Go(!_assembler.ConsumerGone);
        }
    }

    /// <summary>Emits every held signal sent before <paramref name="nanoseconds"/> (CLOCK_MONOTONIC); false when the consumer has gone.</summary>
    public bool ReleaseSignalsBefore(long nanoseconds) => _heldSignals.Count == 0 || Release(-1, -1, nanoseconds);

    private bool OnEntry(ReadOnlySpan<byte> record, in EbpfRecord head)
    {
        int tid = (int)head.Tid;
        if (_pendingEntries.Remove(tid, out var stale))
        {
            ArrayPool<byte>.Shared.Return(stale);
        }

        if (SyscallTable.Current.ByNumber(head.Number) is { } info && (info.Effects & SyscallEffects.NeverReturns) != 0)
        {
            // These never return: reported now, as strace prints "exit_group(0) = ?".
            Observe(head);
            if (!_assembler.ProcessAllowed((int)head.Tgid))
            {
                return true;
            }

            _memory.Clear();
            _memory.AddBlobs(record[..(int)Math.Min(head.Size, (uint)record.Length)], entry: true);
            DecodeEntry(head);
            return _assembler.UnfinishedCall(_state, (long)head.EnterNanoseconds, (int)head.Tgid, tid, head.Cpu);
        }

        if (_pendingEntries.Count >= MaxPendingEntries)
        {
            // Threads that died inside a syscall without a process-exit record (system-wide mode): forget them.
            foreach (var bytes in _pendingEntries.Values)
            {
                ArrayPool<byte>.Shared.Return(bytes);
            }

            _pendingEntries.Clear();
        }

        var copy = ArrayPool<byte>.Shared.Rent(record.Length);
        record.CopyTo(copy);
        _pendingEntries[tid] = copy;
        return true;
    }

    private bool OnSyscall(ReadOnlySpan<byte> record, in EbpfRecord head)
    {
        Observe(head);

        // A hidden call (not asked for, or a success under -Failed) only updates the descriptor table.
        bool hidden = (head.Flags & EbpfRecord.HiddenFlag) != 0;
        if (!hidden && !_assembler.ProcessAllowed((int)head.Tgid))
        {
            if (_pendingEntries.Remove((int)head.Tid, out var skipped))
            {
                ArrayPool<byte>.Shared.Return(skipped);
            }

            return true;
        }

        _memory.Clear();
        _memory.AddBlobs(record[..(int)Math.Min(head.Size, (uint)record.Length)]);
        if (_pendingEntries.Remove((int)head.Tid, out var entryBytes))
        {
            try
            {
                ref readonly var entry = ref MemoryMarshal.AsRef<EbpfRecord>(entryBytes);
                if (entry.EnterNanoseconds == head.EnterNanoseconds && entry.Number == head.Number)
                {
                    _memory.AddBlobs(entryBytes.AsSpan(0, (int)Math.Min(entry.Size, (uint)entryBytes.Length)), entry: true);
                    if (head.Return == 0 && SyscallTable.Current.ByNumber(head.Number)?.Name is "execve" or "execveat")
                    {
                        AddExecStrings(record[..(int)Math.Min(head.Size, (uint)record.Length)], entry);
                    }

                    return Complete(entry, head, hidden);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(entryBytes);
            }
        }

        return Complete(head, head, hidden);
    }

    /// <summary>
    /// Gives the entry copies of a successful execve that failed (a string on a page the caller had not touched
    /// yet, as in a vfork child exec'ing literals) the bytes the kernel copied onto the new stack: the file name,
    /// and each argument string at the address the caller's argv array names.
    /// </summary>
    private unsafe void AddExecStrings(ReadOnlySpan<byte> exit, in EbpfRecord entry)
    {
        ReadOnlySpan<byte> strings = default, file = default;
        int off = EbpfRecord.HeaderSize;
        while (off + EbpfBlob.HeaderSize <= exit.Length)
        {
            int length = (int)BitConverter.ToUInt32(exit[(off + 8)..]);
            uint argument = BitConverter.ToUInt32(exit[(off + 12)..]);
            int data = off + EbpfBlob.HeaderSize;
            if (length < 0 || data + length > exit.Length)
            {
                break;
            }

            if (argument == EbpfBlob.ExecArgvStrings)
            {
                strings = exit.Slice(data, length);
            }
            else if (argument == EbpfBlob.ExecFileName)
            {
                file = exit.Slice(data, length);
            }

            off = data + ((length + 7) & ~7);
        }

        bool at = SyscallTable.Current.ByNumber(entry.Number)?.Name == "execveat";
        Span<byte> probe = stackalloc byte[8];
        // The kernel's file name is the caller's path unless execveat resolved it from a directory descriptor
        // ("/dev/fd/N/...").
        const int AT_FDCWD = -100;
        ulong path = entry.Args[at ? 1 : 0];
        if (!file.IsEmpty && path != 0 && (!at || (int)entry.Args[0] == AT_FDCWD) && _memory.Read(path, probe[..1]) < 0)
        {
            _memory.Add(path, file, entry: true);
        }

        ulong argv = entry.Args[at ? 2 : 1];
        if (strings.IsEmpty || argv == 0)
        {
            return;
        }

        // The new stack holds the argv the program got, which is the caller's only when no interpreter stepped in
        // (a #! script or binfmt_misc puts the interpreter and the script's path first): used only when it has as
        // many strings as the caller's array and agrees with every string that was copied at the entry.
        var pointers = new List<ulong>();
        while (_memory.Read(argv + (ulong)(8 * pointers.Count), probe) == 8 && BinaryPrimitives.ReadUInt64LittleEndian(probe) is > 0 and var p)
        {
            pointers.Add(p);
        }

        var pieces = new List<(int Start, int Length)>();
        for (int start = 0; start < strings.Length;)
        {
            int end = strings[start..].IndexOf((byte)0);
            int length = end < 0 ? strings.Length - start : end + 1;
            pieces.Add((start, length));
            start += length;
        }

        if (pieces.Count != pointers.Count)
        {
            return;
        }

        var copied = new byte[strings.Length];
        for (int i = 0; i < pointers.Count; i++)
        {
            var one = strings.Slice(pieces[i].Start, pieces[i].Length);
            int read = _memory.Read(pointers[i], copied.AsSpan(0, one.Length));
            if (read > 0 && !copied.AsSpan(0, read).SequenceEqual(one[..read]))
            {
                return;
            }
        }

        for (int i = 0; i < pointers.Count; i++)
        {
            if (_memory.Read(pointers[i], probe[..1]) < 0)
            {
                _memory.Add(pointers[i], strings.Slice(pieces[i].Start, pieces[i].Length), entry: true);
            }
        }
    }

    /// <summary>Decodes a paired call (entry copies from <paramref name="entry"/>, the result from <paramref name="exit"/>) into the assembler.</summary>
    private bool Complete(in EbpfRecord entry, in EbpfRecord exit, bool hidden)
    {
        DecodeEntry(entry);
        // Set after the entry decoding, which clears it: a pipe's inode the kernel program read at its exit.
        _state.KernelInode = exit.Type == EbpfRecordType.Syscall ? exit.Aux : 0;
        return _assembler.CompleteCall(_state, exit.Return, (long)exit.ExitNanoseconds, (int)exit.Tgid, (int)exit.Tid, _memory, hidden, exit.Cpu);
    }

    private unsafe void DecodeEntry(in EbpfRecord entry)
    {
        var state = _state;
        state.Number = entry.Number;
        for (int i = 0; i < 6; i++)
        {
            state.Args[i] = entry.Args[i];
        }

        state.EntryNanoseconds = (long)entry.EnterNanoseconds;

        // The kernel program sends rt_sigreturn's stack pointer as its first argument (the frame holds the mask).
        state.StackPointer = SyscallTable.Current.ByNumber(entry.Number)?.Name == "rt_sigreturn" ? entry.Args[0] : 0;
        _memory.AtEntry = true;
        _assembler.DecodeEntry(state, _memory);
        _memory.AtEntry = false;
    }

    /// <summary>
    /// A thread ended, not its process's last. As a tracer's wait4 reports it, a main thread that ends before the
    /// others is reported at the process's end, after them.
    /// </summary>
    private bool OnThreadExit(in EbpfRecord head)
    {
        int tgid = (int)head.Tgid, tid = (int)head.Tid;
        bool ok = FlushUnfinished(tgid, tid, (long)head.EnterNanoseconds) && ReleaseSignals(tid, long.MaxValue);
        Observe(head);
        if (tid == tgid)
        {
            // Reported at the process's end, with the status a tracer's wait4 gives the main thread then.
            return ok;
        }

        return _assembler.ThreadExited(tgid, tid, (long)head.EnterNanoseconds, (int)head.Aux, processEnded: false, cpu: head.Cpu) && ok;
    }

    /// <summary>A process's last thread ended (the record comes in both rings: the first to arrive counts).</summary>
    private EbpfRecordOutcome OnProcessExit(in EbpfRecord head)
    {
        int tgid = (int)head.Tgid, tid = (int)head.Tid;
        if (_ended.Remove(tgid, out var endedAt) && endedAt == head.EnterNanoseconds)
        {
            return EbpfRecordOutcome.Go(!_assembler.ConsumerGone);
        }

        _ended[tgid] = head.EnterNanoseconds;
        bool ok = FlushUnfinished(tgid, -1, (long)head.EnterNanoseconds) && ReleaseSignalsOf(tgid);

        // Aux: the process's status, as its parent's wait gets it (and a tracer for the main thread); Return: the
        // last thread's own.
        int status = (int)head.Aux;
        long ns = (long)head.EnterNanoseconds;
        Observe(head);
        if (tid != tgid)
        {
            ok = _assembler.ThreadExited(tgid, tid, ns, (int)head.Return, processEnded: false, cpu: head.Cpu) && ok;
        }

        ok = _assembler.ThreadExited(tgid, tgid, ns, status, processEnded: true, cpu: head.Cpu) && ok;

        _started.Remove(tgid);
        return new EbpfRecordOutcome(ok, Ended: tgid, WaitStatus: status);
    }

    /// <summary>Calls left waiting for their exit in thread <paramref name="tid"/> (-1: any thread of the process) end unfinished.</summary>
    private bool FlushUnfinished(int tgid, int tid, long nanoseconds)
    {
        bool ok = true;
        if (_pendingEntries.Count == 0)
        {
            return ok;
        }

        foreach (var pending in _pendingEntries.Keys.ToArray())
        {
            var bytes = _pendingEntries[pending];
            ref readonly var entry = ref MemoryMarshal.AsRef<EbpfRecord>(bytes);
            if ((int)entry.Tgid != tgid || (tid >= 0 && pending != tid))
            {
                continue;
            }

            _pendingEntries.Remove(pending);
            if (ok && (entry.Flags & EbpfRecord.HiddenFlag) == 0 && _assembler.ProcessAllowed(tgid))
            {
                _memory.Clear();
                _memory.AddBlobs(bytes.AsSpan(0, (int)Math.Min(entry.Size, (uint)bytes.Length)), entry: true);
                DecodeEntry(entry);
                ok = _assembler.UnfinishedCall(_state, nanoseconds, tgid, pending, entry.Cpu);
            }

            ArrayPool<byte>.Shared.Return(bytes);
        }

        return ok;
    }

    private bool OnSignal(ReadOnlySpan<byte> record, in EbpfRecord head)
    {
        if (record.Length < EbpfSignalRecord.Size)
        {
            return true;
        }

        int sig = (int)head.Aux;
        int tgid = (int)head.Tgid;
        var info = record.Slice(EbpfSignalRecord.InfoOffset, EbpfSignalRecord.InfoSize);
        if (tgid == ResumedProcessId && sig == SIGCONT && BinaryPrimitives.ReadInt32LittleEndian(info[16..]) == Environment.ProcessId)
        {
            // The engine's own SIGCONT that started the launched program: not the program's (ptrace shows none).
            ResumedProcessId = null;
            return true;
        }

        Observe(head);
        long ns = (long)head.EnterNanoseconds;
        if ((EbpfSignalOrigin)head.Return == EbpfSignalOrigin.Generated)
        {
            // Written by the sender: it waits for the receiver's next record to find its place.
            _heldSignals.Add(new HeldSignal((int)head.Tid, tgid, ns, sig, info.ToArray(), head.Cpu));
            return true;
        }

        if ((EbpfSignalOrigin)head.Return == EbpfSignalOrigin.Stopped)
        {
            return ReleaseSignals((int)head.Tid, ns) && _assembler.GroupStop(tgid, (int)head.Tid, ns, sig, head.Cpu);
        }

        return ReleaseSignals((int)head.Tid, ns) && _assembler.Signal(tgid, (int)head.Tid, ns, sig, info, head.Cpu);
    }

    /// <summary>Emits the held signals of thread <paramref name="tid"/> sent before <paramref name="beforeNanoseconds"/>.</summary>
    private bool ReleaseSignals(int tid, long beforeNanoseconds) => _heldSignals.Count == 0 || Release(tid, -1, beforeNanoseconds);

    private bool ReleaseSignalsOf(int tgid) => _heldSignals.Count == 0 || Release(-1, tgid, long.MaxValue);

    /// <summary>
    /// Emits, in their order, the held signals of thread <paramref name="tid"/> and process <paramref name="tgid"/>
    /// (-1: any) sent before <paramref name="beforeNanoseconds"/>. No lambda: this runs once per record, and a
    /// closure over the arguments would be allocated on every call, signals held or not.
    /// </summary>
    private bool Release(int tid, int tgid, long beforeNanoseconds)
    {
        List<HeldSignal>? due = null;
        int kept = 0;
        for (int i = 0; i < _heldSignals.Count; i++)
        {
            var h = _heldSignals[i];
            if ((tid < 0 || h.Tid == tid) && (tgid < 0 || h.Tgid == tgid) && h.Nanoseconds < beforeNanoseconds)
            {
                (due ??= []).Add(h);
            }
            else
            {
                _heldSignals[kept++] = h;
            }
        }

        if (due is null)
        {
            return true;
        }

        _heldSignals.RemoveRange(kept, _heldSignals.Count - kept);
        foreach (var h in due)
        {
            if (!_assembler.Signal(h.Tgid, h.Tid, h.Nanoseconds, h.Signal, h.Info, h.Cpu))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The record's thread name, for the assembler's names.</summary>
    private unsafe void Observe(in EbpfRecord head)
    {
        fixed (byte* p = head.Comm)
        {
            var bytes = new ReadOnlySpan<byte>(p, 16);
            if (!bytes.SequenceEqual(_lastCommBytes))
            {
                bytes.CopyTo(_lastCommBytes);
                int len = bytes.IndexOf((byte)0);
                _lastComm = Encoding.UTF8.GetString(bytes[..(len < 0 ? 16 : len)]);
            }
        }

        _assembler.ObserveName((int)head.Tid, (int)head.Tgid, _lastComm);
    }

    /// <summary>A signal written by its sender, waiting for its place among the receiving thread's records.</summary>
    private readonly record struct HeldSignal(int Tid, int Tgid, long Nanoseconds, int Signal, byte[] Info, int Cpu);
}
