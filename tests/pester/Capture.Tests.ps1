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
        Start-SyscallTrace -FilePath cat -ArgumentList /etc/hostname -CaptureData -OutFile TestDrive:/damaged.trace | Out-Null
        $path = (Get-Item TestDrive:/damaged.trace).FullName
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
