using System.Management.Automation;
using SyscallPS.Decoding;
using SyscallPS.Tracing;

namespace SyscallPS.Commands;

/// <summary>
/// <para type="synopsis">Traces the system calls of a launched program or running processes.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "SyscallTrace", DefaultParameterSetName = LaunchSet)]
[OutputType(typeof(SyscallEvent), typeof(Jobs.SyscallTraceJob))]
public sealed class StartSyscallTraceCommand : PSCmdlet, IDisposable
{
    private const string LaunchSet = "Launch";
    private const string AttachSet = "Attach";
    private const string SystemWideSet = "SystemWide";

    private readonly List<int> _processIds = [];
    private readonly CancellationTokenSource _cancel = new();
    private TraceSession? _session;
    private volatile bool _interrupted;

    /// <summary>The program to launch and trace, found through PATH like a command.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = LaunchSet)]
    [ValidateNotNullOrEmpty]
    public string FilePath { get; set; } = string.Empty;

    /// <summary>Arguments passed to the program: an array as given, or one string split like a command line (as Start-Process does).</summary>
    [Parameter(Position = 1, ParameterSetName = LaunchSet)]
    [AllowEmptyCollection]
    [CommandLineTransformation]
    public string[] ArgumentList { get; set; } = [];

    /// <summary>The working directory of the launched program; the current location by default.</summary>
    [Parameter(ParameterSetName = LaunchSet)]
    [ValidateNotNullOrEmpty]
    public string? WorkingDirectory { get; set; }

    /// <summary>A file the launched program reads as its standard input (it must exist).</summary>
    [Parameter(ParameterSetName = LaunchSet)]
    [ValidateNotNullOrEmpty]
    public string? RedirectStandardInput { get; set; }

    /// <summary>A file the launched program writes its standard output to (created, or replaced).</summary>
    [Parameter(ParameterSetName = LaunchSet)]
    [ValidateNotNullOrEmpty]
    public string? RedirectStandardOutput { get; set; }

    /// <summary>A file the launched program writes its standard error to (created, or replaced).</summary>
    [Parameter(ParameterSetName = LaunchSet)]
    [ValidateNotNullOrEmpty]
    public string? RedirectStandardError { get; set; }

    /// <summary>Ids of running processes to attach to (all their threads).</summary>
    [Parameter(Mandatory = true, ParameterSetName = AttachSet, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    [ValidateRange(1, int.MaxValue)]
    [ArgumentCompleter(typeof(ProcessIdCompleter))]
    public int[] ProcessId { get; set; } = [];

    /// <summary>Trace every process on the machine but this one, like sysdig (eBPF engine).</summary>
    [Parameter(Mandatory = true, ParameterSetName = SystemWideSet)]
    public SwitchParameter SystemWide { get; set; }

    /// <summary>Trace only these syscalls (names, wildcards, or comma lists).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SyscallNameCompleter))]
    public string[]? Syscall { get; set; }

    /// <summary>Trace only syscalls of these strace classes.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SyscallCategoryCompleter))]
    public SyscallCategory[]? Category { get; set; }

    /// <summary>Leave out these syscalls (names, wildcards, or comma lists); with no -Syscall or -Category, trace every other one.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SyscallNameCompleter))]
    public string[]? ExcludeSyscall { get; set; }

    /// <summary>Report only calls on a matching path or descriptor name (wildcards), like strace -P.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? FileName { get; set; }

    /// <summary>Report only calls that took at least this long, like perf trace --duration.</summary>
    [Parameter]
    [DurationTransformation]
    public TimeSpan MinimumDuration { get; set; }

    /// <summary>Report only processes in these containers (ids as docker ps shows them, 12 hex digits, or all 64).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ValidatePattern("^[0-9a-fA-F]{12}([0-9a-fA-F]{52})?$")]
    public string[]? ContainerId { get; set; }

    /// <summary>Report only processes whose name matches (wildcards).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ProcessNameCompleter))]
    public string[]? ProcessName { get; set; }

    /// <summary>Report only failed syscalls.</summary>
    [Parameter]
    public SwitchParameter Failed { get; set; }

    /// <summary>Stop tracing after this long: seconds (5), a number with a unit (500ms, 5s, 2m, 1h) or a time span.</summary>
    [Parameter]
    [DurationTransformation]
    public TimeSpan Duration { get; set; }

    /// <summary>The tracing engine.</summary>
    [Parameter]
    public EngineKind Engine { get; set; } = EngineKind.Auto;

    /// <summary>Trace only the program or processes given, not their children and new threads.</summary>
    [Parameter]
    public SwitchParameter NoFollow { get; set; }

    /// <summary>Maximum bytes of a string shown in arguments, like strace -s.</summary>
    [Parameter]
    [ValidateRange(0, 1 << 20)]
    public int StringLimit { get; set; } = 32;

    /// <summary>Show raw numbers instead of symbolic names.</summary>
    [Parameter]
    public SwitchParameter Raw { get; set; }

    /// <summary>Record the bytes of read/write/send/recv-family calls in each event's Data and DataText.</summary>
    [Parameter]
    public SwitchParameter CaptureData { get; set; }

    /// <summary>With -CaptureData: at most this many bytes per call (default 256).</summary>
    [Parameter]
    [ValidateRange(1, 1 << 20)]
    public int DataSize { get; set; } = 256;

    /// <summary>Also write every event to this capture file (JSON Lines), read back with Get-SyscallEvent -Path.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? OutFile { get; set; }

    /// <summary>With -OutFile: refuse to replace an existing file (by default it is replaced, as Out-File does).</summary>
    [Parameter]
    public SwitchParameter NoClobber { get; set; }

    /// <summary>With -OutFile: replace a read-only file, and write through a symbolic link.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>With -OutFile: rotate to a new numbered file before one grows past this many bytes (sysdig -C).</summary>
    [Parameter]
    [ValidateRange(64L << 10, long.MaxValue)]
    public long MaximumFileSize { get; set; }

    /// <summary>With -MaximumFileSize: keep only this many files, deleting the oldest (sysdig -W).</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int MaximumFileCount { get; set; }

    /// <summary>eBPF engine: the kernel ring buffer size in bytes (a power of two; default 64 MiB).</summary>
    [Parameter]
    [ValidateRange(4096, 1 << 30)]
    public int RingBufferSize { get; set; } = 64 << 20;

    /// <summary>
    /// Faults to inject (ptrace engine): strace <c>-e inject=</c> expressions such as <c>openat:error=ENOENT:when=3</c>, or
    /// objects from New-SyscallFault. Applied whatever -Syscall and -Category report.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public object[]? Inject { get; set; }

    /// <summary>Trace in the background and return a job (Get-Job, Receive-Job, Stop-Job, Remove-Job).</summary>
    [Parameter]
    public SwitchParameter AsJob { get; set; }

    /// <summary>How many events a background session keeps (the oldest are dropped and counted past it).</summary>
    [Parameter]
    [ValidateRange(1, 100_000_000)]
    public int BufferCapacity { get; set; } = 100_000;

    /// <inheritdoc />
    protected override void ProcessRecord() => _processIds.AddRange(ProcessId);

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        if (BufferCapacity != 100_000 && !AsJob)
        {
            ThrowTerminatingError(TraceErrors.Create("BufferCapacityNeedsAsJob", ErrorCategory.InvalidArgument,
                "-BufferCapacity applies to background sessions only.", "Add -AsJob, or leave -BufferCapacity out: a streaming trace hands each event to the pipeline.", BufferCapacity));
        }

        if (MyInvocation.BoundParameters.ContainsKey(nameof(RingBufferSize)) && Engine == EngineKind.Ptrace)
        {
            ThrowTerminatingError(TraceErrors.Create("RingBufferSizeNeedsEbpf", ErrorCategory.InvalidArgument,
                "-RingBufferSize sizes the eBPF engine's kernel buffer; the ptrace engine has none.", "Use -Engine Ebpf (or Auto), or leave -RingBufferSize out.", RingBufferSize));
        }

        if (MyInvocation.BoundParameters.ContainsKey(nameof(DataSize)) && !CaptureData)
        {
            ThrowTerminatingError(TraceErrors.Create("DataSizeNeedsCaptureData", ErrorCategory.InvalidArgument,
                "-DataSize applies only with -CaptureData.", "Add -CaptureData to record the bytes of read/write calls.", DataSize));
        }

        if (MyInvocation.BoundParameters.ContainsKey(nameof(Duration)) && Duration <= TimeSpan.Zero)
        {
            ThrowTerminatingError(TraceErrors.Create("InvalidDuration", ErrorCategory.InvalidArgument,
                $"-Duration must be positive; it was {Duration}.", "Give a positive duration, e.g. -Duration 5 (seconds), 500ms or 2m.", Duration));
        }

        if (MinimumDuration < TimeSpan.Zero)
        {
            ThrowTerminatingError(TraceErrors.Create("InvalidMinimumDuration", ErrorCategory.InvalidArgument,
                $"-MinimumDuration cannot be negative; it was {MinimumDuration}.", "Give zero or a positive duration, e.g. -MinimumDuration 10ms.", MinimumDuration));
        }

        if ((NoClobber || Force || MaximumFileSize > 0) && OutFile is null)
        {
            ThrowTerminatingError(TraceErrors.Create("CaptureOptionNeedsOutFile", ErrorCategory.InvalidArgument,
                "-NoClobber, -Force and -MaximumFileSize apply to the capture file of -OutFile.", "Add -OutFile PATH, or leave these out.", OutFile));
        }

        if (MaximumFileCount > 0 && MaximumFileSize == 0)
        {
            ThrowTerminatingError(TraceErrors.Create("MaximumFileCountNeedsSize", ErrorCategory.InvalidArgument,
                "-MaximumFileCount limits the files of a rotated capture; without -MaximumFileSize there is one file.", "Add -MaximumFileSize, e.g. -MaximumFileSize 100MB.", MaximumFileCount));
        }

        var faults = FaultList();
        var (stdin, stdout, stderr) = StandardStreams();
        var request = new TraceRequest
        {
            StandardInput = stdin,
            StandardOutput = stdout,
            StandardError = stderr,
            FilePath = ParameterSetName == LaunchSet ? FilePath : null,
            ArgumentList = ArgumentList ?? [],
            WorkingDirectory = ParameterSetName == LaunchSet ? WorkingDirectory ?? SessionState.Path.CurrentFileSystemLocation.ProviderPath : null,
            ProcessIds = _processIds.Distinct().ToArray(),
            SystemWide = SystemWide,
            RingBufferBytes = RingBufferSize,
            SyscallNumbers = SyscallSelection.Resolve(this, Syscall, Category, ExcludeSyscall),
            FileNames = FileName ?? [],
            ContainerIds = ContainerId ?? [],
            MinimumDuration = MinimumDuration,
            ProcessNames = ProcessName ?? [],
            FailedOnly = Failed,
            FollowChildren = !NoFollow,
            Engine = Engine,
            Decode = new DecodeOptions { StringLimit = StringLimit, Raw = Raw },
            CaptureData = CaptureData,
            DataSize = DataSize,
            Faults = faults,
        };

        TimeSpan? duration = MyInvocation.BoundParameters.ContainsKey(nameof(Duration)) ? Duration : null;
        var engineMessages = new List<EngineMessage>();
        try
        {
            var output = OutFile is null ? null : new Capture.CaptureOutput(GetUnresolvedProviderPathFromPSPath(OutFile))
            {
                NoClobber = NoClobber,
                Force = Force,
                MaximumFileSize = MaximumFileSize,
                MaximumFileCount = MaximumFileCount,
            };
            using (EngineLog.Capture(engineMessages))
            {
                _session = TraceSession.Start(request, AsJob ? BufferCapacity : 0, duration, output: output);
            }
        }
        catch (TraceException ex)
        {
            WriteEngineMessages(engineMessages);
            ThrowTerminatingError(TraceErrors.From(ex));
        }

        WriteEngineMessages(engineMessages);

        WriteVerbose($"Session {_session!.Id}: engine {_session.Engine} ({_session.EngineReason})");
        if (AsJob)
        {
            var job = new Jobs.SyscallTraceJob(_session);
            JobRepository.Add(job);
            WriteObject(job);
            return;
        }

        PipelineStoppedException? stoppedDownstream = null;
        var progress = duration is { } limit ? new ThrottledProgress(this, 2, $"Tracing ({_session.Engine}) for {limit}") : null;
        long written = 0;
        try
        {
            bool lossWarned = false;
            foreach (var e in _session.ReadEvents(_cancel.Token))
            {
                written++;
                if (e.Kind == SyscallEventKind.Lost && !lossWarned && e.LostCount > 0)
                {
                    // At once, not only at the end: a long trace that loses events should say so while it runs.
                    lossWarned = true;
                    WriteWarning(LossWarning.For(_session, e.LostCount));
                }

                if (progress is { Due: true } && duration is { } total)
                {
                    var left = total - progress.Elapsed;
                    progress.Update($"{written} events, {Math.Max(0, (int)Math.Ceiling(left.TotalSeconds))} s left", (int)(progress.Elapsed.Ticks * 100 / Math.Max(1, total.Ticks)), Math.Max(0, (int)left.TotalSeconds));
                }

                try
                {
                    WriteObject(e);
                }
                catch (PipelineStoppedException stopped)
                {
                    stoppedDownstream = stopped;
                    throw;
                }
            }
        }
        catch (OperationCanceledException) when (_interrupted)
        {
            // Ctrl+C: StopProcessing has asked the engine to end; the finally below waits for it.
        }
        catch (TraceException ex) when (stoppedDownstream is not null)
        {
            // The session failed (a capture write) while a downstream command (Select-Object -First) was ending
            // the pipeline: PowerShell would drop a terminating error now, so the error stream carries it, and the
            // pipeline still ends the way that command asked.
            WriteError(TraceErrors.From(ex));
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(stoppedDownstream).Throw();
        }
        catch (TraceException ex)
        {
            // A failure of the session itself (a capture write); the trace has been stopped the normal way.
            ThrowTerminatingError(TraceErrors.From(ex));
        }
        finally
        {
            progress?.Complete();
            Finish();

            // Also when the pipeline stopped early: the program's fate is known by now.
            if (_session.ExitCode is int code)
            {
                SessionState.PSVariable.Set("global:LASTEXITCODE", code);
            }
        }

        if (_session.LostCount > 0)
        {
            WriteWarning(LossWarning.For(_session, _session.LostCount));
        }

        if (_session.Failure is { } failure)
        {
            WriteError(TraceErrors.From(failure));
        }
    }

    /// <summary>
    /// The files of the launched program's standard streams, null where it shares this process's. Without a
    /// redirection the program shares the terminal only when there is one to share: PowerShell's own input and
    /// output are a terminal, the host is not a remoting server (whose standard output is the remoting channel), and
    /// the trace is not a background job. Otherwise the program gets /dev/null, so its output can never reach a
    /// remoting channel, a job's transport or the pipeline.
    /// </summary>
    private (string? Input, string? Output, string? Error) StandardStreams()
    {
        if (ParameterSetName != LaunchSet)
        {
            return (null, null, null);
        }

        string? Resolve(string? path) => path is null ? null : GetUnresolvedProviderPathFromPSPath(path);
        var input = Resolve(RedirectStandardInput);
        var output = Resolve(RedirectStandardOutput);
        var error = Resolve(RedirectStandardError);
        bool sharesTerminal = !AsJob && Host.Name != "ServerRemoteHost" && Native.Spawn.IsTerminal(0) && Native.Spawn.IsTerminal(1);
        if (sharesTerminal)
        {
            return (input, output, error);
        }

        const string Nowhere = "/dev/null";
        return (input ?? Nowhere, output ?? Nowhere, error ?? Nowhere);
    }

    /// <summary>-Inject as faults: strings are parsed (strace syntax), SyscallFault objects taken as they are.</summary>
    private List<SyscallFault> FaultList()
    {
        var faults = new List<SyscallFault>();
        foreach (var item in Inject ?? [])
        {
            switch (item is PSObject wrapped ? wrapped.BaseObject : item)
            {
                case SyscallFault fault:
                    faults.Add(fault);
                    break;
                case string text:
                    try
                    {
                        faults.Add(FaultSpec.Parse(text));
                    }
                    catch (TraceException ex)
                    {
                        ThrowTerminatingError(TraceErrors.From(ex));
                    }

                    break;
                default:
                    ThrowTerminatingError(TraceErrors.Create("InvalidFaultSpec", ErrorCategory.InvalidArgument,
                        $"-Inject takes strace -e inject= strings or New-SyscallFault objects, not {item?.GetType().Name ?? "null"}.",
                        "Write the fault as 'openat:error=ENOENT:when=3', or make it with New-SyscallFault.", item));
                    break;
            }
        }

        return faults;
    }

    /// <summary>What libbpf said while the engine started: -Verbose shows its warnings and notes, -Debug its detail.</summary>
    private void WriteEngineMessages(List<EngineMessage> messages)
    {
        foreach (var m in messages)
        {
            if (m.Level == EngineMessageLevel.Debug)
            {
                WriteDebug(m.Text);
            }
            else
            {
                WriteVerbose(m.Text);
            }
        }
    }

    /// <inheritdoc />
    protected override void StopProcessing()
    {
        // Ctrl+C: like strace, launched programs get the interrupt; attached ones are detached.
        _interrupted = true;
        _session?.Stop(TraceStopReason.Interrupted);
        _cancel.Cancel();
    }

    /// <summary>Ends the trace on every path out of the pipeline (end, error, Select-Object -First): nothing stays traced.</summary>
    private void Finish()
    {
        if (_session is null)
        {
            return;
        }

        if (!_session.Completion.IsCompleted)
        {
            _session.Stop(_interrupted ? TraceStopReason.Interrupted : TraceStopReason.Requested);
        }

        _session.Completion.Wait(_session.Request.StopGracePeriod + TraceStop.KillWait + TimeSpan.FromSeconds(5));
        TraceSession.Forget(_session);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_session is not null && !AsJob)
        {
            Finish();
        }

        _cancel.Dispose();
    }
}
