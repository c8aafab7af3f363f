// Measures the eBPF engine on the issue's workload: dd if=/dev/zero of=/dev/null bs=1 count=N
// (dd's own elapsed time, min of R runs) natively, under strace -f, under the engine tracing every
// syscall with every event consumed, and under the engine with -Syscall openat; then the decode rate
// of the record decoder alone (synthetic records, no kernel).
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using SyscallPS;
using SyscallPS.Decoding;
using SyscallPS.Ebpf;
using SyscallPS.Tracing;

int count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200000;
int runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
string ddArgs = $"if=/dev/zero of=/dev/null bs=1 count={count}";
string timeFile = Path.Combine(Path.GetTempPath(), "sps-bench-dd.txt");
string cpuFile = Path.Combine(Path.GetTempPath(), "sps-bench-cpu.txt");

// dd's CPU time (task-clock, kernel time in its syscalls and BPF programs included) is far less sensitive
// to other load on the machine than its elapsed time; both are reported.
string perfStat = File.Exists("/usr/bin/perf") ? $"perf stat -x, -e task-clock -o {cpuFile} " : string.Empty;
var cpuMin = new Dictionary<string, double>();
void RecordCpu(string config)
{
    if (perfStat.Length == 0 || !File.Exists(cpuFile))
    {
        return;
    }

    var line = File.ReadLines(cpuFile).FirstOrDefault(l => l.Contains("task-clock", StringComparison.Ordinal));
    if (line is not null && double.TryParse(line.Split(',')[0], CultureInfo.InvariantCulture, out var ms))
    {
        cpuMin[config] = Math.Min(cpuMin.GetValueOrDefault(config, double.MaxValue), ms / 1000);
    }
}

string Cpu(string config) => cpuMin.TryGetValue(config, out var c) ? $"  cpu {c,6:F3} s {c / cpuMin.GetValueOrDefault("native", double.NaN),5:F2}x" : string.Empty;

double Native() => Min(() => { var t = RunShell($"exec {perfStat}dd {ddArgs} 2>{timeFile}"); RecordCpu("native"); return t; });
double Strace() => Min(() => RunShell($"exec strace -f -o /dev/null dd {ddArgs} 2>{timeFile}"));

TimeSpan lastCpu = TimeSpan.Zero;
string currentConfig = "";
int ringBytes = Environment.GetEnvironmentVariable("SPS_RING_MB") is { } mb ? int.Parse(mb, CultureInfo.InvariantCulture) << 20 : new TraceRequest().RingBufferBytes;
double Engine(IReadOnlySet<int>? syscalls, out long events, out long lost, bool failedOnly = false, int stringLimit = 32)
{
    long bestEvents = 0, bestLost = 0;
    double best = Min(() =>
    {
        var sink = new CountingSink();
        var request = new TraceRequest
        {
            FilePath = "/bin/sh",
            ArgumentList = ["-c", $"exec {perfStat}dd {ddArgs} 2>{timeFile}"],
            SyscallNumbers = syscalls,
            FailedOnly = failedOnly,
            Decode = new DecodeOptions { StringLimit = stringLimit },
            Engine = EngineKind.Ebpf,
            RingBufferBytes = ringBytes,
        };
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        using var run = new EbpfEngine().Start(request, sink);
        run.Completion.Wait();
        lastCpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        bestEvents = sink.Count;
        bestLost = run.LostEvents;
        RecordCpu(currentConfig);
        return DdSeconds();
    });
    events = bestEvents;
    lost = bestLost;
    return best;
}

double Min(Func<double> measure)
{
    double best = double.MaxValue;
    for (int i = 0; i < runs; i++)
    {
        best = Math.Min(best, measure());
    }

    return best;
}

double RunShell(string command)
{
    using var p = Process.Start("/bin/sh", ["-c", command]);
    p.WaitForExit();
    return DdSeconds();
}

double DdSeconds()
{
    var text = File.ReadAllText(timeFile);
    var m = Regex.Match(text, @"copied, ([0-9.eE+-]+) s");
    return m.Success ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : double.NaN;
}

if (args.Length > 2 && args[2] == "stats")
{
    // Per-program cost from the kernel's BPF statistics (run_time_ns / run_cnt).
    File.WriteAllText("/proc/sys/kernel/bpf_stats_enabled", "1");
    File.Delete(timeFile);
    var sink = new CountingSink();
    using var run = new EbpfEngine().Start(new TraceRequest { FilePath = "/bin/sh", ArgumentList = ["-c", $"dd {ddArgs} 2>{timeFile}; sleep 2"] }, sink);
    while (!File.Exists(timeFile) || new FileInfo(timeFile).Length == 0)
    {
        Thread.Sleep(10);
    }

    using var bpftool = Process.Start(new ProcessStartInfo("bpftool", ["prog", "show"]) { RedirectStandardOutput = true })!;
    foreach (var line in bpftool.StandardOutput.ReadToEnd().Split('\n').Where(l => l.Contains("sps_", StringComparison.Ordinal)))
    {
        var m = Regex.Match(line, @"name (\S+).*run_time_ns (\d+) run_cnt (\d+)");
        if (m.Success)
        {
            Console.WriteLine($"{m.Groups[1].Value,-16} {double.Parse(m.Groups[2].Value) / double.Parse(m.Groups[3].Value),8:F0} ns/run  runs {m.Groups[3].Value}");
        }
    }

    File.WriteAllText("/proc/sys/kernel/bpf_stats_enabled", "0");
    run.Stop(TraceStopReason.Requested);
    return;
}

Console.WriteLine($"workload: dd {ddArgs} (dd's own elapsed time, min of {runs}, configurations interleaved)");
SyscallTable.Current.TryGetByName("openat", out var openat);
var openatOnly = new HashSet<int> { openat!.Number };
SyscallTable.Current.TryGetByName("chdir", out var chdir);
var chdirOnly = new HashSet<int> { chdir!.Number };   // dd never calls it: the per-syscall tracepoint floor

// The floor: raw tracepoints attached (more syscalls than the per-syscall limit) but none dd makes.
var rare = SyscallTable.Current.All.Where(s => s.Name.StartsWith("io_", StringComparison.Ordinal) || s.Name.StartsWith("mq_", StringComparison.Ordinal) || s.Name.StartsWith("timer_", StringComparison.Ordinal) || s.Name.StartsWith("sched_", StringComparison.Ordinal)).Select(s => s.Number).ToHashSet();
bool withStrace = File.Exists("/usr/bin/strace") && !args.Contains("nostrace");
int totalRuns = runs;
runs = 1;
double pairing = double.MaxValue, noData = double.MaxValue; long pEvents = 0, nEvents = 0, nLost = 0; TimeSpan fullCpu = TimeSpan.Zero;
double native = double.MaxValue, st = double.MaxValue, full = double.MaxValue, filtered = double.MaxValue, floor = double.MaxValue, tpFloor = double.MaxValue;
long fullEvents = 0, fullLost = 0, fEvents = 0, fLost = 0, rEvents = 0, rLost = 0;
for (int r = 0; r < totalRuns; r++)
{
    native = Math.Min(native, Native());
    if (withStrace && r == 0)
    {
        st = Strace();
    }

    currentConfig = "full";
    full = Math.Min(full, Engine(null, out fullEvents, out var lost1));
    fullCpu = fullCpu == TimeSpan.Zero || lastCpu < fullCpu ? lastCpu : fullCpu;
    fullLost += lost1;
    currentConfig = "filtered";
    filtered = Math.Min(filtered, Engine(openatOnly, out fEvents, out var lost2));
    fLost += lost2;
    currentConfig = "tpfloor";
    tpFloor = Math.Min(tpFloor, Engine(chdirOnly, out _, out _));
    currentConfig = "floor";
    floor = Math.Min(floor, Engine(rare, out rEvents, out var lost3));
    rLost += lost3;
    currentConfig = "nodata";
    noData = Math.Min(noData, Engine(null, out nEvents, out var lost4, stringLimit: 0));
    nLost += lost4;
    currentConfig = "pairing";
    pairing = Math.Min(pairing, Engine(null, out pEvents, out _, failedOnly: true));
}

Console.WriteLine($"native                 {native,8:F3} s        {Cpu("native")}");
if (withStrace)
{
    Console.WriteLine($"strace -f (1 run)      {st,8:F3} s  {st / native,6:F1}x");
}

Console.WriteLine($"ebpf, all syscalls     {full,8:F3} s  {full / native,6:F2}x{Cpu("full")}  events {fullEvents}, lost {fullLost} (all runs); tracer CPU {fullCpu.TotalMilliseconds:F0} ms = {fullCpu.TotalMilliseconds * 1e6 / fullEvents:F0} ns/event incl. load and attach");
Console.WriteLine($"ebpf, all, -s 0        {noData,8:F3} s  {noData / native,6:F2}x{Cpu("nodata")}  events {nEvents}, lost {nLost} (no buffer contents copied)");
Console.WriteLine($"ebpf, -Syscall openat  {filtered,8:F3} s  {filtered / native,6:F2}x{Cpu("filtered")}  events {fEvents}, lost {fLost}");
Console.WriteLine($"ebpf, -Syscall chdir   {tpFloor,8:F3} s  {tpFloor / native,6:F2}x{Cpu("tpfloor")}  (dd never calls chdir: the kernel's per-syscall tracepoint floor)");
Console.WriteLine($"ebpf, raw tp, no match {floor,8:F3} s  {floor / native,6:F2}x{Cpu("floor")}  events {rEvents}, lost {rLost} ({rare.Count} rare syscalls)");
Console.WriteLine($"ebpf, all, failed-only {pairing,8:F3} s  {pairing / native,6:F2}x{Cpu("pairing")}  events {pEvents} (pairing in the kernel, nearly no records)");

// Decoder alone: alternating write(1, buf, 1) entry+exit and read(0, buf, 1) exit records, as dd makes them.
int n = 2_000_000;
var records = SyntheticRecords.Build();
var counted = new CountingSink();
var decoder = new EbpfEventDecoder(new EventAssembler(new TraceRequest(), counted, engineNamesThreads: true, descriptorCallsHidden: false));
for (int i = 0; i < 100_000; i++)
{
    foreach (var r in records)
    {
        decoder.Process(r);
    }
}

counted.Count = 0;
var sw = Stopwatch.StartNew();
for (int i = 0; i < n / 2; i++)
{
    foreach (var r in records)
    {
        decoder.Process(r);
    }
}

sw.Stop();
Console.WriteLine($"decoder: {counted.Count} events in {sw.Elapsed.TotalSeconds:F3} s = {counted.Count / sw.Elapsed.TotalSeconds / 1e6:F2} M events/s");

internal sealed class CountingSink : ITraceEventSink
{
    public long Count;

    public bool Write(SyscallEvent traceEvent)
    {
        Count++;
        return true;
    }
}

internal static class SyntheticRecords
{
    public static unsafe List<byte[]> Build()
    {
        var list = new List<byte[]>();
        ulong buf = 0x7ffd_0000_1000;
        list.Add(Make(EbpfRecordType.Entry, 1, [1, buf, 1], 0, buf, "\0"u8));      // write entry with its byte
        list.Add(Make(EbpfRecordType.Syscall, 1, [1, buf, 1], 1, 0, default));     // write exit
        list.Add(Make(EbpfRecordType.Syscall, 0, [0, buf, 1], 1, buf, "\0"u8));    // read exit with its byte
        return list;
    }

    private static unsafe byte[] Make(EbpfRecordType type, int nr, ulong[] args, long ret, ulong blobAddress, ReadOnlySpan<byte> blob)
    {
        int size = EbpfRecord.HeaderSize + (blobAddress != 0 ? EbpfBlob.HeaderSize + ((blob.Length + 7) & ~7) : 0);
        var bytes = new byte[size];
        fixed (byte* p = bytes)
        {
            var r = (EbpfRecord*)p;
            r->Type = type;
            r->Size = (uint)size;
            r->Tgid = 4242;
            r->Tid = 4242;
            r->Number = nr;
            r->EnterNanoseconds = 1_000_000;
            r->ExitNanoseconds = 1_000_500;
            r->Return = ret;
            for (int i = 0; i < args.Length; i++)
            {
                r->Args[i] = args[i];
            }

            "dd"u8.CopyTo(new Span<byte>(r->Comm, 16));
            if (blobAddress != 0)
            {
                var b = (EbpfBlob*)(p + EbpfRecord.HeaderSize);
                b->Address = blobAddress;
                b->Length = (uint)blob.Length;
                blob.CopyTo(new Span<byte>(p + EbpfRecord.HeaderSize + EbpfBlob.HeaderSize, blob.Length));
            }
        }

        return bytes;
    }
}
