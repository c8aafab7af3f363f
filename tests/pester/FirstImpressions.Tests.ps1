# What a new user meets first: the default table at ordinary terminal widths, exports that keep what the events
# hold (sub-second times, data bytes, a numeric duration), parameters that bind as PowerShell users expect, and a
# module folder ready for the gallery. Every trace here is of a real process on this kernel.

BeforeAll {
    $script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $script:ManifestPath = & "$PSScriptRoot/ModuleUnderTest.ps1"
    Import-Module $ManifestPath -Force -ErrorAction Stop
    $script:Missing = Join-Path ([IO.Path]::GetTempPath()) "syscallps-first-$PID-missing"
    # cat of one file that exists and one that does not: calls with long arguments and a failure with a long result.
    $script:Trace = @(Start-SyscallTrace -FilePath cat -ArgumentList '/etc/hostname', $Missing -ErrorAction SilentlyContinue 2>$null)
    $script:Failed = $Trace | Where-Object { $_.Syscall -eq 'openat' -and $_.Path -eq $Missing } | Select-Object -First 1
    $script:Exit = $Trace | Where-Object Kind -EQ 'Exited' | Select-Object -First 1

    # The rendered table rows of one event at a width: the lines under the header.
    function script:Get-TableLines([object[]] $Events, [int] $Width) {
        $text = $Events | Format-Table | Out-String -Width $Width
        @($text -split "`r?`n" | Where-Object { $_.Trim() })
    }
}

Describe 'The default event table' {
    It 'traced the failing open and the exit (the events the table is shown with)' {
        $Failed | Should -Not -BeNullOrEmpty
        $Failed.Errno | Should -Be 'ENOENT'
        $Exit | Should -Not -BeNullOrEmpty
    }

    It 'has single-word headers at <_> columns: Time, PID, Process, µs, Call' -ForEach 80, 120, 200 {
        $width = $_
        $lines = Get-TableLines @($Failed) $width
        $lines[0] -split '\s+' | Where-Object { $_ } | Should -Be @('Time', 'PID', 'Process', 'µs', 'Call')
        foreach ($line in $lines) { $line.TrimEnd().Length | Should -BeLessOrEqual $width }
    }

    It 'shows the whole strace line of a failed call at 80 columns, wrapped inside the Call column' {
        $lines = Get-TableLines @($Failed) 80
        $callStart = $lines[0].IndexOf('Call')
        # The rows after the header and its underline, the Call column's part of each, joined back.
        $call = -join ($lines | Select-Object -Skip 2 | ForEach-Object { if ($_.Length -gt $callStart) { $_.Substring($callStart) } })
        # Wrapping breaks lines at spaces and drops them: compare without white space.
        ($call -replace '\s') | Should -BeExactly ($Failed.ToStraceLine() -replace '\s')
        $lines.Count | Should -BeGreaterThan 3
        $lines[2] | Should -Match "^\d\d:\d\d:\d\d\.\d{6}\s+$($Failed.ProcessId)\s+cat\s"
    }

    It 'shows an ordinary call whole on one line at 120 columns' {
        $open = $Trace | Where-Object { $_.Syscall -eq 'openat' -and $_.Path -eq '/etc/hostname' } | Select-Object -First 1
        $lines = Get-TableLines @($open) 120
        $lines.Count | Should -Be 3
        $lines[2] | Should -Match ([regex]::Escape($open.ToStraceLine()) + '$')
    }

    It 'shows the failed call whole on one line at 200 columns, its error message included' {
        $lines = Get-TableLines @($Failed) 200
        $lines.Count | Should -Be 3
        $lines[2] | Should -Match ([regex]::Escape($Failed.ToStraceLine()) + '$')
        $lines[2] | Should -Match ([regex]::Escape('= -1 ENOENT (No such file or directory)') + '$')
    }

    It 'shows the exit record as strace does, with no duration' {
        $lines = Get-TableLines @($Exit) 80
        $lines[2] | Should -Match '\s\+\+\+ exited with 1 \+\+\+$'
        $lines[2] | Should -Match "\s$($Exit.ProcessId)\s+cat\s+\+\+\+"
    }

    It 'says who made each call in a table of two processes' {
        $both = @(Start-SyscallTrace -FilePath sh -ArgumentList '-c', 'cat /etc/hostname > /dev/null')
        $catCall = $both | Where-Object { $_.ProcessName -eq 'cat' -and $_.Syscall -eq 'openat' -and $_.Path -eq '/etc/hostname' } | Select-Object -First 1
        $shCall = $both | Where-Object { $_.ProcessName -eq 'sh' -and $_.Syscall -match 'clone|fork' } | Select-Object -First 1
        $catCall | Should -Not -BeNullOrEmpty
        $shCall | Should -Not -BeNullOrEmpty
        $lines = Get-TableLines @($shCall, $catCall) 120
        $lines[2] | Should -Match "\s$($shCall.ProcessId)\s+sh\s"
        $lines[3] | Should -Match "\s$($catCall.ProcessId)\s+cat\s.*openat\("
    }

    It 'shows sub-second timestamps and the numeric duration in the list view' {
        $text = $Failed | Format-List | Out-String -Width 120
        $text | Should -Match 'Timestamp\s+: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}'
        $text | Should -Match "DurationMicroseconds\s+: $([regex]::Escape($Failed.DurationMicroseconds.ToString()))"
    }
}

Describe 'Exports' {
    It 'DurationMicroseconds is Duration in microseconds, and Measure-Object sums it' {
        $Failed.DurationMicroseconds | Should -BeOfType [double]
        $Failed.DurationMicroseconds | Should -Be ($Failed.Duration.Ticks / 10.0)
        $calls = $Trace | Where-Object Kind -EQ 'Syscall'
        $sum = ($calls | Measure-Object DurationMicroseconds -Sum).Sum
        $expected = 0.0
        foreach ($c in $calls) { $expected += $c.Duration.Ticks / 10.0 }
        $sum | Should -BeGreaterThan 0
        [math]::Abs($sum - $expected) | Should -BeLessThan 0.001
    }

    It 'Timestamp is still a DateTime to scripts' {
        $Failed.Timestamp | Should -BeOfType [datetime]
        ($Failed.Timestamp - $Trace[0].Timestamp).Ticks | Should -BeGreaterOrEqual 0
        $Failed.Timestamp.ToString('HH:mm:ss') | Should -Match '^\d\d:\d\d:\d\d$'
        # Sorting, comparing and grouping see the DateTime.
        $sorted = @($Trace | Sort-Object Timestamp, MonotonicNanoseconds)
        for ($i = 1; $i -lt $sorted.Count; $i++) { $sorted[$i].Timestamp -ge $sorted[$i - 1].Timestamp | Should -BeTrue }
        @($Trace | Where-Object Timestamp -GE $Failed.Timestamp).Count | Should -Be @($Trace | Where-Object { $_.Timestamp.Ticks -ge $Failed.Timestamp.Ticks }).Count
        ([SyscallPS.SyscallEvent]@{ Timestamp = '2026-01-02T03:04:05.1234567' }).Timestamp.Ticks | Should -Be ([datetime]'2026-01-02T03:04:05.1234567').Ticks
    }

    It 'Export-Csv keeps the timestamp to the 100 ns tick (ISO 8601) and Import-Csv reads it back' {
        $csv = Join-Path $TestDrive 'events.csv'
        $Trace | Export-Csv -LiteralPath $csv
        $rows = @(Import-Csv -LiteralPath $csv)
        $rows.Count | Should -Be $Trace.Count
        $rows[0].Timestamp | Should -Match '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}'
        for ($i = 0; $i -lt $rows.Count; $i++) {
            ([datetime]$rows[$i].Timestamp).ToUniversalTime().Ticks | Should -Be $Trace[$i].Timestamp.ToUniversalTime().Ticks
            [double]$rows[$i].DurationMicroseconds | Should -Be $Trace[$i].DurationMicroseconds
        }
    }

    It 'Export-Csv writes captured data as hexadecimal, which converts back to the same bytes' {
        $file = Join-Path $TestDrive 'payload.bin'
        [IO.File]::WriteAllBytes($file, [byte[]](0, 1, 2, 0xff, 0x0a, 0x41))
        $events = @(Start-SyscallTrace -FilePath cat -ArgumentList $file -Syscall read, write -CaptureData)
        $read = $events | Where-Object { $_.Syscall -eq 'read' -and $_.ReturnValue -eq 6 } | Select-Object -First 1
        $read | Should -Not -BeNullOrEmpty
        $read | Export-Csv -LiteralPath (Join-Path $TestDrive 'data.csv')
        $row = Import-Csv -LiteralPath (Join-Path $TestDrive 'data.csv')
        $row.Data | Should -BeExactly '000102ff0a41'
        [Convert]::FromHexString($row.Data) | Should -Be ([byte[]](0, 1, 2, 0xff, 0x0a, 0x41))
    }

    It 'ConvertTo-Json writes the timestamp with sub-seconds and a numeric duration' {
        $json = $Failed | Select-Object Timestamp, Syscall, DurationMicroseconds | ConvertTo-Json | ConvertFrom-Json
        $json.DurationMicroseconds | Should -Be $Failed.DurationMicroseconds
        ([datetime]$json.Timestamp).ToUniversalTime().Ticks | Should -Be $Failed.Timestamp.ToUniversalTime().Ticks
    }

    It 'ConvertTo-Json writes enums by name without -EnumsAsStrings, and they convert back' {
        $json = $Failed | ConvertTo-Json -Depth 3 -Compress
        $json | Should -Match '"Kind":"Syscall"'
        $json | Should -Match ('"Category":"{0}"' -f $Failed.Category)
        $back = $json | ConvertFrom-Json
        [SyscallPS.SyscallEventKind]$back.Kind | Should -Be $Failed.Kind
        [SyscallPS.SyscallCategory]$back.Category | Should -Be $Failed.Category
        $info = Get-SyscallInfo -Name openat | ConvertTo-Json -Compress | ConvertFrom-Json
        [SyscallPS.SyscallCategory]$info.Category | Should -Be (Get-SyscallInfo -Name openat).Category
        $info.Category | Should -BeOfType [string]
    }
}

Describe 'Durations bind as a shell user writes them' {
    BeforeAll {
        $script:Transform = [SyscallPS.Commands.DurationTransformationAttribute]::new()
    }

    It '<Given> is <Seconds> s' -ForEach @(
        @{ Given = 5; Seconds = 5 }
        @{ Given = 0.25; Seconds = 0.25 }
        @{ Given = '5'; Seconds = 5 }
        @{ Given = '5s'; Seconds = 5 }
        @{ Given = '500ms'; Seconds = 0.5 }
        @{ Given = '250us'; Seconds = 0.00025 }
        @{ Given = '2m'; Seconds = 120 }
        @{ Given = '1h'; Seconds = 3600 }
        @{ Given = '1.5 S'; Seconds = 1.5 }
        @{ Given = '00:00:05'; Seconds = 5 }
        @{ Given = '00:01:30.5'; Seconds = 90.5 }
    ) {
        $Transform.Transform($null, $Given).TotalSeconds | Should -Be $Seconds
    }

    It 'refuses a word that is no duration, saying what is accepted' {
        { Start-SyscallTrace -FilePath true -Duration 'soon' } | Should -Throw -ErrorId 'ParameterArgumentTransformationError,SyscallPS.Commands.StartSyscallTraceCommand' -ExpectedMessage '*500ms, 5s, 2m, 1h*'
    }

    It '-Duration 1 traces for a second, not a tick (the program keeps running until then)' {
        $sleeper = Join-Path $env:SYSCALLPS_FIXTURES 'spinner'
        if (-not $env:SYSCALLPS_FIXTURES -or -not (Test-Path -LiteralPath $sleeper)) { Set-ItResult -Skipped -Because 'the C fixtures are not built (SYSCALLPS_FIXTURES)'; return }
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $events = @(Start-SyscallTrace -FilePath $sleeper -ArgumentList 'sleep' -Duration 1 -Syscall nanosleep, clock_nanosleep)
        $clock.Stop()
        $clock.Elapsed.TotalSeconds | Should -BeGreaterOrEqual 0.9
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 30
        @($events | Where-Object Syscall -Match 'nanosleep').Count | Should -BeGreaterThan 3
    }

    It 'New-SyscallFault -DelayEnter takes the same forms' {
        (New-SyscallFault -Syscall getpid -DelayEnter 20ms).DelayEnter | Should -Be ([timespan]::FromMilliseconds(20))
        (New-SyscallFault -Syscall getpid -DelayExit 1).DelayExit | Should -Be ([timespan]::FromSeconds(1))
    }
}

Describe '-ArgumentList as Start-Process takes it' {
    It 'splits one string at white space: "-la /etc" is two arguments' {
        $exec = Start-SyscallTrace -FilePath ls -ArgumentList '-d /etc' -Syscall execve | Where-Object Syscall -EQ execve | Select-Object -First 1
        $exec.Arguments[1].Value | Should -Be @('"ls"', '"-d"', '"/etc"')
    }

    It 'keeps double-quoted words together, as ProcessStartInfo does' {
        [SyscallPS.Commands.CommandLineTransformationAttribute]::new().Transform($null, 'a "b c" d\"e') | Should -Be @('a', 'b c', 'd"e')
    }

    It 'passes an array element by element, spaces and all' {
        $exec = Start-SyscallTrace -FilePath sh -ArgumentList '-c', 'exit 0' -Syscall execve | Where-Object Syscall -EQ execve | Select-Object -First 1
        $exec.Arguments[1].Value | Should -Be @('"sh"', '"-c"', '"exit 0"')
    }
}

Describe 'Get-SyscallEvent reads literal paths and filters piped events' {
    BeforeAll {
        $script:Dir = Join-Path $TestDrive 'captures'
        $null = New-Item -ItemType Directory -Path $Dir
        # A name that is also a wildcard pattern: cat[1].trace.
        $script:Odd = Join-Path $Dir 'cat[1].trace'
        # -OutFile takes its path literally, as Out-File -LiteralPath does.
        $null = Start-SyscallTrace -FilePath cat -ArgumentList '/etc/hostname' -OutFile $Odd
    }

    It 'wrote the capture under its literal name' {
        Test-Path -LiteralPath $Odd | Should -BeTrue
    }

    It 'reads it with -LiteralPath' {
        $events = @(Get-SyscallEvent -LiteralPath $Odd -Syscall openat)
        $events.Path | Should -Contain '/etc/hostname'
    }

    It 'reads it from Get-ChildItem (PSPath)' {
        $events = @(Get-ChildItem -LiteralPath $Dir | Get-SyscallEvent -Syscall openat)
        $events.Path | Should -Contain '/etc/hostname'
    }

    It 'merges files piped in one by one in timestamp order, not in the order of their names' {
        $two = (New-Item -ItemType Directory -Path (Join-Path $TestDrive 'two')).FullName
        # Recorded first, named last.
        $null = Start-SyscallTrace -FilePath true -OutFile (Join-Path $two 'z.trace')
        $null = Start-SyscallTrace -FilePath true -OutFile (Join-Path $two 'a.trace')
        $events = @(Get-ChildItem -LiteralPath $two | Get-SyscallEvent)
        $events.Count | Should -BeGreaterThan 20
        $times = @($events.MonotonicNanoseconds)
        for ($i = 1; $i -lt $times.Count; $i++) { $times[$i] | Should -BeGreaterOrEqual $times[$i - 1] -Because "event $i follows event $($i - 1)" }
    }

    It 'says so when -Path matches no file, pointing at -LiteralPath' {
        $events = @(Get-SyscallEvent -Path (Join-Path $Dir 'nothing[1].trace') -ErrorVariable err -ErrorAction SilentlyContinue)
        $events.Count | Should -Be 0
        $err[0].FullyQualifiedErrorId | Should -BeLike 'CaptureNotFound*'
        $err[0].Exception.Message | Should -BeLike '*-LiteralPath*'
    }

    It 'filters events piped in with its own parameters' {
        $picked = @($Trace | Get-SyscallEvent -Syscall openat -Failed)
        $picked.Count | Should -BeGreaterThan 0
        $picked | ForEach-Object { $_.Syscall | Should -Be 'openat'; $_.Succeeded | Should -BeFalse }
        $picked.Path | Should -Contain $Missing
        @($Trace | Get-SyscallEvent -ProcessName 'no-such-process').Count | Should -Be 0
        @($Trace | Get-SyscallEvent -ProcessName 'ca*').Count | Should -Be @($Trace | Where-Object ProcessName -EQ 'cat').Count
    }
}

Describe 'Completion and -WhatIf' {
    It 'completes -ProcessName with running process names' {
        $line = 'Start-SyscallTrace -SystemWide -ProcessName pws'
        $names = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
        $own = (Get-Process -Id $PID).ProcessName
        if ($own -notlike 'pws*') { $line = "Start-SyscallTrace -SystemWide -ProcessName $($own.Substring(0, 3))"; $names = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText }
        $names | Should -Contain $own
    }

    It 'completes -ProcessId with ids, naming each process' {
        $line = "Get-SyscallEvent -Path x -ProcessId $PID"
        $found = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches
        $mine = $found | Where-Object CompletionText -EQ "$PID"
        $mine | Should -Not -BeNullOrEmpty
        $mine.ListItemText | Should -Be "$PID $((Get-Process -Id $PID).ProcessName)"
    }

    It 'completes -Id of Stop-SyscallTrace with the session ids' {
        $ended = Start-SyscallTrace -FilePath true -AsJob
        $null = $ended | Wait-Job -Timeout 30
        $running = Start-SyscallTrace -FilePath sleep -ArgumentList 30 -AsJob
        try {
            $line = 'Stop-SyscallTrace -Id '
            $ids = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
            $ids | Should -Contain "$($ended.SessionId)"
            $ids | Should -Contain "$($running.SessionId)"
        }
        finally {
            Stop-SyscallTrace -Session $running
        }
    }

    It 'Stop-SyscallTrace -WhatIf names only the sessions still running' {
        # What-if messages go to the host, not to a stream: a child pwsh's output shows them as a console would.
        $pwshArgs = @(if ([IO.Path]::GetFileNameWithoutExtension([Environment]::ProcessPath) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' })
        $script = @"
Import-Module '$ManifestPath'
`$ended = Start-SyscallTrace -FilePath true -AsJob
`$null = `$ended | Wait-Job -Timeout 30
`$running = Start-SyscallTrace -FilePath sleep -ArgumentList 30 -AsJob
"ids `$(`$ended.SessionId) `$(`$running.SessionId)"
Stop-SyscallTrace -Id `$ended.SessionId, `$running.SessionId -WhatIf
"state `$(`$running.State)"
Stop-SyscallTrace -Session `$running
"@
        $out = & ([Environment]::ProcessPath) @pwshArgs -NoProfile -NonInteractive -Command $script 2>&1 | Out-String
        $out | Should -Match 'ids (\d+) (\d+)'
        $null = $out -match 'ids (\d+) (\d+)'
        $endedId, $runningId = $Matches[1], $Matches[2]
        $out | Should -Match "What if: .*trace session $runningId "
        $out | Should -Not -Match "trace session $endedId "
        $out | Should -Match 'state Running'
    }
}

Describe 'Progress of a -Duration trace' {
    BeforeAll {
        # A person's terminal: tmux answers the cursor queries progress rendering makes, as a terminal does.
        $script:HaveTmux = [bool](Get-Command tmux -ErrorAction Ignore)
        $script:PwshArgs = @(if ([IO.Path]::GetFileNameWithoutExtension([Environment]::ProcessPath) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' })
        $script:PwshLine = (@([Environment]::ProcessPath) + $PwshArgs | ForEach-Object { "'$_'" }) -join ' '

        # Runs a 2-second trace of a busy shell loop in a tmux pane; returns every screen seen and the event count.
        function Watch-TraceInTerminal([string] $Preamble) {
            $name = "syscallps-progress-$PID-$(Get-Random)"
            $file = Join-Path $TestDrive "$name.ps1"
            $done = Join-Path $TestDrive "$name.count"
            $Preamble, "Import-Module '$ManifestPath'",
                "(Start-SyscallTrace -FilePath sh -ArgumentList '-c', 'while :; do sleep 0.1; done' -Duration 2 | Measure-Object).Count | Set-Content -LiteralPath '$done'" |
                Set-Content -LiteralPath $file
            tmux new-session -d -s $name -x 120 -y 20 "$PwshLine -NoProfile -File '$file'; sleep 60"
            try {
                $deadline = [datetime]::UtcNow.AddSeconds(60)
                $screens = while (-not (Test-Path -LiteralPath $done) -and [datetime]::UtcNow -lt $deadline) {
                    tmux capture-pane -p -t $name | Out-String
                    Start-Sleep -Milliseconds 200
                }
                Start-Sleep -Milliseconds 200
                @{ Screens = @($screens); Count = [int](Get-Content -LiteralPath $done -ErrorAction Ignore) }
            }
            finally { tmux kill-session -t $name 2>$null }
        }
    }

    It 'shows the events so far and the time left on a terminal' {
        if (-not $HaveTmux) { Set-ItResult -Skipped -Because 'tmux is missing'; return }
        $seen = Watch-TraceInTerminal ''
        $seen.Count | Should -BeGreaterThan 0
        $bars = @($seen.Screens | Select-String -Pattern 'Tracing \(\w+\) for 00:00:02 \[(\d+) events, (\d) s left')
        $bars | Should -Not -BeNullOrEmpty -Because 'a progress bar is drawn while the trace runs'
        [int]$bars[-1].Matches[0].Groups[1].Value | Should -BeLessOrEqual $seen.Count
    }

    It 'is quiet when $ProgressPreference says so' {
        if (-not $HaveTmux) { Set-ItResult -Skipped -Because 'tmux is missing'; return }
        $seen = Watch-TraceInTerminal "`$ProgressPreference = 'SilentlyContinue'"
        $seen.Count | Should -BeGreaterThan 0
        $seen.Screens | Should -Not -Match 'Tracing \(\w+\) for'
    }

    It 'writes nothing into redirected output' {
        $out = & ([Environment]::ProcessPath) @PwshArgs -NoProfile -NonInteractive -Command "Import-Module '$ManifestPath'; (Start-SyscallTrace -FilePath sh -ArgumentList '-c', 'sleep 0.3; sleep 0.3' -Duration 1 | Measure-Object).Count" 2>&1 | Out-String
        $out | Should -Not -Match 'Tracing \(\w+\) for'
        $out.Trim() | Should -Match '^\d+$'
    }
}

Describe 'A gallery-ready module folder' {
    BeforeAll {
        $script:ModuleDir = Split-Path -Parent (Get-Module SyscallPS).ImplementingAssembly.Location
        $script:Launcher = Join-Path $ModuleDir 'syscallps-launch'
        $script:PwshArgs = @(if ([IO.Path]::GetFileNameWithoutExtension([Environment]::ProcessPath) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' })
        $script:IsModuleFolder = Test-Path -LiteralPath (Join-Path $ModuleDir 'SyscallPS.psd1')

        # Imports SyscallPS by name from $ModulesRoot in a child pwsh, traces `true`, and prints the trace's exit record.
        function script:Invoke-InstalledModule([string] $ModulesRoot) {
            $command = "`$env:PSModulePath = '$ModulesRoot'; Import-Module SyscallPS -ErrorAction Stop; (Get-Module SyscallPS).ModuleBase; " +
                "(Start-SyscallTrace -FilePath true | Where-Object Kind -EQ 'Exited').ToStraceLine()"
            & ([Environment]::ProcessPath) @PwshArgs -NoProfile -NonInteractive -Command $command 2>&1
        }
    }

    It 'has a manifest with ProjectUri, LicenseUri and release notes, which Test-ModuleManifest accepts' {
        if (-not $IsModuleFolder) { Set-ItResult -Skipped -Because 'the module under test is the repository manifest, not a built module folder (build.ps1 -Task Build)'; return }
        $m = Test-ModuleManifest -Path (Join-Path $ModuleDir 'SyscallPS.psd1') -ErrorAction Stop
        $m.ProjectUri.AbsoluteUri | Should -Match '^https://'
        $m.LicenseUri.AbsoluteUri | Should -Match '^https://.*LICENSE$'
        $m.ReleaseNotes | Should -Match '^## '
        Join-Path $ModuleDir 'LICENSE' | Should -Exist
        Get-Content -Raw -LiteralPath (Join-Path $ModuleDir 'LICENSE') | Should -Match 'MIT License[\s\S]*The SyscallPS authors'
    }

    It 'publishes as a .nupkg that Save-PSResource installs into a fresh folder, importable by name' {
        if (-not $IsModuleFolder) { Set-ItResult -Skipped -Because 'the module under test is the repository manifest, not a built module folder'; return }
        if (-not (Get-Command Publish-PSResource -ErrorAction Ignore)) { Set-ItResult -Skipped -Because 'Microsoft.PowerShell.PSResourceGet is not available'; return }
        $feed = Join-Path $TestDrive 'feed'
        $modules = Join-Path $TestDrive 'installed'
        $null = New-Item -ItemType Directory -Path $feed, $modules
        $repo = "SyscallPS-test-$PID"
        Register-PSResourceRepository -Name $repo -Uri $feed -Trusted
        try {
            Publish-PSResource -Path $ModuleDir -Repository $repo -SkipDependenciesCheck -ErrorAction Stop
            $nupkg = @(Get-ChildItem -LiteralPath $feed -Filter '*.nupkg')
            $nupkg.Count | Should -Be 1
            Save-PSResource -Name SyscallPS -Repository $repo -Path $modules -TrustRepository -ErrorAction Stop
        }
        finally { Unregister-PSResourceRepository -Name $repo }
        $out = @(Invoke-InstalledModule $modules)
        $out[0] | Should -BeLike "$modules*"
        $out[-1] | Should -Be '+++ exited with 0 +++'
    }

    It 'the tar.gz keeps the launcher''s execute bit' {
        if (-not (Test-Path -LiteralPath $Launcher)) { Set-ItResult -Skipped -Because 'this build has no native launcher'; return }
        $tgz = Join-Path $TestDrive 'SyscallPS.tar.gz'
        $into = Join-Path $TestDrive 'from-tar'
        $null = New-Item -ItemType Directory -Path $into
        tar -czf $tgz -C (Split-Path -Parent $ModuleDir) (Split-Path -Leaf $ModuleDir)
        tar -xzf $tgz -C $into
        $mode = (Get-Item -LiteralPath (Join-Path $into "$(Split-Path -Leaf $ModuleDir)/syscallps-launch")).UnixFileMode
        ($mode -band [IO.UnixFileMode]::UserExecute) | Should -Be ([IO.UnixFileMode]::UserExecute)
    }

    It 'works unzipped even though Expand-Archive drops the execute bit: the engine restores it' {
        if (-not $IsModuleFolder) { Set-ItResult -Skipped -Because 'the module under test is the repository manifest, not a built module folder'; return }
        if (-not (Test-Path -LiteralPath $Launcher)) { Set-ItResult -Skipped -Because 'this build has no native launcher'; return }
        $zip = Join-Path $TestDrive 'SyscallPS.zip'
        $modules = Join-Path $TestDrive 'from-zip'
        Compress-Archive -Path $ModuleDir -DestinationPath $zip
        Expand-Archive -LiteralPath $zip -DestinationPath $modules
        $unzipped = Join-Path $modules 'SyscallPS/syscallps-launch'
        # Whatever the archive kept, start from the state a plain unzip tool leaves.
        chmod -x $unzipped
        (Get-Item -LiteralPath $unzipped).UnixFileMode -band [IO.UnixFileMode]::UserExecute | Should -Be 0
        $out = @(Invoke-InstalledModule $modules)
        $out[-1] | Should -Be '+++ exited with 0 +++'
        ((Get-Item -LiteralPath $unzipped).UnixFileMode -band [IO.UnixFileMode]::UserExecute) | Should -Be ([IO.UnixFileMode]::UserExecute)
    }
}

Describe 'Help online' {
    It 'Get-Help -Online opens each cmdlet''s online page' {
        # A stand-in xdg-open (what .NET runs to open a URL on Linux) records the URL instead of opening a browser.
        $bin = Join-Path $TestDrive 'bin'
        $null = New-Item -ItemType Directory -Path $bin
        $log = Join-Path $TestDrive 'opened.txt'
        Set-Content -LiteralPath (Join-Path $bin 'xdg-open') -Value "#!/bin/sh`necho `"`$1`" >> '$log'" -NoNewline
        chmod +x (Join-Path $bin 'xdg-open')
        $pwshArgs = @(if ([IO.Path]::GetFileNameWithoutExtension([Environment]::ProcessPath) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' })
        $saved = $env:PATH
        try {
            $env:PATH = "$bin$([IO.Path]::PathSeparator)$saved"
            & ([Environment]::ProcessPath) @pwshArgs -NoProfile -NonInteractive -Command "Import-Module '$ManifestPath'; Get-Help Start-SyscallTrace -Online; Get-Help Get-SyscallEvent -Online" 2>&1 | Out-Null
        }
        finally { $env:PATH = $saved }
        $deadline = [DateTime]::UtcNow.AddSeconds(10)
        while (@(Get-Content -LiteralPath $log -ErrorAction Ignore).Count -lt 2 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
        $opened = @(Get-Content -LiteralPath $log)
        $opened | Should -Contain 'https://github.com/syscallps/SyscallPS/blob/main/docs/Start-SyscallTrace.md'
        $opened | Should -Contain 'https://github.com/syscallps/SyscallPS/blob/main/docs/Get-SyscallEvent.md'
    }
}

Describe 'The documented way to show every argument in a custom table' {
    It 'Format-Table with the list''s ToString() shows all arguments (a plain Arguments column stops at $FormatEnumerationLimit)' {
        $mmap = $Trace | Where-Object { $_.Syscall -eq 'mmap' -and $_.Arguments.Count -eq 6 } | Select-Object -First 1
        $mmap | Should -Not -BeNullOrEmpty
        $text = $mmap | Format-Table Syscall, @{ n = 'Arguments'; e = { $_.Arguments.ToString() } } | Out-String -Width 250
        $text | Should -Match ([regex]::Escape($mmap.Arguments.ToString()))
        $mmap.Arguments.ToString().Split(', ').Count | Should -BeGreaterOrEqual 6
    }
}
