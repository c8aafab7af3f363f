#Requires -Version 7.4
<#
.SYNOPSIS
    Capture benchmarks (issue 14): the cost of -OutFile, bytes per event, reading back, and a 10M-event
    recording with rotation; one run prints every figure, ratio and target.

.DESCRIPTION
    Workload: dd if=/dev/zero of=/dev/null bs=1 count=200000 status=none (about 400k syscalls) under the eBPF
    engine (the ptrace engine with -Engine Ptrace, for machines without eBPF).

    a. Wall time of `Start-SyscallTrace ... | Out-Null` and of the same with -OutFile, interleaved, -Runs runs each.
       Loss is checked: no loss warning in any run, no Lost record in the capture.
    b. Bytes per event of that capture.
    c. `Get-SyscallEvent -Path | Measure-Object` against `[Linq.Enumerable]::Range(0, N) | Measure-Object`
       with N the capture's event count, interleaved.
    d. A recording of about 10M events (dd count=5000000) with -MaximumFileSize 4MB -MaximumFileCount 4 (so it
       rotates), in a child pwsh that reports its peak resident set (VmHWM) at the end. It uses the ptrace engine,
       which holds the tracee while the consumer is behind: the eBPF engine would drop most of 10M events that dd
       makes faster than any pipeline takes them (its ring buffer, mapped into pwsh, would also count in the RSS).

    The timed targets are judged on the ratio of the medians; the ratio of the minimums is shown beside it.
    Targets are printed with PASS/MISS/SKIP and written to bench/results/capture.json. The module is
    $env:SYSCALLPS_MODULE when set, else the repository's SyscallPS.psd1.

.PARAMETER Runs
    Timed runs per row (the median and the minimum are reported).

.PARAMETER Engine
    The engine to trace with (Ebpf by default).

.PARAMETER SkipLarge
    Leave out the 10M-event recording (d).

.EXAMPLE
    dotnet pwsh bench/capture.ps1
#>
[CmdletBinding()]
param(
    [ValidateRange(1, 20)]
    [int]$Runs = 3,
    [ValidateSet('Ebpf', 'Ptrace')]
    [string]$Engine = 'Ebpf',
    [switch]$SkipLarge
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$repo = Split-Path -Parent $PSScriptRoot
$manifest = if ($env:SYSCALLPS_MODULE) { $env:SYSCALLPS_MODULE } else { Join-Path $repo 'SyscallPS.psd1' }
if (-not $env:SYSCALLPS_MODULE -and -not (Test-Path (Join-Path $repo 'out/SyscallPS/SyscallPS.dll'))) { throw 'The module is not built: ./build.ps1 -Task Build' }
Import-Module $manifest -Force

$work = Join-Path ([IO.Path]::GetTempPath()) "syscallps-capture-bench-$PID"
New-Item -ItemType Directory -Force $work | Out-Null
$capture = Join-Path $work 'dd.trace'
$dd = (Get-Command dd -CommandType Application | Select-Object -First 1).Source
$ddArgs = 'if=/dev/zero', 'of=/dev/null', 'bs=1', 'count=200000', 'status=none'

function Get-Median([Collections.Generic.List[double]]$Values) {
    $sorted = @($Values | Sort-Object)
    $mid = [int][Math]::Floor($sorted.Count / 2)
    if ($sorted.Count % 2) { $sorted[$mid] } else { ($sorted[$mid - 1] + $sorted[$mid]) / 2 }
}

function Measure-Wall([scriptblock]$Action) {
    [GC]::Collect()
    [GC]::WaitForPendingFinalizers()
    $sw = [Diagnostics.Stopwatch]::StartNew()
    & $Action
    $sw.Elapsed.TotalSeconds
}

$targets = [Collections.Generic.List[object]]::new()
function Add-Target([string]$Name, [string]$Goal, [object]$Measured, [bool]$Pass, [string]$Note) {
    $status = if ($null -eq $Measured) { 'SKIP' } elseif ($Pass) { 'PASS' } else { 'MISS' }
    $targets.Add([pscustomobject]@{ Target = $Name; Goal = $Goal; Measured = $Measured; Status = $status; Note = $Note })
}

Write-Host "SyscallPS capture benchmark - $(Get-Date -AsUTC -Format 'yyyy-MM-dd HH:mm:ss') UTC, $([Environment]::ProcessorCount) CPUs, load average $((Get-Content /proc/loadavg -Raw).Split(' ')[0..2] -join ' '), engine $Engine"

try {
    # Warm-up (JIT, page cache), and whether the engine works here at all.
    Start-SyscallTrace -Engine $Engine -FilePath $dd -ArgumentList $ddArgs | Out-Null
    Start-SyscallTrace -Engine $Engine -FilePath $dd -ArgumentList $ddArgs -OutFile $capture | Out-Null
    Get-SyscallEvent -Path $capture | Measure-Object | Out-Null

    # ---- a. -OutFile against | Out-Null ------------------------------------------------------------------
    $plain = [Collections.Generic.List[double]]::new()
    $recorded = [Collections.Generic.List[double]]::new()
    $lossWarnings = 0
    for ($i = 0; $i -lt $Runs; $i++) {
        $plain.Add((Measure-Wall { Start-SyscallTrace -Engine $Engine -FilePath $dd -ArgumentList $ddArgs -WarningVariable w -WarningAction SilentlyContinue | Out-Null; $script:lossWarnings += @($w).Count }))
        $recorded.Add((Measure-Wall { Start-SyscallTrace -Engine $Engine -FilePath $dd -ArgumentList $ddArgs -OutFile $capture -WarningVariable w -WarningAction SilentlyContinue | Out-Null; $script:lossWarnings += @($w).Count }))
    }
    $plainMin = ($plain | Measure-Object -Minimum).Minimum
    $recordedMin = ($recorded | Measure-Object -Minimum).Minimum
    $events = 0L; $lostRecords = 0L
    Get-SyscallEvent -Path $capture | ForEach-Object { $events++; if ($_.Kind -eq 'Lost') { $lostRecords += $_.LostCount } }
    Write-Host ("`na. dd bs=1 count=200000, {0} events in the capture" -f $events)
    Write-Host ('  | Out-Null            median {0,7:F3} s  min {1,7:F3} s   runs: {2}' -f (Get-Median $plain), $plainMin, (($plain | ForEach-Object { $_.ToString('F3') }) -join ' '))
    Write-Host ('  -OutFile | Out-Null   median {0,7:F3} s  min {1,7:F3} s   runs: {2}' -f (Get-Median $recorded), $recordedMin, (($recorded | ForEach-Object { $_.ToString('F3') }) -join ' '))
    $ratio = (Get-Median $recorded) / (Get-Median $plain)
    Add-Target '-OutFile wall / | Out-Null wall (medians), zero loss' '<= 1.25, 0 lost' $ratio ($ratio -le 1.25 -and $lossWarnings -eq 0 -and $lostRecords -eq 0) ("ratio of minimums {0:F2}; loss warnings $lossWarnings, lost in capture $lostRecords" -f ($recordedMin / $plainMin))

    # ---- b. bytes per event --------------------------------------------------------------------------------
    $bytes = (Get-Item $capture).Length
    $perEvent = $bytes / $events
    Write-Host ("`nb. {0:N0} bytes, {1:F2} bytes/event" -f $bytes, $perEvent)
    Add-Target 'Capture bytes per event' '<= 64' $perEvent ($perEvent -le 64) ('{0:N0} bytes for {1:N0} events' -f $bytes, $events)

    # ---- c. reading back -----------------------------------------------------------------------------------
    $read = [Collections.Generic.List[double]]::new()
    $range = [Collections.Generic.List[double]]::new()
    $n = [int]$events
    for ($i = 0; $i -lt $Runs; $i++) {
        $read.Add((Measure-Wall { Get-SyscallEvent -Path $capture | Measure-Object | Out-Null }))
        $range.Add((Measure-Wall { [Linq.Enumerable]::Range(0, $n) | Measure-Object | Out-Null }))
    }
    $readMin = ($read | Measure-Object -Minimum).Minimum
    $rangeMin = ($range | Measure-Object -Minimum).Minimum
    Write-Host "`nc. Reading back $n events"
    Write-Host ('  Get-SyscallEvent -Path | Measure-Object        median {0,7:F3} s  min {1,7:F3} s ({2:N0} events/s)   runs: {3}' -f (Get-Median $read), $readMin, ($n / (Get-Median $read)), (($read | ForEach-Object { $_.ToString('F3') }) -join ' '))
    Write-Host ('  [Linq.Enumerable]::Range(0,N) | Measure-Object median {0,7:F3} s  min {1,7:F3} s   runs: {2}' -f (Get-Median $range), $rangeMin, (($range | ForEach-Object { $_.ToString('F3') }) -join ' '))
    $readRatio = (Get-Median $read) / (Get-Median $range)
    Add-Target 'Get-SyscallEvent -Path | Measure-Object / Range(0,N) | Measure-Object (medians)' '<= 1.5' $readRatio ($readRatio -le 1.5) ('ratio of minimums {0:F2}' -f ($readMin / $rangeMin))
    $filtered = Measure-Wall { Get-SyscallEvent -Path $capture -Syscall openat | Out-Null }
    Write-Host ('  Get-SyscallEvent -Path -Syscall openat        {0,8:F3} s (engine-side filter, {1:N0} events/s scanned)' -f $filtered, ($n / $filtered))
    if (Get-Command Measure-SyscallEvent -Module SyscallPS -ErrorAction Ignore) {
        $measure = Measure-Wall { Measure-SyscallEvent -Path $capture | Out-Null }
        Add-Target 'Measure-SyscallEvent -Path, events/s' '>= 1000000' ($n / $measure) ($n / $measure -ge 1e6) ''
    }
    else {
        Add-Target 'Measure-SyscallEvent -Path, events/s' '>= 1000000' $null $false 'Measure-SyscallEvent is not in this build'
    }

    # ---- d. 10M events with rotation -------------------------------------------------------------------------
    if ($SkipLarge) {
        Add-Target '10M-event recording with rotation, peak RSS of pwsh' '<= 400 MB' $null $false 'skipped (-SkipLarge)'
    }
    else {
        $rotated = Join-Path $work 'big.trace'
        $pwsh = (Get-Process -Id $PID).Path
        [string[]]$prefix = if ([IO.Path]::GetFileNameWithoutExtension($pwsh) -eq 'dotnet') { @(Join-Path $PSHOME 'pwsh.dll') } else { @() }
        $script = @"
Import-Module '$manifest'
`$sw = [Diagnostics.Stopwatch]::StartNew()
Start-SyscallTrace -Engine Ptrace -FilePath '$dd' -ArgumentList 'if=/dev/zero','of=/dev/null','bs=1','count=5000000','status=none' -OutFile '$rotated' -MaximumFileSize 4MB -MaximumFileCount 4 -WarningVariable w -WarningAction SilentlyContinue | Measure-Object | ForEach-Object Count | Set-Variable n

`$hwm = ((Get-Content /proc/self/status) -match '^VmHWM:')[0] -replace '\D', ''
"{0} {1} {2} {3}" -f `$hwm, `$sw.Elapsed.TotalSeconds, @(`$w).Count, `$n
"@
        $out = & $pwsh @prefix -NoProfile -NonInteractive -Command $script
        $hwmKb, $seconds, $warnings, $traced = "$($out | Select-Object -Last 1)".Split(' ')
        $parts = @(Get-ChildItem $work -Filter "big.*.trace")
        $count = 0L
        Get-SyscallEvent -Path (Join-Path $work 'big.*.trace') | ForEach-Object { $count++ }
        $peakMb = [double]$hwmKb / 1024
        Write-Host ("`nd. dd count=5000000, ptrace, -MaximumFileSize 4MB -MaximumFileCount 4: {0:N0} events traced in {1:F1} s, peak RSS {2:F0} MB, {3} files kept ({4:N0} bytes) holding the last {5:N0} events" -f [long]$traced, [double]$seconds, $peakMb, $parts.Count, ($parts | Measure-Object Length -Sum).Sum, $count)
        Add-Target '10M-event recording with rotation, peak RSS of pwsh' '<= 400 MB' $peakMb ($peakMb -le 400 -and [long]$traced -ge 1e7) ('{0:N0} events, {1:F1} s, {2} files kept' -f [long]$traced, [double]$seconds, $parts.Count)
    }
}
catch {
    Write-Host "Capture benchmark could not run: $_" -ForegroundColor Yellow
    Add-Target 'capture benchmark' 'runs' $null $false "$_"
}
finally {
    Remove-Item -Recurse -Force $work -ErrorAction Ignore
}

Write-Host "`nSummary (load average at end $((Get-Content /proc/loadavg -Raw).Split(' ')[0..2] -join ' '))"
foreach ($t in $targets) {
    $measured = if ($null -eq $t.Measured) { '-' } elseif ($t.Measured -ge 1000) { $t.Measured.ToString('N0') } else { $t.Measured.ToString('F3') }
    Write-Host ('  [{0}] issue 14: {1,-72} goal {2,-16} measured {3,-10} {4}' -f $t.Status, $t.Target, $t.Goal, $measured, $t.Note)
}

$resultsDir = Join-Path $PSScriptRoot 'results'
New-Item -ItemType Directory -Force $resultsDir | Out-Null
[ordered]@{
    date    = (Get-Date).ToUniversalTime().ToString('o')
    engine  = $Engine
    runs    = $Runs
    targets = @($targets | ForEach-Object { [ordered]@{ target = $_.Target; goal = $_.Goal; measured = $_.Measured; status = $_.Status; note = $_.Note } })
} | ConvertTo-Json -Depth 4 | Set-Content (Join-Path $resultsDir 'capture.json')
