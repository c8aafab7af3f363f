using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using SyscallPS.Decoding;

namespace SyscallPS.Bench;

/// <summary>
/// Decoding throughput of the engine, without a tracer: a realistic mix of syscalls (raw numbers, argument
/// registers and return values, with the tracee's buffers served from memory) goes through
/// <see cref="SyscallDecoder.OnEntry"/> / <see cref="SyscallDecoder.OnExit"/> and into a
/// <see cref="SyscallEvent"/>, exactly the steps an engine takes per syscall. Target: at least 1M events/s.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        long eventsPerRound = 2_000_000;
        int rounds = 5;
        string? jsonPath = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--events" when i + 1 < args.Length:
                    eventsPerRound = long.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--rounds" when i + 1 < args.Length:
                    rounds = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--json" when i + 1 < args.Length:
                    jsonPath = args[++i];
                    break;
                default:
                    Console.Error.WriteLine("usage: DecodeBench [--events N] [--rounds R] [--json FILE]");
                    return 2;
            }
        }

        var table = SyscallTable.Current;
        var memory = new SyntheticMemory();
        var mix = Workload.Build(table, memory, out var skipped);
        if (skipped.Count > 0)
        {
            Console.WriteLine($"Not in the {table.Architecture} table, left out of the mix: {string.Join(", ", skipped)}");
        }

        var engine = new DecodeLoop(mix, memory, DecodeOptions.Default);

        Console.WriteLine($"Mix of {mix.Length} syscalls ({mix.Select(c => c.Name).Distinct().Count()} kinds), e.g.:");
        foreach (var sample in new[] { "openat", "read", "write", "clock_gettime", "mmap" })
        {
            var call = Array.Find(mix, c => c.Name == sample);
            if (call is not null)
            {
                Console.WriteLine("  " + engine.DecodeOne(call).ToStraceLine());
            }
        }

        // Warm-up: let tiered compilation reach its optimised code before anything is timed.
        var warm = Stopwatch.StartNew();
        while (warm.ElapsedMilliseconds < 1000)
        {
            engine.Run(50_000);
        }

        var perRound = new List<double>();
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        long gcBefore = GC.CollectionCount(0);
        for (int r = 0; r < rounds; r++)
        {
            var sw = Stopwatch.StartNew();
            engine.Run(eventsPerRound);
            sw.Stop();
            perRound.Add(eventsPerRound / sw.Elapsed.TotalSeconds);
        }

        double bytesPerEvent = (GC.GetAllocatedBytesForCurrentThread() - allocatedBefore) / (double)(eventsPerRound * rounds);
        int gen0 = GC.CollectionCount(0) - (int)gcBefore;

        perRound.Sort();
        double best = perRound[^1];
        double median = perRound[perRound.Count / 2];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{rounds} rounds x {eventsPerRound:N0} events: best {best:N0} events/s, median {median:N0} events/s, {bytesPerEvent:F0} bytes allocated/event, {gen0} gen0 GCs (checksum {engine.Checksum})"));

        var result = new Dictionary<string, object>
        {
            ["eventsPerSecond"] = Math.Round(best),
            ["medianEventsPerSecond"] = Math.Round(median),
            ["eventsPerRound"] = eventsPerRound,
            ["rounds"] = rounds,
            ["bytesPerEvent"] = Math.Round(bytesPerEvent),
            ["architecture"] = table.Architecture,
        };
        string json = JsonSerializer.Serialize(result);
        if (jsonPath is not null)
        {
            File.WriteAllText(jsonPath, json);
        }

        Console.WriteLine("RESULT " + json);
        return 0;
    }
}

/// <summary>One syscall of the synthetic mix: registers at entry, the kernel's raw return at exit.</summary>
internal sealed record SyntheticCall(string Name, int Number, SyscallInfo? Info, ulong[] Args, long RawReturn);

/// <summary>What an engine does per syscall: fill the per-thread state, decode entry and exit, build the event.</summary>
internal sealed class DecodeLoop
{
    // Events stay referenced for a while, as they do in the engine's hand-over queue.
    private readonly SyscallEvent[] _recent = new SyscallEvent[1024];
    private readonly SyntheticCall[] _mix;
    private readonly ITraceeMemory _memory;
    private readonly DecodeOptions _options;
    private readonly SyscallDecodeState _state = new();
    private readonly DateTime _startWall = DateTime.Now;
    private long _clock;
    private long _next;

    internal DecodeLoop(SyntheticCall[] mix, ITraceeMemory memory, DecodeOptions options)
    {
        _mix = mix;
        _memory = memory;
        _options = options;
    }

    /// <summary>Mixes every event's decoded output, so the work cannot be optimised away.</summary>
    internal long Checksum { get; private set; }

    internal void Run(long count)
    {
        long checksum = Checksum;
        for (long i = 0; i < count; i++)
        {
            var call = _mix[_next++ % _mix.Length];
            var e = DecodeOne(call);
            _recent[i & (_recent.Length - 1)] = e;
            checksum += e.Arguments.Count + e.ReturnText.Length;
        }

        Checksum = checksum;
    }

    internal SyscallEvent DecodeOne(SyntheticCall call)
    {
        var state = _state;
        state.Number = call.Number;
        state.Info = call.Info;
        call.Args.CopyTo(state.Args, 0);
        long entry = _clock += 1_000;
        state.EntryNanoseconds = entry;
        state.InSyscall = true;
        SyscallDecoder.OnEntry(state, _memory, _options);

        state.InSyscall = false;
        var decoded = SyscallDecoder.OnExit(state, call.RawReturn, _memory, _options);
        long exit = _clock += 700;

        // The engines' own event constructor, so the benchmark measures what they do.
        return SyscallEvent.ForCall(SyscallEventKind.Syscall, state, decoded, call.Name,
            new EventOrigin(4242, 4242, "bench", "bench", entry, _startWall.AddTicks(entry / 100)), TimeSpan.FromTicks((exit - entry) / 100), fd: null, data: null);
    }
}

/// <summary>
/// A tracee's address space as the decoders see it: one region holding the paths, buffers and structs
/// the synthetic calls point at; any address outside it is unreadable (as an unmapped page is).
/// </summary>
internal sealed class SyntheticMemory : ITraceeMemory
{
    internal const ulong Base = 0x7ffd_4000_0000;
    private readonly byte[] _bytes = new byte[64 * 1024];

    internal ulong Put(int offset, ReadOnlySpan<byte> data)
    {
        data.CopyTo(_bytes.AsSpan(offset));
        return Base + (ulong)offset;
    }

    internal ulong PutString(int offset, string text) => Put(offset, Encoding.UTF8.GetBytes(text + "\0"));

    internal ulong PutLongs(int offset, params long[] values)
    {
        var span = _bytes.AsSpan(offset, values.Length * 8);
        for (int i = 0; i < values.Length; i++)
        {
            BitConverter.TryWriteBytes(span.Slice(i * 8, 8), values[i]);
        }

        return Base + (ulong)offset;
    }

    /// <inheritdoc />
    public int Read(ulong address, Span<byte> destination)
    {
        if (address < Base || address >= Base + (ulong)_bytes.Length)
        {
            return -1;
        }

        int offset = (int)(address - Base);
        int n = Math.Min(destination.Length, _bytes.Length - offset);
        _bytes.AsSpan(offset, n).CopyTo(destination);
        return n;
    }
}

/// <summary>The syscall mix: what a busy program (an I/O loop with some file opening, memory and timing calls) issues.</summary>
internal static class Workload
{
    private const long AtFdcwd = -100;
    private const long ENOENT = 2;
    private const long EAGAIN = 11;

    internal static SyntheticCall[] Build(SyscallTable table, SyntheticMemory mem, out List<string> skipped)
    {
        ulong libc = mem.PutString(0x100, "/usr/lib/x86_64-linux-gnu/libc.so.6");
        ulong missing = mem.PutString(0x200, "/home/user/.config/app/settings.json");
        ulong tmp = mem.PutString(0x300, "/tmp/bench-output.txt");
        ulong empty = mem.PutString(0x380, string.Empty);

        // A read buffer with text and binary parts; a write buffer with a line of output.
        var readData = new byte[4096];
        var header = "GET /index.html HTTP/1.1\r\nHost: example.test\r\nAccept: */*\r\n\r\n"u8;
        header.CopyTo(readData);
        for (int i = header.Length; i < readData.Length; i++)
        {
            readData[i] = (byte)(i * 31);
        }

        ulong readBuf = mem.Put(0x1000, readData);
        ulong writeBuf = mem.PutString(0x2000, "request 1234 served in 0.42 ms\n");
        ulong timespec = mem.PutLongs(0x3000, 1_764_200_000, 123_456_789);
        ulong statBuf = mem.PutLongs(0x3100, 0x803, 1_234_567, 1, 0x81a4, 0, 2_110_768, 4096, 4128, 1_764_000_000, 0, 1_764_000_000, 0, 1_764_000_000, 0, 0, 0, 0, 0);
        ulong pollFds = mem.PutLongs(0x3200, 3L | (1L << 32) | (1L << 48), 4L | (1L << 32));
        ulong epollEvents = mem.PutLongs(0x3300, 1, 0x0000_0005_0000_0000);
        ulong iov = mem.PutLongs(0x3400, (long)writeBuf, 16, (long)writeBuf + 16, 15);
        ulong futexWord = mem.PutLongs(0x3500, 0);
        ulong sigset = mem.PutLongs(0x3600, 1L << 16);
        ulong oldSigset = mem.PutLongs(0x3608, 0);

        var entries = new List<(int Weight, string Name, long[] Args, long Return)>
        {
            (20, "read", [3, (long)readBuf, 4096], 4096),
            (2, "read", [5, (long)readBuf, 4096], -EAGAIN),
            (18, "write", [1, (long)writeBuf, 31], 31),
            (3, "pread64", [3, (long)readBuf, 832, 64], 832),
            (3, "writev", [1, (long)iov, 2], 31),
            (6, "openat", [AtFdcwd, (long)libc, 0x80000 /* O_RDONLY|O_CLOEXEC */], 3),
            (2, "openat", [AtFdcwd, (long)missing, 0], -ENOENT),
            (1, "openat", [AtFdcwd, (long)tmp, 0x241 /* O_WRONLY|O_CREAT|O_TRUNC */, 0x1a4], 4),
            (8, "close", [3], 0),
            (5, "newfstatat", [3, (long)empty, (long)statBuf, 0x1000 /* AT_EMPTY_PATH */], 0),
            (5, "mmap", [0, 8192, 3 /* PROT_READ|PROT_WRITE */, 0x22 /* MAP_PRIVATE|MAP_ANONYMOUS */, -1, 0], 0x7f12_3456_7000),
            (2, "munmap", [0x7f12_3456_7000, 8192], 0),
            (8, "clock_gettime", [1 /* CLOCK_MONOTONIC */, (long)timespec], 0),
            (3, "futex", [(long)futexWord, 0x80 /* FUTEX_WAIT_PRIVATE */, 0, 0], -EAGAIN),
            (2, "futex", [(long)futexWord, 0x81 /* FUTEX_WAKE_PRIVATE */, 1], 1),
            (3, "lseek", [3, 0, 0 /* SEEK_SET */], 0),
            (2, "ppoll", [(long)pollFds, 2, (long)timespec, 0, 8], 1),
            (2, "epoll_pwait", [5, (long)epollEvents, 64, 1000, 0, 8], 1),
            (1, "brk", [0], 0x5555_5557_9000),
            (2, "rt_sigprocmask", [0 /* SIG_BLOCK */, (long)sigset, (long)oldSigset, 8], 0),
            (2, "getpid", [], 4242),
        };

        skipped = [];
        var calls = new List<SyntheticCall>();
        foreach (var (weight, name, args, ret) in entries)
        {
            if (!table.TryGetByName(name, out var info))
            {
                skipped.Add(name);
                continue;
            }

            var regs = new ulong[6];
            for (int i = 0; i < args.Length; i++)
            {
                regs[i] = unchecked((ulong)args[i]);
            }

            for (int w = 0; w < weight; w++)
            {
                calls.Add(new SyntheticCall(name, info.Number, info, regs, ret));
            }
        }

        // A fixed shuffle: the order of a real trace is irregular, and the result must be repeatable.
        var shuffled = calls.ToArray();
        new Random(20_251_127).Shuffle(shuffled);
        return shuffled;
    }
}
