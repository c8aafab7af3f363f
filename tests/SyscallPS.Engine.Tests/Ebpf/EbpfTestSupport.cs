using Xunit;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using SyscallPS.Decoding;
using SyscallPS.Ebpf;
using SyscallPS.Tracing;

namespace SyscallPS.Tests.Ebpf;

/// <summary>eBPF tests load programs into the one kernel: run them one at a time.</summary>
[CollectionDefinition("ebpf", DisableParallelization = true)]
public sealed class EbpfCollection
{
}

/// <summary>A temporary directory removed again at the end of the test.</summary>
internal sealed class TempDirectory(string prefix) : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory(prefix).FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>A sink that keeps every event.</summary>
internal sealed class CollectingSink : ITraceEventSink
{
    private readonly ConcurrentQueue<SyscallEvent> _events = new();

    public Func<SyscallEvent, bool>? OnWrite { get; init; }

    public IReadOnlyList<SyscallEvent> Events => [.. _events];

    public bool Write(SyscallEvent traceEvent)
    {
        _events.Enqueue(traceEvent);
        return OnWrite?.Invoke(traceEvent) ?? true;
    }
}

/// <summary>Strings and bytes the kernel program copied, per syscall event, read through the engine's <see cref="ITraceeMemory"/>.</summary>
internal sealed class CapturedArguments
{
    private readonly ConcurrentDictionary<SyscallEvent, Dictionary<int, byte[]>> _byEvent = new(ReferenceEqualityComparer.Instance);

    public Action<SyscallEvent, ITraceeMemory> Observer => (e, memory) =>
    {
        var copies = new Dictionary<int, byte[]>();
        for (int i = 0; i < e.Arguments.Count && i < 6; i++)
        {
            var buffer = new byte[4096];
            int n = memory.Read(e.Arguments[i].Raw, buffer);
            if (n > 0)
            {
                copies[i] = buffer[..n];
            }
        }

        _byEvent[e] = copies;
    };

    public byte[]? Bytes(SyscallEvent e, int argument) =>
        _byEvent.TryGetValue(e, out var c) && c.TryGetValue(argument, out var b) ? b : null;

    public string? String(SyscallEvent e, int argument)
    {
        var b = Bytes(e, argument);
        if (b is null)
        {
            return null;
        }

        int nul = Array.IndexOf(b, (byte)0);
        return Encoding.UTF8.GetString(b, 0, nul < 0 ? b.Length : nul);
    }
}

internal static class EbpfTestSupport
{
    public static string? SkipReason()
    {
        var why = new EbpfEngine().WhyUnavailable(new TraceRequest { SystemWide = true });
        return why is null ? null : "eBPF unavailable: " + why;
    }

    public static int Nr(string name) => SyscallTable.Current.TryGetByName(name, out var info) ? info.Number : throw new ArgumentException(name);

    /// <summary>
    /// A ring-buffer record as the kernel program writes it: the head, then an optional blob; <paramref name="size"/>
    /// reserves room for a longer record (a signal record's siginfo) when larger than that.
    /// </summary>
    public static unsafe byte[] Record(EbpfRecordType type, int tgid, int tid, int nr, ulong[] args, ulong enter, ulong exit = 0, long ret = 0, uint aux = 0, (ulong Address, byte[] Bytes)? blob = null, string comm = "proc", int size = 0)
    {
        size = Math.Max(size, EbpfRecord.HeaderSize + (blob is { } b0 ? EbpfBlob.HeaderSize + ((b0.Bytes.Length + 7) & ~7) : 0));
        var bytes = new byte[size];
        fixed (byte* p = bytes)
        {
            var r = (EbpfRecord*)p;
            r->Type = type;
            r->Size = (uint)size;
            r->Tgid = (uint)tgid;
            r->Tid = (uint)tid;
            r->Number = nr;
            r->Aux = aux;
            r->EnterNanoseconds = enter;
            r->ExitNanoseconds = exit;
            r->Return = ret;
            for (int i = 0; i < Math.Min(6, args.Length); i++)
            {
                r->Args[i] = args[i];
            }

            System.Text.Encoding.ASCII.GetBytes(comm).CopyTo(new Span<byte>(r->Comm, 16));
            if (blob is { } b)
            {
                var h = (EbpfBlob*)(p + EbpfRecord.HeaderSize);
                h->Address = b.Address;
                h->Length = (uint)b.Bytes.Length;
                b.Bytes.CopyTo(new Span<byte>(p + EbpfRecord.HeaderSize + EbpfBlob.HeaderSize, b.Bytes.Length));
            }
        }

        return bytes;
    }

    public static HashSet<int> Set(params string[] names) => [.. names.Select(Nr)];

    /// <summary>A record decoder over the engine-neutral assembler, its events collected in <paramref name="events"/>.</summary>
    public static EbpfEventDecoder Decoder(List<SyscallEvent> events, IReadOnlyList<string>? processNames = null, bool consumerGone = false, Action<SyscallEvent, ITraceeMemory>? observer = null)
    {
        var sink = new CollectingSink { OnWrite = e => { events.Add(e); return !consumerGone; } };
        var assembler = new EventAssembler(new TraceRequest { ProcessNames = processNames ?? [] }, sink, engineNamesThreads: true, descriptorCallsHidden: false) { Observer = observer };
        return new EbpfEventDecoder(assembler);
    }

    public static ITraceRun Run(TraceRequest request, CollectingSink sink, CapturedArguments? captured = null) =>
        new EbpfEngine { DecodedObserver = captured?.Observer }.Start(request, sink);

    public static void WaitDone(ITraceRun run, int seconds = 30) =>
        Assert.True(run.Completion.Wait(TimeSpan.FromSeconds(seconds)), "the trace did not end in time");

    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "SyscallPS.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }

    /// <summary>Compiles a C program with gcc into a temp file; null when gcc is missing.</summary>
    public static string? CompileC(string name, string source, params string[] flags)
    {
        var dir = Path.Combine(Path.GetTempPath(), "syscallps-ebpf-tests");
        Directory.CreateDirectory(dir);
        var c = Path.Combine(dir, name + ".c");
        var exe = Path.Combine(dir, name);
        File.WriteAllText(c, source);
        try
        {
            using var gcc = Process.Start(new ProcessStartInfo("gcc", ["-O1", .. flags, "-o", exe, c]) { RedirectStandardError = true })!;
            var err = gcc.StandardError.ReadToEnd();
            gcc.WaitForExit();
            Assert.True(gcc.ExitCode == 0, "gcc failed: " + err);
            return exe;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    public static int OpenBpfFds()
    {
        int n = 0;
        foreach (var fd in Directory.GetFiles("/proc/self/fd"))
        {
            try
            {
                var target = new FileInfo(fd).LinkTarget;
                if (target is not null && target.StartsWith("anon_inode:bpf", StringComparison.Ordinal))
                {
                    n++;
                }
            }
            catch (IOException)
            {
            }
        }

        return n;
    }

    public static string? Bpftool(string args)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("bpftool", args.Split(' ')) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return output;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
