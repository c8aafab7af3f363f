#Requires -Version 7.4
# Measure-SyscallEvent against strace -f -c under both engines, its views; Export-SyscallTimeline's files (and
# the timeline opened in a real viewer: speedscope in headless Chromium); Import-StraceLog and
# ConvertFrom-StraceLog on real strace output. The fixture analysis_mix makes a known, deterministic mix of
# successful and failing calls (tests/fixtures/analysis_mix.c).

BeforeDiscovery {
    Import-Module $(& "$PSScriptRoot/ModuleUnderTest.ps1") -Force
    $engines = & "$PSScriptRoot/EngineCases.ps1"
}

BeforeAll {
    $repo = (Resolve-Path "$PSScriptRoot/../..").Path
    Import-Module $(& "$PSScriptRoot/ModuleUnderTest.ps1") -Force
    $fixture = "$repo/tests/fixtures/bin/analysis_mix"
    $noFixture = if (-not (Test-Path $fixture)) { 'fixtures not built (no C compiler)' }
    $noStrace = if (-not (Get-Command strace -CommandType Application -ErrorAction Ignore)) { 'strace is not installed (apt-get install strace)' }

    # "name calls errors" per row of an strace -c table (the total row left out).
    function Get-StraceSummary([string[]] $Lines) {
        $rows = $Lines | Select-Object -Skip 2 | Where-Object { $_ -notmatch '^-' -and $_ -notmatch ' total$' }
        foreach ($r in $rows) {
            $f = -split $r
            if ($f.Count -eq 6) { "$($f[5]) $($f[3]) $($f[4])" } else { "$($f[4]) $($f[3]) 0" }
        }
    }

    function Invoke-Strace([string[]] $Arguments) {
        & strace @Arguments $fixture ([IO.Path]::GetTempPath()) 2>$null
        $LASTEXITCODE | Should -Be 0
    }

    # One ptrace trace of the fixture, as events and as a capture file, for the cmdlets that read either.
    if (-not $noFixture) {
        $capture = Join-Path $TestDrive 'mix.trace'
        $events = @(Start-SyscallTrace -Engine Ptrace -FilePath $fixture -OutFile $capture)
    }
}

Describe 'Measure-SyscallEvent equals strace -f -c under <Engine>' -ForEach $engines {
    It 'counts the same calls and errors per syscall' {
        if ($Why) { Set-ItResult -Skipped -Because "eBPF engine unavailable: $Why"; return }
        if ($noFixture -or $noStrace) { Set-ItResult -Skipped -Because "$noFixture$noStrace"; return }
        $summary = Join-Path $TestDrive "strace-c-$Engine.txt"
        Invoke-Strace '-f', '-c', '-o', $summary
        $theirs = @(Get-StraceSummary (Get-Content $summary) | Sort-Object)

        $rows = @(Start-SyscallTrace -Engine $Engine -FilePath $fixture -ArgumentList ([IO.Path]::GetTempPath()) | Measure-SyscallEvent)
        $ours = @($rows | Where-Object { -not $_.IsTotal } | ForEach-Object { "$($_.Syscall) $($_.Calls) $($_.Errors)" } | Sort-Object)
        $theirs.Count | Should -BeGreaterThan 20
        $ours | Should -Be $theirs
        $rows[-1].IsTotal | Should -BeTrue
        $rows[-1].Errors | Should -Be 12
    }
}

Describe 'Measure-SyscallEvent' {
    It 'measures a capture file (-Path) as it measures the events' {
        if ($noFixture) { Set-ItResult -Skipped -Because $noFixture; return }
        $fromFile = Measure-SyscallEvent -Path $capture -SortBy Name | ForEach-Object { "$($_.Name) $($_.Calls) $($_.Errors) $($_.Nanoseconds)" }
        $fromPipe = $events | Measure-SyscallEvent -SortBy Name | ForEach-Object { "$($_.Name) $($_.Calls) $($_.Errors) $($_.Nanoseconds)" }
        $fromFile | Should -Be $fromPipe
        # Piped files bind by their FullName.
        $counted = @($events | Where-Object { $_.Kind -eq 'Syscall' -and $_.ReturnText -ne '?' }).Count
        (Get-Item $capture | Measure-SyscallEvent)[-1].Calls | Should -Be $counted
    }

    It 'reads like strace -c at 80 columns, the total row last' {
        if ($noFixture) { Set-ItResult -Skipped -Because $noFixture; return }
        $text = ($events | Measure-SyscallEvent | Out-String -Width 80) -split "`n" | Where-Object { $_.Trim() }
        $text[0] | Should -BeExactly '% time     seconds  usecs/call     calls    errors syscall'
        $text[-1] | Should -Match '^100\.00\s+\d+\.\d{6}\s+\d+\s+\d+\s+12 total$'
        $text | Where-Object { $_ -match ' openat$' } | Should -Match '^\s*\d+\.\d\d\s+\d+\.\d{6}\s+\d+\s+10\s+5 openat$'
        # strace leaves the errors column empty when a syscall had none.
        $text | Where-Object { $_ -match ' write$' } | Should -Match '^\s*\d+\.\d\d\s+\d+\.\d{6}\s+\d+\s+17\s+write$'
        $text | ForEach-Object { $_.TrimEnd().Length | Should -BeLessOrEqual 80 }
    }

    It 'groups by any event property, several at once, with the keys as properties of the rows' {
        if ($noFixture) { Set-ItResult -Skipped -Because $noFixture; return }
        $child = ($events | Where-Object Syscall -eq 'clone').ReturnValue
        $rows = $events | Measure-SyscallEvent -GroupBy ProcessId, Syscall -SortBy Calls
        ($rows | Where-Object { $_.ProcessId -eq $child -and $_.Syscall -eq 'write' }).Calls | Should -Be 5
        $byType = $events | Measure-SyscallEvent -Property FdType
        ($byType | Where-Object FdType -eq 'Pipe').Calls | Should -Be (@($events | Where-Object { $_.FdType -eq 'Pipe' -and $_.Kind -eq 'Syscall' }).Count)
        $text = ($rows | Out-String -Width 120) -split "`n" | Where-Object { $_.Trim() }
        $text[0] | Should -BeExactly '% time     seconds  usecs/call     calls    errors group'
        $text | Where-Object { $_ -match "\s5\s+$child write$" } | Should -Not -BeNullOrEmpty
    }

    It 'sorts like strace -S' {
        if ($noFixture) { Set-ItResult -Skipped -Because $noFixture; return }
        $names = @($events | Measure-SyscallEvent -SortBy Name | Where-Object { -not $_.IsTotal } | ForEach-Object Name)
        $names | Should -Be ($names | Sort-Object -CaseSensitive)
        $errors = @($events | Measure-SyscallEvent -SortBy Errors | Select-Object -First 4 | ForEach-Object Errors)
        $errors | Should -Be @(5, 4, 2, 1)
    }

    It 'writes a latency histogram per group with bars, within 80 columns' {
        if ($noFixture) { Set-ItResult -Skipped -Because $noFixture; return }
        $h = @($events | Measure-SyscallEvent -Histogram)
        $h[0].PSObject.TypeNames[0] | Should -Be 'SyscallPS.Analysis.SyscallHistogram'
        ($h | Where-Object Syscall -eq 'write').Calls | Should -Be 17
        $text = $h | Out-String -Width 80
        $text | Should -Match '(?m)^@ns\[write\]:$'
        $text | Should -Match '(?m)^\[\d+[KMG]?, \d+[KMG]?\)\s+\d+ \|@+ *\|$'
        ($text -split "`n") | ForEach-Object { $_.TrimEnd().Length | Should -BeLessOrEqual 80 }
    }

    It 'says which property is unknown, and which exist' {
        $err = { Measure-SyscallEvent -GroupBy NoSuchProperty } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -Be 'UnknownGroupProperty,SyscallPS.Commands.MeasureSyscallEventCommand'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.ErrorDetails.RecommendedAction | Should -Match 'ProcessName'
    }

    It 'completes -GroupBy with event properties' {
        $line = 'Measure-SyscallEvent -GroupBy Proc'
        $r = TabExpansion2 -inputScript $line -cursorColumn $line.Length
        $r.CompletionMatches.CompletionText | Should -Be @('ProcessId', 'ProcessName')
    }
}

Describe 'Export-SyscallTimeline' {
    It 'writes trace-event JSON from the pipeline and from capture files alike' {
        if ($noFixture) { Set-ItResult -Skipped -Because $noFixture; return }
        $a = Join-Path TestDrive: 'a.json'
        $b = Join-Path TestDrive: 'b.json'
        $events | Export-SyscallTimeline $a | Should -BeNullOrEmpty
        Export-SyscallTimeline -Path $capture -OutFile $b
        Get-Content $b -Raw | Should -BeExactly (Get-Content $a -Raw)
        $doc = Get-Content $a -Raw | ConvertFrom-Json
        @($doc.traceEvents | Where-Object ph -eq 'X').Count | Should -Be @($events | Where-Object Kind -in 'Syscall', 'Unfinished').Count
        $write = $doc.traceEvents | Where-Object { $_.ph -eq 'X' -and $_.name -eq 'write' } | Select-Object -First 1
        $write.args.call | Should -BeExactly 'write(3, "x", 1) = 1'
        $write.args.fdName | Should -Be '/dev/null'
    }

    It 'overwrites like Out-File; -NoClobber refuses; -Force writes a read-only file and leaves it read-only' {
        if ($noFixture) { Set-ItResult -Skipped -Because $noFixture; return }
        $file = Join-Path TestDrive: 'out.json'
        Set-Content $file 'old'
        $events | Export-SyscallTimeline $file
        Get-Content $file -Raw | Should -Match '^\{"traceEvents":\['

        Set-Content $file 'old'
        $err = { $events | Export-SyscallTimeline $file -NoClobber } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -Be 'NoClobber,SyscallPS.Commands.ExportSyscallTimelineCommand'
        $err.CategoryInfo.Category | Should -Be 'ResourceExists'
        Get-Content $file | Should -Be 'old'

        Set-ItemProperty $file -Name IsReadOnly -Value $true
        $events | Export-SyscallTimeline $file -Force
        Get-Content $file -Raw | Should -Match '^\{"traceEvents":\['
        (Get-Item $file).IsReadOnly | Should -BeTrue
    }

    It 'takes -LiteralPath literally and writes nothing with -WhatIf' {
        if ($noFixture) { Set-ItResult -Skipped -Because $noFixture; return }
        $dir = (Get-Item TestDrive:/).FullName
        $literal = Join-Path $dir 'run[1].json'
        $events | Export-SyscallTimeline -LiteralPath $literal
        Test-Path -LiteralPath $literal | Should -BeTrue
        $events | Export-SyscallTimeline (Join-Path $dir 'whatif.json') -WhatIf
        Test-Path (Join-Path $dir 'whatif.json') | Should -BeFalse
    }
}

Describe 'Export-SyscallTimeline in a real viewer' {
    It 'opens in speedscope (headless Chromium) with one track per thread' {
        if ($noFixture) { Set-ItResult -Skipped -Because $noFixture; return }
        $chromium = Get-Command chromium, chromium-browser -CommandType Application -ErrorAction Ignore | Select-Object -First 1
        $speedscope = Join-Path $repo '.tools/speedscope/node_modules/speedscope/dist/release'
        if (-not $chromium) { Set-ItResult -Skipped -Because 'Chromium is not installed (build.ps1 -Task Setup installs it as root: apt-get install chromium)'; return }
        if (-not (Test-Path (Join-Path $speedscope 'index.html'))) { Set-ItResult -Skipped -Because 'speedscope is not installed (build.ps1 -Task Setup: npm install speedscope into .tools/speedscope)'; return }
        if (-not (Get-Command node -CommandType Application -ErrorAction Ignore)) { Set-ItResult -Skipped -Because 'node is not installed'; return }

        $dir = (New-Item TestDrive:/viewer -ItemType Directory -Force).FullName
        Start-SyscallTrace -Engine Ptrace -FilePath $fixture | Export-SyscallTimeline (Join-Path $dir 'mix.json')
        # A static server for speedscope and the timeline (speedscope fetches #profileURL).
        $server = Start-Process node -ArgumentList "$repo/tests/tools/serve-static.js", $speedscope, $dir -RedirectStandardOutput (Join-Path $dir 'port.txt') -PassThru
        try {
            $deadline = [datetime]::UtcNow.AddSeconds(10)
            while (-not (Get-Content (Join-Path $dir 'port.txt') -ErrorAction Ignore) -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            $port = [int](Get-Content (Join-Path $dir 'port.txt'))
            $url = "http://127.0.0.1:$port/index.html#profileURL=http://127.0.0.1:$port/mix.json"
            $dom = & $chromium.Source --headless=new --no-sandbox --disable-gpu "--user-data-dir=$(Join-Path $dir 'profile')" --virtual-time-budget=15000 --dump-dom $url 2>$null | Out-String
        }
        finally { Stop-Process -Id $server.Id -ErrorAction Ignore }
        # speedscope names the page after the loaded profile and lists its threads (the fixture and its child).
        $dom | Should -Match '<title>mix\.json - speedscope</title>'
        $dom | Should -Match 'analysis_mix \(pid \d+\), analysis_mix \(tid \d+\) <span[^>]*>\(1/2\)</span>'
        $dom | Should -Not -Match 'Something went wrong'
    }
}

Describe 'Import-StraceLog and ConvertFrom-StraceLog' {
    It 'reads strace -ff files, each with the pid of its name' {
        if ($noFixture -or $noStrace) { Set-ItResult -Skipped -Because "$noFixture$noStrace"; return }
        $dir = (New-Item TestDrive:/ff -ItemType Directory -Force).FullName
        Invoke-Strace '-ff', '-tt', '-T', '-o', "$dir/trace"
        $files = @(Get-ChildItem $dir -Filter 'trace.*')
        $files.Count | Should -Be 2
        $events = @(Import-StraceLog "$dir/trace.*")
        ($events.ProcessId | Sort-Object -Unique) | Should -Be @($files | ForEach-Object { [int]$_.Extension.TrimStart('.') } | Sort-Object)
        $rows = $events | Measure-SyscallEvent
        $rows[-1].Calls | Should -Be 86
        $rows[-1].Errors | Should -Be 12
        # Piped files bind by their path, as Get-Content's do.
        @($files | Import-StraceLog).Count | Should -Be $events.Count
    }

    It 'warns with the line number for lines that are not strace output, and goes on' {
        $file = Join-Path TestDrive: 'mixed.log'
        Set-Content $file @(
            '123  openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC) = 3',
            '123  read(3, "root:x:0:0", 4096) = 10',
            'hello from the program itself',
            '123  close(3)                          = 0',
            '123  +++ exited with 0 +++')
        $w = $null
        $events = @(Import-StraceLog -LiteralPath $file -WarningVariable w -WarningAction SilentlyContinue)
        $events.Count | Should -Be 4
        $w.Count | Should -Be 1
        "$($w[0])" | Should -BeLike '*mixed.log line 3 is not strace output: hello from the program itself'
        $events[0].ToString() | Should -BeExactly '[pid 123] openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC) = 3'
        $events[0].Path | Should -Be '/etc/passwd'
        $events[0].Fd | Should -Be 3
        $events[2].ToStraceLine() | Should -BeExactly 'close(3) = 0'
        $events[3].Kind | Should -Be 'Exited'
    }

    It 'reports a missing file as ObjectNotFound' {
        $err = $null
        Import-StraceLog -Path (Join-Path TestDrive: 'none.log') -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'StraceLogNotFound,SyscallPS.Commands.ImportStraceLogCommand'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'converts strings from the pipeline as Import-StraceLog reads the file' {
        if ($noFixture -or $noStrace) { Set-ItResult -Skipped -Because "$noFixture$noStrace"; return }
        $log = Join-Path $TestDrive 'f.log'
        Invoke-Strace '-f', '-ttt', '-T', '-yy', '-o', $log
        $imported = @(Import-StraceLog $log | ForEach-Object ToString)
        @(Get-Content $log | ConvertFrom-StraceLog | ForEach-Object ToString) | Should -Be $imported
        @(Get-Content $log -Raw | ConvertFrom-StraceLog | ForEach-Object ToString) | Should -Be $imported
        $imported.Count | Should -Be 93
    }
}
