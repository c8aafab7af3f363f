#Requires -Version 7.4
<#
.SYNOPSIS
    Diagnostic: what SIGCHLD costs a full ptrace trace inside a pwsh that has run a native command.

.DESCRIPTION
    Once pwsh has started any native program, .NET installs its own SIGCHLD handler without SA_NOCLDSTOP.
    After that, every ptrace stop of a tracee sends SIGCHLD to the PowerShell process. With two stops per
    syscall, that means one signal delivery plus one wake-up of .NET's signal thread per stop.

    This script measures that cost. It runs the full count=20000 dd trace in alternating rounds: once with
    the SIGCHLD action exactly as .NET left it, once with SA_NOCLDSTOP added to it. The handler and every
    other flag stay the same, and native commands keep working. strace -f runs alongside for comparison.
    It prints the wall time and the CPU of each variant.

    When the engine sets SA_NOCLDSTOP itself at trace start, both variants come out the same.

.EXAMPLE
    dotnet pwsh bench/sigchld.ps1 -Rounds 6
#>
[CmdletBinding()]
param([ValidateRange(1, 50)][int]$Rounds = 6)

$ErrorActionPreference = 'Stop'
$repo = Split-Path -Parent $PSScriptRoot
if (-not (Test-Path (Join-Path $repo 'out/SyscallPS/SyscallPS.dll'))) { throw 'Build the module first (see bench/README.md).' }
Import-Module (Join-Path $repo 'SyscallPS.psd1') -Force

Add-Type -TypeDefinition @'
using System;
using System.Runtime.InteropServices;

public static class BenchSigChld
{
    private const int SIGCHLD = 17;
    private const int SA_NOCLDSTOP = 1;
    private const int FlagsOffset = 136;   // glibc x86_64/aarch64 struct sigaction: handler 8, sa_mask 128, sa_flags

    [DllImport("libc", SetLastError = true)]
    private static extern int sigaction(int signal, byte[] action, byte[] oldAction);

    public static void SetNoCldStop(bool on)
    {
        var action = new byte[152];
        if (sigaction(SIGCHLD, null, action) != 0) throw new InvalidOperationException("sigaction read failed: " + Marshal.GetLastPInvokeError());
        int flags = BitConverter.ToInt32(action, FlagsOffset);
        BitConverter.GetBytes(on ? flags | SA_NOCLDSTOP : flags & ~SA_NOCLDSTOP).CopyTo(action, FlagsOffset);
        if (sigaction(SIGCHLD, action, null) != 0) throw new InvalidOperationException("sigaction write failed: " + Marshal.GetLastPInvokeError());
    }
}
'@

$dd = (Get-Command dd -CommandType Application | Select-Object -First 1).Source
$strace = (Get-Command strace -CommandType Application -ErrorAction Ignore | Select-Object -First 1).Source
$ddArgs = 'if=/dev/zero', 'of=/dev/null', 'bs=1', 'count=20000', 'status=none'

& $dd @ddArgs   # a native command: .NET now has its SIGCHLD handler installed, as in any real session
1..2 | ForEach-Object { Start-SyscallTrace -Engine Ptrace -FilePath $dd -ArgumentList $ddArgs | Out-Null }   # JIT warm-up

# utime, stime of this process and cstime of its waited-for children, in seconds.
$tick = [double](& getconf CLK_TCK)
function Get-Cpu { $f = (Get-Content /proc/self/stat -Raw).Split(')')[1].Trim().Split(' '); [double[]]@(([long]$f[11] / $tick), ([long]$f[12] / $tick), ([long]$f[14] / $tick)) }

$results = [Collections.Generic.List[object]]::new()
for ($i = 0; $i -lt $Rounds; $i++) {
    foreach ($variant in 'as .NET installed it', 'SA_NOCLDSTOP added') {
        [BenchSigChld]::SetNoCldStop($variant -eq 'SA_NOCLDSTOP added')
        [GC]::Collect()
        $before = Get-Cpu
        $sw = [Diagnostics.Stopwatch]::StartNew()
        Start-SyscallTrace -Engine Ptrace -FilePath $dd -ArgumentList $ddArgs | Out-Null
        $wall = $sw.Elapsed.TotalSeconds
        $after = Get-Cpu
        $results.Add([pscustomobject]@{ Variant = $variant; Wall = $wall; PwshUser = $after[0] - $before[0]; PwshSys = $after[1] - $before[1]; TraceeSys = $after[2] - $before[2] })
    }

    [BenchSigChld]::SetNoCldStop($false)
    if ($strace) {
        $sw = [Diagnostics.Stopwatch]::StartNew()
        & $strace -f -o /dev/null $dd @ddArgs
        $results.Add([pscustomobject]@{ Variant = 'strace -f'; Wall = $sw.Elapsed.TotalSeconds; PwshUser = $null; PwshSys = $null; TraceeSys = $null })
    }
}

Write-Host "Full trace of dd count=20000, $Rounds rounds interleaved, load average $((Get-Content /proc/loadavg -Raw).Split(' ')[0..2] -join ' ')"
foreach ($group in $results | Group-Object Variant) {
    $walls = @($group.Group.Wall | Sort-Object)
    $median = $walls[[int][Math]::Floor($walls.Count / 2)]
    $cpu = if ($null -ne $group.Group[0].PwshSys) {
        ' pwsh user {0:F2} s, pwsh sys {1:F2} s, tracee sys {2:F2} s (averages)' -f ($group.Group.PwshUser | Measure-Object -Average).Average, ($group.Group.PwshSys | Measure-Object -Average).Average, ($group.Group.TraceeSys | Measure-Object -Average).Average
    }
    Write-Host ('  {0,-22} wall min {1:F3} s, median {2:F3} s;{3}' -f $group.Name, $walls[0], $median, $cpu)
}
