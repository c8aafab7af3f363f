#Requires -Version 7.4
# Start-SyscallTrace, Get-SyscallEvent, Stop-SyscallTrace and Get-SyscallTrace tracing real programs
# with the ptrace engine (its own behaviours: attach/detach states, seccomp, signals, group-stops).
# The engine-independent behaviours run against both engines in Parity.Tests.ps1 and Descriptors.Tests.ps1.
# Fixture programs come from tests/fixtures (compiled by ./build.ps1 -Task Test).

BeforeDiscovery {
    $script:repo = (Resolve-Path "$PSScriptRoot/../..").Path
    $script:haveFixtures = Test-Path "$repo/tests/fixtures/bin/spinner"
}

BeforeAll {
    $repo = (Resolve-Path "$PSScriptRoot/../..").Path
    $module = & "$PSScriptRoot/ModuleUnderTest.ps1"
    Import-Module $module -Force
    $fixtures = "$repo/tests/fixtures/bin"
    $PSDefaultParameterValues['Start-SyscallTrace:Engine'] = 'Ptrace'

    # A process that is not this pwsh's child (a .NET child cannot be attached to from its parent).
    function Start-Detached([string] $Command) {
        [int](sh -c "$Command >/dev/null 2>&1 & echo `$!")
    }

    function Get-ProcState([int] $ProcessId) {
        $status = Get-Content "/proc/$ProcessId/status"
        [pscustomobject]@{
            State     = ($status -match '^State:')[0].Substring(6).Trim()[0]
            TracerPid = ($status -match '^TracerPid:')[0].Substring(10).Trim()
        }
    }

    function Wait-Released([int] $ProcessId, [char] $Expected) {
        $deadline = [datetime]::UtcNow.AddSeconds(3)
        do {
            $s = Get-ProcState $ProcessId
            if ($s.TracerPid -eq '0' -and $s.State -ceq $Expected) { return $s }
            Start-Sleep -Milliseconds 20
        } while ([datetime]::UtcNow -lt $deadline)
        $s
    }
}

Describe 'Start-SyscallTrace launching a program' {
    It 'streams typed events that Group-Object can count' {
        $groups = Start-SyscallTrace -FilePath ls -ArgumentList '-la', '/etc' | Group-Object Syscall
        $groups.Name | Should -Contain 'execve'
        $groups.Name | Should -Contain 'getdents64'
        ($groups | Where-Object Name -eq 'execve').Count | Should -Be 1
        $LASTEXITCODE | Should -Be 0
    }

    It 'sees the seed example: chdir, openat, rename, unlink across forked children' {
        $events = Start-SyscallTrace -FilePath sh -ArgumentList '-c', 'cd /tmp; echo hi > syscallps-x.txt; mv syscallps-x.txt syscallps-y.txt; rm syscallps-y.txt' |
            Where-Object Syscall -in 'chdir', 'openat', 'rename', 'renameat2', 'unlink', 'unlinkat'
        $events.Syscall | Should -Contain 'chdir'
        $events.Syscall | Should -Contain 'openat'
        ($events | Where-Object Syscall -in 'rename', 'renameat2').Count | Should -BeGreaterOrEqual 1
        ($events | Where-Object Syscall -in 'unlink', 'unlinkat').Count | Should -BeGreaterOrEqual 1
        # mv and rm run in children of sh: they are followed.
        ($events.ProcessId | Sort-Object -Unique).Count | Should -BeGreaterOrEqual 3
    }

    It 'keeps the exit code on $LASTEXITCODE' {
        Start-SyscallTrace -FilePath sh -ArgumentList '-c', 'exit 42' | Out-Null
        $LASTEXITCODE | Should -Be 42
    }

    It 'takes -ArgumentList $null as no arguments, as Start-Process does' {
        $events = Start-SyscallTrace -FilePath true -ArgumentList $null -Syscall execve -ErrorAction Stop
        ($events | Where-Object Syscall -eq 'execve')[0].ToStraceLine() | Should -Match '^execve\("[^"]*/true", \["true"\], '
    }

    It 'reports process exits and signals in the stream' {
        $events = Start-SyscallTrace -FilePath "$fixtures/signals"
        $LASTEXITCODE | Should -Be 4     # the handler ran: the signal was delivered
        ($events | Where-Object Kind -eq 'Signal').Count | Should -BeGreaterOrEqual 3
        ($events | Where-Object Kind -eq 'Exited').Count | Should -BeGreaterOrEqual 2
        $events[-1].ToString() | Should -Match '^\[pid \d+\] \+\+\+ exited with 4 \+\+\+$'
    } -Skip:(-not $haveFixtures)

    It 'reports a group-stop as strace does, and the analyses leave it out' {
        $events = Start-SyscallTrace -FilePath "$fixtures/conf_stops"
        $stops = @($events | Where-Object Kind -eq 'Stopped')
        $stops.Signal | Should -Be 'SIGSTOP', 'SIGTSTP'
        $stops[0].ToStraceLine() | Should -Be '--- stopped by SIGSTOP ---'
        ($stops[0] | Format-Table | Out-String) | Should -Match '--- stopped by SIGSTOP ---'
        $rows = @($stops | Measure-SyscallEvent)
        $rows.IsTotal | Should -Be $true
        $rows.Calls | Should -Be 0
        { $stops | Should -HaveSyscall '*' } | Should -Throw

        # strace's own log of the same program reads back as the same records.
        $log = Join-Path $TestDrive 'stops.txt'
        strace -f -o $log "$fixtures/conf_stops"
        $imported = @(Import-StraceLog -LiteralPath $log | Where-Object Kind -eq 'Stopped')
        $imported.ToStraceLine() | Should -Be '--- stopped by SIGSTOP ---', '--- stopped by SIGTSTP ---'
    } -Skip:(-not $haveFixtures -or -not (Get-Command strace -ErrorAction Ignore))

    It 'follows threads and forks by default, and not with -NoFollow' {
        $all = Start-SyscallTrace -FilePath "$fixtures/forker"
        $leader = ($all | Where-Object Syscall -eq 'execve')[0].ProcessId
        ($all | Where-Object ProcessId -ne $leader | Measure-Object).Count | Should -BeGreaterThan 0
        ($all | Where-Object { $_.ThreadId -ne $_.ProcessId } | Measure-Object).Count | Should -BeGreaterThan 0
        $one = Start-SyscallTrace -FilePath "$fixtures/forker" -NoFollow
        ($one.ThreadId | Sort-Object -Unique).Count | Should -Be 1
    } -Skip:(-not $haveFixtures)

    It 'filters with -Syscall (wildcards, comma lists) and -Category' {
        $events = Start-SyscallTrace -FilePath ls -ArgumentList '/' -Syscall 'openat,close', 'fstat*' | Where-Object Kind -eq 'Syscall'
        $events.Syscall | Sort-Object -Unique | Should -BeIn @('openat', 'close', 'fstat', 'fstatfs')
        $net = Start-SyscallTrace -FilePath "$fixtures/seed_watchlist" -Category Network | Where-Object Kind -eq 'Syscall'
        $net.Syscall | Should -Contain 'connect'
        $net.Syscall | Should -Not -Contain 'openat'
    } -Skip:(-not $haveFixtures)

    It 'reports only failures with -Failed' {
        $events = Start-SyscallTrace -FilePath "$fixtures/seed_watchlist" -Failed
        # As strace -Z: the failed calls, and the process's end, which is not a call.
        $failed = @($events | Where-Object Kind -eq 'Syscall')
        $failed | Should -Not -BeNullOrEmpty
        $failed | ForEach-Object { $_.Succeeded | Should -BeFalse }
        @($events | Where-Object Kind -notin 'Syscall', 'Signal', 'Exited', 'Killed').Kind | Should -BeNullOrEmpty
        $events[-1].Kind | Should -Be 'Exited'
    } -Skip:(-not $haveFixtures)

    It 'ends the program when the pipeline stops early, leaving nothing traced' {
        $first = Start-SyscallTrace -FilePath "$fixtures/spinner" -ArgumentList 'busy', '1' | Select-Object -First 5
        $first.Count | Should -Be 5
        $pid0 = $first[0].ProcessId
        Start-Sleep -Milliseconds 200
        Test-Path "/proc/$pid0" | Should -BeFalse
        $LASTEXITCODE | Should -Be 143   # SIGTERM, as strace does when it is stopped
    } -Skip:(-not $haveFixtures)

    It 'ends the trace cleanly when a downstream command throws' {
        $target = Start-Detached "$fixtures/spinner busy 1"
        try {
            { Start-SyscallTrace -ProcessId $target | ForEach-Object { throw 'downstream failure' } } | Should -Throw '*downstream failure*'
            (Wait-Released $target 'R').TracerPid | Should -Be '0'
            (Get-ProcState $target).State | Should -BeExactly 'R'
        } finally { Stop-Process -Id $target -Force -ErrorAction Ignore }
    } -Skip:(-not $haveFixtures)

    It 'stops after -Duration' {
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $events = Start-SyscallTrace -FilePath "$fixtures/spinner" -ArgumentList 'sleep', '1' -Duration '00:00:00.5'
        $sw.Elapsed.TotalSeconds | Should -BeLessThan 5
        ($events | Where-Object Syscall -eq 'clock_nanosleep').Count | Should -BeGreaterThan 2
    } -Skip:(-not $haveFixtures)

    It 'stops cleanly on Ctrl+C (StopProcessing)' {
        $ps = [powershell]::Create()
        $null = $ps.AddScript("Import-Module '$module'; Start-SyscallTrace -Engine Ptrace -FilePath '$fixtures/spinner' -ArgumentList 'busy','1' | ForEach-Object { `$_.ProcessId } | Select-Object -Unique")
        $out = [System.Management.Automation.PSDataCollection[psobject]]::new()
        $handle = $ps.BeginInvoke([System.Management.Automation.PSDataCollection[psobject]]::new(), $out)
        $deadline = [datetime]::UtcNow.AddSeconds(10)
        while ($out.Count -eq 0 -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
        $tracee = [int]$out[0]
        $ps.Stop()
        $ps.Dispose()
        Start-Sleep -Milliseconds 300
        # A launched program gets SIGINT, as under strace.
        Test-Path "/proc/$tracee" | Should -BeFalse
    } -Skip:(-not $haveFixtures)
}

Describe 'Data capture (-CaptureData)' {
    It 'records the bytes read and written, cut at -DataSize' {
        Set-Content -Path TestDrive:/data.txt -Value ('syscallps-data-' + ('x' * 100)) -NoNewline
        $file = (Get-Item TestDrive:/data.txt).FullName
        # cat writes to a pipe: into a regular file (a redirected test log) it would use copy_file_range.
        $events = Start-SyscallTrace -FilePath sh -ArgumentList '-c', "cat '$file' | wc -c > /dev/null" -CaptureData -DataSize 20 -Syscall read, write
        $read = $events | Where-Object { $_.Syscall -eq 'read' -and $_.FdName -eq $file -and $_.ReturnValue -gt 0 }
        $read | Should -HaveCount 1
        $read.DataText | Should -BeExactly 'syscallps-data-xxxxx'
        $read.Data.TotalLength | Should -Be 115
        $read.Data.Truncated | Should -BeTrue
        ($events | Where-Object { $_.Syscall -eq 'write' -and $_.DataText -like 'syscallps*' }).DataText | Should -BeExactly 'syscallps-data-xxxxx'
    }

    It 'is off unless asked' {
        $events = Start-SyscallTrace -FilePath cat -ArgumentList /etc/hostname -Syscall read
        $events | Where-Object Data | Should -BeNullOrEmpty
        { Start-SyscallTrace -FilePath true -DataSize 10 -ErrorAction Stop } | Should -Throw -ErrorId 'DataSizeNeedsCaptureData,SyscallPS.Commands.StartSyscallTraceCommand'
    }
}

Describe 'Capture files' {
    It 'writes a capture with -OutFile and reads the same events back with Get-SyscallEvent -Path' {
        $live = Start-SyscallTrace -FilePath sh -ArgumentList '-c', 'cat /etc/hostname > /dev/null' -OutFile TestDrive:/sh.trace
        $back = Get-SyscallEvent -Path TestDrive:/sh.trace
        $back.Count | Should -Be $live.Count
        $back[0].GetType().FullName | Should -Be 'SyscallPS.SyscallEvent'
        ($back | ForEach-Object ToString) | Should -Be ($live | ForEach-Object ToString)
        (Get-SyscallEvent -Path TestDrive:/sh.trace -Syscall execve).Path | Should -Contain '/usr/bin/cat'
    }

    It 'rejects a file that is not a capture with InvalidData, and a missing one with ObjectNotFound' {
        Set-Content TestDrive:/not.trace 'hello'
        { Get-SyscallEvent -Path TestDrive:/not.trace -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidCaptureFile,SyscallPS.Commands.GetSyscallEventCommand'
        { Get-SyscallEvent -Path TestDrive:/missing.trace -ErrorAction Stop } | Should -Throw -ErrorId 'CaptureNotFound,SyscallPS.Commands.GetSyscallEventCommand'
    }
}

Describe 'Start-SyscallTrace attaching to running processes' -Skip:(-not $haveFixtures) {
    It 'attaches to a busy multi-threaded process and detaches leaving it running' {
        $target = Start-Detached "$fixtures/spinner busy 3"
        try {
            $events = Start-SyscallTrace -ProcessId $target -Duration '00:00:00.4'
            ($events | Where-Object Syscall -eq 'getppid').ThreadId | Sort-Object -Unique | Should -HaveCount 3
            (Wait-Released $target 'R').TracerPid | Should -Be '0'
            (Get-ProcState $target).State | Should -BeExactly 'R'
        } finally { Stop-Process -Id $target -Force -ErrorAction Ignore }
    }

    It 'attaches to a sleeping process and detaches leaving it sleeping' {
        $target = Start-Detached "$fixtures/spinner sleep 1"
        try {
            $events = Start-SyscallTrace -ProcessId $target -Duration '00:00:00.3'
            $events.Syscall | Should -Contain 'clock_nanosleep'
            $s = Wait-Released $target 'S'
            $s.TracerPid | Should -Be '0'
            $s.State | Should -BeExactly 'S'
        } finally { Stop-Process -Id $target -Force -ErrorAction Ignore }
    }

    It 'leaves a stopped process stopped (T), not trace-stopped (t)' {
        $target = Start-Detached "$fixtures/spinner sleep 1"
        try {
            kill -STOP $target
            Start-Sleep -Milliseconds 50
            $events = Start-SyscallTrace -ProcessId $target -Duration '00:00:00.2'
            ($events | Where-Object Kind -eq 'Syscall') | Should -BeNullOrEmpty
            $s = Wait-Released $target 'T'
            $s.State | Should -BeExactly 'T'
            $s.TracerPid | Should -Be '0'
        } finally { Stop-Process -Id $target -Force -ErrorAction Ignore }
    }

    It 'takes process ids from the pipeline (Get-Process)' {
        $target = Start-Detached "$fixtures/spinner sleep 1"
        try {
            $events = Get-Process -Id $target | Start-SyscallTrace -Duration '00:00:00.3'
            $events.ProcessId | Sort-Object -Unique | Should -Be $target
        } finally { Stop-Process -Id $target -Force -ErrorAction Ignore }
    }

    It 'exports to CSV and JSON without .NET type names' {
        $target = Start-Detached "$fixtures/spinner sleep 1"
        try {
            $events = Start-SyscallTrace -ProcessId $target -Duration '00:00:00.3'
        } finally { Stop-Process -Id $target -Force -ErrorAction Ignore }
        $events | Export-Csv -Path TestDrive:/trace.csv
        $text = Get-Content TestDrive:/trace.csv -Raw
        $text | Should -Not -Match 'System\.|SyscallPS\.'
        $back = Import-Csv TestDrive:/trace.csv
        $back[0].Syscall | Should -Not -BeNullOrEmpty
        $json = $events | Select-Object -First 5 | ConvertTo-Json -Depth 4
        $json | Should -Not -Match 'System\.|SyscallPS\.'
        $back = $json | ConvertFrom-Json
        ($back | Where-Object Syscall -eq 'clock_nanosleep')[0].Arguments[0].Text | Should -Not -BeNullOrEmpty
    }
}

Describe 'Background sessions' -Skip:(-not $haveFixtures) {
    It 'traces with -AsJob, reads with Get-SyscallEvent -Wait, keeps the exit code' {
        $s = Start-SyscallTrace -FilePath "$fixtures/seed_watchlist" -AsJob
        $s.Engine | Should -Be 'Ptrace'
        $failed = Get-SyscallEvent -Session $s -Wait | Where-Object { -not $_.Succeeded }
        $failed.Syscall | Should -Contain 'openat'
        $s.State | Should -Be 'Completed'
        $s.ExitCode | Should -Be 0
        (Get-SyscallTrace -Id $s.SessionId).Id | Should -Be $s.SessionId
        (Get-Job -Id $s.Id) | Should -Be $s
        Get-SyscallEvent -Session $s -Syscall 'open*' -Failed | ForEach-Object { $_.Syscall | Should -BeLike 'open*' }
    }

    It 'stops a background session with Stop-SyscallTrace and detaches' {
        $target = Start-Detached "$fixtures/spinner busy 1"
        try {
            $s = Start-SyscallTrace -ProcessId $target -AsJob
            Start-Sleep -Milliseconds 200
            $s | Stop-SyscallTrace -PassThru | Select-Object -ExpandProperty State | Should -Be 'Stopped'
            (Wait-Released $target 'R').TracerPid | Should -Be '0'
            $s.EventCount | Should -BeGreaterThan 0
        } finally { Stop-Process -Id $target -Force -ErrorAction Ignore }
    }

    It 'keeps memory bounded: drops the oldest beyond -BufferCapacity and says so' {
        $s = Start-SyscallTrace -FilePath ls -ArgumentList '-la', '/usr/bin' -AsJob -BufferCapacity 50
        $null = $s | Wait-Job -Timeout 20
        $events = Get-SyscallEvent -Session $s -WarningVariable warn -WarningAction SilentlyContinue
        $events.Count | Should -Be 50
        $s.DroppedCount | Should -BeGreaterThan 0
        "$warn" | Should -Match 'dropped'
        $events[-1].Kind | Should -Be 'Exited'
    }
}

Describe 'Errors' {
    It 'a missing program is ObjectNotFound with a stable id' {
        { Start-SyscallTrace -FilePath no-such-program-xyz -ErrorAction Stop } | Should -Throw -ErrorId 'ProgramNotFound,SyscallPS.Commands.StartSyscallTraceCommand'
        try { Start-SyscallTrace -FilePath no-such-program-xyz -ErrorAction Stop } catch { $_.CategoryInfo.Category | Should -Be 'ObjectNotFound'; $_.ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty }
    }

    It 'a missing PID is ObjectNotFound' {
        { Start-SyscallTrace -ProcessId 999999 -ErrorAction Stop } | Should -Throw -ErrorId 'ProcessNotFound,SyscallPS.Commands.StartSyscallTraceCommand'
    }

    It "another user's process without CAP_SYS_PTRACE is PermissionDenied" {
        if (-not (Get-Command setpriv -ErrorAction Ignore)) { Set-ItResult -Skipped -Because 'setpriv (util-linux) is missing'; return }
        if ((id -u) -ne '0') { Set-ItResult -Skipped -Because 'needs root to start a process as another user'; return }
        $target = [int](sh -c "setpriv --reuid=65534 --regid=65534 --clear-groups sleep 30 >/dev/null 2>&1 & echo `$!")
        try {
            # The tracer: root without CAP_SYS_PTRACE (dropped from the bounding set), so another uid's process is off limits.
            $script = "Import-Module '$module'; try { Start-SyscallTrace -Engine Ptrace -ProcessId $target -ErrorAction Stop } catch { `$_.FullyQualifiedErrorId; `$_.CategoryInfo.Category }"
            $out = & setpriv --bounding-set=-sys_ptrace --inh-caps=-sys_ptrace ([Environment]::ProcessPath) ([Environment]::GetCommandLineArgs()[0]) -NoProfile -Command $script 2>&1
            "$out" | Should -Match 'ProcessAccessDenied'
            "$out" | Should -Match 'PermissionDenied'
            (Get-ProcState $target).TracerPid | Should -Be '0'
            (Get-ProcState $target).State | Should -BeExactly 'S'
        } finally { kill -9 $target 2>$null }
    }

    It 'an invalid combination is InvalidArgument' {
        { Start-SyscallTrace -FilePath ls -BufferCapacity 10 -ErrorAction Stop } | Should -Throw -ErrorId 'BufferCapacityNeedsAsJob,SyscallPS.Commands.StartSyscallTraceCommand'
        { Start-SyscallTrace -FilePath ls -Syscall nosuchcall -ErrorAction Stop } | Should -Throw -ErrorId 'UnknownSyscall,SyscallPS.Commands.StartSyscallTraceCommand'
        { Start-SyscallTrace -ProcessId $PID -ErrorAction Stop } | Should -Throw -ErrorId 'CannotTraceSelf,SyscallPS.Commands.StartSyscallTraceCommand'
    }

    It 'a child of this session cannot be attached to, and is left untouched' {
        $p = Start-Process sleep -ArgumentList 30 -PassThru
        try {
            { Start-SyscallTrace -ProcessId $p.Id -ErrorAction Stop } | Should -Throw -ErrorId 'ProcessIsChildOfThisSession,SyscallPS.Commands.StartSyscallTraceCommand'
            (Get-ProcState $p.Id).TracerPid | Should -Be '0'
        } finally { $p | Stop-Process -Force }
    }

    It 'Get-SyscallEvent on an unknown session id errors' {
        { Stop-SyscallTrace -Id 987654 -ErrorAction Stop } | Should -Throw -ErrorId 'SessionNotFound,SyscallPS.Commands.StopSyscallTraceCommand'
    }
}
