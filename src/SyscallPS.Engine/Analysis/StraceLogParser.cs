using System.Globalization;

namespace SyscallPS.Analysis;

/// <summary>What a line of strace output was.</summary>
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]
public enum StraceLineKind
{
    /// <summary>A record that became an event (a call, a signal, an exit, a resumed call).</summary>
    Event,

    /// <summary>A line whose event comes later: a call <c>&lt;unfinished ...&gt;</c>, or a line held until its process is known.</summary>
    Pending,

    /// <summary>A line strace writes that is no event: a blank line, <c>strace: Process 12 attached</c>, a group-stop.</summary>
    Ignored,

    /// <summary>Not strace output (the program's own output mixed in, a cut line): the caller reports it.</summary>
    Invalid,
}

/// <summary>
/// Turns strace output lines into <see cref="SyscallEvent"/>s, one line at a time (a log of any size streams
/// through it): -f/-ff pid prefixes, -t/-tt/-ttt timestamps, -T durations, -y/-yy descriptor names;
/// <c>&lt;unfinished ...&gt;</c> and <c>&lt;... resumed&gt;</c> lines are merged into one event.
/// </summary>
/// <remarks>
/// strace prints thread ids; the process id of a thread is learned from the <c>clone(…CLONE_THREAD…)</c> that made
/// it, else it is the thread id. Process names come from a successful <c>execve</c> (the program's file name, cut to
/// the kernel's 15 characters) and are inherited at fork. A line without a pid prefix belongs to
/// <see cref="DefaultProcessId"/> (the pid of an <c>-ff</c> file's name), else to pid 0. With -t/-tt the log has no
/// date: <see cref="SyscallEvent.Timestamp"/> holds the time of day on 0001-01-01 (the day counting up at
/// midnight), and <see cref="SyscallEvent.MonotonicNanoseconds"/> the nanoseconds since that midnight; with -ttt
/// they are the local time and the nanoseconds since the Unix epoch; with -r (time since the previous line) the
/// time since the file's first line, on 0001-01-01. Without a timestamp both are zero.
/// </remarks>
public sealed class StraceLogParser
{
    private const long NanosecondsPerDay = 86_400_000_000_000;
    private const long HalfDay = NanosecondsPerDay / 2;
    private const int HeldLinesLimit = 10_000;
    private const string SummaryHeader = "% time ";
    private const string InterruptingMessage = "strace: Process ";
    private const string StoppedBy = "stopped by ";

    private static readonly HashSet<string> PathParameters = ["filename", "pathname", "path", "oldname", "new_root", "specialfile", "dir_name", "u_name"];
    private static readonly HashSet<string> TargetParameters = ["newname", "put_old"];
    private static readonly HashSet<string> FdParameters = ["fd", "ufd", "fildes", "oldfd", "epfd", "dfd", "olddfd", "fd_in", "in_fd", "pidfd", "fanotify_fd"];

    // Calls whose successful return is a new descriptor (for Fd when the log has no -y names).
    private static readonly HashSet<string> ReturnsFd =
    [
        "open", "openat", "openat2", "creat", "socket", "accept", "accept4", "dup", "dup2", "dup3", "epoll_create", "epoll_create1",
        "eventfd", "eventfd2", "signalfd", "signalfd4", "timerfd_create", "inotify_init", "inotify_init1", "memfd_create",
        "pidfd_open", "fanotify_init", "userfaultfd", "mq_open", "open_tree", "fsopen", "fsmount", "open_by_handle_at",
    ];

    private static readonly Dictionary<string, int> SignalNumbers = BuildSignalNumbers();

    private readonly SyscallTable _table = SyscallTable.Current;
    private readonly Dictionary<int, Pending> _pending = [];
    private readonly Dictionary<int, int> _processOfThread = [];
    private readonly Dictionary<int, string> _names = [];
    private readonly List<int> _commas = [];
    private long _lastTimeOfDay = -1;
    private long _days;
    private long _clock;
    private List<string>? _held = [];
    private ParserState _beforeHeld = new([], [], [], 0, -1, 0);
    private string? _fragment;
    private bool _inSummary;

    /// <summary>The thread id of lines without a pid prefix (from an -ff file name such as <c>trace.1234</c>).</summary>
    public int? DefaultProcessId { get; set; }

    /// <summary>
    /// The pid in an <c>strace -ff -o NAME</c> file name (<c>NAME.1234</c>), else null.
    /// </summary>
    public static int? ProcessIdFromFileName(string path)
    {
        var name = System.IO.Path.GetFileName(path);
        int dot = name.LastIndexOf('.');
        return dot > 0 && StraceSyntax.AllDigits(name.AsSpan(dot + 1)) && int.TryParse(name.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && pid > 0
            ? pid
            : null;
    }

    /// <summary>Starts a new file: its clock may start before the previous file's ended (-ff writes one file per process).</summary>
    public void StartFile(int? defaultProcessId)
    {
        DefaultProcessId = defaultProcessId;
        _lastTimeOfDay = -1;
        _clock = 0;
        _held = null;
        if (defaultProcessId is null)
        {
            _held = [];
            _beforeHeld = new ParserState(new(_pending), new(_processOfThread), new(_names), _days, _lastTimeOfDay, _clock);
        }
    }

    /// <summary>Reads one line; the events it completes are added to <paramref name="events"/>.</summary>
    public StraceLineKind Parse(string line, ICollection<SyscallEvent> events)
    {
        // strace -c/-C's summary table at the end of a log: from its header to its total row.
        if (_inSummary || line.StartsWith(SummaryHeader, StringComparison.Ordinal))
        {
            _inSummary = !line.TrimEnd().EndsWith(" total", StringComparison.Ordinal);
            return StraceLineKind.Ignored;
        }

        // Writing to a terminal, strace -f cuts the line it is printing with "strace: Process 12 attached"
        // and goes on with the rest of that line on the next one.
        if (_fragment is not null)
        {
            line = _fragment + line;
            _fragment = null;
        }

        int cut = line.Length > 1 ? line.IndexOf(InterruptingMessage, 1, StringComparison.Ordinal) : -1;
        if (cut > 0)
        {
            _fragment = line[..cut];
            return StraceLineKind.Ignored;
        }

        if (DefaultProcessId is null && _held is not null)
        {
            return Hold(line, events);
        }

        return ParseLine(line, events);
    }

    /// <summary>At the end of the input: the calls still unfinished become <see cref="SyscallEventKind.Unfinished"/> events.</summary>
    public void Finish(ICollection<SyscallEvent> events)
    {
        Replay(events);
        foreach (var p in _pending.Values.OrderBy(p => p.At.Clock).ToList())
        {
            events.Add(UnfinishedEvent(p));
        }

        _pending.Clear();
        _fragment = null;
        _inSummary = false;
    }

    // Lines without a pid prefix, in a log that does not say whose they are (strace -o without -f, or -f until
    // the first fork): held until the process names itself (set_tid_address, gettid and getpid return its id,
    // and a C program calls set_tid_address at start-up), then read as that process's.
    private StraceLineKind Hold(string line, ICollection<SyscallEvent> events)
    {
        int pos = 0;
        if (StraceSyntax.ReadPid(line, ref pos) is not null || _held!.Count >= HeldLinesLimit)
        {
            Replay(events);
            return ParseLine(line, events);
        }

        _held.Add(line);
        var probe = new List<SyscallEvent>(1);
        if (ParseLine(line, probe) == StraceLineKind.Invalid)
        {
            _held.RemoveAt(_held.Count - 1);
            return StraceLineKind.Invalid;
        }

        if (probe is [{ Kind: SyscallEventKind.Syscall, Syscall: "set_tid_address" or "gettid" or "getpid", Errno: null, ReturnValue: > 0 and <= int.MaxValue } named])
        {
            DefaultProcessId = (int)named.ReturnValue;
            Replay(events);
        }

        return StraceLineKind.Pending;
    }

    private void Replay(ICollection<SyscallEvent> events)
    {
        var held = _held;
        _held = null;
        if (held is null)
        {
            return;
        }

        // The probes parsed these lines already: start again from the state before them.
        Restore(_pending, _beforeHeld.Pending);
        Restore(_processOfThread, _beforeHeld.ProcessOfThread);
        Restore(_names, _beforeHeld.Names);
        (_days, _lastTimeOfDay, _clock) = (_beforeHeld.Days, _beforeHeld.LastTimeOfDay, _beforeHeld.Clock);
        foreach (var line in held)
        {
            ParseLine(line, events);
        }
    }

    private static void Restore<TKey, TValue>(Dictionary<TKey, TValue> state, Dictionary<TKey, TValue> saved)
        where TKey : notnull
    {
        state.Clear();
        foreach (var (key, value) in saved)
        {
            state[key] = value;
        }
    }

    private StraceLineKind ParseLine(string line, ICollection<SyscallEvent> events)
    {
        var text = line.AsSpan().TrimEnd();
        if (text.IsEmpty)
        {
            return StraceLineKind.Ignored;
        }

        int pos = 0;
        int tid = StraceSyntax.ReadPid(text, ref pos) ?? DefaultProcessId ?? 0;
        long clock = 0;
        DateTime timestamp = default;
        if (pos < text.Length && StraceSyntax.TryReadTimestamp(text, ref pos, out long ns, out var kind))
        {
            (clock, timestamp) = kind switch
            {
                StraceClock.Epoch => FromEpoch(ns),
                StraceClock.Relative => FromStart(_clock + ns),
                _ => FromTimeOfDay(ns),
            };
            _clock = clock;
        }

        var body = text[pos..];
        var at = new Stamp(tid, clock, timestamp);
        if (body.StartsWith("strace: ", StringComparison.Ordinal))
        {
            return StraceLineKind.Ignored;
        }

        if (body.StartsWith("--- ", StringComparison.Ordinal) && body.EndsWith(" ---", StringComparison.Ordinal))
        {
            return Signal(body[4..^4], at, events);
        }

        if (body.StartsWith("+++ ", StringComparison.Ordinal) && body.EndsWith(" +++", StringComparison.Ordinal))
        {
            return ProcessEnd(body[4..^4], at, events);
        }

        if (body.StartsWith("<... ", StringComparison.Ordinal))
        {
            return Resumed(body, at, events);
        }

        return Call(body, at, events);
    }

    private static Dictionary<string, int> BuildSignalNumbers()
    {
        var map = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 1; i <= 64; i++)
        {
            map.TryAdd(Decoding.SyscallDecoder.SignalName(i), i);
        }

        return map;
    }

    private (long Clock, DateTime Timestamp) FromEpoch(long ns) =>
        (ns, DateTime.UnixEpoch.AddTicks(ns / 100).ToLocalTime());

    private static (long Clock, DateTime Timestamp) FromStart(long ns) => (ns, DateTime.MinValue.AddTicks(ns / 100));

    private (long Clock, DateTime Timestamp) FromTimeOfDay(long ns)
    {
        // Midnight: the time of day falls back by (nearly) a whole day. Small steps back are reordering, not a new day.
        if (_lastTimeOfDay >= 0 && ns + HalfDay < _lastTimeOfDay)
        {
            _days++;
        }

        _lastTimeOfDay = ns;
        return FromStart((_days * NanosecondsPerDay) + ns);
    }

    private StraceLineKind Signal(ReadOnlySpan<char> inner, Stamp at, ICollection<SyscallEvent> events)
    {
        // "--- SIGCHLD {si_signo=...} ---", or a group-stop: "--- stopped by SIGSTOP ---".
        bool stopped = inner.StartsWith(StoppedBy, StringComparison.Ordinal);
        if (stopped)
        {
            inner = inner[StoppedBy.Length..];
        }

        int space = inner.IndexOf(' ');
        var name = space < 0 ? inner : inner[..space];
        if (!name.StartsWith("SIG", StringComparison.Ordinal) || (stopped && space >= 0))
        {
            return StraceLineKind.Invalid;
        }

        events.Add(new SyscallEvent
        {
            Kind = stopped ? SyscallEventKind.Stopped : SyscallEventKind.Signal,
            Timestamp = at.Timestamp,
            MonotonicNanoseconds = at.Clock,
            ProcessId = ProcessOf(at.Tid),
            ThreadId = at.Tid,
            ProcessName = NameOf(at.Tid),
            Signal = name.ToString(),
            SignalInfo = space < 0 ? null : inner[(space + 1)..].ToString(),
        });
        return StraceLineKind.Event;
    }

    private StraceLineKind ProcessEnd(ReadOnlySpan<char> inner, Stamp at, ICollection<SyscallEvent> events)
    {
        SyscallEvent end;
        if (inner.StartsWith("exited with ", StringComparison.Ordinal)
            && int.TryParse(inner[12..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int code))
        {
            end = EndEvent(SyscallEventKind.Exited, at, null, code);
        }
        else if (inner.StartsWith("killed by ", StringComparison.Ordinal))
        {
            var rest = inner[10..];
            int space = rest.IndexOf(' ');
            var signal = (space < 0 ? rest : rest[..space]).ToString();
            end = EndEvent(SyscallEventKind.Killed, at, signal, SignalNumbers.TryGetValue(signal, out int n) ? 128 + n : null);
        }
        else if (inner.StartsWith("superseded by execve", StringComparison.Ordinal))
        {
            return StraceLineKind.Ignored;
        }
        else
        {
            return StraceLineKind.Invalid;
        }

        // A thread that ends inside a call never resumes it.
        if (_pending.Remove(at.Tid, out var pending))
        {
            events.Add(UnfinishedEvent(pending));
        }

        events.Add(end);
        _processOfThread.Remove(at.Tid);
        if (end.ProcessId == at.Tid)
        {
            _names.Remove(at.Tid);
        }

        return StraceLineKind.Event;
    }

    private SyscallEvent EndEvent(SyscallEventKind kind, Stamp at, string? signal, int? code) => new()
    {
        Kind = kind,
        Timestamp = at.Timestamp,
        MonotonicNanoseconds = at.Clock,
        ProcessId = ProcessOf(at.Tid),
        ThreadId = at.Tid,
        ProcessName = NameOf(at.Tid),
        Signal = signal,
        ExitCode = code,
    };

    private StraceLineKind Resumed(ReadOnlySpan<char> body, Stamp at, ICollection<SyscallEvent> events)
    {
        // "<... read resumed>, "data", 4096) = 5": the rest of the call that the thread's unfinished line began.
        const string Marker = " resumed>";
        int end = body.IndexOf(Marker, StringComparison.Ordinal);
        if (end < 5)
        {
            return StraceLineKind.Invalid;
        }

        var name = body[5..end];
        var rest = body[(end + Marker.Length)..];
        if (_pending.Remove(at.Tid, out var pending) && name.SequenceEqual(pending.Syscall.AsSpan()))
        {
            // strace 6 writes "<... futex resumed> <unfinished ...>) = ?" for a thread that died inside the call.
            if (rest.StartsWith(" <unfinished ...>", StringComparison.Ordinal))
            {
                events.Add(UnfinishedEvent(pending));
                return StraceLineKind.Event;
            }

            return Complete(string.Concat(pending.Head.AsSpan(), rest), pending.At, events);
        }

        if (pending is not null)
        {
            events.Add(UnfinishedEvent(pending));
        }

        // The start is not in the input (the log begins mid-call): the resumed part alone.
        return Complete(string.Concat(name, "(", rest), at, events);
    }

    private StraceLineKind Call(ReadOnlySpan<char> body, Stamp at, ICollection<SyscallEvent> events)
    {
        const string UnfinishedMarker = " <unfinished ...>";
        const string DetachedMarker = " <detached ...>";
        int paren = NameLength(body);
        if (paren <= 0)
        {
            return StraceLineKind.Invalid;
        }

        bool detached = body.EndsWith(DetachedMarker, StringComparison.Ordinal);
        if (body.EndsWith(UnfinishedMarker, StringComparison.Ordinal) || detached)
        {
            var head = body[..^(detached ? DetachedMarker.Length : UnfinishedMarker.Length)].ToString();
            var pending = new Pending(head, body[..paren].ToString(), at);
            if (_pending.Remove(at.Tid, out var older))
            {
                events.Add(UnfinishedEvent(older));
            }

            if (detached)
            {
                // strace let the thread go inside the call: it will not resume in this log.
                events.Add(UnfinishedEvent(pending));
                return StraceLineKind.Event;
            }

            _pending[at.Tid] = pending;
            return StraceLineKind.Pending;
        }

        return Complete(body.ToString(), at, events);
    }

    // "name(" at the start of a call: the index of the '(' (a syscall name is letters, digits and '_').
    private static int NameLength(ReadOnlySpan<char> body)
    {
        int i = 0;
        while (i < body.Length && (char.IsAsciiLetterOrDigit(body[i]) || body[i] == '_'))
        {
            i++;
        }

        return i > 0 && i < body.Length && body[i] == '(' && char.IsAsciiLetter(body[0]) ? i : -1;
    }

    // A whole call: "name(args) = return [<duration>]".
    private StraceLineKind Complete(string call, Stamp at, ICollection<SyscallEvent> events)
    {
        int paren = NameLength(call);
        if (paren <= 0)
        {
            return StraceLineKind.Invalid;
        }

        _commas.Clear();
        int close = StraceSyntax.FindClose(call, paren + 1, _commas);
        if (close < 0)
        {
            return StraceLineKind.Invalid;
        }

        int eq = close + 1;
        while (eq < call.Length && call[eq] == ' ')
        {
            eq++;
        }

        if (eq + 1 >= call.Length || call[eq] != '=' || call[eq + 1] != ' ')
        {
            return StraceLineKind.Invalid;
        }

        int durationAt = StraceSyntax.FindDuration(call, out long durationNs);
        string returnText = call[(eq + 2)..(durationAt < 0 ? call.Length : durationAt)];
        if (returnText.Length == 0)
        {
            return StraceLineKind.Invalid;
        }

        string name = call[..paren];
        events.Add(BuildCall(name, call.AsSpan(paren + 1, close - paren - 1), paren + 1, returnText, durationNs, at));
        return StraceLineKind.Event;
    }

    private SyscallEvent BuildCall(string name, ReadOnlySpan<char> argsText, int argsOffset, string returnText, long durationNs, Stamp at)
    {
        _table.TryGetByName(name, out var info);
        var args = SplitArguments(argsText, argsOffset, info);
        long value = StraceSyntax.ReturnValue(returnText, out var errno, out var message);
        bool neverReturned = returnText == "?";
        bool isExit = name is "exit" or "exit_group";
        bool succeeded = errno is null && !neverReturned;

        string? path = null, target = null;
        int? fd = null;
        string? fdName = null;
        for (int i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (PathParameters.Contains(arg.Name) && path is null)
            {
                path = arg.Value as string;
            }
            else if (TargetParameters.Contains(arg.Name) && target is null)
            {
                target = arg.Value as string;
            }

            // strace -y names descriptors wherever they appear; without -y, the parameter's name says it is one.
            if (fd is null && arg.Text.Length > 0 && char.IsAsciiDigit(arg.Text[0]))
            {
                if (StraceSyntax.TrySplitDecorated(arg.Text, out int n, out string decorated))
                {
                    fd = n;
                    fdName = decorated;
                }
                else if (FdParameters.Contains(arg.Name) && arg.Value is long l && l >= 0)
                {
                    fd = (int)l;
                }
            }
        }

        // symlinkat(target, newdirfd, linkpath): the link is the path, as the engines see it.
        if (name == "symlinkat")
        {
            (path, target) = (target, path);
        }

        // The descriptor a call returns (open, socket, accept, dup ...) is the one it is about.
        if (succeeded && StraceSyntax.TrySplitDecorated(returnText.AsSpan(0, ReturnNumberLength(returnText)), out int returned, out string returnedName))
        {
            fd = returned;
            fdName = returnedName;
        }
        else if (succeeded && ReturnsFd.Contains(name) && value >= 0)
        {
            fd = (int)value;
            fdName = null;
        }

        int tid = at.Tid;
        int process = ProcessOf(tid);
        int? child = null;
        if (succeeded && value > 0 && name is "clone" or "clone3" or "fork" or "vfork")
        {
            child = (int)value;
            bool thread = argsText.Contains("CLONE_THREAD", StringComparison.Ordinal);
            _processOfThread[child.Value] = thread ? process : child.Value;
            if (!thread && _names.TryGetValue(process, out var parentName))
            {
                _names[child.Value] = parentName;
            }
        }

        if (succeeded && name is "execve" or "execveat" && path is not null)
        {
            var program = System.IO.Path.GetFileName(path);
            _names[process] = program.Length > 15 ? program[..15] : program;
        }

        var fdInfo = fdName is null ? default : FdNames.Parse(fdName);
        return new SyscallEvent
        {
            Kind = neverReturned && !isExit ? SyscallEventKind.Unfinished : SyscallEventKind.Syscall,
            Timestamp = at.Timestamp,
            MonotonicNanoseconds = at.Clock,
            ProcessId = process,
            ThreadId = tid,
            ProcessName = NameOf(tid),
            Syscall = name,
            Number = info?.Number ?? -1,
            Category = info?.Category ?? SyscallCategory.Other,
            Arguments = args.Length == 0 ? SyscallArgumentList.Empty : new SyscallArgumentList(args),
            ReturnValue = value,
            ReturnText = returnText,
            Errno = errno,
            ErrorMessage = message,
            Duration = TimeSpan.FromTicks(durationNs / 100),
            Path = path,
            TargetPath = target,
            ChildProcessId = child,
            Fd = fd,
            FdName = fdInfo.Name ?? fdName,
            FdType = fdName is null ? null : fdInfo.Type,
            LocalAddress = fdInfo.LocalAddress,
            LocalPort = fdInfo.LocalPort,
            RemoteAddress = fdInfo.RemoteAddress,
            RemotePort = fdInfo.RemotePort,
        };
    }

    // "3</etc/passwd> (comment)": the length of the leading "3</etc/passwd>".
    private static int ReturnNumberLength(string returnText)
    {
        int space = returnText.IndexOf("> ", StringComparison.Ordinal);
        return space < 0 ? returnText.Length : space + 1;
    }

    private SyscallArgument[] SplitArguments(ReadOnlySpan<char> argsText, int argsOffset, SyscallInfo? info)
    {
        if (argsText.IsEmpty)
        {
            return [];
        }

        int commas = 0;
        while (commas < _commas.Count && _commas[commas] - argsOffset < argsText.Length)
        {
            commas++;
        }

        var args = new SyscallArgument[commas + 1];
        int start = 0;
        for (int i = 0; i < args.Length; i++)
        {
            int end = i < commas ? _commas[i] - argsOffset : argsText.Length;
            var text = argsText[start..end].Trim(' ');
            start = end + 1;
            var parameter = info is not null && i < info.Parameters.Count
                ? info.Parameters[i]
                : new SyscallParameter("arg" + i.ToString(CultureInfo.InvariantCulture), string.Empty);
            args[i] = ArgumentOf(parameter, text);
        }

        return args;
    }

    private static SyscallArgument ArgumentOf(SyscallParameter parameter, ReadOnlySpan<char> text)
    {
        string s = text.ToString();
        if (StraceSyntax.TryParseNumber(text, out long number, out bool unsigned))
        {
            return new SyscallArgument(parameter, (ulong)number, unsigned ? Decoding.Boxed.Of((ulong)number) : Decoding.Boxed.Of(number), s);
        }

        if (StraceSyntax.TrySplitDecorated(text, out int fd, out _))
        {
            return new SyscallArgument(parameter, (ulong)(long)fd, Decoding.Boxed.Of((long)fd), s);
        }

        return new SyscallArgument(parameter, 0, StraceSyntax.Unquote(text) ?? s, s);
    }

    private SyscallEvent UnfinishedEvent(Pending p)
    {
        int paren = p.Syscall.Length;
        _commas.Clear();

        // The head ends inside the argument list: its top-level commas split what strace printed at entry.
        StraceSyntax.FindClose(p.Head + ")", paren + 1, _commas);
        var argsText = p.Head.AsSpan(paren + 1).TrimEnd(' ').TrimEnd(',');
        _table.TryGetByName(p.Syscall, out var info);
        var args = SplitArguments(argsText, paren + 1, info);
        bool isExit = p.Syscall is "exit" or "exit_group";
        return new SyscallEvent
        {
            Kind = isExit ? SyscallEventKind.Syscall : SyscallEventKind.Unfinished,
            Timestamp = p.At.Timestamp,
            MonotonicNanoseconds = p.At.Clock,
            ProcessId = ProcessOf(p.At.Tid),
            ThreadId = p.At.Tid,
            ProcessName = NameOf(p.At.Tid),
            Syscall = p.Syscall,
            Number = info?.Number ?? -1,
            Category = info?.Category ?? SyscallCategory.Other,
            Arguments = args.Length == 0 ? SyscallArgumentList.Empty : new SyscallArgumentList(args),
            ReturnText = "?",
        };
    }

    private int ProcessOf(int tid) => _processOfThread.TryGetValue(tid, out int process) ? process : tid;

    private string NameOf(int tid) => _names.TryGetValue(ProcessOf(tid), out var name) ? name : string.Empty;

    private readonly record struct Stamp(int Tid, long Clock, DateTime Timestamp);

    /// <summary>What the parser knew before the lines it holds (which the probes then parsed).</summary>
    private sealed record ParserState(Dictionary<int, Pending> Pending, Dictionary<int, int> ProcessOfThread, Dictionary<int, string> Names, long Days, long LastTimeOfDay, long Clock);

    /// <summary>A call whose line ended in <c>&lt;unfinished ...&gt;</c>: its text up to there, and when it began.</summary>
    private sealed record Pending(string Head, string Syscall, Stamp At);
}
