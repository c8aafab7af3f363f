using System.Diagnostics;
using System.Text;
using SyscallPS.Decoding;
using Xunit;
using Xunit.Abstractions;

namespace SyscallPS.Tests.Decoding;

/// <summary>The hot syscalls (read, write, close, mmap, openat) must decode far faster than any engine delivers them.</summary>
public sealed class DecoderPerformanceTests
{
    private readonly ITestOutputHelper _output;

    public DecoderPerformanceTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void HotSyscallsDecodeQuickly()
    {
        var m = new FakeTraceeMemory();
        ulong buf = m.Put(Encoding.ASCII.GetBytes("root:x:0:0:root:/root:/bin/bash\nmore"));
        ulong path = m.PutString("/usr/lib/x86_64-linux-gnu/libc.so.6");
        var table = SyscallTable.Current;
        (SyscallInfo Info, ulong[] Args, long Ret)[] calls =
        [
            (table.ByNumber(Num("read"))!, [3, buf, 4096], 36),
            (table.ByNumber(Num("write"))!, [1, buf, 1], 1),
            (table.ByNumber(Num("close"))!, [3], 0),
            (table.ByNumber(Num("mmap"))!, [0, 8192, 3, 0x22, ulong.MaxValue, 0], 0x7f0000000000),
            (table.ByNumber(Num("openat"))!, [unchecked((ulong)-100), path, 0x80000], 3),
        ];
        var state = new SyscallDecodeState();
        var options = DecodeOptions.Default;
        const int Rounds = 40_000;
        long chars = 0;
        for (int warm = 0; warm < 2; warm++)
        {
            var sw = Stopwatch.StartNew();
            for (int r = 0; r < Rounds; r++)
            {
                foreach (var (info, args, ret) in calls)
                {
                    state.Number = info.Number;
                    state.Info = info;
                    Array.Clear(state.Args);
                    args.CopyTo(state.Args, 0);
                    SyscallDecoder.OnEntry(state, m, options);
                    var exit = SyscallDecoder.OnExit(state, ret, m, options);
                    chars += exit.ReturnText.Length + exit.Arguments.Count;
                }
            }

            sw.Stop();
            double perSecond = Rounds * calls.Length / sw.Elapsed.TotalSeconds;
            if (warm == 1)
            {
                _output.WriteLine($"{perSecond:N0} decodes/s ({sw.Elapsed.TotalMilliseconds * 1e6 / (Rounds * calls.Length):N0} ns each), {chars} chars");
                Assert.True(perSecond > 100_000, $"only {perSecond:N0} decodes/s");
            }
        }

        // Per syscall, warmed up by the loop above.
        foreach (var (info, args, ret) in calls)
        {
            var one = Stopwatch.StartNew();
            for (int r = 0; r < 20_000; r++)
            {
                state.Number = info.Number;
                state.Info = info;
                Array.Clear(state.Args);
                args.CopyTo(state.Args, 0);
                SyscallDecoder.OnEntry(state, m, DecodeOptions.Default);
                SyscallDecoder.OnExit(state, ret, m, DecodeOptions.Default);
            }

            _output.WriteLine($"{info.Name}: {one.Elapsed.TotalMilliseconds * 1e6 / 20_000:N0} ns");
        }
    }

    private static int Num(string name) => SyscallTable.Current.TryGetByName(name, out var i) ? i.Number : -1;
}
