#Requires -Version 7.4
# Automation users: the launched program's standard streams (Start-Process's -Redirect* parameters, and /dev/null
# when there is no terminal to share), background traces as real PowerShell jobs, and traces inside Start-Job and
# Start-ThreadJob.

BeforeDiscovery {
    $module = & "$PSScriptRoot/ModuleUnderTest.ps1"
    Import-Module $module -Force
    $script:engines = & "$PSScriptRoot/EngineCases.ps1"
}

BeforeAll {
    $module = (Resolve-Path (& "$PSScriptRoot/ModuleUnderTest.ps1")).Path
    Import-Module $module -Force
}

Describe 'Standard streams under <Engine>' -ForEach $engines {
    BeforeAll {
        $PSDefaultParameterValues['Start-SyscallTrace:Engine'] = $Engine
    }
    AfterAll { $PSDefaultParameterValues.Remove('Start-SyscallTrace:Engine') }

    It 'reads -RedirectStandardInput and replaces the -RedirectStandardOutput and -RedirectStandardError files' {
        if ($Why) { Set-ItResult -Skipped -Because "eBPF engine unavailable: $Why"; return }
        Set-Content TestDrive:/in.txt 'line from the input file'
        Set-Content TestDrive:/out.txt ('x' * 5000)
        Push-Location TestDrive:/
        try {
            # Relative paths resolve against the PowerShell location, as Start-Process resolves them.
            $events = Start-SyscallTrace -FilePath sh -ArgumentList '-c', 'cat; echo on-stderr >&2' -RedirectStandardInput in.txt -RedirectStandardOutput out.txt -RedirectStandardError err.txt
        } finally { Pop-Location }
        Get-Content TestDrive:/out.txt | Should -Be 'line from the input file'
        Get-Content TestDrive:/err.txt | Should -Be 'on-stderr'
        @($events | Where-Object { $_ -isnot [SyscallPS.SyscallEvent] }) | Should -BeNullOrEmpty
        # sh writes its >&2 echo through a dup of descriptor 2: the write names the error file.
        ($events | Where-Object Syscall -eq 'write').FdName | Should -Contain (Get-Item TestDrive:/err.txt).FullName
    }

    It 'gives the program /dev/null when PowerShell has no terminal, so nothing it prints reaches the pipeline' {
        if ($Why) { Set-ItResult -Skipped -Because "eBPF engine unavailable: $Why"; return }
        # This pwsh runs under Pester with its output in a pipe or file: no terminal to share.
        $output = Start-SyscallTrace -FilePath sh -ArgumentList '-c', 'echo MARKER-OUT; echo MARKER-ERR >&2; cat' 2>&1
        @($output | Where-Object { $_ -isnot [SyscallPS.SyscallEvent] }) | Should -BeNullOrEmpty
        $writes = @($output | Where-Object { $_.Syscall -eq 'write' -and $_.Fd -in 1, 2 })
        $writes.Count | Should -Be 2
        $writes.FdName | Sort-Object -Unique | Should -Be '/dev/null'
        ($output | Where-Object { $_.Syscall -eq 'read' -and $_.Fd -eq 0 }).FdName | Should -Contain '/dev/null'
    }
}

Describe 'Standard streams: what reaches the host' {
    It 'a child pwsh without a terminal shows none of the program output on its own standard output' {
        $psi = [Diagnostics.ProcessStartInfo]::new([Environment]::ProcessPath)
        if ([IO.Path]::GetFileNameWithoutExtension([Environment]::ProcessPath) -eq 'dotnet') { $psi.ArgumentList.Add([Environment]::GetCommandLineArgs()[0]) }
        foreach ($a in '-NoProfile', '-NonInteractive', '-Command', "Import-Module '$module'; `$n = @(Start-SyscallTrace -Engine Ptrace -FilePath sh -ArgumentList '-c', 'echo MARKER-OUT; echo MARKER-ERR >&2').Count; `"events `$n`"") { $psi.ArgumentList.Add($a) }
        $psi.RedirectStandardOutput = $true
        $psi.RedirectStandardError = $true
        $child = [Diagnostics.Process]::Start($psi)
        $stderr = $child.StandardError.ReadToEndAsync()
        $stdout = $child.StandardOutput.ReadToEnd()
        $child.WaitForExit(60000) | Should -BeTrue
        $stdout | Should -Match 'events [1-9]'
        $stdout | Should -Not -Match 'MARKER'
        $stderr.Result | Should -Not -Match 'MARKER'
    }

    It 'refuses a missing input file before launching anything (ObjectNotFound)' {
        $err = { Start-SyscallTrace -FilePath cat -RedirectStandardInput TestDrive:/no-such-file -ErrorAction Stop } | Should -Throw -ErrorId 'StandardInputNotFound,SyscallPS.Commands.StartSyscallTraceCommand' -PassThru
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err.ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
    }

    It 'refuses one file for both output and error (InvalidArgument) and creates nothing' {
        $err = { Start-SyscallTrace -FilePath true -RedirectStandardOutput TestDrive:/same.txt -RedirectStandardError TestDrive:/same.txt -ErrorAction Stop } | Should -Throw -ErrorId 'RedirectToSameFile,SyscallPS.Commands.StartSyscallTraceCommand' -PassThru
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        'TestDrive:/same.txt' | Should -Not -Exist
    }
}

Describe 'Background traces are PowerShell jobs' {
    BeforeAll { $PSDefaultParameterValues['Start-SyscallTrace:Engine'] = 'Ptrace' }
    AfterAll { $PSDefaultParameterValues.Remove('Start-SyscallTrace:Engine') }

    It 'Get-Job lists it, Wait-Job waits, Receive-Job returns the events once' {
        $job = Start-SyscallTrace -FilePath cat -ArgumentList /etc/hostname -AsJob
        $job | Should -BeOfType System.Management.Automation.Job
        $job.PSJobTypeName | Should -Be 'SyscallTraceJob'
        (Get-Job -Id $job.Id) | Should -Be $job
        $job | Wait-Job -Timeout 30 | Should -Be $job
        $job.State | Should -Be 'Completed'
        $events = @(Receive-Job $job)
        $events.Count | Should -Be $job.EventCount
        $events | Should -BeOfType SyscallPS.SyscallEvent
        $events.Syscall | Should -Contain 'execve'
        $job.HasMoreData | Should -BeFalse
        @(Receive-Job $job) | Should -BeNullOrEmpty -Because 'Receive-Job hands each event over once'
        # The session's own store still has them, for Get-SyscallEvent.
        @(Get-SyscallEvent -Session $job).Count | Should -Be $events.Count
        @($job | Get-SyscallEvent -Syscall openat).Count | Should -BeGreaterThan 0
        $job | Remove-Job
    }

    It 'is finished and holds every event once Get-SyscallEvent -Wait returns' {
        # The job takes the session's end a moment after the session: a few rounds, so that a race would show.
        foreach ($round in 1..5) {
            $job = Start-SyscallTrace -FilePath ls -ArgumentList '/' -AsJob
            $read = @(Get-SyscallEvent -Session $job -Wait)
            $job.State | Should -Be 'Completed' -Because "round $round"
            @($job | Receive-Job).Count | Should -Be $read.Count -Because "round $round"
            $job | Remove-Job
        }
    }

    It 'a job nobody received from during the trace has every kept event in Output when Wait-Job returns' {
        # Output fills to -BufferCapacity while ls runs; the ring keeps the newest. The final state must wait until
        # the ring's events (the exit record last) have joined Output, or Wait-Job | Receive-Job misses them.
        $job = Start-SyscallTrace -FilePath ls -ArgumentList '-la', '/usr/bin' -AsJob -BufferCapacity 50
        $job | Wait-Job -Timeout 30 | Should -Be $job
        $job.State | Should -Be 'Completed'
        $events = @(Receive-Job $job -WarningVariable warned -WarningAction SilentlyContinue)
        $events.Count | Should -BeGreaterThan 50 -Because 'the first 50 and the ring''s newest are both kept'
        $events[-1].Kind | Should -Be 'Exited'
        # Nothing unaccounted for: every event was received or said to be dropped.
        $dropped = ($warned | ForEach-Object { [int]($_ -replace '^.*dropped (\d+) events.*$', '$1') } | Measure-Object -Sum).Sum
        $dropped | Should -BeGreaterThan 0
        ($events.Count + $dropped) | Should -Be $job.EventCount
        $job | Remove-Job
    }

    It 'Stop-Job ends the trace the normal way: the program is gone and the job is Stopped' {
        $job = Start-SyscallTrace -FilePath sleep -ArgumentList 30 -AsJob
        $target = $job.ProcessIds[0]
        "/proc/$target" | Should -Exist
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $job | Stop-Job
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 10
        $job.State | Should -Be 'Stopped'
        $job.ExitCode | Should -Be 143 -Because 'sleep ended on its SIGTERM'
        "/proc/$target" | Should -Not -Exist
        (Receive-Job $job).Kind | Should -Contain 'Killed'
        $job | Remove-Job
    }

    It 'Stop-SyscallTrace takes the job and ends it the same way' {
        $job = Start-SyscallTrace -FilePath sleep -ArgumentList 30 -AsJob
        Stop-SyscallTrace -Session $job
        # No Wait-Job: once Stop-SyscallTrace returns, the job has taken the session's end.
        $job.State | Should -Be 'Stopped'
        $job | Remove-Job
    }

    It 'Remove-Job lets go of the session and its events' {
        $job = Start-SyscallTrace -FilePath cat -ArgumentList /etc/hostname -AsJob
        $sessionId = $job.SessionId
        $job | Wait-Job -Timeout 30 | Out-Null
        (Get-SyscallTrace -Id $sessionId).Id | Should -Be $sessionId
        $session = $job.Session
        $job | Remove-Job
        Get-Job -Id $job.Id -ErrorAction Ignore | Should -BeNullOrEmpty
        Get-SyscallTrace -Id $sessionId -ErrorAction Ignore | Should -BeNullOrEmpty
        @(Get-SyscallEvent -Session $session) | Should -BeNullOrEmpty -Because 'the events were freed'
    }

    It 'a job whose capture cannot be written ends Failed, with the error in the job' {
        if (-not (Test-Path /dev/full)) { Set-ItResult -Skipped -Because '/dev/full is missing'; return }
        $job = Start-SyscallTrace -FilePath ls -ArgumentList '-lR', /usr/lib -OutFile /dev/full -AsJob
        $job | Wait-Job -Timeout 30 | Out-Null
        $job.State | Should -Be 'Failed'
        $job.Failure.ErrorId | Should -Be 'CaptureWriteFailed'
        $job.JobStateInfo.Reason.ErrorId | Should -Be 'CaptureWriteFailed'
        $job.Error[0].FullyQualifiedErrorId | Should -Be 'CaptureWriteFailed'
        $job.Error[0].CategoryInfo.Category | Should -Be 'WriteError'
        { Receive-Job $job -ErrorAction Stop } | Should -Throw -ErrorId 'CaptureWriteFailed'
        $job | Remove-Job
    }
}

Describe 'Traces inside other jobs' {
    It 'Start-Job: the events come back deserialized and read well' {
        $job = Start-Job { Import-Module $using:module; Start-SyscallTrace -Engine Ptrace -FilePath sh -ArgumentList '-c', 'echo printed; cat /etc/hostname' }
        $events = $job | Wait-Job -Timeout 90 | Receive-Job
        $job.State | Should -Be 'Completed'
        $job | Remove-Job
        $events[0].PSTypeNames[0] | Should -Be 'Deserialized.SyscallPS.SyscallEvent'
        $open = $events | Where-Object { $_.Syscall -eq 'openat' -and $_.Path -eq '/etc/hostname' }
        $open.ArgumentText | Should -Be 'AT_FDCWD, "/etc/hostname", O_RDONLY'
        $open.StraceText | Should -BeLike 'openat(AT_FDCWD, "/etc/hostname", O_RDONLY) = *'
        "$($open.Kind)" | Should -Be 'Syscall'
        "$($open.Category)" | Should -Be 'File'
        $open.PSObject.Properties.Name | Should -Not -Contain 'Data'
        $table = $events | Select-Object -First 3 | Format-Table | Out-String -Width 200
        $table | Should -Not -Match 'System.Collections'
        # The local view's columns: the call as strace prints it.
        $start = $events[0].StraceText.Substring(0, [Math]::Min(30, $events[0].StraceText.Length))
        $table | Should -Match ([regex]::Escape($start))
    }

    It 'Start-ThreadJob: the events come back as they are' {
        if (-not (Get-Command Start-ThreadJob -ErrorAction Ignore)) { Set-ItResult -Skipped -Because 'Start-ThreadJob is not available'; return }
        $job = Start-ThreadJob { Import-Module $using:module; Start-SyscallTrace -Engine Ptrace -FilePath cat -ArgumentList /etc/hostname }
        $events = $job | Wait-Job -Timeout 60 | Receive-Job
        $job | Remove-Job
        $events | Should -BeOfType SyscallPS.SyscallEvent
        $events.Syscall | Should -Contain 'openat'
    }
}

Describe 'Captures of several hosts' {
    It 'Get-SyscallEvent -Path a, b merges recordings in timestamp order, each event naming its host' {
        $loop = 'for i in 1 2 3 4 5 6; do cat /etc/hostname; sleep 0.05; done'
        $jobs = 'a', 'b' | ForEach-Object { Start-SyscallTrace -Engine Ptrace -FilePath sh -ArgumentList '-c', $loop -Syscall openat -OutFile "TestDrive:/$_.cap" -AsJob }
        $jobs | Wait-Job -Timeout 30 | Remove-Job
        $a = @(Get-SyscallEvent -Path TestDrive:/a.cap)
        $b = @(Get-SyscallEvent -Path TestDrive:/b.cap)
        $merged = @(Get-SyscallEvent -Path TestDrive:/a.cap, TestDrive:/b.cap)
        $merged.Count | Should -Be ($a.Count + $b.Count)
        $times = $merged.Timestamp
        ($times -join ',') | Should -Be (($times | Sort-Object) -join ',')
        # The two programs ran at the same time: a merge interleaves them, where reading one file after the other would not.
        $a[-1].Timestamp | Should -BeGreaterThan $b[0].Timestamp
        $merged | ForEach-Object ComputerName | Sort-Object -Unique | Should -Be ([Environment]::MachineName)
    }
}
