using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using SyscallPS.Decoding;

namespace SyscallPS.Ebpf;

/// <summary>
/// Turns ring-buffer records into <see cref="SyscallEvent"/> objects: pairs entry copies with their exit
/// record per thread, runs the shared decoders over the copied bytes, and reports forks and exits.
/// Single-threaded: the consumer thread owns it.
/// </summary>
internal sealed class EbpfEventDecoder
{
    private const int MaxPendingEntries = 1 << 16;

    private readonly SyscallTable _table;
    private readonly DecodeOptions _options;
    private readonly Func<SyscallEvent, bool> _emit;
    private readonly Regex[] _namePatterns;
    private readonly Dictionary<string, bool> _nameVerdicts = new(StringComparer.Ordinal);
    private readonly Dictionary<int, byte[]> _pendingEntries = [];
    private readonly SyscallDecodeState _state = new();
    private readonly CapturedMemory _memory = new();
    private readonly long _localTicksAtMonotonicZero;
    private readonly byte[] _lastCommBytes = new byte[16];
    private readonly Dictionary<int, ulong> _started = [];
    private string _lastComm = string.Empty;
    private readonly List<HeldSignal> _heldSignals = [];

    private const int SIGCONT = 18;

    /// <summary>How long a signal reported by its sender waits at most for its receiver's next syscall record.</summary>
    public const long SignalHoldNanoseconds = 1_000_000_000;

    /// <summary>Creates a decoder that hands every event to <paramref name="emit"/> (false: stop).</summary>
    public EbpfEventDecoder(SyscallTable table, DecodeOptions options, IReadOnlyList<string> processNames, Func<SyscallEvent, bool> emit)
    {
        _table = table;
        _options = options;
        _emit = emit;
        // comm holds at most 15 characters: a longer plain name matches its first 15.
        _namePatterns = processNames
            .Select(p => !WildcardPattern.HasWildcards(p) && p.Length > 15 ? p[..15] : p)
            .Select(WildcardPattern.ToRegex)
            .ToArray();
        long monotonicNow = MonotonicNanoseconds();
        _localTicksAtMonotonicZero = DateTime.Now.Ticks - (monotonicNow / 100);
    }

    /// <summary>With -CaptureData: the most bytes of read/write data kept per event; 0 keeps none.</summary>
    public int CaptureDataSize { get; init; }

    // Descriptor tables from the decoded calls. Events arrive a little after the fact, so what /proc shows
    // (pipe and socket names, a connect's local port) is best effort: right while the process keeps the
    // descriptor, which is the common case. A process's table is seeded once, at its first event.
    private readonly FdTable _fds = new() { ResolveLive = true };

    /// <summary>
    /// -Failed: the kernel drops successful exits, so an entry record left pending at a process's end is a
    /// success nobody asked for, not an unfinished call.
    /// </summary>
    public bool FailedOnly { get; init; }

    /// <summary>True when filters hide calls that open and close descriptors: each used one is checked against /proc.</summary>
    public bool DescriptorCallsHidden { get; init; }

    /// <summary>Seeds a process's descriptor table now (a launched program, while it is stopped before its exec).</summary>
    public void SeedDescriptors(int processId) => _fds.SeedOnce(processId);

    /// <summary>Test hook: sees each decoded syscall with the copied memory it was decoded from.</summary>
    public Action<SyscallEvent, ITraceeMemory>? Observer { get; set; }

    /// <summary>A traced process created a process (parent tgid, child tgid).</summary>
    public Action<int, int>? Forked { get; set; }

    /// <summary>A traced process ended (tgid, wait status).</summary>
    public Action<int, int>? Exited { get; set; }

    /// <summary>The launched program, until the engine's SIGCONT that resumed it has been seen (and left out).</summary>
    public int? ResumedProcessId { get; set; }

    /// <summary>CLOCK_MONOTONIC in nanoseconds, the clock of bpf_ktime_get_ns.</summary>
    public static long MonotonicNanoseconds() => (long)(System.Diagnostics.Stopwatch.GetTimestamp() * (1_000_000_000.0 / System.Diagnostics.Stopwatch.Frequency));

    /// <summary>The local wall-clock time of a monotonic instant.</summary>
    public DateTime WallClock(long monotonicNanoseconds) => new(_localTicksAtMonotonicZero + (monotonicNanoseconds / 100), DateTimeKind.Local);

    /// <summary>Decodes one record; false when the consumer has gone.</summary>
    public bool Process(ReadOnlySpan<byte> record)
    {
        if (record.Length < EbpfRecord.HeaderSize)
        {
            return true;
        }

        ref readonly var head = ref MemoryMarshal.AsRef<EbpfRecord>(record);
        switch (head.Type)
        {
            case EbpfRecordType.Syscall:
                // Held signals sent before the call began come before it; those sent while it ran (a wait4
                // woken by its child's exit) after it, as a tracer sees them at the call's return.
                return ReleaseSignals((int)head.Tid, (long)head.EnterNanoseconds) && OnSyscall(record, head) && ReleaseSignals((int)head.Tid, long.MaxValue);
            case EbpfRecordType.Entry:
                return ReleaseSignals((int)head.Tid, (long)head.EnterNanoseconds) && OnEntry(record, head);
            case EbpfRecordType.Signal:
                return OnSignal(record, head);
            case EbpfRecordType.Fork:
                // Each fork comes twice: in the syscall ring, where the child begins (its calls follow it), and
                // in the process ring (never lost). The first to arrive copies the parent's descriptors and
                // directory to the child; the child's own calls may precede the parent's clone record.
                // Both copies carry the same fork time; another time is a new process that reused the pid
                // (its predecessor's exit record was lost).
                if (!_started.TryGetValue((int)head.Aux, out var forkTime) || forkTime != head.EnterNanoseconds)
                {
                    _started[(int)head.Aux] = head.EnterNanoseconds;
                    Forked?.Invoke((int)head.Tgid, (int)head.Aux);
                    _fds.OnProcessStart((int)head.Tgid, (int)head.Aux, shareTable: false);
                }

                return true;
            case EbpfRecordType.ProcessExit:
                return OnProcessExit(head);
            default:
                return true;
        }
    }

    /// <summary>Forgets the descriptor tables of processes that have ended (system-wide traces get no exit records).</summary>
    public int ForgetEndedProcesses(Func<int, bool> ended) => _fds.ForgetEnded(ended);

    /// <summary>A loss record for <paramref name="count"/> dropped events.</summary>
    public SyscallEvent LostEvent(long count)
    {
        long now = MonotonicNanoseconds();
        return new SyscallEvent
        {
            Kind = SyscallEventKind.Lost,
            Timestamp = WallClock(now),
            MonotonicNanoseconds = now,
            LostCount = count,
            ReturnText = "?",
        };
    }

    private bool OnEntry(ReadOnlySpan<byte> record, in EbpfRecord head)
    {
        int tid = (int)head.Tid;
        if (_pendingEntries.Remove(tid, out var stale))
        {
            ArrayPool<byte>.Shared.Return(stale);
        }

        var info = _table.ByNumber(head.Number);
        if (info is not null && info.Name is "exit" or "exit_group")
        {
            // These never return: report them now, as strace prints "exit_group(0) = ?".
            if (!NameAllowed(head))
            {
                return true;
            }

            _memory.Clear();
            _memory.AddBlobs(record[..(int)Math.Min(head.Size, (uint)record.Length)], entry: true);
            return _emit(Decode(head, head, -1, unfinished: true));
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
        _memory.Clear();
        _memory.AddBlobs(record[..(int)Math.Min(head.Size, (uint)record.Length)]);
        // A hidden call (not asked for, or a success under -Failed) only updates the descriptor table.
        bool hidden = (head.Flags & EbpfRecord.HiddenFlag) != 0;
        bool pass = !hidden && NameAllowed(head);
        if (_pendingEntries.Remove((int)head.Tid, out var entryBytes))
        {
            try
            {
                ref readonly var entry = ref MemoryMarshal.AsRef<EbpfRecord>(entryBytes);
                if (entry.EnterNanoseconds == head.EnterNanoseconds && entry.Number == head.Number)
                {
                    if (!pass && !hidden)
                    {
                        return true;
                    }

                    _memory.AddBlobs(entryBytes.AsSpan(0, (int)Math.Min(entry.Size, (uint)entryBytes.Length)), entry: true);
                    var paired = Decode(entry, head, head.Return, unfinished: false, hidden);
                    return hidden || _emit(paired);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(entryBytes);
            }
        }

        if (hidden)
        {
            Decode(head, head, head.Return, unfinished: false, hidden: true);
            return true;
        }

        return !pass || _emit(Decode(head, head, head.Return, unfinished: false));
    }

    private bool OnProcessExit(in EbpfRecord head)
    {
        int tgid = (int)head.Tgid;
        bool ok = true;
        if (_pendingEntries.Count > 0)
        {
            foreach (var tid in _pendingEntries.Keys.ToArray())
            {
                var bytes = _pendingEntries[tid];
                ref readonly var entry = ref MemoryMarshal.AsRef<EbpfRecord>(bytes);
                if ((int)entry.Tgid != tgid)
                {
                    continue;
                }

                _pendingEntries.Remove(tid);
                bool hiddenEntry = (entry.Flags & EbpfRecord.HiddenFlag) != 0;
                if (ok && !hiddenEntry && !FailedOnly && NameAllowed(entry))
                {
                    _memory.Clear();
                    _memory.AddBlobs(bytes.AsSpan(0, (int)Math.Min(entry.Size, (uint)bytes.Length)), entry: true);
                    ok = _emit(Decode(entry, entry, -1, unfinished: true));
                }

                ArrayPool<byte>.Shared.Return(bytes);
            }
        }

        ok = ok && ReleaseSignalsOf(tgid);
        int status = (int)head.Aux;
        int signal = status & 0x7f;
        Exited?.Invoke(tgid, status);
        _fds.OnProcessExit(tgid);
        _started.Remove(tgid);
        if (!ok || !NameAllowed(head))
        {
            return ok;
        }

        long ns = (long)head.EnterNanoseconds;
        return _emit(new SyscallEvent
        {
            Kind = signal == 0 ? SyscallEventKind.Exited : SyscallEventKind.Killed,
            Timestamp = WallClock(ns),
            MonotonicNanoseconds = ns,
            ProcessId = tgid,
            ThreadId = (int)head.Tid,
            ProcessName = Comm(head),
            ExitCode = signal == 0 ? (status >> 8) & 0xff : 128 + signal,
            Signal = signal == 0 ? null : SyscallDecoder.SignalName(signal),
            ReturnText = "?",
        });
    }

    private bool OnSignal(ReadOnlySpan<byte> record, in EbpfRecord head)
    {
        if (record.Length < EbpfSignalRecord.Size || !NameAllowed(head))
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

        long ns = (long)head.EnterNanoseconds;
        var e = new SyscallEvent
        {
            Kind = SyscallEventKind.Signal,
            Timestamp = WallClock(ns),
            MonotonicNanoseconds = ns,
            ProcessId = tgid,
            ThreadId = (int)head.Tid,
            ProcessName = Comm(head),
            Signal = SyscallDecoder.SignalName(sig),
            SignalInfo = SyscallDecoder.FormatSignalInfo(info),
        };
        if ((EbpfSignalOrigin)head.Return == EbpfSignalOrigin.Generated)
        {
            // Written by the sender: it waits for the receiver's next record to find its place.
            _heldSignals.Add(new HeldSignal(e.ThreadId, tgid, ns, e));
            return true;
        }

        return ReleaseSignals(e.ThreadId, ns) && _emit(e);
    }

    /// <summary>Emits the held signals of thread <paramref name="tid"/> sent before <paramref name="beforeNanoseconds"/>.</summary>
    private bool ReleaseSignals(int tid, long beforeNanoseconds)
    {
        if (_heldSignals.Count == 0)
        {
            return true;
        }

        return Release(tid, -1, beforeNanoseconds);
    }

    private bool ReleaseSignalsOf(int tgid) => _heldSignals.Count == 0 || Release(-1, tgid, long.MaxValue);

    /// <summary>Emits every held signal sent before <paramref name="nanoseconds"/> (CLOCK_MONOTONIC); false when the consumer has gone.</summary>
    public bool ReleaseSignalsBefore(long nanoseconds) => _heldSignals.Count == 0 || Release(-1, -1, nanoseconds);

    /// <summary>
    /// Emits, in their order, the held signals of thread <paramref name="tid"/> and process <paramref name="tgid"/>
    /// (-1: any) sent before <paramref name="beforeNanoseconds"/>. No lambda: this runs once per record, and a
    /// closure over the arguments would be allocated on every call, signals held or not.
    /// </summary>
    private bool Release(int tid, int tgid, long beforeNanoseconds)
    {
        List<SyscallEvent>? due = null;
        int kept = 0;
        for (int i = 0; i < _heldSignals.Count; i++)
        {
            var h = _heldSignals[i];
            if ((tid < 0 || h.Tid == tid) && (tgid < 0 || h.Tgid == tgid) && h.Nanoseconds < beforeNanoseconds)
            {
                (due ??= []).Add(h.Event);
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
        foreach (var e in due)
        {
            if (!_emit(e))
            {
                return false;
            }
        }

        return true;
    }

    private unsafe SyscallEvent Decode(in EbpfRecord entry, in EbpfRecord exit, long rawReturn, bool unfinished, bool hidden = false)
    {
        var state = _state;
        state.Number = entry.Number;
        state.Info = _table.ByNumber(entry.Number);
        for (int i = 0; i < 6; i++)
        {
            state.Args[i] = entry.Args[i];
        }

        state.EntryNanoseconds = (long)entry.EnterNanoseconds;

        // The kernel program sends rt_sigreturn's stack pointer as its first argument (the frame holds the mask).
        state.StackPointer = state.Info?.Name == "rt_sigreturn" ? entry.Args[0] : 0;
        state.InSyscall = true;
        _memory.AtEntry = true;
        SyscallDecoder.OnEntry(state, _memory, _options);
        _memory.AtEntry = false;
        var decoded = SyscallDecoder.OnExit(state, rawReturn, _memory, _options);
        state.InSyscall = false;

        long enter = (long)entry.EnterNanoseconds;
        int? child = decoded.ChildProcessId;
        if (child is null && !unfinished && rawReturn > 0 && state.Info?.Name is "clone" or "clone3" or "fork" or "vfork")
        {
            child = (int)rawReturn;
        }

        int tgid = (int)exit.Tgid;
        state.KernelInode = exit.Type == EbpfRecordType.Syscall ? exit.Aux : 0;
        var fd = unfinished ? null : _fds.Track(tgid, state, decoded, DescriptorCallsHidden);

        var data = CaptureDataSize > 0 && !unfinished && !hidden && state.Info is { } io
            ? Capture.IoDataCapture.Capture(io, state.Args, rawReturn, _memory, CaptureDataSize)
            : null;
        if (unfinished)
        {
            decoded = decoded with { ReturnValue = 0, ReturnText = "?", Errno = null, ErrorMessage = null };
        }

        // exit and exit_group never return: a complete call that strace prints as "exit_group(0) = ?".
        var kind = unfinished && state.Info?.Name is not ("exit" or "exit_group") ? SyscallEventKind.Unfinished : SyscallEventKind.Syscall;
        var result = SyscallEvent.ForCall(kind, state, decoded with { ChildProcessId = child }, state.Info?.Name ?? _table.NameOf(entry.Number),
            tgid, (int)exit.Tid, Comm(exit), WallClock(enter),
            unfinished ? TimeSpan.Zero : TimeSpan.FromTicks(((long)exit.ExitNanoseconds - enter) / 100), fd, data);
        if (!hidden)
        {
            Observer?.Invoke(result, _memory);
        }

        return result;
    }

    private unsafe string Comm(in EbpfRecord head)
    {
        fixed (byte* p = head.Comm)
        {
            var bytes = new ReadOnlySpan<byte>(p, 16);
            if (bytes.SequenceEqual(_lastCommBytes))
            {
                return _lastComm;
            }

            bytes.CopyTo(_lastCommBytes);
            int len = bytes.IndexOf((byte)0);
            _lastComm = Encoding.UTF8.GetString(bytes[..(len < 0 ? 16 : len)]);
            return _lastComm;
        }
    }

    private bool NameAllowed(in EbpfRecord head)
    {
        if (_namePatterns.Length == 0)
        {
            return true;
        }

        var name = Comm(head);
        if (!_nameVerdicts.TryGetValue(name, out var verdict))
        {
            verdict = MatchesAny(_namePatterns, name);
            _nameVerdicts[name] = verdict;
        }

        return verdict;
    }

    // A loop, not Array.Exists with a lambda: a closure over the name would be allocated on every record.
    private static bool MatchesAny(System.Text.RegularExpressions.Regex[] patterns, string name)
    {
        foreach (var pattern in patterns)
        {
            if (pattern.IsMatch(name))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A signal written by its sender, waiting for its place among the receiving thread's records.</summary>
    private readonly record struct HeldSignal(int Tid, int Tgid, long Nanoseconds, SyscallEvent Event);
}
