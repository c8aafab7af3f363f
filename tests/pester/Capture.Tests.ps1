#Requires -Version 7.4
# Capture files: Start-SyscallTrace -OutFile (private files, Out-File's overwrite rules) and
# Get-SyscallEvent -Path (stable errors for what is not a readable capture).

BeforeAll {
    $module = & "$PSScriptRoot/ModuleUnderTest.ps1"
    Import-Module $module -Force
    $PSDefaultParameterValues['Start-SyscallTrace:Engine'] = 'Ptrace'
    $cmd = 'SyscallPS.Commands.StartSyscallTraceCommand'
    $get = 'SyscallPS.Commands.GetSyscallEventCommand'
}

Describe 'Start-SyscallTrace -OutFile (issue 13.3)' {
    It 'creates the capture readable by its owner only' {
        Start-SyscallTrace -FilePath true -OutFile TestDrive:/new.trace | Out-Null
        [IO.File]::GetUnixFileMode((Get-Item TestDrive:/new.trace).FullName) | Should -Be ([IO.UnixFileMode]'UserRead, UserWrite')
    }

    It 'refuses an existing file with -NoClobber before the program is launched' {
        Set-Content TestDrive:/kept.trace 'precious'
        $marker = Join-Path (Get-Item TestDrive:/).FullName 'launched'
        { Start-SyscallTrace -FilePath touch -ArgumentList $marker -OutFile TestDrive:/kept.trace -NoClobber -ErrorAction Stop } |
            Should -Throw -ErrorId "CaptureFileExists,$cmd"
        Start-Sleep -Milliseconds 200
        $marker | Should -Not -Exist
        Get-Content TestDrive:/kept.trace | Should -Be 'precious'
        $Error[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        $Error[0].ErrorDetails.RecommendedAction | Should -Match 'NoClobber'
    }

    It 'replaces a read-only file only with -Force' {
        Set-Content TestDrive:/ro.trace 'read-only'
        $path = (Get-Item TestDrive:/ro.trace).FullName
        [IO.File]::SetUnixFileMode($path, 'UserRead')
        { Start-SyscallTrace -FilePath true -OutFile $path -ErrorAction Stop } | Should -Throw -ErrorId "CaptureFileReadOnly,$cmd"
        Get-Content $path | Should -Be 'read-only'
        Start-SyscallTrace -FilePath true -OutFile $path -Force | Out-Null
        (Get-SyscallEvent -Path $path).Syscall | Should -Contain 'execve'
    }

    It 'does not write through a symbolic link unless -Force' {
        Set-Content TestDrive:/target.txt 'target'
        $link = Join-Path (Get-Item TestDrive:/).FullName 'link.trace'
        New-Item -ItemType SymbolicLink -Path $link -Target (Get-Item TestDrive:/target.txt).FullName | Out-Null
        { Start-SyscallTrace -FilePath true -OutFile $link -ErrorAction Stop } | Should -Throw -ErrorId "CaptureFileIsLink,$cmd"
        Get-Content TestDrive:/target.txt | Should -Be 'target'
        Start-SyscallTrace -FilePath true -OutFile $link -Force | Out-Null
        (Get-SyscallEvent -Path TestDrive:/target.txt).Syscall | Should -Contain 'execve'
    }

    It 'says -NoClobber and -Force need -OutFile' {
        { Start-SyscallTrace -FilePath true -NoClobber -ErrorAction Stop } | Should -Throw -ErrorId "CaptureOptionNeedsOutFile,$cmd"
    }
}

Describe 'Get-SyscallEvent -Path errors (issue 13.6)' {
    It 'reports <Case> as <Id> at once' -ForEach @(
        @{ Case = 'a missing file'; Path = 'TestDrive:/missing.trace'; Id = 'CaptureNotFound'; Category = 'ObjectNotFound' }
        @{ Case = 'a directory'; Path = 'TestDrive:/'; Id = 'CaptureNotReadable'; Category = 'ReadError' }
        @{ Case = '/dev/zero'; Path = '/dev/zero'; Id = 'CaptureNotReadable'; Category = 'ReadError' }
        @{ Case = '/proc/self/mem'; Path = '/proc/self/mem'; Id = 'CaptureNotReadable'; Category = 'ReadError' }
    ) {
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $events = Get-SyscallEvent -Path $Path -ErrorVariable err -ErrorAction SilentlyContinue
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 2
        $events | Should -BeNullOrEmpty
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -Be "$Id,$get"
        $err[0].CategoryInfo.Category | Should -Be $Category
        $err[0].ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
    }

    It 'reads a damaged capture up to the damage, then names the file and the line' {
        # A version 1 (JSON Lines) capture: version 2 files are checked per block, below.
        Start-SyscallTrace -FilePath cat -ArgumentList /etc/hostname -CaptureData | Export-SyscallEvent TestDrive:/damaged.jsonl
        $path = (Get-Item TestDrive:/damaged.jsonl).FullName
        $lines = Get-Content $path
        # The first event with data gets a character that is not a hex digit in its bytes.
        $at = 0..($lines.Count - 1) | Where-Object { $lines[$_] -match '"DataHex":"[0-9a-f]' } | Select-Object -First 1
        $lines[$at] = $lines[$at] -replace '"DataHex":"[0-9a-f]', '"DataHex":"x'
        Set-Content $path $lines
        $events = Get-SyscallEvent -Path $path -ErrorVariable err -ErrorAction SilentlyContinue
        $events | Should -HaveCount ($at - 1)
        $err[0].FullyQualifiedErrorId | Should -Be "InvalidCaptureFile,$get"
        $err[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $err[0].Exception.Message | Should -Match "line $($at + 1)\b"
        $err[0].TargetObject | Should -Be $path
    }
}

Describe 'Capture format v2 (issue 14)' {
    BeforeAll {
        # Offset of the first block: magic (8), header length (4), header, header CRC (4).
        function Get-FirstBlockOffset([string] $Path) {
            $bytes = [IO.File]::ReadAllBytes($Path)
            12 + [BitConverter]::ToInt32($bytes, 8) + 4
        }
    }

    It 'writes -OutFile as a v2 block file that reads back event for event' {
        $live = Start-SyscallTrace -FilePath sh -ArgumentList '-c', 'cat /etc/hostname > /dev/null' -OutFile TestDrive:/v2.trace
        $path = (Get-Item TestDrive:/v2.trace).FullName
        $bytes = [IO.File]::ReadAllBytes($path)
        $bytes[0..7] | Should -Be @(0x89, 0x53, 0x50, 0x53, 0x43, 0x41, 0x50, 0x0a)
        [Text.Encoding]::UTF8.GetString($bytes, 12, [BitConverter]::ToInt32($bytes, 8)) | Should -Match '"HostName":'
        $back = Get-SyscallEvent -Path $path
        ($back | ForEach-Object ToString) | Should -Be ($live | ForEach-Object ToString)
        ($back.Timestamp | ForEach-Object Ticks) | Should -Be ($live.Timestamp | ForEach-Object Ticks)
    }

    It 'skips a damaged block with a CaptureBlockDamaged warning naming its offset' {
        Start-SyscallTrace -FilePath true -OutFile TestDrive:/flip.trace | Out-Null
        $path = (Get-Item TestDrive:/flip.trace).FullName
        $block = Get-FirstBlockOffset $path
        $bytes = [IO.File]::ReadAllBytes($path)
        $bytes[$block + 30] = $bytes[$block + 30] -bxor 0x10
        [IO.File]::WriteAllBytes($path, $bytes)
        $events = Get-SyscallEvent -Path $path -WarningVariable warned -WarningAction SilentlyContinue -ErrorVariable err
        $events | Should -BeNullOrEmpty
        $err | Should -BeNullOrEmpty
        $warned | Should -HaveCount 1
        "$($warned[0])" | Should -Match "^\[CaptureBlockDamaged\] .*byte $block\b"
    }

    It 'reads a capture cut inside its last block, with a CaptureTruncated warning' {
        Start-SyscallTrace -FilePath true -OutFile TestDrive:/cut.trace | Out-Null
        $path = (Get-Item TestDrive:/cut.trace).FullName
        $bytes = [IO.File]::ReadAllBytes($path)
        [IO.File]::WriteAllBytes($path, $bytes[0..($bytes.Length - 11)])
        Get-SyscallEvent -Path $path -WarningVariable warned -WarningAction SilentlyContinue | Should -BeNullOrEmpty
        "$($warned[0])" | Should -Match '^\[CaptureTruncated\]'
    }

    It 'filters by time with -After and -Before (both exclusive)' {
        $live = Start-SyscallTrace -FilePath sh -ArgumentList '-c', 'cat /etc/hostname > /dev/null' -OutFile TestDrive:/time.trace
        $middle = $live[[int]($live.Count / 2)].Timestamp
        $after = Get-SyscallEvent -Path TestDrive:/time.trace -After $middle
        $before = Get-SyscallEvent -Path TestDrive:/time.trace -Before $middle
        @($after).Count | Should -Be @($live | Where-Object Timestamp -gt $middle).Count
        @($before).Count | Should -Be @($live | Where-Object Timestamp -lt $middle).Count
        @($after).Count | Should -BeGreaterThan 0
        @($before).Count | Should -BeGreaterThan 0
    }

    It 'rotates with -MaximumFileSize and keeps -MaximumFileCount files, read back in order' {
        $dir = (New-Item -ItemType Directory TestDrive:/rot).FullName
        # Random bytes do not compress: about 2 MB of captured data, far more than two 64 KiB files.
        $live = Start-SyscallTrace -FilePath sh -ArgumentList '-c', 'head -c 1000000 /dev/urandom | cat > /dev/null' -Syscall read, write -CaptureData -DataSize 4096 `
            -OutFile "$dir/rot.trace" -MaximumFileSize 64KB -MaximumFileCount 2
        $files = Get-ChildItem $dir
        $files.Name | Should -HaveCount 2
        $files.Name | Should -Match '^rot\.\d{4}\.trace$'
        $files | ForEach-Object { $_.Length | Should -BeLessOrEqual 64KB }
        $events = Get-SyscallEvent -Path "$dir/rot.*.trace"
        # The newest events, in the order they were traced.
        $events.Count | Should -BeGreaterThan 10
        $events.Count | Should -BeLessThan $live.Count
        ($events | ForEach-Object ToString) | Should -Be ($live[($live.Count - $events.Count)..($live.Count - 1)] | ForEach-Object ToString)
    }

    It 'says -MaximumFileCount needs -MaximumFileSize' {
        { Start-SyscallTrace -FilePath true -OutFile TestDrive:/x.trace -MaximumFileCount 2 -ErrorAction Stop } |
            Should -Throw -ErrorId "MaximumFileCountNeedsSize,$cmd"
    }

    It 'leaves a readable capture when pwsh is killed while recording' {
        $dir = (Get-Item TestDrive:/).FullName
        $module = & "$PSScriptRoot/ModuleUnderTest.ps1"
        $pwsh = (Get-Process -Id $PID).Path
        [string[]] $prefix = if ([IO.Path]::GetFileNameWithoutExtension($pwsh) -eq 'dotnet') { @(Join-Path $PSHOME 'pwsh.dll') } else { @() }
        $script = "Import-Module '$module'; Start-SyscallTrace -Engine Ptrace -FilePath sh -ArgumentList '-c', 'echo `$`$ > $dir/loop.pid; while :; do cat /etc/hostname > /dev/null; sleep 0.05; done' -OutFile $dir/crash.trace | Out-Null"
        $child = Start-Process -FilePath $pwsh -ArgumentList ($prefix + @('-NoProfile', '-NonInteractive', '-Command', $script)) -PassThru
        try {
            $deadline = [datetime]::UtcNow.AddSeconds(30)
            while (-not (Test-Path "$dir/crash.trace") -or (Get-Item "$dir/crash.trace").Length -lt 200) {
                if ([datetime]::UtcNow -gt $deadline) { throw 'The recording did not start.' }
                Start-Sleep -Milliseconds 200
            }
            Start-Sleep -Milliseconds 1500
            $child.Kill()
            $child.WaitForExit()
        }
        finally {
            if (Test-Path "$dir/loop.pid") { Stop-Process -Id ([int](Get-Content "$dir/loop.pid")) -Force -ErrorAction Ignore }
        }
        $events = Get-SyscallEvent -Path "$dir/crash.trace" -WarningAction SilentlyContinue -ErrorVariable err
        $err | Should -BeNullOrEmpty
        ($events | Where-Object Syscall -eq 'execve').Count | Should -BeGreaterThan 2
    }
}

Describe 'Export-SyscallEvent (issue 14)' {
    BeforeAll {
        $export = 'SyscallPS.Commands.ExportSyscallEventCommand'
        $script:live = Start-SyscallTrace -FilePath sh -ArgumentList '-c', 'ls / > /dev/null; cat /etc/hostname > /dev/null'
    }

    It 'writes CSV whose rows count the same syscalls' {
        $live | Export-SyscallEvent TestDrive:/t.csv
        $rows = Import-Csv TestDrive:/t.csv
        $rows.Count | Should -Be $live.Count
        ($rows | Group-Object Syscall | ForEach-Object { "$($_.Name)=$($_.Count)" }) | Should -Be ($live | Group-Object Syscall | ForEach-Object { "$($_.Name)=$($_.Count)" })
        $rows[0].PSObject.Properties.Name | Should -Contain 'DurationNanoseconds'
    }

    It 'writes JSON Lines that Get-SyscallEvent reads back' {
        $live | Export-SyscallEvent TestDrive:/t.jsonl
        (Get-SyscallEvent -Path TestDrive:/t.jsonl | ForEach-Object ToString) | Should -Be ($live | ForEach-Object ToString)
        (Get-Content TestDrive:/t.jsonl -TotalCount 1) | Should -Match '"Version":1'
    }

    It 'writes Parquet for a .parquet file, private like a capture' {
        $file = $live | Export-SyscallEvent TestDrive:/t.parquet -PassThru
        $bytes = [IO.File]::ReadAllBytes($file.FullName)
        [Text.Encoding]::ASCII.GetString($bytes, 0, 4) | Should -Be 'PAR1'
        [Text.Encoding]::ASCII.GetString($bytes, $bytes.Length - 4, 4) | Should -Be 'PAR1'
        [IO.File]::GetUnixFileMode($file.FullName) | Should -Be ([IO.UnixFileMode]'UserRead, UserWrite')
    }

    It 'refuses an unknown extension without -Format, and an existing file with -NoClobber' {
        { $live | Export-SyscallEvent TestDrive:/t.data -ErrorAction Stop } | Should -Throw -ErrorId "ExportFormatUnknown,$export"
        $live | Export-SyscallEvent TestDrive:/t.data -Format Csv
        { $live | Export-SyscallEvent TestDrive:/t.data -Format Csv -NoClobber -ErrorAction Stop } | Should -Throw -ErrorId "CaptureFileExists,$export"
    }
}
