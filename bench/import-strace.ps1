#Requires -Version 7.4
<#
.SYNOPSIS
    Import-StraceLog streams: peak memory for a small and a large strace log (default 100 MB and 1 GB) stays flat.

.DESCRIPTION
    Makes a real strace -f -tt -T -yy log of tests/fixtures/bin/analysis_mix, repeats it (with new pids in each copy,
    as a long-running build would have) into logs of -SmallMB and -LargeMB, and runs
    `Import-StraceLog LOG | Measure-SyscallEvent` on each in a fresh pwsh, reporting the time, the events read and
    the peak resident memory of that pwsh (VmHWM). The logs are written to -WorkDirectory and removed afterwards.
    Target (issue 12): the large log's peak memory is within 25% of the small one's.

.EXAMPLE
    dotnet pwsh bench/import-strace.ps1 -SmallMB 50 -LargeMB 500
#>
[CmdletBinding()]
param(
    [ValidateRange(1, 100000)]
    [int] $SmallMB = 100,
    [ValidateRange(1, 100000)]
    [int] $LargeMB = 1024,
    [string] $WorkDirectory = [IO.Path]::GetTempPath()
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$repo = Split-Path -Parent $PSScriptRoot
$manifest = if ($env:SYSCALLPS_MODULE) { $env:SYSCALLPS_MODULE } else { Join-Path $repo 'out/SyscallPS/SyscallPS.psd1' }
$fixture = Join-Path $repo 'tests/fixtures/bin/analysis_mix'
if (-not (Test-Path $manifest)) { throw "The module is not built ($manifest): ./build.ps1 -Task Build" }
if (-not (Test-Path $fixture)) { throw "The fixture is not built ($fixture): ./build.ps1 -Task Test builds it, or gcc -O2 -o $fixture tests/fixtures/analysis_mix.c" }
if (-not (Get-Command strace -CommandType Application -ErrorAction Ignore)) { throw 'strace is not installed (apt-get install strace).' }

$template = Join-Path $WorkDirectory "syscallps-bench-$PID.template"
& strace -f -tt -T -yy -o $template $fixture $WorkDirectory
if ($LASTEXITCODE -ne 0) { throw "strace failed (exit code $LASTEXITCODE)." }
$text = Get-Content -Raw $template
$pids = @([regex]::Matches($text, '(?m)^(\d+) ') | ForEach-Object { $_.Groups[1].Value } | Sort-Object -Unique)

function New-Log([string] $Path, [long] $Bytes) {
    # Each copy gets pids of its own (the fixture's pids with a copy number in front), so the log looks like
    # many processes coming and going rather than one process repeating.
    $writer = [IO.StreamWriter]::new($Path, $false, [Text.UTF8Encoding]::new($false), 1 -shl 20)
    try {
        $copy = 0
        while ($writer.BaseStream.Length -lt $Bytes) {
            $copy++
            $piece = $text
            foreach ($p in $pids) { $piece = $piece.Replace($p, "$($copy % 400)$p") }
            $writer.Write($piece)
        }
        return $copy
    }
    finally { $writer.Dispose() }
}

function Measure-Import([string] $Path) {
    $exe = [Environment]::ProcessPath
    $prefix = @(if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' })
    $script = @"
Import-Module '$manifest'
`$sw = [Diagnostics.Stopwatch]::StartNew()
`$rows = Import-StraceLog -LiteralPath '$Path' -WarningAction SilentlyContinue | Measure-SyscallEvent
`$sw.Stop()
`$hwm = (Select-String -Path /proc/self/status -Pattern '^VmHWM:\s+(\d+)').Matches[0].Groups[1].Value
'{0}|{1}|{2}' -f `$sw.Elapsed.TotalSeconds, `$rows[-1].Calls, `$hwm
"@
    $out = & $exe @prefix -NoProfile -NonInteractive -Command $script
    $seconds, $calls, $kb = "$out".Trim() -split '\|'
    [pscustomobject]@{
        SizeMB         = [math]::Round((Get-Item $Path).Length / 1MB)
        Seconds        = [math]::Round([double]$seconds, 1)
        Calls          = [long]$calls
        'MB/s'         = [math]::Round((Get-Item $Path).Length / 1MB / [double]$seconds, 1)
        PeakResidentMB = [math]::Round([long]$kb / 1024, 1)
    }
}

$results = foreach ($mb in $SmallMB, $LargeMB) {
    $log = Join-Path $WorkDirectory "syscallps-bench-$PID-$mb.log"
    try {
        $copies = New-Log $log ($mb * 1MB)
        Write-Host "  $mb MB log: $copies copies of a $((Get-Item $template).Length)-byte strace log"
        Measure-Import $log
    }
    finally { Remove-Item -LiteralPath $log -ErrorAction Ignore }
}
Remove-Item -LiteralPath $template -ErrorAction Ignore

$results | Format-Table -AutoSize | Out-Host
$ratio = $results[1].PeakResidentMB / $results[0].PeakResidentMB
$verdict = if ($ratio -le 1.25) { 'PASS' } else { 'MISS' }
Write-Host ("Peak memory {0} MB -> {1} MB for {2}x the log: {3:0.00}x (target <= 1.25x): {4}" -f $results[0].PeakResidentMB, $results[1].PeakResidentMB, [math]::Round($LargeMB / $SmallMB), $ratio, $verdict)
