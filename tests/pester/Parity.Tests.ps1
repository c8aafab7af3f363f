#Requires -Version 7.4
# One suite, both engines: the same fixture programs traced by ptrace and by eBPF must give the same syscall
# sequences and the same decoded arguments for the seed article's watch list (issue 3). Where eBPF is not
# available (not root, no BTF, no libbpf) its half is skipped with the reason.

BeforeDiscovery {
    Import-Module $(& "$PSScriptRoot/ModuleUnderTest.ps1") -Force
    $engines = & "$PSScriptRoot/EngineCases.ps1"
    $Fixtures = "$PSScriptRoot/../fixtures/bin"
    . "$PSScriptRoot/ParityCorpus.ps1"
}

BeforeAll {
    $repo = (Resolve-Path "$PSScriptRoot/../..").Path
    Import-Module $(& "$PSScriptRoot/ModuleUnderTest.ps1") -Force
    $fixtures = "$repo/tests/fixtures/bin"
    $ebpfWhy = [SyscallPS.Ebpf.EbpfEngine]::new().WhyUnavailable([SyscallPS.Tracing.TraceRequest]::new())

    # The seed's watch list, as the fixture makes them.
    $watch = 'chdir', 'openat', 'write', 'writev', 'pwrite64', 'close', 'read', 'pread64', 'rename', 'unlink',
             'socket', 'connect', 'mmap', 'munmap', 'brk', 'poll', 'kill', 'fork', 'wait4', 'exit_group'

    # The fixture's own calls (from its chdir on), as strace lines with what differs between two runs
    # (addresses under ASLR, process ids) replaced by placeholders.
    function Get-WatchLines([object[]] $Events) {
        $calls = @($Events | Where-Object Kind -eq 'Syscall')
        $start = [array]::FindIndex($calls, [Predicate[object]] { param($e) $e.Syscall -eq 'chdir' })
        $pids = @($Events.ProcessId + $Events.ChildProcessId | Where-Object { $_ } | Sort-Object -Unique -Descending)
        # Each process's calls in time order, processes in the order they first appear: how two processes
        # interleave is the scheduler's choice (a ptrace stop lets a forked child run first), not the engine's.
        $mine = @($calls[$start..($calls.Count - 1)] | Where-Object Syscall -in $watch | Sort-Object MonotonicNanoseconds)
        $order = @{}
        foreach ($e in $mine) { if (-not $order.ContainsKey($e.ProcessId)) { $order[$e.ProcessId] = $order.Count } }
        $mine | Sort-Object -Stable { $order[$_.ProcessId] } |
            ForEach-Object {
                $line = $_.ToStraceLine() -replace '0x[0-9a-f]{6,}', '0xADDR'
                foreach ($p in $pids) { $line = $line -replace "\b$p\b", 'PID' }
                $line
            }
    }
}

Describe 'Parity: ptrace and eBPF see the same calls' {
    It 'the seed watch-list fixture decodes identically under both engines' {
        if ($ebpfWhy) { Set-ItResult -Skipped -Because "eBPF engine unavailable: $ebpfWhy"; return }
        if (-not (Test-Path "$fixtures/seed_watchlist")) { Set-ItResult -Skipped -Because 'fixtures not built (no C compiler)'; return }
        $p = Get-WatchLines (Start-SyscallTrace -Engine Ptrace -FilePath "$fixtures/seed_watchlist")
        $b = Get-WatchLines (Start-SyscallTrace -Engine Ebpf -FilePath "$fixtures/seed_watchlist")
        $p.Count | Should -BeGreaterThan 20
        # Line by line, so a difference names the call.
        for ($i = 0; $i -lt [Math]::Max($p.Count, $b.Count); $i++) {
            $b[$i] | Should -BeExactly $p[$i] -Because "line $i of the watch list"
        }
    }
}

Describe 'Parity: the decoder conformance fixture' {
    It 'decodes every call identically under both engines, but for the documented differences' {
        if ($ebpfWhy) { Set-ItResult -Skipped -Because "eBPF engine unavailable: $ebpfWhy"; return }
        if (-not (Test-Path "$fixtures/decode_conformance")) { Set-ItResult -Skipped -Because 'fixtures not built (no C compiler)'; return }
        # Pointers the eBPF program does not follow (docs/EBPF-ENGINE.md, "Known differences").
        $unfollowed = '^(seccomp|set_mempolicy|get_mempolicy)\('
        $lines = foreach ($engine in 'Ptrace', 'Ebpf') {
            # The same directory for both runs: paths appear in the lines.
            Remove-Item TestDrive:/conformance -Recurse -Force -ErrorAction Ignore
            $work = (New-Item TestDrive:/conformance -ItemType Directory -Force).FullName
            $events = @(Start-SyscallTrace -Engine $engine -FilePath "$fixtures/decode_conformance" -ArgumentList "$work/dump", $work)
            $calls = @($events | Where-Object Kind -eq 'Syscall')
            $from = [array]::FindIndex($calls, [Predicate[object]] { param($e) $e.ToStraceLine() -match '^close\(-12345\)' })
            $to = [array]::FindIndex($calls, [Predicate[object]] { param($e) $e.ToStraceLine() -match '^close\(-12346\)' })
            $pids = @($events.ProcessId + $events.ChildProcessId | Where-Object { $_ } | Sort-Object -Unique -Descending)
            , @($calls[$from..$to] | ForEach-Object {
                $line = $_.ToStraceLine() -replace '0x[0-9a-f]{6,}', '0xADDR'
                foreach ($p in $pids) { $line = $line -replace "\b$p\b", 'PID' }
                $line
            } | Where-Object { $_ -notmatch $unfollowed })
        }
        $lines[0].Count | Should -BeGreaterThan 300
        for ($i = 0; $i -lt [Math]::Max($lines[0].Count, $lines[1].Count); $i++) {
            $lines[1][$i] | Should -BeExactly $lines[0][$i] -Because "line $i of the conformance calls"
        }
    }
}

Describe 'Parity: signals' {
    BeforeAll {
        # Each signal event of a run, per process in stream order, as "process after call: line": the process
        # ids named by their place (root, childN in the order the root forked them), CPU times masked.
        function Get-SignalLines([string] $Engine, [string[]] $Syscall) {
            $extra = if ($Syscall) { @{ Syscall = $Syscall } } else { @{} }
            $events = @(Start-SyscallTrace -Engine $Engine -FilePath "$fixtures/signal_parity" @extra)
            $LASTEXITCODE | Should -Be 0 -Because "the fixture checks its handlers ran ($Engine)"
            $root = ($events | Where-Object Kind -eq 'Syscall')[0].ProcessId
            $names = @{ $root = 'root' }
            foreach ($c in @($events | Where-Object { $_.ProcessId -eq $root -and $_.ChildProcessId }).ChildProcessId + @($events.ProcessId)) {
                if (-not $names.ContainsKey($c)) { $names[$c] = "child$($names.Count)" }
            }
            $last = @{}
            $lines = foreach ($e in $events) {
                if ($e.Kind -eq 'Syscall') { $last[$e.ThreadId] = $e.Syscall; continue }
                if ($e.Kind -ne 'Signal') { continue }
                $e.ToString() | Should -BeExactly "[pid $($e.ThreadId)] --- $($e.Signal) $($e.SignalInfo) ---"
                $text = $e.ToStraceLine() -replace 'si_(utime|stime)=\d+', 'si_$1=T'
                $text = [regex]::Replace($text, 'si_pid=(\d+)', { param($m) 'si_pid=' + $names[[int]$m.Groups[1].Value] })
                [pscustomobject]@{ Process = $names[$e.ProcessId]; Line = "$($names[$e.ProcessId]) after $($last[$e.ThreadId]): $text" }
            }
            @($lines | Sort-Object -Stable Process | ForEach-Object Line)
        }
    }

    It 'reports the same signals after the same calls under both engines' {
        if ($ebpfWhy) { Set-ItResult -Skipped -Because "eBPF engine unavailable: $ebpfWhy"; return }
        if (-not (Test-Path "$fixtures/signal_parity")) { Set-ItResult -Skipped -Because 'fixtures not built (no C compiler)'; return }
        $p = Get-SignalLines Ptrace
        $b = Get-SignalLines Ebpf
        # SIGUSR1 (handled), SIGPIPE (SIG_IGN), SIGWINCH (ignored by default), SIGUSR2 (blocked, then handled),
        # three SIGCHLD (ignored by default) and a fatal SIGTERM.
        $p.Count | Should -Be 8
        $p | Should -Contain 'root after rt_sigprocmask: --- SIGUSR2 {si_signo=SIGUSR2, si_code=SI_USER, si_pid=root, si_uid=0} ---'
        for ($i = 0; $i -lt [Math]::Max($p.Count, $b.Count); $i++) {
            $b[$i] | Should -BeExactly $p[$i] -Because "signal line $i"
        }
    }

    It 'keeps the signals with -Syscall, as strace -e trace= does' {
        if ($ebpfWhy) { Set-ItResult -Skipped -Because "eBPF engine unavailable: $ebpfWhy"; return }
        if (-not (Test-Path "$fixtures/signal_parity")) { Set-ItResult -Skipped -Because 'fixtures not built (no C compiler)'; return }
        $p = Get-SignalLines Ptrace -Syscall kill
        $b = Get-SignalLines Ebpf -Syscall kill
        $p.Count | Should -Be 8
        $b | Should -BeExactly $p
    }
}

# Issue 10: "both produce the same events", measured over real programs. Each program of ParityCorpus.ps1 runs
# under both engines; its lines are normalised (run-to-run values: addresses, random bytes, clocks, the runner's
# output file, ephemeral ports, process ids by their place in the family) and compared thread by thread. Each
# program must keep its floor (98% of its lines or all but two; less, with the reason, for the three whose processes
# or threads race), and the corpus as a whole 99.5%: the gate. What differs beyond that is timing, not the engine:
# a SIGCHLD that lands before or after a wait4 or in another call (rt_sigreturn's result), or is merged with the
# next when both children end before the handler runs; how far a pipe had filled when xargs polled it.
# python3 threads is measured but kept out of the gate: which futex calls the interpreter lock makes is timing.
Describe 'Parity: a corpus of real programs' {
    BeforeAll {
        $Fixtures = "$repo/tests/fixtures/bin"
        . "$PSScriptRoot/ParityCorpus.ps1"
        $work = Join-Path ([IO.Path]::GetTempPath()) "syscallps-parity-$PID"
        $script:results = [Collections.Generic.List[object]]::new()
    }
    AfterAll { Remove-Item $work -Recurse -Force -ErrorAction Ignore }

    It '<Name>' -ForEach $ParityCorpus {
        if ($ebpfWhy) { Set-ItResult -Skipped -Because "eBPF engine unavailable: $ebpfWhy"; return }
        if ($Fixture -and -not (Test-Path $FilePath)) { Set-ItResult -Skipped -Because 'fixtures not built (no C compiler)'; return }
        $arguments = if ($ArgumentList) { @{ ArgumentList = $ArgumentList } } else { @{} }
        Initialize-ParityWork $work
        Push-Location $work
        try { & $FilePath @ArgumentList *> $null } finally { Pop-Location }
        $lines = foreach ($engine in 'Ptrace', 'Ebpf') {
            Initialize-ParityWork $work
            , @(Get-ParityLines @(Start-SyscallTrace -Engine $engine -FilePath $FilePath @arguments -WorkingDirectory $work))
        }
        $lines[0].Count | Should -BeGreaterThan 20 -Because 'the ptrace run saw the program start'
        $r = Compare-ParityLines $lines[0] $lines[1]
        $script:results.Add([pscustomobject]@{ Name = $Name; Matched = $r.Matched; Total = $r.Total; Gate = $Gate -ne $false })
        $floor = if ($Floor) { $Floor } else { 98 }
        $r.Total - $r.Matched | Should -BeLessOrEqual ([Math]::Max(2, [Math]::Floor($r.Total * (100 - $floor) / 100))) -Because (
            "$($r.Matched) of $($r.Total) lines are identical$(if ($Why) { " ($Why)" }); the others:`n" + ($r.Differences -join "`n"))
    }

    It 'has at least 99.5% of its lines identical between the engines over at least 30 programs' {
        if ($ebpfWhy) { Set-ItResult -Skipped -Because "eBPF engine unavailable: $ebpfWhy"; return }
        $gated = @($results | Where-Object Gate)
        $gated.Count | Should -BeGreaterOrEqual 30
        $matched = ($gated | Measure-Object Matched -Sum).Sum
        $total = ($gated | Measure-Object Total -Sum).Sum
        $all = 100 * ($results | Measure-Object Matched -Sum).Sum / ($results | Measure-Object Total -Sum).Sum
        Write-Host ("    parity corpus: {0} programs, {1} of {2} lines identical ({3:N3}%); with the ungated ones, {4} programs, {5:N3}%" -f
            $gated.Count, $matched, $total, (100 * $matched / $total), $results.Count, $all)
        100 * $matched / $total | Should -BeGreaterOrEqual 99.5
    }
}

Describe 'Both engines: <Engine>' -ForEach $engines {
    BeforeAll { $PSDefaultParameterValues['Start-SyscallTrace:Engine'] = $Engine }
    AfterAll { $PSDefaultParameterValues.Remove('Start-SyscallTrace:Engine') }

    It 'launches, reports from execve on, follows children, keeps the exit code' {
        if ($Why) { Set-ItResult -Skipped -Because "eBPF engine unavailable: $Why"; return }
        $events = Start-SyscallTrace -FilePath sh -ArgumentList '-c', 'cd /tmp; echo hi > syscallps-p.txt; mv syscallps-p.txt syscallps-q.txt; rm syscallps-q.txt; exit 3'
        $LASTEXITCODE | Should -Be 3
        ($events | Where-Object Kind -eq 'Syscall')[0].Syscall | Should -Be 'execve'
        ($events | Where-Object Syscall -eq 'chdir').Path | Should -Be '/tmp'
        ($events | Where-Object Syscall -in 'rename', 'renameat2').TargetPath | Should -Be 'syscallps-q.txt'
        ($events | Where-Object Syscall -in 'unlink', 'unlinkat').Path | Should -Contain 'syscallps-q.txt'
        ($events.ProcessId | Sort-Object -Unique).Count | Should -BeGreaterOrEqual 3
        ($events | Where-Object Kind -eq 'Exited').ExitCode | Should -Contain 3
    }

    It 'filters with -Syscall' {
        if ($Why) { Set-ItResult -Skipped -Because "eBPF engine unavailable: $Why"; return }
        $events = Start-SyscallTrace -FilePath ls -ArgumentList '/' -Syscall openat, close | Where-Object Kind -eq 'Syscall'
        $events | Should -Not -BeNullOrEmpty
        $events.Syscall | Sort-Object -Unique | Should -Be @('close', 'openat')
    }

    It 'records data with -CaptureData' {
        if ($Why) { Set-ItResult -Skipped -Because "eBPF engine unavailable: $Why"; return }
        $events = Start-SyscallTrace -FilePath sh -ArgumentList '-c', 'cat /etc/passwd | wc -c > /dev/null' -CaptureData
        (($events | Where-Object { $_.Syscall -eq 'read' -and $_.FdName -eq '/etc/passwd' }).DataText -join '') | Should -Match '^root:'
    }

    It 'attaches to a process with -ProcessId and leaves it running' {
        if ($Why) { Set-ItResult -Skipped -Because "eBPF engine unavailable: $Why"; return }
        if (-not (Test-Path "$fixtures/spinner")) { Set-ItResult -Skipped -Because 'fixtures not built (no C compiler)'; return }
        $target = [int](sh -c "'$fixtures/spinner' sleep 1 >/dev/null 2>&1 & echo `$!")
        try {
            $events = Start-SyscallTrace -ProcessId $target -Duration '00:00:00.5'
            $events.Syscall | Should -Contain 'clock_nanosleep'
            ($events.ProcessId | Sort-Object -Unique) | Should -Be $target
            Start-Sleep -Milliseconds 100
            (Get-Content "/proc/$target/status" | Select-String '^TracerPid:\s+0$') | Should -Not -BeNullOrEmpty
        } finally { kill -9 $target 2>$null }
    }
}

Describe 'eBPF only' {
    It 'Auto picks eBPF when privileged and says why' {
        if ($ebpfWhy) { Set-ItResult -Skipped -Because "eBPF engine unavailable: $ebpfWhy"; return }
        $s = Start-SyscallTrace -FilePath true -AsJob
        $null = $s | Wait-Job -Timeout 20
        $s.Engine | Should -Be 'Ebpf'
        $s.EngineReason | Should -Not -BeNullOrEmpty
        $s | Remove-Job
    }

    It 'sees a chdir of another process system-wide' {
        if ($ebpfWhy) { Set-ItResult -Skipped -Because "eBPF engine unavailable: $ebpfWhy"; return }
        $dir = (New-Item TestDrive:/syscallps-systemwide -ItemType Directory -Force).FullName
        # The outer sh gets a SIGCHLD when the inner one ends.
        $job = Start-ThreadJob { param($d) Start-Sleep -Milliseconds 700; sh -c "sh -c 'cd $d'; true" } -ArgumentList $dir
        $events = Start-SyscallTrace -SystemWide -Syscall chdir -Duration '00:00:02'
        $job | Wait-Job | Remove-Job
        ($events | Where-Object { $_.Path -eq $dir }).ProcessName | Should -Contain 'sh'
        $events.ProcessId | Should -Not -Contain $PID
        # A system-wide trace of chosen calls holds only those calls: not the outer sh's SIGCHLD.
        @($events | Where-Object Kind -ne 'Syscall') | Should -BeNullOrEmpty
        @($events | Where-Object Syscall -ne 'chdir') | Should -BeNullOrEmpty
    }

    It '-SystemWide with the ptrace engine is InvalidArgument' {
        { Start-SyscallTrace -SystemWide -Engine Ptrace -ErrorAction Stop } | Should -Throw -ErrorId 'SystemWideNeedsEbpf,SyscallPS.Commands.StartSyscallTraceCommand'
    }

    It 'counts each lost event once: the Lost records add up to the warning and account for every call' {
        if ($ebpfWhy) { Set-ItResult -Skipped -Because "eBPF engine unavailable: $ebpfWhy"; return }
        # A 4 KiB ring behind a deliberately slow consumer overflows.
        $events = Start-SyscallTrace -Engine Ebpf -RingBufferSize 4096 -FilePath dd -ArgumentList 'if=/dev/zero', 'of=/dev/null', 'bs=1', 'count=20000', 'status=none' -WarningVariable w -WarningAction SilentlyContinue |
            ForEach-Object -Begin { $n = 0 } -Process { if ($n++ -eq 0) { Start-Sleep -Milliseconds 300 }; $_ }
        $lostRecords = @($events | Where-Object Kind -eq 'Lost')
        $lostRecords | Should -Not -BeNullOrEmpty
        $total = ($lostRecords | Measure-Object LostCount -Sum).Sum
        "$w" | Should -Match "lost $total events"
        # Said as the first loss arrives, and again with the total at the end; each names a ring that would do.
        $w.Count | Should -Be 2
        $w[0].Message | Should -Match '-RingBufferSize \d+[KMG]B \(now 4KB\)'
        # dd makes 40000 calls for the copy and about a hundred to start and end.
        $delivered = @($events | Where-Object Kind -ne 'Lost').Count
        ($delivered + $total) | Should -BeGreaterOrEqual 40000
        ($delivered + $total) | Should -BeLessThan 40500 -Because 'no loss may be counted twice'
    }

    It 'leaves no BPF program or link behind' {
        if ($ebpfWhy) { Set-ItResult -Skipped -Because "eBPF engine unavailable: $ebpfWhy"; return }
        if (-not (Get-Command bpftool -ErrorAction Ignore)) { Set-ItResult -Skipped -Because 'bpftool is not installed'; return }
        # Other SyscallPS sessions on the machine may have their own sps_ programs: look only at the ids that
        # appeared with this session.
        function Get-SpsProgramIds { @((bpftool prog show) -match '^\d+: .* name sps_' | ForEach-Object { [int]($_ -replace ':.*') }) }
        Start-SyscallTrace -FilePath true | Out-Null
        $before = Get-SpsProgramIds
        $s = Start-SyscallTrace -FilePath sleep -ArgumentList 5 -AsJob
        Start-Sleep -Milliseconds 300
        $ours = @(Get-SpsProgramIds | Where-Object { $_ -notin $before })
        $ours | Should -Not -BeNullOrEmpty -Because 'the running session has its programs loaded'
        $s | Stop-SyscallTrace
        # The kernel frees a program once its last reference goes, which a loaded machine may take a moment to do.
        $deadline = [DateTime]::UtcNow.AddSeconds(10)
        while ((Get-SpsProgramIds | Where-Object { $_ -in $ours }) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
        Get-SpsProgramIds | Where-Object { $_ -in $ours } | Should -BeNullOrEmpty
        $links = @((bpftool link show) -match 'prog (\d+)' | ForEach-Object { if ($_ -match 'prog (\d+)') { [int]$Matches[1] } })
        $links | Where-Object { $_ -in $ours } | Should -BeNullOrEmpty
        $s | Remove-Job
    }
}
