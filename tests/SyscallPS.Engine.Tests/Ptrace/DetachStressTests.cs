using System.Diagnostics;
using System.Globalization;
using SyscallPS.Tracing;
using Xunit;
using Xunit.Abstractions;

namespace SyscallPS.Tests.Ptrace;

/// <summary>
/// Attach and detach hundreds of times while signals arrive before, during, at and after the end of each trace,
/// under CPU load: no attached process may die, stay traced, leave its stop, lose or gain a signal, or wake early.
/// </summary>
public class DetachStressTests(ITestOutputHelper output)
{
    [SkippableFact]
    public void PtraceAttachAndDetachUnderLoadLosesNothing() =>
        new DetachStress(output).Run(EngineKind.Ptrace, TimeSpan.FromSeconds(45), maxCycles: 400);
}

/// <summary>The same with the eBPF engine (it never stops a process, but its attach and detach must not disturb one either).</summary>
[Collection("ebpf")]
public class EbpfDetachStressTests(ITestOutputHelper output)
{
    [SkippableFact]
    public void EbpfAttachAndDetachUnderLoadLosesNothing()
    {
        var why = Ebpf.EbpfTestSupport.SkipReason();
        Skip.If(why is not null, why);
        new DetachStress(output).Run(EngineKind.Ebpf, TimeSpan.FromSeconds(20), maxCycles: 40, minCycles: 10);
    }
}

/// <summary>The procedure of both tests.</summary>
internal sealed class DetachStress(ITestOutputHelper output)
{
    private const int SIGUSR1 = 10;
    private const int SIGUSR2 = 12;
    private const int SIGCHLD = 17;
    private const int SIGCONT = 18;
    private const int SIGSTOP = 19;
    private const int SIGWINCH = 28;

    // Handled signals interrupt the sleep; ignored ones make the kernel restart it (restart_syscall).
    private static readonly int[] Signals = [SIGUSR1, SIGUSR2, SIGCHLD, SIGWINCH];

    private enum SignalMoment { Before, During, AtStop, After }

    private enum StopBy { Duration, FirstEvent, StopCall }

    internal void Run(EngineKind engine, TimeSpan budget, int maxCycles, int minCycles = 50)
    {
        var counterBinary = Fixtures.Path("signal_counter");
        int seed = Environment.TickCount;
        output.WriteLine($"seed {seed}");
        var random = new Random(seed);

        // The three processes: a busy loop that makes no syscalls (two of them: both cores loaded), a
        // sleeper that counts the signals it gets, and a process in group-stop.
        using var busy = StartDetached("while :; do :; done");
        using var busy2 = StartDetached("while :; do :; done");
        using var stopped = StartDetached("exec sleep 300");
        Assert.Equal(0, Tmds.Linux.LibC.kill(stopped.Id, SIGSTOP));
        WaitForState(stopped.Id, 'T');

        var clock = Stopwatch.StartNew();
        int cycles = 0, counters = 0;
        var tally = new Dictionary<string, int>();
        while (clock.Elapsed < budget && cycles < maxCycles)
        {
            // A sleeper lives a couple of seconds: its report then proves no signal was lost and the sleep not cut short.
            var outFile = Path.Combine(Path.GetTempPath(), $"syscallps-counter-{Environment.ProcessId}-{counters++}.txt");
            const int lifeMs = 2500;
            using var sleeper = StartDetached($"exec {counterBinary} {lifeMs} {outFile}");
            var born = Stopwatch.StartNew();

            // Its handlers are installed once it sleeps: before that SIGUSR1 would end it, traced or not.
            Assert.True(WaitForSleep(sleeper.Id), $"the sleeper {sleeper.Id} did not start sleeping");
            int usr1 = 0, usr2 = 0;
            bool Send(int sig)
            {
                // Not near the end of its sleep: a signal caught after its report is written would not be counted.
                // Nor while the same signal is still pending: the kernel merges a standard signal with a pending
                // one, traced or not, so the count would legitimately fall short.
                if (born.ElapsedMilliseconds > lifeMs - 500 || !WaitUntilNotPending(sleeper.Id, sig) || Tmds.Linux.LibC.kill(sleeper.Id, sig) != 0)
                {
                    return false;
                }

                if (sig == SIGUSR1)
                {
                    usr1++;
                }
                else if (sig == SIGUSR2)
                {
                    usr2++;
                }

                return true;
            }

            while (born.ElapsedMilliseconds < lifeMs - 700 && cycles < maxCycles)
            {
                var moment = (SignalMoment)random.Next(4);
                var stopBy = moment == SignalMoment.During ? (StopBy)random.Next(3) : random.Next(2) == 0 ? StopBy.Duration : StopBy.StopCall;
                int sig = Signals[random.Next(Signals.Length)];
                int[] pids = cycles % 10 == 0 ? [busy.Id, sleeper.Id, stopped.Id] : [busy.Id, sleeper.Id];
                Cycle(engine, pids, moment, stopBy, random, () => Send(sig));
                cycles++;
                var key = $"{moment}/{stopBy}";
                tally[key] = tally.GetValueOrDefault(key) + 1;

                AssertReleased(busy.Id, 'R');
                AssertReleased(stopped.Id, 'T');
                if (!AssertReleased(sleeper.Id, 'S', mayHaveEnded: true))
                {
                    // It ended by itself during a slow cycle; its report below says whether it slept its whole time.
                    break;
                }
            }

            // Its natural end, and its report.
            Assert.True(WaitForExit(sleeper.Id, TimeSpan.FromSeconds(10)), $"the sleeper {sleeper.Id} did not end");
            var report = File.Exists(outFile) ? File.ReadAllText(outFile).Trim() : "(no report: the sleeper did not end normally)";
            File.Delete(outFile);
            var fields = report.Split(' ').Select(f => f.Split('=')).Where(f => f.Length == 2).ToDictionary(f => f[0], f => long.Parse(f[1], CultureInfo.InvariantCulture));
            Assert.True(fields.Count == 3, report);
            Assert.Equal(usr1, fields["usr1"]);
            Assert.Equal(usr2, fields["usr2"]);
            Assert.InRange(fields["slept_ms"], lifeMs, lifeMs + 5000);
        }

        output.WriteLine($"{engine}: {cycles} cycles, {counters} sleepers in {clock.Elapsed.TotalSeconds:F1} s: " + string.Join(", ", tally.OrderBy(k => k.Key).Select(k => $"{k.Key} {k.Value}")));
        Assert.True(cycles >= minCycles, $"only {cycles} cycles ran");

        // The stopped process still resumes.
        Assert.Equal(0, Tmds.Linux.LibC.kill(stopped.Id, SIGCONT));
        Assert.True(WaitForState(stopped.Id, 'S'), "the stopped process did not resume");
    }

    /// <summary>One trace of <paramref name="pids"/>, ended as <paramref name="stopBy"/> says, with a signal at <paramref name="moment"/>.</summary>
    private static void Cycle(EngineKind engine, int[] pids, SignalMoment moment, StopBy stopBy, Random random, Func<bool> send)
    {
        if (moment == SignalMoment.Before)
        {
            send();
        }

        TimeSpan? duration = stopBy == StopBy.Duration ? TimeSpan.FromMilliseconds(random.Next(2, 40)) : null;
        var session = TraceSession.Start(new TraceRequest { ProcessIds = pids, Engine = engine }, 0, duration);
        try
        {
            Thread? atStop = null;
            if (moment == SignalMoment.During)
            {
                Thread.Sleep(random.Next(0, 10));
                send();
            }

            switch (stopBy)
            {
                case StopBy.FirstEvent:
                    // Select-Object -First 1: the reader leaves after one event (the signal makes one), then the
                    // cmdlet's Finish stops the session.
                    using (var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
                    {
                        foreach (var _ in session.ReadEvents(cancel.Token))
                        {
                            break;
                        }
                    }

                    if (moment == SignalMoment.AtStop)
                    {
                        atStop = StartSending(send);
                    }

                    session.Stop();
                    break;
                case StopBy.StopCall:
                    Thread.Sleep(random.Next(0, 20));
                    if (moment == SignalMoment.AtStop)
                    {
                        atStop = StartSending(send);
                    }

                    session.Stop();
                    Drain(session);
                    break;
                default:
                    if (moment == SignalMoment.AtStop)
                    {
                        Thread.Sleep(duration!.Value);
                        atStop = StartSending(send);
                    }

                    Drain(session);
                    break;
            }

            Assert.True(session.Completion.Wait(TimeSpan.FromSeconds(15)), "the trace did not end");
            atStop?.Join();
        }
        finally
        {
            session.Stop();
            session.Completion.Wait(TimeSpan.FromSeconds(15));
            TraceSession.Forget(session);
        }

        if (moment == SignalMoment.After)
        {
            send();
        }
    }

    private static Thread StartSending(Func<bool> send)
    {
        var t = new Thread(() => send()) { IsBackground = true };
        t.Start();
        return t;
    }

    private static void Drain(TraceSession session)
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        foreach (var _ in session.ReadEvents(cancel.Token))
        {
        }
    }

    /// <summary>
    /// No tracer on any thread, and the scheduler state the process would have had untraced. False when
    /// <paramref name="mayHaveEnded"/> and the process has ended.
    /// </summary>
    private static bool AssertReleased(int pid, char expected, bool mayHaveEnded = false)
    {
        var clock = Stopwatch.StartNew();
        string last = "";
        while (true)
        {
            if (mayHaveEnded && WaitForExit(pid, TimeSpan.Zero))
            {
                return false;
            }

            Assert.True(Directory.Exists($"/proc/{pid}"), $"process {pid} is gone");
            var (state, tracer) = TraceHelper.ProcState(pid);
            Assert.NotEqual('Z', state);
            bool threadsFree = Directory.GetDirectories($"/proc/{pid}/task")
                .All(t => File.ReadAllLines(Path.Combine(t, "status")).First(l => l.StartsWith("TracerPid:", StringComparison.Ordinal))[10..].Trim() == "0");
            // A sleeper is briefly running while it handles a signal; only a lasting wrong state counts.
            bool stateOk = state == expected || (expected == 'S' && state == 'R') || (expected == 'R' && state == 'S');
            if (tracer == "0" && threadsFree && stateOk)
            {
                return true;
            }

            last = $"state {state}, TracerPid {tracer}";
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"process {pid} not released: {last} (expected {expected}, untraced)");
            Thread.Sleep(5);
        }
    }

    /// <summary>True once the process sleeps in nanosleep or clock_nanosleep (or restarts one).</summary>
    private static bool WaitForSleep(int pid)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(3))
        {
            var call = File.ReadAllText($"/proc/{pid}/syscall").Split(' ')[0];
            if (call is "35" or "230" or "219")
            {
                return true;
            }

            Thread.Sleep(2);
        }

        return false;
    }

    /// <summary>Waits until <paramref name="signal"/> is no longer pending for the process (thread or process-wide).</summary>
    private static bool WaitUntilNotPending(int pid, int signal)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(3))
        {
            var status = File.ReadAllLines($"/proc/{pid}/status");
            ulong pending = 0;
            foreach (var line in status.Where(l => l.StartsWith("SigPnd:", StringComparison.Ordinal) || l.StartsWith("ShdPnd:", StringComparison.Ordinal)))
            {
                pending |= ulong.Parse(line[7..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            }

            if ((pending & (1UL << (signal - 1))) == 0)
            {
                return true;
            }

            Thread.Sleep(1);
        }

        return false;
    }

    private static bool WaitForState(int pid, char state)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(3))
        {
            if (TraceHelper.ProcState(pid).State == state)
            {
                return true;
            }

            Thread.Sleep(5);
        }

        return false;
    }

    private static bool WaitForExit(int pid, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        do
        {
            if (!Directory.Exists($"/proc/{pid}") || TraceHelper.ProcState(pid).State == 'Z')
            {
                return true;
            }

            Thread.Sleep(20);
        }
        while (clock.Elapsed < timeout);
        return false;
    }

    /// <summary>A shell command in the background, not this process's child (a .NET child cannot be attached to from its parent).</summary>
    private static Fixtures.Detached StartDetached(string command)
    {
        using var sh = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", $"({command}) >/dev/null 2>&1 & echo $!"]) { RedirectStandardOutput = true })!;
        int pid = int.Parse(sh.StandardOutput.ReadLine()!, CultureInfo.InvariantCulture);
        sh.WaitForExit();
        return new Fixtures.Detached(pid);
    }
}
