using System.Reflection;
using SyscallPS.Capture;
using SyscallPS.Decoding;
using Xunit;

namespace SyscallPS.Tests.Capture;

/// <summary>
/// Every settable property of <see cref="SyscallEvent"/> survives a v2 capture. The properties are enumerated,
/// so a field added to the event and not stored by the format fails here.
/// </summary>
public sealed class CaptureRoundTripTests : IDisposable
{
    private static readonly PropertyInfo[] Stored = typeof(SyscallEvent).GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.SetMethod is not null)
        .ToArray();

    private readonly string _dir = Directory.CreateTempSubdirectory("syscallps-roundtrip-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void TheFormatStoresEverySettableProperty()
    {
        var stored = CaptureSchema.Fields.Select(f => f.Field.ToString()).ToHashSet();
        Assert.All(Stored, p => Assert.True(stored.Contains(p.Name), $"SyscallEvent.{p.Name} is not stored in capture format v2 (CaptureSchema.Fields)."));
    }

    [Fact]
    public void EveryPropertySetToAnUnusualValueReadsBackEqual()
    {
        // One event with every property set away from its default, one with every property at its default,
        // and a second full one, so that deltas and shared strings are exercised.
        var full = SampleEvent(1);
        var events = new[] { full, new SyscallEvent(), SampleEvent(2) };
        var back = RoundTrip(events);
        Assert.Equal(events.Length, back.Count);
        for (int i = 0; i < events.Length; i++)
        {
            AssertSame(events[i], back[i]);
        }
    }

    /// <summary>The process context (parent, command line, user, container ...) and the server side of a socket, kept per event.</summary>
    [Fact]
    public void TheProcessContextAndTheServerSideReadBackEqual()
    {
        var context = new SyscallPS.Tracing.ProcessContext(1, "/bin/app --flag ü", "/bin/app", 1000, "someone", 7, "0123456789ab", "/docker-x.scope");
        var events = new[]
        {
            new SyscallEvent { ProcessId = 9, Context = context, LocalAddress = "127.0.0.1", LocalPort = 80, RemotePort = 40000, ServerIsLocal = true },
            new SyscallEvent { ProcessId = 9, Context = context, LocalAddress = "127.0.0.1", LocalPort = 40000, RemotePort = 80, ServerIsLocal = false },
            new SyscallEvent { ProcessId = 10 },
        };
        var back = RoundTrip(events);
        Assert.Equal(context with { ComputerName = Environment.MachineName }, back[0].Context);
        Assert.Same(back[0].Context, back[1].Context);
        Assert.Equal((true, false), (back[0].ServerIsLocal, back[1].ServerIsLocal));
        Assert.Equal((80, 80), (back[0].ServerPort, back[1].ServerPort));
        // An event without a process context still says which host recorded it.
        Assert.Equal(SyscallPS.Tracing.ProcessContext.Unknown with { ComputerName = Environment.MachineName }, back[2].Context);
    }

    [Fact]
    public void AGroupStopReadsBackAsTheSameLine()
    {
        var stop = new SyscallEvent { Kind = SyscallEventKind.Stopped, Signal = "SIGTSTP", ProcessId = 7, ThreadId = 8, ProcessName = "job", MonotonicNanoseconds = 12_345 };
        var back = Assert.Single(RoundTrip([stop]));
        AssertSame(stop, back);
        Assert.Equal("[pid 8] --- stopped by SIGTSTP ---", back.ToString());
    }

    [Fact]
    public void ARealTraceReadsBackEqual()
    {
        var live = CaptureFuzzTests.RecordRealTrace(System.IO.Path.Combine(_dir, "real.trace"));
        var back = CaptureFile.Read(System.IO.Path.Combine(_dir, "real.trace")).ToList();
        Assert.Equal(live.Count, back.Count);
        Assert.Contains(live, e => e.Data is not null);
        Assert.Contains(live, e => e.Arguments.Count > 0 && e.Arguments.Any(a => a.Value is string));
        for (int i = 0; i < live.Count; i++)
        {
            AssertSame(live[i], back[i]);
        }
    }

    private List<SyscallEvent> RoundTrip(IEnumerable<SyscallEvent> events)
    {
        var path = System.IO.Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".trace");
        using (var writer = CaptureWriter.Create(new CaptureOutput(path), "Ptrace", "round trip"))
        {
            foreach (var e in events)
            {
                writer.Write(e);
            }
        }

        return CaptureFile.Read(path).ToList();
    }

    private static SyscallEvent SampleEvent(int seed)
    {
        var e = new SyscallEvent();
        foreach (var p in Stored)
        {
            p.SetValue(e, SampleValue(p, seed));
        }

        return e;
    }

    /// <summary>A value unlike the property's default; a property of a new type fails until it gets one.</summary>
    private static object SampleValue(PropertyInfo p, int seed)
    {
        var type = Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType;
        if (type.IsEnum)
        {
            var values = Enum.GetValues(type);
            return values.GetValue(values.Length - seed)!;
        }

        return type switch
        {
            _ when type == typeof(string) => $"{p.Name}-{seed}-ü",
            _ when type == typeof(bool) => true,
            _ when type == typeof(int) => -1000 * seed - p.Name.Length,
            _ when type == typeof(long) => long.MinValue / 3 + seed,
            _ when type == typeof(DateTime) => new DateTime(2026, 12, 2, 6, 0, seed, DateTimeKind.Local).AddTicks(1234),
            _ when type == typeof(TimeSpan) => TimeSpan.FromTicks(987_654 + seed),
            _ when type == typeof(IoData) => new IoData([0, 1, 2, 255, (byte)seed], 1 << 20),
            _ when type == typeof(SyscallArgumentList) => new SyscallArgumentList(
            [
                new SyscallArgument("fd", "int", 3, 3L, "3"),
                new SyscallArgument("buf", "char *", 0x7fff0000, "text-" + seed, "\"text\"..."),
                new SyscallArgument("count", "size_t", ulong.MaxValue, ulong.MaxValue, "18446744073709551615"),
                new SyscallArgument("offset", "long", 5, -5L, "-5"),
                new SyscallArgument("big", "unsigned long", 1, 1UL << 40, "1099511627776"),
                new SyscallArgument("argv", "char *const *", 0x1000, new[] { "sh", "-c", "ü" }, "[\"sh\", \"-c\", \"ü\"]"),
                new SyscallArgument("fds", "int *", 0x2000, new long[] { 3, -4 }, "[3, -4]"),
                new SyscallArgument("none", "void *", 0, null, "NULL"),
            ]),
            _ => throw new InvalidOperationException($"No sample value for SyscallEvent.{p.Name} of type {p.PropertyType}: add one here, and store the field in CaptureSchema."),
        };
    }

    private static void AssertSame(SyscallEvent expected, SyscallEvent actual)
    {
        // A capture adds the host it was recorded on (from its header) to every event it gives back.
        Assert.Equal(Environment.MachineName, actual.ComputerName);
        var context = actual.Context! with { ComputerName = null };
        Assert.Equal(expected.Context, context == SyscallPS.Tracing.ProcessContext.Unknown ? null : context);
        Assert.Equal(expected.LocalPort is null ? null : expected.ServerIsLocal, actual.ServerIsLocal);
        foreach (var p in Stored)
        {
            object? want = p.GetValue(expected), got = p.GetValue(actual);
            switch (want)
            {
                case IoData data:
                    var gotData = Assert.IsType<IoData>(got);
                    Assert.Equal(data.Bytes, gotData.Bytes);
                    Assert.Equal(data.TotalLength, gotData.TotalLength);
                    break;
                case SyscallArgumentList arguments:
                    var gotArguments = Assert.IsType<SyscallArgumentList>(got);
                    Assert.Equal(arguments.Count, gotArguments.Count);
                    for (int i = 0; i < arguments.Count; i++)
                    {
                        var (a, b) = (arguments[i], gotArguments[i]);
                        Assert.Equal((a.Name, a.CType, a.Raw, a.Text), (b.Name, b.CType, b.Raw, b.Text));
                        Assert.Equal(ValueText(a.Value), ValueText(b.Value));
                        Assert.Equal(a.Value?.GetType() is { IsPrimitive: true } or { IsArray: true } || a.Value is string or null ? a.Value?.GetType() : typeof(string), b.Value?.GetType());
                    }

                    break;
                case DateTime time:
                    Assert.Equal((time.Ticks, time.Kind), (((DateTime)got!).Ticks, ((DateTime)got!).Kind));
                    break;
                default:
                    Assert.True(Equals(want, got), $"SyscallEvent.{p.Name}: wrote {want ?? "null"}, read {got ?? "null"}.");
                    break;
            }
        }
    }

    private static string? ValueText(object? value) => value switch
    {
        string[] texts => string.Join("\u0001", texts),
        long[] numbers => string.Join(",", numbers),
        _ => value?.ToString(),
    };

    [Fact]
    public void AValueOfAnotherTypeReadsBackAsItsText()
    {
        var e = new SyscallEvent { Syscall = "connect", Arguments = new SyscallArgumentList([new SyscallArgument("addr", "struct sockaddr *", 0x10, new Uri("http://127.0.0.1:8080/"), "{sa_family=AF_INET}")]) };
        var back = RoundTrip([e]).Single();
        Assert.Equal("http://127.0.0.1:8080/", back.Arguments[0].Value);
        Assert.Equal(FdType.File, RoundTrip([new SyscallEvent { FdType = FdType.File }]).Single().FdType);
    }
}
