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
}
