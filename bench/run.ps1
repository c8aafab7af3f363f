#Requires -Version 7.4
<#
.SYNOPSIS
    SyscallPS benchmark suite: ptrace engine against strace (issue 2), eBPF engine rows (issue 3), and the
    engine's decoding micro-benchmark; one run prints every time, ratio and target.

.DESCRIPTION
    Workload: dd if=/dev/zero of=/dev/null bs=1 count=N status=none (two syscalls per byte; status=none only
    keeps dd's closing statistics off the terminal).

    a. Full trace, end to end (count=20000): wall time measured inside this pwsh for native dd,
       strace -f -o /dev/null, and Start-SyscallTrace -Engine Ptrace | Out-Null.
    b. Filtered trace (count=200000): the workload's own elapsed time, read by bench/bin/timeit around dd
       inside the traced process tree, so tracer start-up is left out: native, strace -f --seccomp-bpf
       -e trace=openat, Start-SyscallTrace -Engine Ptrace -Syscall openat.
    c. eBPF engine (issue 3): workload times for native, strace -f, the ptrace engine, the eBPF engine (full,
       events consumed by Measure-Object; and -Syscall openat), and delivery into PowerShell against
       [Linq.Enumerable]::Range(0, N) | Measure-Object. Skipped with the reason when -Engine Ebpf fails.
    d. DecodeBench: events/s through SyscallDecoder.OnEntry/OnExit into SyscallEvent objects.

    Every row is the minimum of -Runs runs (default 3); the rows of a comparison run interleaved. Before any timing each command runs untimed (ours twice),
    so our JIT compilation (engine, cmdlets) and the page cache are warm. A summary of targets with PASS/MISS is
    printed and written to bench/results/latest.json.

.PARAMETER Quick
    Use count=20000 for the issue-3 strace -f and ptrace full-trace rows (count=200000 takes ~20 s a run).

.PARAMETER Runs
    Timed runs per row; the minimum is reported.

.PARAMETER SkipDecodeBench
    Leave out the engine micro-benchmark (it builds bench/DecodeBench).

.EXAMPLE
    dotnet pwsh bench/run.ps1 -Quick
#>
[CmdletBinding()]
param(
    [switch]$Quick,
    [ValidateRange(1, 20)]
    [int]$Runs = 3,
    [switch]$SkipDecodeBench,

    # Self-test of the script: run the issue-3 rows on another engine (e.g. Ptrace) before eBPF exists.
    [Parameter(DontShow)]
    [string]$Issue3Engine = 'Ebpf'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$repo = Split-Path -Parent $PSScriptRoot
$binDir = Join-Path $PSScriptRoot 'bin'
$resultsDir = Join-Path $PSScriptRoot 'results'
$moduleDll = Join-Path $repo 'out/SyscallPS/SyscallPS.dll'
$buildHint = "Build it first: ./build.ps1 -Task Build, or: dotnet publish src/SyscallPS -c Release -r linux-x64 --self-contained false -o out/SyscallPS"

if (-not $IsLinux) { throw 'The benchmark traces Linux programs: run it on Linux.' }
if (-not (Test-Path $moduleDll)) { throw "The module is not built ($moduleDll is missing). $buildHint" }
Import-Module (Join-Path $repo 'SyscallPS.psd1') -Force

$smallCount = 20000
$largeCount = 200000
$issue3SlowCount = if ($Quick) { $smallCount } else { $largeCount }

function Get-LoadAverage { (Get-Content /proc/loadavg -Raw).Split(' ')[0..2] -join ' ' }

function Get-Tool([string]$Name) {
    $cmd = Get-Command $Name -CommandType Application -ErrorAction Ignore | Select-Object -First 1
    if ($cmd) { $cmd.Source } else { $null }
}

function Get-DdArgs([int]$Count) { 'if=/dev/zero', 'of=/dev/null', 'bs=1', "count=$Count", 'status=none' }

function Assert-ExitCode([string]$What) {
    if ($LASTEXITCODE -ne 0) { throw "$What exited with code $LASTEXITCODE." }
}

# Wall time of one run, with a collection first so garbage from the previous run is not billed to this one.
function Measure-Wall([scriptblock]$Action) {
    [GC]::Collect()
    [GC]::WaitForPendingFinalizers()
    $sw = [Diagnostics.Stopwatch]::StartNew()
    & $Action
    $sw.Stop()
    $sw.Elapsed.TotalSeconds
}

# The workload's own time: $Action gets a file path for timeit's -o and must run timeit with it.
$timeFile = Join-Path ([IO.Path]::GetTempPath()) "syscallps-bench-$PID.ns"
function Measure-Workload([scriptblock]$Action) {
    Remove-Item $timeFile -ErrorAction Ignore
    [GC]::Collect()
    [GC]::WaitForPendingFinalizers()
    & $Action $timeFile
    if (-not (Test-Path $timeFile)) { throw 'bench/bin/timeit wrote no time: the traced command did not run to its end.' }
    [long](Get-Content $timeFile -Raw).Trim() / 1e9
}

$rows = [Collections.Generic.List[object]]::new()
$lost = 0L
$script:ebpfWarnings = 0
$script:ebpfEvents = $null
$skips = [ordered]@{}

# Rows are declared with Add-Row and measured together by Measure-Pending, interleaved (row 1, row 2, row 3,
# row 1, ...) so a change in the machine's load over time hits every row of a comparison alike.
# Each $Sample returns seconds; a row keeps all its samples and reports the minimum.
$pending = [Collections.Generic.List[object]]::new()
function Add-Row {
    param([string]$Section, [string]$Name, [int]$Count, [scriptblock]$Sample, [string]$Measure, [string]$Command)
    $pending.Add([pscustomobject]@{ Section = $Section; Name = $Name; Count = $Count; Measure = $Measure; Command = $Command; Sample = $Sample; Samples = [Collections.Generic.List[double]]::new() })
}

function Get-Median([double[]]$Values) {
    $sorted = $Values | Sort-Object
    if ($sorted.Count % 2) { $sorted[[int][Math]::Floor($sorted.Count / 2)] } else { ($sorted[$sorted.Count / 2 - 1] + $sorted[$sorted.Count / 2]) / 2 }
}

function Measure-Pending {
    for ($i = 0; $i -lt $Runs; $i++) {
        foreach ($p in $pending) { $p.Samples.Add((& $p.Sample)) }
    }

    foreach ($p in $pending) {
        $row = [pscustomobject]@{
            Section = $p.Section; Name = $p.Name; Count = $p.Count; Measure = $p.Measure
            Seconds = ($p.Samples | Measure-Object -Minimum).Minimum; Median = Get-Median $p.Samples; Samples = $p.Samples.ToArray(); Command = $p.Command
        }
        $rows.Add($row)
        Write-Host ('  {0,-44} {1,9:F4} s   runs: {2}' -f "$($p.Section) $($p.Name) (count=$($p.Count))", $row.Seconds, (($row.Samples | ForEach-Object { $_.ToString('F3') }) -join ' '))
    }

    $pending.Clear()
}

function Get-Row([string]$Section, [string]$Name) { $rows | Where-Object { $_.Section -eq $Section -and $_.Name -eq $Name } | Select-Object -First 1 }

# ---- tools ----------------------------------------------------------------------------------------------

$dd = Get-Tool dd
if (-not $dd) { throw 'dd (coreutils) is needed for the workload.' }
$strace = Get-Tool strace
if (-not $strace) { $skips['strace'] = 'strace is not installed (apt-get install strace): its rows are skipped.' }

$timeit = Join-Path $binDir 'timeit'
$timeitSource = Join-Path $PSScriptRoot 'timeit.c'
$cc = (Get-Tool gcc) ?? (Get-Tool cc) ?? (Get-Tool clang)
if (-not (Test-Path $timeit) -or (Get-Item $timeit).LastWriteTimeUtc -lt (Get-Item $timeitSource).LastWriteTimeUtc) {
    if ($cc) {
        New-Item -ItemType Directory -Force $binDir | Out-Null
        & $cc -O2 -Wall -o $timeit $timeitSource
        Assert-ExitCode "$cc (compiling bench/timeit.c)"
    }
    else {
        $timeit = $null
        $skips['timeit'] = 'No C compiler (install gcc) to build bench/timeit.c: the workload-time rows (b, c) are skipped.'
    }
}

$loadStart = Get-LoadAverage
Write-Host "SyscallPS benchmark - $(Get-Date -AsUTC -Format 'yyyy-MM-dd HH:mm:ss') UTC, $([Environment]::ProcessorCount) CPUs, kernel $((Get-Content /proc/sys/kernel/osrelease -Raw).Trim()), load average $loadStart"
Write-Host "Each row: minimum of $Runs runs, after untimed warm-up runs of every command (ours twice, so JIT compilation is not timed; page cache warm)."
foreach ($s in $skips.Values) { Write-Host "  NOTE: $s" -ForegroundColor Yellow }

# ---- warm-up --------------------------------------------------------------------------------------------

$small = Get-DdArgs $smallCount
& $dd @small; Assert-ExitCode 'dd'
if ($strace) { & $strace -f -o /dev/null $dd @small; Assert-ExitCode 'strace' }
# Ours twice: tiered compilation keeps optimising hot engine and cmdlet code in the background after a first run.
Start-SyscallTrace -Engine Ptrace -FilePath $dd -ArgumentList $small | Out-Null
$fullEvents = (Start-SyscallTrace -Engine Ptrace -FilePath $dd -ArgumentList $small | Measure-Object).Count
Start-SyscallTrace -Engine Ptrace -Syscall openat -FilePath $dd -ArgumentList $small | Out-Null
if ($timeit) { & $timeit -o $timeFile $dd @small; Assert-ExitCode 'timeit' }

# ---- a. full trace, end to end ----------------------------------------------------------------------------

Write-Host "`na. Full trace, end to end (wall time in this pwsh; our run delivered $fullEvents events into the pipeline)"
Add-Row 'a' 'native dd' $smallCount { Measure-Wall { & $dd @small } } 'wall' "dd $small"
if ($strace) {
    Add-Row 'a' 'strace -f' $smallCount { Measure-Wall { & $strace -f -o /dev/null $dd @small } } 'wall' "strace -f -o /dev/null dd $small"
}
Add-Row 'a' 'ptrace engine' $smallCount { Measure-Wall { Start-SyscallTrace -Engine Ptrace -FilePath $dd -ArgumentList $small | Out-Null } } 'wall' 'Start-SyscallTrace -Engine Ptrace -FilePath dd ... | Out-Null'
Measure-Pending

# Where the time goes: CPU of this process (tracer thread + pipeline) and of the waited-for children
# (the tracee; for strace, strace and its tracee), from /proc/self/stat in clock ticks.
function Get-CpuTicks {
    $f = (Get-Content /proc/self/stat -Raw).Split(')')[1].Trim().Split(' ')
    [long[]]@($f[11], $f[12], $f[13], $f[14])   # utime stime cutime cstime
}
$ticks = [double](& getconf CLK_TCK)
function Measure-Cpu([scriptblock]$Action) {
    $before = Get-CpuTicks
    & $Action
    $after = Get-CpuTicks
    [pscustomobject]@{
        SelfUser = ($after[0] - $before[0]) / $ticks; SelfSystem = ($after[1] - $before[1]) / $ticks
        ChildUser = ($after[2] - $before[2]) / $ticks; ChildSystem = ($after[3] - $before[3]) / $ticks
    }
}
$cpu = [ordered]@{}
$cpu['ptrace engine'] = Measure-Cpu { Start-SyscallTrace -Engine Ptrace -FilePath $dd -ArgumentList $small | Out-Null }
if ($strace) { $cpu['strace -f'] = Measure-Cpu { & $strace -f -o /dev/null $dd @small } }
foreach ($k in $cpu.Keys) {
    $c = $cpu[$k]
    Write-Host ('  CPU of one run, {0,-14}: pwsh {1:F2}s user {2:F2}s sys; children (tracee{3}) {4:F2}s user {5:F2}s sys' -f $k, $c.SelfUser, $c.SelfSystem, ($k -eq 'strace -f' ? ' + strace' : ''), $c.ChildUser, $c.ChildSystem)
}

# ---- b. filtered trace, workload's own time ---------------------------------------------------------------

$large = Get-DdArgs $largeCount
if ($timeit) {
    Write-Host "`nb. Filtered trace (-Syscall openat), the workload's own elapsed time (bench/bin/timeit around dd)"
    Add-Row 'b' 'native' $largeCount { Measure-Workload { param($o) & $timeit -o $o $dd @large } } 'workload' "timeit dd $large"
    if ($strace) {
        Add-Row 'b' 'strace --seccomp-bpf' $largeCount { Measure-Workload { param($o) & $strace -f --seccomp-bpf -e trace=openat -o /dev/null $timeit -o $o $dd @large } } 'workload' 'strace -f --seccomp-bpf -e trace=openat -o /dev/null timeit dd ...'
    }
    Add-Row 'b' 'ptrace engine' $largeCount { Measure-Workload { param($o) Start-SyscallTrace -Engine Ptrace -Syscall openat -FilePath $timeit -ArgumentList (@('-o', $o, $dd) + $large) | Out-Null } } 'workload' 'Start-SyscallTrace -Engine Ptrace -Syscall openat -FilePath timeit ... | Out-Null'
    Measure-Pending
}

# ---- c. eBPF engine (issue 3) -------------------------------------------------------------------------------

$ebpfReason = $null
try {
    Start-SyscallTrace -Engine $Issue3Engine -FilePath $dd -ArgumentList $small -ErrorAction Stop | Out-Null
}
catch {
    $ebpfReason = $_.Exception.Message
}

Write-Host "`nc. eBPF engine (issue 3), the workload's own elapsed time"
if (-not $timeit) {
    Write-Host '  skipped: bench/bin/timeit could not be built (no C compiler).'
}
else {
    if ($issue3SlowCount -ne $largeCount) {
        Add-Row 'c' 'native' $issue3SlowCount { Measure-Workload { param($o) & $timeit -o $o $dd @(Get-DdArgs $issue3SlowCount) } } 'workload' 'timeit dd ...'
    }
    $slow = Get-DdArgs $issue3SlowCount
    if ($strace) {
        Add-Row 'c' 'strace -f' $issue3SlowCount { Measure-Workload { param($o) & $strace -f -o /dev/null $timeit -o $o $dd @slow } } 'workload' 'strace -f -o /dev/null timeit dd ...'
    }
    Add-Row 'c' 'ptrace engine' $issue3SlowCount { Measure-Workload { param($o) Start-SyscallTrace -Engine Ptrace -FilePath $timeit -ArgumentList (@('-o', $o, $dd) + $slow) | Out-Null } } 'workload' 'Start-SyscallTrace -Engine Ptrace -FilePath timeit ... | Out-Null'

    if ($ebpfReason) {
        Measure-Pending
        Write-Host "  eBPF engine not available: $ebpfReason" -ForegroundColor Yellow
    }
    else {
        # Loss check (not timed): a run whose consumer also inspects every event, so it is slower than
        # Measure-Object and any loss would show here first.
        $lostRecords = 0; $checkEvents = 0L
        Start-SyscallTrace -Engine $Issue3Engine -FilePath $dd -ArgumentList $large -WarningAction SilentlyContinue | ForEach-Object {
            $checkEvents++
            if ($_.Kind -eq 'Lost') { $lostRecords++; $lost += $_.LostCount }
        }

        # Each timed run gives both figures: the workload's own time (timeit) and the end-to-end wall time of
        # the whole `Start-SyscallTrace ... | Measure-Object` (delivery into PowerShell).
        $script:ebpfWarnings = 0
        $wall = [Collections.Generic.List[double]]::new()
        Add-Row 'c' 'eBPF engine, full' $largeCount {
            Measure-Workload {
                param($o)
                $sw = [Diagnostics.Stopwatch]::StartNew()
                $m = Start-SyscallTrace -Engine $Issue3Engine -FilePath $timeit -ArgumentList (@('-o', $o, $dd) + $large) -WarningVariable w -WarningAction SilentlyContinue | Measure-Object
                $sw.Stop()
                $wall.Add($sw.Elapsed.TotalSeconds)
                $script:ebpfEvents = $m.Count
                $script:ebpfWarnings += @($w).Count
            }
        } 'workload' 'Start-SyscallTrace -Engine Ebpf -FilePath timeit ... | Measure-Object'
        Add-Row 'c' 'eBPF engine, -Syscall openat' $largeCount { Measure-Workload { param($o) Start-SyscallTrace -Engine $Issue3Engine -Syscall openat -FilePath $timeit -ArgumentList (@('-o', $o, $dd) + $large) | Out-Null } } 'workload' 'Start-SyscallTrace -Engine Ebpf -Syscall openat -FilePath timeit ... | Out-Null'
        # dd never calls chdir: this row is what the kernel charges for having any per-syscall tracepoint
        # attached (every syscall then takes the tracepoint path), with none of our programs' work in it.
        Add-Row 'c' 'eBPF -Syscall chdir (tracepoint floor)' $largeCount { Measure-Workload { param($o) Start-SyscallTrace -Engine $Issue3Engine -Syscall chdir -FilePath $timeit -ArgumentList (@('-o', $o, $dd) + $large) | Out-Null } } 'workload' 'Start-SyscallTrace -Engine Ebpf -Syscall chdir -FilePath timeit ... | Out-Null (dd never calls chdir)'
        Measure-Pending

        Write-Host "  loss check: $checkEvents events, $lostRecords loss records ($lost events lost); warnings in the timed runs: $($script:ebpfWarnings)"
        Write-Host "`n  Delivery into PowerShell, N = $($script:ebpfEvents) events (wall time of the whole pipeline)"
        $rows.Add([pscustomobject]@{
                Section = 'c'; Name = 'eBPF | Measure-Object (wall)'; Count = $largeCount; Measure = 'wall'
                Seconds = ($wall | Measure-Object -Minimum).Minimum; Median = Get-Median $wall; Samples = @($wall); Command = 'Start-SyscallTrace -Engine Ebpf -FilePath timeit ... | Measure-Object'
            })
        Write-Host ('  {0,-44} {1,9:F4} s   runs: {2}' -f 'c eBPF | Measure-Object (wall)', ($wall | Measure-Object -Minimum).Minimum, (($wall | ForEach-Object { $_.ToString('F3') }) -join ' '))
        $n = [int]$script:ebpfEvents
        $null = [Linq.Enumerable]::Range(0, $n) | Measure-Object   # warm-up
        Add-Row 'c' 'Range(0,N) | Measure-Object' $n { Measure-Wall { [Linq.Enumerable]::Range(0, $n) | Measure-Object | Out-Null } } 'wall' "[Linq.Enumerable]::Range(0, $n) | Measure-Object"
        Measure-Pending
    }
}

# ---- d. engine decoding micro-benchmark ------------------------------------------------------------------

$decode = $null
if (-not $SkipDecodeBench) {
    Write-Host "`nd. Engine decoding micro-benchmark (bench/DecodeBench: SyscallDecoder.OnEntry/OnExit + SyscallEvent)"
    $decodeJson = Join-Path ([IO.Path]::GetTempPath()) "syscallps-decode-$PID.json"
    $project = Join-Path $PSScriptRoot 'DecodeBench/DecodeBench.csproj'
    $buildLog = & dotnet build $project -c Release --nologo -v quiet 2>&1
    if ($LASTEXITCODE -ne 0) { $buildLog | Out-Host; throw 'dotnet build bench/DecodeBench failed (output above).' }
    & dotnet run --project $project -c Release --no-build -- --json $decodeJson | ForEach-Object { Write-Host "  $_" }
    Assert-ExitCode 'DecodeBench'
    $decode = Get-Content $decodeJson -Raw | ConvertFrom-Json
    Remove-Item $decodeJson -ErrorAction Ignore
}

# ---- table and summary --------------------------------------------------------------------------------------

# Ratio of the minima (or with -Median, of the medians: shows how much the machine's noise moves it).
function Get-Ratio([object]$Numerator, [object]$Denominator, [switch]$Median) {
    if ($null -eq $Numerator -or $null -eq $Denominator -or $Denominator.Seconds -le 0) { return $null }
    if ($Median) { [Math]::Round($Numerator.Median / $Denominator.Median, 3) } else { [Math]::Round($Numerator.Seconds / $Denominator.Seconds, 3) }
}

# Each row's ratio to native: wall rows against section a's native dd, workload rows against the native
# workload of the same count; the two delivery rows are compared with each other in the summary instead.
Write-Host ''
Write-Host ('{0,-3} {1,-30} {2,7} {3,-9} {4,10} {5,11} {6,10}' -f 'Sec', 'Row', 'Count', 'Measure', 'Min (s)', 'Median (s)', 'x native')
Write-Host ('{0,-3} {1,-30} {2,7} {3,-9} {4,10} {5,11} {6,10}' -f '---', '---', '-----', '-------', '-------', '----------', '--------')
foreach ($r in $rows) {
    $native = if ($r.Section -eq 'a') { Get-Row 'a' 'native dd' }
    elseif ($r.Measure -eq 'workload') { $rows | Where-Object { $_.Measure -eq 'workload' -and $_.Name -eq 'native' -and $_.Count -eq $r.Count } | Select-Object -First 1 }
    else { $null }
    $ratio = Get-Ratio $r $native
    Write-Host ('{0,-3} {1,-30} {2,7} {3,-9} {4,10:F4} {5,11:F4} {6,10}' -f $r.Section, $r.Name, $r.Count, $r.Measure, $r.Seconds, $r.Median, ($null -eq $ratio ? '' : $ratio.ToString('F2')))
}

$targets = [Collections.Generic.List[object]]::new()
function Add-Target([string]$Issue, [string]$Name, [string]$Target, [object]$Measured, [bool]$Pass, [string]$Note) {
    $status = if ($null -eq $Measured) { 'SKIP' } elseif ($Pass) { 'PASS' } else { 'MISS' }
    $targets.Add([pscustomobject]@{ Issue = $Issue; Target = $Name; Goal = $Target; Measured = $Measured; Status = $status; Note = $Note })
}

$r = Get-Ratio (Get-Row 'a' 'ptrace engine') (Get-Row 'a' 'strace -f')
Add-Target '2' 'Full trace, ours / strace -f (end to end)' '<= 1.0' $r ($null -ne $r -and $r -le 1.0) ($null -eq $r ? 'strace missing' : ('ratio of medians {0:F2}' -f (Get-Ratio (Get-Row 'a' 'ptrace engine') (Get-Row 'a' 'strace -f') -Median)))

$r = Get-Ratio (Get-Row 'b' 'ptrace engine') (Get-Row 'b' 'strace --seccomp-bpf')
Add-Target '2' 'Filtered trace, ours / strace --seccomp-bpf (workload)' '<= 1.0' $r ($null -ne $r -and $r -le 1.0) ($null -eq $r ? 'strace or timeit missing' : ('ratio of medians {2:F2}; ours {0:F2}x native, strace {1:F2}x native' -f (Get-Ratio (Get-Row 'b' 'ptrace engine') (Get-Row 'b' 'native')), (Get-Ratio (Get-Row 'b' 'strace --seccomp-bpf') (Get-Row 'b' 'native')), (Get-Ratio (Get-Row 'b' 'ptrace engine') (Get-Row 'b' 'strace --seccomp-bpf') -Median)))

$nativeLarge = Get-Row 'b' 'native'
$ebpfNote = if ($ebpfReason) { "eBPF engine not available: $ebpfReason" } else { '' }
$r = Get-Ratio (Get-Row 'c' 'eBPF engine, full') $nativeLarge
$lossNote = if (-not $ebpfReason -and $timeit) { "lost events: $lost (loss check), loss warnings in timed runs: $($script:ebpfWarnings)" } else { $ebpfNote }
Add-Target '3' 'eBPF full trace / native (workload), zero loss' '<= 3.0, 0 lost' $r ($null -ne $r -and $r -le 3.0 -and $lost -eq 0 -and $script:ebpfWarnings -eq 0) $lossNote
$r = Get-Ratio (Get-Row 'c' 'eBPF engine, -Syscall openat') $nativeLarge
$floor = Get-Ratio (Get-Row 'c' 'eBPF -Syscall chdir (tracepoint floor)') $nativeLarge
$openatNote = if ($ebpfNote) { $ebpfNote } elseif ($null -ne $floor) { 'kernel floor (-Syscall chdir, never called) {0:F2}x' -f $floor } else { '' }
Add-Target '3' 'eBPF -Syscall openat / native (workload)' '<= 1.1' $r ($null -ne $r -and $r -le 1.1) $openatNote
$r = Get-Ratio (Get-Row 'c' 'eBPF | Measure-Object (wall)') (Get-Row 'c' 'Range(0,N) | Measure-Object')
Add-Target '3' 'Delivery: eBPF | Measure-Object / Range(0,N) | Measure-Object' '<= 1.5' $r ($null -ne $r -and $r -le 1.5) $ebpfNote
$eps = if ($decode) { [double]$decode.eventsPerSecond } else { $null }
Add-Target '3' 'Engine decoding (DecodeBench), events/s' '>= 1000000' $eps ($null -ne $eps -and $eps -ge 1e6) ($decode ? ('{0} bytes allocated/event' -f $decode.bytesPerEvent) : 'skipped (-SkipDecodeBench)')

$loadEnd = Get-LoadAverage
Write-Host "Summary (load average at start $loadStart, at end $loadEnd)"
foreach ($t in $targets) {
    $measured = if ($null -eq $t.Measured) { '-' } elseif ($t.Measured -ge 1000) { $t.Measured.ToString('N0') } else { $t.Measured.ToString('F3') }
    Write-Host ('  [{0}] issue {1}: {2,-62} goal {3,-15} measured {4,-10} {5}' -f $t.Status, $t.Issue, $t.Target, $t.Goal, $measured, $t.Note)
}

New-Item -ItemType Directory -Force $resultsDir | Out-Null
$resultPath = Join-Path $resultsDir 'latest.json'
[ordered]@{
    date        = (Get-Date).ToUniversalTime().ToString('o')
    quick       = [bool]$Quick
    runs        = $Runs
    cpus        = [Environment]::ProcessorCount
    kernel      = (Get-Content /proc/sys/kernel/osrelease -Raw).Trim()
    loadAverage = [ordered]@{ start = $loadStart; end = $loadEnd }
    events      = [ordered]@{ fullTraceCount20000 = $fullEvents; ebpfFullTrace = $script:ebpfEvents }
    ebpf        = if ($ebpfReason) { "eBPF engine not available: $ebpfReason" } else { 'available' }
    rows        = @($rows | ForEach-Object { [ordered]@{ section = $_.Section; name = $_.Name; count = $_.Count; measure = $_.Measure; seconds = $_.Seconds; median = $_.Median; samples = @($_.Samples); command = $_.Command } })
    cpu         = $cpu
    decode      = $decode
    targets     = @($targets | ForEach-Object { [ordered]@{ issue = $_.Issue; target = $_.Target; goal = $_.Goal; measured = $_.Measured; status = $_.Status; note = $_.Note } })
} | ConvertTo-Json -Depth 6 | Set-Content $resultPath
Write-Host "Results written to $resultPath"
Remove-Item $timeFile -ErrorAction Ignore

# Capture benchmarks (issue 14) print their own table and targets.
& (Join-Path $PSScriptRoot 'capture.ps1') -Runs $Runs
