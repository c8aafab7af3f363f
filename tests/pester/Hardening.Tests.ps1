#Requires -Version 7.4
# What must hold when things go wrong: PowerShell killed or ended mid-trace, a capture file that cannot be
# written, durations beyond the .NET timer limit. Each case traces real programs from a child pwsh where the
# test has to end PowerShell itself.

BeforeDiscovery {
    $script:repo = (Resolve-Path "$PSScriptRoot/../..").Path
    $script:haveFixtures = Test-Path "$repo/tests/fixtures/bin/term_ignorer"
    $script:isRoot = (id -u) -eq '0'
}

BeforeAll {
    $repo = (Resolve-Path "$PSScriptRoot/../..").Path
    $module = & "$PSScriptRoot/ModuleUnderTest.ps1"
    Import-Module $module -Force
    $fixtures = "$repo/tests/fixtures/bin"

    # A pwsh running $Script, its output read by the test (never shared with this process's console).
    function Start-ChildPwsh([string] $Script) {
        $psi = [Diagnostics.ProcessStartInfo]::new([Environment]::ProcessPath)
        # Under the local dotnet tool the process is dotnet and its first argument pwsh.dll.
        if ([IO.Path]::GetFileNameWithoutExtension([Environment]::ProcessPath) -eq 'dotnet') { $psi.ArgumentList.Add([Environment]::GetCommandLineArgs()[0]) }
        foreach ($a in '-NoProfile', '-NonInteractive', '-Command', $Script) { $psi.ArgumentList.Add($a) }
        $psi.RedirectStandardOutput = $true
        $psi.RedirectStandardError = $true
        $psi.UseShellExecute = $false
        [Diagnostics.Process]::Start($psi)
    }

    function Wait-Line([Diagnostics.Process] $Process, [string] $Line, [int] $Seconds = 30) {
        $task = $Process.StandardOutput.ReadLineAsync()
        $deadline = [datetime]::UtcNow.AddSeconds($Seconds)
        while ([datetime]::UtcNow -lt $deadline) {
            if ($task.Wait(100)) {
                if ($task.Result -eq $Line) { return $true }
                if ($null -eq $task.Result) { return $false }
                $task = $Process.StandardOutput.ReadLineAsync()
            }
        }
        $false
    }

    function Get-ChildPid([int] $Parent, [string] $Name) {
        $deadline = [datetime]::UtcNow.AddSeconds(20)
        do {
            $found = pgrep -P $Parent -x $Name
            if ($found) { return [int]@($found)[0] }
            Start-Sleep -Milliseconds 50
        } while ([datetime]::UtcNow -lt $deadline)
        throw "no child '$Name' of process $Parent appeared"
    }

    function Wait-Gone([int] $ProcessId, [double] $Seconds) {
        $deadline = [datetime]::UtcNow.AddSeconds($Seconds)
        do {
            $state = if (Test-Path "/proc/$ProcessId/status") { ((Get-Content "/proc/$ProcessId/status") -match '^State:')[0].Substring(6).Trim()[0] } else { 'gone' }
            if ($state -in 'gone', 'Z') { return $true }
            Start-Sleep -Milliseconds 50
        } while ([datetime]::UtcNow -lt $deadline)
        $false
    }

    function Get-TracerPid([int] $ProcessId) { ((Get-Content "/proc/$ProcessId/status") -match '^TracerPid:')[0].Substring(10).Trim() }
}

Describe 'A launched program never outlives its tracer broken' {
    It 'dies with a pwsh killed by SIGKILL (a filtered launch would otherwise spin on ENOSYS)' {
        $child = Start-ChildPwsh "Import-Module '$module'; Start-SyscallTrace -Engine Ptrace -FilePath '$fixtures/term_ignorer' -Syscall openat | Out-Null"
        try {
            $traced = Get-ChildPid $child.Id 'term_ignorer'
            # Under trace, with the seccomp filter in place.
            $deadline = [datetime]::UtcNow.AddSeconds(10)
            while ((Get-TracerPid $traced) -eq '0' -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
            Get-Content "/proc/$traced/status" | Should -Contain "Seccomp:`t2"
            kill -9 $child.Id
            Wait-Gone $traced 3 | Should -BeTrue -Because 'the kernel kills a launched tracee when its tracer dies (PTRACE_O_EXITKILL)'
        }
        finally { if (-not $child.HasExited) { $child.Kill() }; $child.Dispose() }
    } -Skip:(-not $haveFixtures)
}

Describe 'PowerShell ending (SIGTERM) stops its sessions the normal way' {
    It 'signals launched programs, kills one that ignores it after the grace period, and detaches attached ones' {
        $target = [int](sh -c "sleep 60 >/dev/null 2>&1 & echo `$!")
        $child = Start-ChildPwsh @"
Import-Module '$module'
`$null = Start-SyscallTrace -Engine Ptrace -FilePath sleep -ArgumentList 60 -AsJob
`$null = Start-SyscallTrace -Engine Ptrace -FilePath '$fixtures/term_ignorer' -Syscall openat -AsJob
`$null = Start-SyscallTrace -Engine Ptrace -ProcessId $target -AsJob
'ready'
Start-Sleep 120
"@
        try {
            Wait-Line $child 'ready' | Should -BeTrue
            $sleeper = Get-ChildPid $child.Id 'sleep'
            $ignorer = Get-ChildPid $child.Id 'term_ignorer'
            (Get-TracerPid $target) | Should -Not -Be '0'
            kill -TERM $child.Id
            $child.WaitForExit(15000) | Should -BeTrue -Because 'pwsh ends once its sessions have stopped'
            Wait-Gone $sleeper 1 | Should -BeTrue -Because 'the launched program got SIGTERM'
            Wait-Gone $ignorer 1 | Should -BeTrue -Because 'the program that ignores SIGTERM got SIGKILL after the grace period'
            Test-Path "/proc/$target" | Should -BeTrue -Because 'an attached process is detached, not ended'
            Get-TracerPid $target | Should -Be '0'
        }
        finally {
            if (-not $child.HasExited) { $child.Kill() }
            $child.Dispose()
            kill -9 $target 2>$null
        }
    } -Skip:(-not $haveFixtures)
}

Describe 'Ctrl+C in a terminal' {
    BeforeAll {
        $ebpfWhy = [SyscallPS.Ebpf.EbpfEngine]::new().WhyUnavailable([SyscallPS.Tracing.TraceRequest]::new())
    }

    It 'ends pwsh and the traced program once the trace runs (<Engine>)' -ForEach @(@{ Engine = 'Ptrace' }, @{ Engine = 'Ebpf' }) {
        if ($Engine -eq 'Ebpf' -and $ebpfWhy) { Set-ItResult -Skipped -Because $ebpfWhy; return }
        if (-not (Get-Command script -ErrorAction Ignore)) { Set-ItResult -Skipped -Because 'script (util-linux) is missing'; return }
        # A real pty: script(1) runs pwsh on one, and the ^C written to it becomes SIGINT from the terminal driver.
        $marker = "29.$PID$(Get-Random -Maximum 1000)"
        $file = Join-Path ([IO.Path]::GetTempPath()) "syscallps-ctrlc-$PID.ps1"
        "Import-Module '$module'; Start-SyscallTrace -Engine $Engine -FilePath sleep -ArgumentList $marker | Select-Object -Last 1; 'after'" | Set-Content -LiteralPath $file
        $pwsh = if ([IO.Path]::GetFileNameWithoutExtension([Environment]::ProcessPath) -eq 'dotnet') { "'$([Environment]::ProcessPath)' '$([Environment]::GetCommandLineArgs()[0])'" } else { "'$([Environment]::ProcessPath)'" }
        $psi = [Diagnostics.ProcessStartInfo]::new('script', [string[]]@('-qfec', "$pwsh -NoProfile -File '$file'", '/dev/null'))
        $psi.RedirectStandardInput = $true
        $psi.RedirectStandardOutput = $true
        $psi.UseShellExecute = $false
        $terminal = [Diagnostics.Process]::Start($psi)
        try {
            $deadline = [datetime]::UtcNow.AddSeconds(30)
            do { $traced = pgrep -f "^sleep $marker`$"; Start-Sleep -Milliseconds 50 } until ($traced -or [datetime]::UtcNow -gt $deadline)
            $traced | Should -Not -BeNullOrEmpty
            Start-Sleep -Milliseconds 300
            $terminal.StandardInput.Write([char]3)
            $terminal.StandardInput.Flush()
            $terminal.WaitForExit(10000) | Should -BeTrue -Because 'pwsh ends after Ctrl+C without a key press'
            Wait-Gone ([int]@($traced)[0]) 1 | Should -BeTrue
        }
        finally {
            if (-not $terminal.HasExited) { $terminal.Kill($true) }
            $terminal.Dispose()
            Remove-Item -LiteralPath $file -ErrorAction Ignore
        }
    }
}

Describe 'A capture file that cannot be written' {
    BeforeAll {
        # A file system that fills up mid-trace: a 64 KiB tmpfs (mounting needs root).
        $small = Join-Path ([IO.Path]::GetTempPath()) "syscallps-full-$PID"
        if ($isRoot) {
            $null = New-Item -ItemType Directory -Force -Path $small
            mount -t tmpfs -o size=64k tmpfs $small
            $mounted = $LASTEXITCODE -eq 0
        }
        # Enough events with data to overflow 64 KiB: random bytes, which the capture's compression cannot shrink.
        $writer = @{ FilePath = 'dd'; ArgumentList = 'if=/dev/urandom', 'of=/dev/null', 'bs=64', 'count=2000'; CaptureData = $true; Engine = 'Ptrace' }
    }
    AfterAll {
        if ($isRoot -and $mounted) { umount $small }
        if ($small) { Remove-Item -LiteralPath $small -Recurse -Force -ErrorAction Ignore }
    }

    It 'ends a streaming trace with a terminating CaptureWriteFailed error' {
        if (-not $mounted) { Set-ItResult -Skipped -Because 'no small tmpfs (needs root)'; return }
        $err = $null
        try { Start-SyscallTrace @writer -OutFile "$small/stream.cap" | Out-Null } catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -Be 'CaptureWriteFailed,SyscallPS.Commands.StartSyscallTraceCommand'
        $err.CategoryInfo.Category | Should -Be 'WriteError'
        $err.ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
        Remove-Item "$small/stream.cap"
    } -Skip:(-not $isRoot)

    It 'keeps the error when the pipeline ends early (Select-Object -First)' {
        if (-not $mounted) { Set-ItResult -Skipped -Because 'no small tmpfs (needs root)'; return }
        # A one-page file system: 40 events do not fit, but they may still sit in the writer's buffer when
        # Select-Object ends the pipeline, so the write fails while the trace is closed. Then a terminating error
        # would be dropped by PowerShell: it must reach the error stream.
        $tiny = Join-Path ([IO.Path]::GetTempPath()) "syscallps-tiny-$PID"
        $null = New-Item -ItemType Directory -Force -Path $tiny
        mount -t tmpfs -o size=4k tmpfs $tiny
        try {
            $thrown = $null
            try { $first = Start-SyscallTrace @writer -OutFile "$tiny/first.cap" -ErrorVariable errs -ErrorAction SilentlyContinue | Select-Object -First 40 }
            catch { $thrown = $_ }
            $seen = @(@($errs) + @($thrown) | Where-Object { $_ } | ForEach-Object FullyQualifiedErrorId)
            $seen | Should -Be @('CaptureWriteFailed,SyscallPS.Commands.StartSyscallTraceCommand')
            if (-not $thrown) { $first.Count | Should -Be 40 }
        }
        finally { umount $tiny; Remove-Item -LiteralPath $tiny -Recurse -Force }
    } -Skip:(-not $isRoot)

    It 'fails an -AsJob session without ending PowerShell, and Get-SyscallEvent reports it' {
        if (-not $mounted) { Set-ItResult -Skipped -Because 'no small tmpfs (needs root)'; return }
        $s = Start-SyscallTrace @writer -OutFile "$small/job.cap" -AsJob
        $null = Get-SyscallEvent -Session $s -Wait -ErrorVariable errs -ErrorAction SilentlyContinue
        $s.State | Should -Be 'Failed'
        $s.Failure.ErrorId | Should -Be 'CaptureWriteFailed'
        @($errs).FullyQualifiedErrorId | Should -Contain 'CaptureWriteFailed,SyscallPS.Commands.GetSyscallEventCommand'
        Test-Path "/proc/$($s.ProcessIds[0])" | Should -BeFalse -Because 'the traced program was stopped the normal way'
        Remove-Item "$small/job.cap"
    } -Skip:(-not $isRoot)
}

Describe 'Durations beyond the .NET timer limit' {
    It 'accepts -Duration longer than 49.7 days and [TimeSpan]::MaxValue without launching then failing' {
        $events = Start-SyscallTrace -Engine Ptrace -FilePath true -Duration ([TimeSpan]::MaxValue) -ErrorAction Stop
        $LASTEXITCODE | Should -Be 0
        $events.Syscall | Should -Contain 'exit_group'
        $null = Start-SyscallTrace -Engine Ptrace -FilePath true -Duration (New-TimeSpan -Days 60) -ErrorAction Stop
        $LASTEXITCODE | Should -Be 0
    }
}
