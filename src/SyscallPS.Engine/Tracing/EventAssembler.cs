using System.Diagnostics;
using System.Text.RegularExpressions;
using SyscallPS.Decoding;

namespace SyscallPS.Tracing;

/// <summary>
/// The one engine-neutral place where what an engine observed becomes <see cref="SyscallEvent"/>s, as sinsp builds
/// its state over the raw events scap produces. Engines hand it raw facts (a syscall's entry and exit with the
/// memory it touched, a signal, a thread's end, a loss); it owns the reporting filters (-Failed, -ProcessName),
/// process and thread names, the descriptor tables, data capture, unfinished calls, exit records and the clock.
/// </summary>
/// <remarks>Single-threaded: an engine calls it from its one event thread, in event order.</remarks>
internal sealed class EventAssembler
{
    private const int PR_SET_NAME = 15;

    private readonly TraceRequest _request;
    private readonly ITraceEventSink _sink;
    private readonly SyscallTable _table = SyscallTable.Current;
    private readonly bool[]? _reported;
    private readonly Regex[] _nameFilter;
    private readonly Regex[] _pathFilter;
    private readonly string[] _containerFilter;
    private readonly long _minimumTicks;
    private readonly Dictionary<string, bool> _nameVerdicts = new(StringComparer.Ordinal);
    private readonly ProcessNames _names = new();
    private readonly ProcessContexts _contexts;
    private readonly bool _containersFiltered;
    private readonly bool _engineNamesThreads;
    private readonly bool _descriptorCallsHidden;
    private readonly long _wallTicksAtMonotonicZero;

    /// <param name="request">The trace's request: its filters, decode and capture options.</param>
    /// <param name="sink">Where the events go.</param>
    /// <param name="engineNamesThreads">True when the engine reports every thread's comm with its records (eBPF); else names come from /proc.</param>
    /// <param name="descriptorCallsHidden">True when filters hide calls that open and close descriptors: each used one is checked against /proc.</param>
    /// <param name="containersFiltered">True when the engine lets only the -ContainerId containers' processes through (the eBPF kernel filter).</param>
    public EventAssembler(TraceRequest request, ITraceEventSink sink, bool engineNamesThreads, bool descriptorCallsHidden, bool containersFiltered = false)
    {
        _request = request;
        _sink = sink;
        _engineNamesThreads = engineNamesThreads;
        _descriptorCallsHidden = descriptorCallsHidden;
        _reported = request.SyscallNumbers is null ? null : ReportedSet(request.SyscallNumbers);
        // A process name is a comm: at most 15 characters. A longer plain name matches its first 15, as ps shows it.
        _nameFilter = request.ProcessNames
            .Select(p => !WildcardPattern.HasWildcards(p) && p.Length > 15 ? p[..15] : p)
            .Select(WildcardPattern.ToRegex)
            .ToArray();
        _pathFilter = request.FileNames.Select(p => WildcardPattern.ToRegex(p, ignoreCase: false)).ToArray();
        _minimumTicks = request.MinimumDuration.Ticks;

        // Container ids as docker ps shows them: the first 12 hex digits of the 64.
        _containerFilter = request.ContainerIds.Select(TraceRequestValidator.ContainerId).ToArray();
        _containersFiltered = containersFiltered;
        _contexts = new ProcessContexts { KnownContainer = containersFiltered && _containerFilter.Length == 1 ? _containerFilter[0] : null };
        _wallTicksAtMonotonicZero = DateTime.Now.Ticks - (Now() / 100);
    }

    /// <summary>The descriptor tables (strace -yy, sysdig's fd.*).</summary>
    public FdTable Descriptors { get; } = new() { ResolveLive = true };

    /// <summary>Test hook: sees each reported syscall with the memory it was decoded from.</summary>
    public Action<SyscallEvent, ITraceeMemory>? Observer { get; set; }

    /// <summary>True once the consumer has gone (the pipeline ended): tracing should end.</summary>
    public bool ConsumerGone { get; private set; }

    /// <summary>CLOCK_MONOTONIC in nanoseconds, the clock of every event (and of the eBPF program's bpf_ktime_get_ns).</summary>
    public static long Now() => (long)(Stopwatch.GetTimestamp() * (1_000_000_000.0 / Stopwatch.Frequency));

    /// <summary>The local wall-clock time of a CLOCK_MONOTONIC instant.</summary>
    public DateTime WallClock(long monotonicNanoseconds) => new(_wallTicksAtMonotonicZero + (monotonicNanoseconds / 100), DateTimeKind.Local);

    /// <summary>True when the request reports syscall <paramref name="number"/> (an engine that filters in the kernel need not ask).</summary>
    public bool Reports(int number) => _reported is null || ((uint)number < (uint)_reported.Length && _reported[number]);

    /// <summary>
    /// True when the process passes -ProcessName (its name, its main thread's, matches) and -ContainerId (it runs in
    /// one of those containers).
    /// </summary>
    public bool ProcessAllowed(int tgid)
    {
        // A process gone from /proc has no known container: the engine's own filter, when it has one, vouches for it.
        if (_containerFilter.Length > 0 && !(_contexts.Get(tgid).ContainerId is { } container ? _containerFilter.Contains(container) : _containersFiltered))
        {
            return false;
        }

        if (_nameFilter.Length == 0)
        {
            return true;
        }

        var name = _names.Process(tgid);
        if (!_nameVerdicts.TryGetValue(name, out var verdict))
        {
            verdict = MatchesAny(_nameFilter, name);
            _nameVerdicts[name] = verdict;
        }

        return verdict;
    }

    /// <summary>Reads a process's context now, while it exists (a launched program stopped before its exec, attached ones).</summary>
    public void ProcessMet(int tgid) => _contexts.Get(tgid);

    /// <summary>The process's name (its main thread's comm), as the events carry it.</summary>
    public string ProcessName(int tgid) => _names.Process(tgid);

    /// <summary>The comm an engine saw on a thread's record.</summary>
    public void ObserveName(int tid, int tgid, string comm) => _names.Observe(tid, tgid, comm);

    /// <summary>
    /// A process created another: the child starts with its parent's name and, when <paramref name="copyDescriptors"/>
    /// (the engine saw the fork but perhaps not the clone call that made it), a copy of its descriptor table.
    /// </summary>
    public void ProcessStarted(int parentTgid, int childTgid, bool copyDescriptors)
    {
        _names.Started(parentTgid, childTgid);
        _contexts.Started(parentTgid, childTgid);
        if (copyDescriptors)
        {
            Descriptors.OnProcessStart(parentTgid, childTgid, shareTable: false);
        }
    }

    /// <summary>The process ran a new program, for engines whose records carry no names (the eBPF records carry the new one).</summary>
    public void ProgramReplaced(int tgid)
    {
        _names.ProgramReplaced(tgid);
        _contexts.ProgramReplaced(tgid);
    }

    /// <summary>Decodes a call's inputs at its entry (the engine has filled number, arguments, entry time).</summary>
    public void DecodeEntry(SyscallDecodeState call, ITraceeMemory memory)
    {
        call.Info = _table.ByNumber(call.Number);
        call.InSyscall = true;
        SyscallDecoder.OnEntry(call, memory, _request.Decode);
    }

    /// <summary>
    /// A completed call: decodes its outputs, applies it to the descriptor table and, unless <paramref name="hidden"/>
    /// (sent only for the table) or filtered out by -Failed, writes its event. False when the consumer has gone.
    /// </summary>
    public bool CompleteCall(SyscallDecodeState call, long rawReturn, long exitNanoseconds, int tgid, int tid, ITraceeMemory memory, bool hidden = false, int cpu = -1)
    {
        call.InSyscall = false;
        var decoded = SyscallDecoder.OnExit(call, rawReturn, memory, _request.Decode);
        var fd = Descriptors.Track(tgid, call, decoded, _descriptorCallsHidden);
        var info = call.Info;
        if (!_engineNamesThreads && decoded.Errno is null && info?.Name == "prctl" && call.Args[0] == PR_SET_NAME)
        {
            // Names come from /proc here, and the thread is stopped at its exit: read its new name now.
            _names.Renamed(tid, tgid);
        }
        else if (_engineNamesThreads && decoded.Errno is null && info is not null && (info.Effects & SyscallEffects.ReplacesProgram) != 0)
        {
            // An engine that reports names with its records tells of no exec otherwise: the new program's context
            // is read while the process still exists, else taken from the call.
            var executable = call.Path is { } path && Descriptors.WorkingDirectory(tgid) is { } cwd ? System.IO.Path.GetFullPath(path, cwd) : call.Path;
            _contexts.ProgramReplaced(tgid, call.ProgramArguments is { Count: > 0 } argv ? string.Join(' ', argv) : null, executable);
        }

        var duration = TimeSpan.FromTicks((exitNanoseconds - call.EntryNanoseconds) / 100);
        if (hidden || (_request.FailedOnly && decoded.Errno is null) || !Passes(call, duration, fd))
        {
            return !ConsumerGone;
        }

        var data = _request.CaptureData && info is not null
            ? Capture.IoDataCapture.Capture(info, call.Args, rawReturn, memory, _request.DataSize)
            : null;
        var e = SyscallEvent.ForCall(SyscallEventKind.Syscall, call, decoded, NameOf(call), Origin(tgid, tid, call.EntryNanoseconds, cpu), duration, fd, data);
        Observer?.Invoke(e, memory);
        return Write(e);
    }

    /// <summary>
    /// A call whose exit never came (its thread ended inside it): its inputs, as strace's <c>&lt;unfinished ...&gt;</c>.
    /// exit and exit_group never return, so theirs is a complete call that strace prints as <c>exit_group(0) = ?</c>.
    /// </summary>
    public bool UnfinishedCall(SyscallDecodeState call, long nowNanoseconds, int tgid, int tid, int cpu = -1)
    {
        call.InSyscall = false;
        if (_request.FailedOnly)
        {
            return !ConsumerGone;
        }

        bool neverReturns = call.Info is { } info && (info.Effects & SyscallEffects.NeverReturns) != 0;
        var duration = neverReturns ? TimeSpan.Zero : TimeSpan.FromTicks((nowNanoseconds - call.EntryNanoseconds) / 100);
        if (!Passes(call, duration, fd: null))
        {
            return !ConsumerGone;
        }

        var decoded = new DecodedExit(SyscallDecoder.OnUnfinished(call, _request.Decode), 0, "?", null, null, null);
        return Write(SyscallEvent.ForCall(neverReturns ? SyscallEventKind.Syscall : SyscallEventKind.Unfinished, call, decoded, NameOf(call),
            Origin(tgid, tid, call.EntryNanoseconds, cpu), duration, fd: null, data: null));
    }

    /// <summary>A signal delivered to a thread, with its siginfo.</summary>
    public bool Signal(int tgid, int tid, long nanoseconds, int signal, ReadOnlySpan<byte> siginfo, int cpu = -1)
    {
        if (!ProcessAllowed(tgid))
        {
            return !ConsumerGone;
        }

        return Write(SyscallEvent.ForSignal(Origin(tgid, tid, nanoseconds, cpu), SyscallDecoder.SignalName(signal), SyscallDecoder.FormatSignalInfo(siginfo)));
    }

    /// <summary>A thread entered a group-stop on stop signal <paramref name="signal"/>.</summary>
    public bool GroupStop(int tgid, int tid, long nanoseconds, int signal, int cpu = -1)
    {
        if (!ProcessAllowed(tgid))
        {
            return !ConsumerGone;
        }

        return Write(SyscallEvent.ForSignal(Origin(tgid, tid, nanoseconds, cpu), SyscallDecoder.SignalName(signal), null, SyscallEventKind.Stopped));
    }

    /// <summary>
    /// A traced thread ended with <paramref name="waitStatus"/> (strace's <c>+++ exited with 0 +++</c>), reported
    /// unless <paramref name="report"/> is false; when it was the process's last, <paramref name="processEnded"/>,
    /// the process's names and descriptors are dropped.
    /// </summary>
    public bool ThreadExited(int tgid, int tid, long nanoseconds, int waitStatus, bool processEnded, bool report = true, int cpu = -1)
    {
        bool ok = !report || !ProcessAllowed(tgid) || Write(SyscallEvent.ForExit(Origin(tgid, tid, nanoseconds, cpu), waitStatus));
        _names.ThreadEnded(tid);
        if (processEnded)
        {
            _names.ProcessEnded(tgid);
            _contexts.Ended(tgid);
            Descriptors.OnProcessExit(tgid);
        }

        return ok;
    }

    /// <summary>A record of <paramref name="count"/> events the engine lost.</summary>
    public bool Loss(long count, long nanoseconds) => Write(SyscallEvent.ForLoss(count, nanoseconds, WallClock(nanoseconds)));

    /// <summary>
    /// -MinimumDuration: the call took long enough; -FileName: it names a matching path, or works on a descriptor
    /// with a matching name.
    /// </summary>
    private bool Passes(SyscallDecodeState call, TimeSpan duration, FdInfo? fd)
    {
        if (duration.Ticks < _minimumTicks)
        {
            return false;
        }

        if (_pathFilter.Length == 0)
        {
            return true;
        }

        return (call.Path is { } path && MatchesAny(_pathFilter, path))
            || (call.TargetPath is { } target && MatchesAny(_pathFilter, target))
            || (fd?.Name is { } name && MatchesAny(_pathFilter, name));
    }

    private EventOrigin Origin(int tgid, int tid, long nanoseconds, int cpu) =>
        new(tgid, tid, _names.Process(tgid), _names.Thread(tid, tgid), nanoseconds, WallClock(nanoseconds), _contexts.Get(tgid), cpu);

    private string NameOf(SyscallDecodeState call) => call.Info?.Name ?? _table.NameOf(call.Number);

    private bool Write(SyscallEvent e)
    {
        if (ConsumerGone)
        {
            return false;
        }

        if (!_sink.Write(e))
        {
            ConsumerGone = true;
            return false;
        }

        return true;
    }

    private static bool[] ReportedSet(IReadOnlySet<int> numbers)
    {
        var set = new bool[Math.Max(SyscallTable.Current.MaxNumber, numbers.DefaultIfEmpty(0).Max()) + 1];
        foreach (var n in numbers)
        {
            if (n >= 0)
            {
                set[n] = true;
            }
        }

        return set;
    }

    // A loop, not Array.Exists with a lambda: a closure over the name would be allocated on every call.
    private static bool MatchesAny(Regex[] patterns, string name)
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
}
