#Requires -Modules Pester
# Invoke-RawSyscall and New-SyscallBuffer against the real kernel (issue 4).

BeforeAll {
    $script:Repo = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $script:ModulePath = & "$PSScriptRoot/ModuleUnderTest.ps1"
    Import-Module $script:ModulePath -Force -ErrorAction Stop
    $null = Get-SyscallInfo -Name getpid   # loads SyscallPS.Engine so its types resolve
    if (-not (Get-FormatData -TypeName SyscallPS.Raw.RawSyscallResult)) {
        Update-FormatData -AppendPath (Join-Path $script:Repo 'module/SyscallPS.Info.format.ps1xml')
    }
    $script:Arch = [SyscallPS.SyscallTable]::CurrentArchitecture

    # Runs a script in a child pwsh that imports the module; returns its stdout lines and exit code.
    function Invoke-ChildPwsh([string] $Script) {
        $host_ = (Get-Process -Id $PID).Path
        [string[]] $prefix = if ([IO.Path]::GetFileNameWithoutExtension($host_) -eq 'dotnet') { @(Join-Path $PSHOME 'pwsh.dll') } else { @() }
        $full = "Import-Module '$($script:ModulePath)' -ErrorAction Stop; $Script"
        $output = & $host_ @prefix -NoProfile -NonInteractive -Command $full
        [pscustomobject]@{ Output = $output; ExitCode = $LASTEXITCODE }
    }

    # Opens a pipe through the cmdlet itself: pipe2 fills an int[2] buffer.
    function New-RawPipe {
        $fds = New-SyscallBuffer -Size 8
        $r = Invoke-RawSyscall pipe2 $fds, 0
        $r.Succeeded | Should -BeTrue
        [pscustomobject]@{ Read = [BitConverter]::ToInt32($fds.Bytes, 0); Write = [BitConverter]::ToInt32($fds.Bytes, 4) }
    }
}

Describe 'Invoke-RawSyscall: the examples of issue 4' {
    It 'write prints "Hello, world" on standard output and returns 13' {
        $child = Invoke-ChildPwsh '$r = Invoke-RawSyscall -Name write -ArgumentList 1, "Hello, world`n", 13; "ret=$($r.ReturnValue)"'
        $child.ExitCode | Should -Be 0
        $child.Output | Should -Contain 'Hello, world'
        $child.Output | Should -Contain 'ret=13'
        # the text came before the result: it was written by the syscall, not by PowerShell's output
        [array]::IndexOf($child.Output, 'Hello, world') | Should -BeLessThan ([array]::IndexOf($child.Output, 'ret=13'))
    }

    It 'write to a pipe returns 13 and the bytes arrive' {
        $pipe = New-RawPipe
        try {
            $r = Invoke-RawSyscall -Name write -ArgumentList $pipe.Write, "Hello, world`n", 13
            $r | Should -BeOfType SyscallPS.Raw.RawSyscallResult
            $r.ReturnValue | Should -Be 13
            $r.Succeeded | Should -BeTrue
            $r.Errno | Should -BeNullOrEmpty
            $r.Syscall | Should -Be 'write'
            $r.Arguments[1] | Should -Be "Hello, world`n"

            $buf = New-SyscallBuffer -Size 64
            (Invoke-RawSyscall read $pipe.Read, $buf, 64).ReturnValue | Should -Be 13
            $buf.Text | Should -Be "Hello, world`n"
            $buf.Length | Should -Be 13
        }
        finally {
            Invoke-RawSyscall close $pipe.Read | Out-Null
            Invoke-RawSyscall close $pipe.Write | Out-Null
        }
    }

    It 'getpid by number equals $PID' {
        $number = (Get-SyscallInfo getpid).Number
        $r = Invoke-RawSyscall -Number $number
        $r.ReturnValue | Should -Be $PID
        $r.Syscall | Should -Be 'getpid'
    }

    It 'getpid is number 39 on x86_64' {
        if ($script:Arch -ne 'x86_64') { Set-ItResult -Skipped -Because 'the literal number 39 is x86_64 numbering' ; return }
        (Invoke-RawSyscall -Number 39).ReturnValue | Should -Be $PID
    }

    It 'getcwd fills a SyscallBuffer that is readable afterwards' {
        $buf = New-SyscallBuffer -Size 4096
        $r = Invoke-RawSyscall getcwd $buf, 4096
        $r.Succeeded | Should -BeTrue
        $buf.Text | Should -Be ([IO.Directory]::GetCurrentDirectory())
        $r.ReturnValue | Should -Be ($buf.Length + 1)
        $buf.Size | Should -Be 4096
        $buf.Bytes.Length | Should -Be 4096
    }

    It 'openat of a missing file is data with ENOENT, not an exception' {
        $r = Invoke-RawSyscall openat -100, '/nonexistent', 0 -ErrorVariable ev | Select-Object ReturnValue, Errno, ErrorMessage
        $? | Should -BeTrue
        $ev | Should -BeNullOrEmpty
        $r.ReturnValue | Should -Be -1
        $r.Errno | Should -Be 'ENOENT'
        $r.ErrorMessage | Should -Be 'No such file or directory'
    }
}

Describe 'Invoke-RawSyscall: arguments' {
    It 'passes negative integers sign-extended, also the text PowerShell makes of an unquoted -100' {
        $r = Invoke-RawSyscall openat -100, '/nonexistent', 0
        $r.Arguments[0] | Should -BeOfType [string]   # argument mode: -100, is text
        $r.RawArguments[0] | Should -Be ([uint64]::MaxValue - 99)
        (Invoke-RawSyscall openat (-100), '/nonexistent', 0).RawArguments[0] | Should -Be ([uint64]::MaxValue - 99)
        # AT_FDCWD (-100) really reached the kernel: a relative path resolves against the working directory
        $name = [IO.Path]::GetFileName([IO.Directory]::GetCurrentDirectory())
        $fd = (Invoke-RawSyscall openat -100, "../$name", 0x10000).ReturnValue   # O_DIRECTORY
        $fd | Should -BeGreaterThan 2
        Invoke-RawSyscall close $fd | Out-Null
    }

    It 'passes hex strings as integers' {
        $r = Invoke-RawSyscall kill $PID, '0x0'
        $r.ReturnValue | Should -Be 0
        $r.RawArguments[1] | Should -Be 0
        (Invoke-RawSyscall getpid '0x10', '-0x1', '0XfF').RawArguments | Should -Be @(16, [uint64]::MaxValue, 255)
    }

    It 'round-trips a byte[] through a real file' {
        $path = Join-Path ([IO.Path]::GetTempPath()) "syscallps-raw-$PID.bin"
        $fd = (Invoke-RawSyscall openat -100, $path, 0x42, '0x1a4').ReturnValue   # O_RDWR|O_CREAT, 0644
        $fd | Should -BeGreaterThan 2
        try {
            [byte[]] $data = 0, 1, 2, 250, 255
            (Invoke-RawSyscall write $fd, $data, $data.Length).ReturnValue | Should -Be 5
            (Invoke-RawSyscall lseek $fd, 0, 0).ReturnValue | Should -Be 0
            [byte[]] $back = [byte[]]::new(5)
            (Invoke-RawSyscall read $fd, $back, 5).ReturnValue | Should -Be 5
            $back | Should -Be $data
            [IO.File]::ReadAllBytes($path) | Should -Be $data
        }
        finally {
            Invoke-RawSyscall close $fd | Out-Null
            Remove-Item -LiteralPath $path -ErrorAction SilentlyContinue
        }
    }

    It 'passes $null as 0' {
        # uname(NULL) must fail with EFAULT: the pointer really was 0
        (Invoke-RawSyscall uname $null).Errno | Should -Be 'EFAULT'
    }

    It 'accepts arguments from the pipeline by property name' {
        (Get-SyscallInfo getppid | Invoke-RawSyscall).ReturnValue | Should -Be (Get-Process -Id $PID).Parent.Id
    }

    It 'reports an unknown name as ObjectNotFound with a hint' {
        Invoke-RawSyscall opena -ErrorVariable ev -ErrorAction SilentlyContinue
        $? | Should -BeFalse
        $ev[0].FullyQualifiedErrorId | Should -BeLike 'UnknownSyscall,*'
        $ev[0].CategoryInfo.Category | Should -Be ObjectNotFound
        $ev[0].ErrorDetails.RecommendedAction | Should -Match 'openat'
    }

    It 'reports seven arguments as InvalidArgument' {
        Invoke-RawSyscall getpid 1, 2, 3, 4, 5, 6, 7 -ErrorVariable ev -ErrorAction SilentlyContinue
        $? | Should -BeFalse
        $ev[0].FullyQualifiedErrorId | Should -BeLike 'TooManyArguments,*'
        $ev[0].CategoryInfo.Category | Should -Be InvalidArgument
        $ev[0].ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
    }

    It 'reports an argument it cannot pass as InvalidArgument' {
        Invoke-RawSyscall getpid ([pscustomobject]@{ a = 1 }) -ErrorVariable ev -ErrorAction SilentlyContinue
        $? | Should -BeFalse
        $ev[0].FullyQualifiedErrorId | Should -BeLike 'UnsupportedArgumentType,*'
        $ev[0].CategoryInfo.Category | Should -Be InvalidArgument
        $ev[0].ErrorDetails.RecommendedAction | Should -Match 'SyscallBuffer'

        Invoke-RawSyscall getpid 1.5 -ErrorVariable ev2 -ErrorAction SilentlyContinue
        $ev2[0].FullyQualifiedErrorId | Should -BeLike 'ArgumentOutOfRange,*'
    }

    It 'reports a negative number as InvalidArgument' {
        Invoke-RawSyscall -Number -1 -ErrorVariable ev -ErrorAction SilentlyContinue
        $ev[0].FullyQualifiedErrorId | Should -BeLike 'SyscallNumberOutOfRange,*'
        $ev[0].CategoryInfo.Category | Should -Be InvalidArgument
    }

    It 'makes no call under -WhatIf' {
        $pipe = New-RawPipe
        try {
            Invoke-RawSyscall write $pipe.Write, 'x', 1 -WhatIf | Should -BeNullOrEmpty
            # nothing was written: a non-blocking read finds the pipe empty
            Invoke-RawSyscall fcntl $pipe.Read, 4, 0x800 | Out-Null        # F_SETFL O_NONBLOCK
            (Invoke-RawSyscall read $pipe.Read, (New-SyscallBuffer 8), 8).Errno | Should -Be 'EAGAIN'
        }
        finally {
            Invoke-RawSyscall close $pipe.Read | Out-Null
            Invoke-RawSyscall close $pipe.Write | Out-Null
        }
    }
}

Describe 'New-SyscallBuffer' {
    It 'allocates zeroed memory of the given size' {
        $buf = New-SyscallBuffer -Size 16
        $buf | Should -BeOfType SyscallPS.Raw.SyscallBuffer
        $buf.Size | Should -Be 16
        $buf.Length | Should -Be 0
        $buf.Text | Should -Be ''
        @($buf.Bytes | Where-Object { $_ -ne 0 }).Count | Should -Be 0
    }

    It 'frees its memory on Dispose' {
        $buf = New-SyscallBuffer 32
        $buf.Dispose()
        $buf.IsDisposed | Should -BeTrue
        Invoke-RawSyscall getcwd $buf, 32 -ErrorVariable ev -ErrorAction SilentlyContinue
        $ev[0].FullyQualifiedErrorId | Should -BeLike 'DisposedSyscallBuffer,*'
    }

    It 'rejects a size of 0' {
        { New-SyscallBuffer -Size 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,SyscallPS.Commands.NewSyscallBufferCommand'
    }

    It 'has a table view' {
        $text = New-SyscallBuffer 8 | Out-String
        $text | Should -Match 'Size'
        $text | Should -Match 'Length'
        $text | Should -Not -Match 'Bytes'
    }
}

Describe 'Invoke-RawSyscall: format view' {
    It 'shows the result as a table with errno' {
        $text = Invoke-RawSyscall openat -100, '/nonexistent', 0 | Out-String -Width 200
        $text | Should -Match 'ReturnValue'
        $text | Should -Match 'ENOENT'
        $text | Should -Match "'/nonexistent'"
    }
}

Describe 'Invoke-RawSyscall: completion' {
    It 'completes syscall names for -Name' {
        $line = 'Invoke-RawSyscall -Name ope'
        $names = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
        $names | Should -Contain 'openat'
        $names | Should -Contain 'openat2'
        $names | Should -Not -Contain 'read'
    }

    It 'completes the positional name' {
        $line = 'Invoke-RawSyscall getpp'
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be 'getppid'
    }
}

Describe 'Invoke-RawSyscall: safety policy' {
    BeforeDiscovery {
        $modulePath = & "$PSScriptRoot/ModuleUnderTest.ps1"
        Import-Module $modulePath -ErrorAction Stop
        $null = Get-SyscallInfo -Name getpid
        $table = [SyscallPS.SyscallTable]::Current
        $script:Unconditional = [SyscallPS.Raw.RawSyscallSafety]::Rules |
            Where-Object { -not $_.IsConditional -and @($table.Match($_.Syscall)).Count -gt 0 } |
            ForEach-Object { @{ Syscall = $_.Syscall } }
    }

    It 'refuses <Syscall> without -Force and the shell survives' -ForEach $script:Unconditional {
        Invoke-RawSyscall $Syscall -ErrorVariable ev -ErrorAction SilentlyContinue
        $ok = $?
        $ok | Should -BeFalse
        $ev[0].FullyQualifiedErrorId | Should -Be 'SyscallRefused,SyscallPS.Commands.InvokeRawSyscallCommand'
        $ev[0].CategoryInfo.Category | Should -Be PermissionDenied
        $ev[0].ErrorDetails.RecommendedAction | Should -Match '-Force'
        (Get-Process -Id $PID).Id | Should -Be $PID
        (Invoke-RawSyscall getpid).ReturnValue | Should -Be $PID
    }

    It 'refuses <Name> <Why> without -Force and the shell survives' -ForEach @(
        @{ Name = 'kill'; Why = 'SIGKILL to itself'; Make = { $PID, 9 } }
        @{ Name = 'kill'; Why = 'SIGTERM to its process group'; Make = { 0, 15 } }
        @{ Name = 'kill'; Why = 'SIGKILL to every process'; Make = { -1, 9 } }
        @{ Name = 'kill'; Why = 'SIGSTOP to itself'; Make = { $PID, 19 } }
        @{ Name = 'tkill'; Why = 'SIGSEGV to its own thread'; Make = { (Invoke-RawSyscall gettid).ReturnValue, 11 } }
        @{ Name = 'tgkill'; Why = 'SIGABRT to its own thread'; Make = { $PID, $PID, 6 } }
        @{ Name = 'rt_sigqueueinfo'; Why = 'SIGUSR1 to itself'; Make = { $PID, 10, 0 } }
        @{ Name = 'rt_tgsigqueueinfo'; Why = 'SIGUSR2 to its own thread'; Make = { $PID, $PID, 12, 0 } }
        @{ Name = 'ptrace'; Why = 'PTRACE_TRACEME'; Make = { 0, 0, 0, 0 } }
        @{ Name = 'prctl'; Why = 'PR_SET_SECCOMP'; Make = { 22, 2, 0 } }
        @{ Name = 'prctl'; Why = 'PR_SET_MM'; Make = { 35, 1, 0 } }
        @{ Name = 'mmap'; Why = 'MAP_FIXED over address 0'; Make = { 0, 4096, 3, 0x32, -1, 0 } }
        @{ Name = 'close'; Why = 'standard output'; Make = { 1 } }
        @{ Name = 'dup2'; Why = 'onto standard error'; Make = { 5, 2 } }
        @{ Name = 'dup3'; Why = 'onto standard input'; Make = { 5, 0, 0 } }
        @{ Name = 'process_vm_writev'; Why = 'into itself'; Make = { $PID, 0, 0, 0, 0, 0 } }
    ) {
        if (@([SyscallPS.SyscallTable]::Current.Match($Name)).Count -eq 0) { Set-ItResult -Skipped -Because "$Name does not exist here"; return }
        $arguments = & $Make
        Invoke-RawSyscall $Name $arguments -ErrorVariable ev -ErrorAction SilentlyContinue
        $ok = $?
        $ok | Should -BeFalse
        $ev[0].FullyQualifiedErrorId | Should -Be 'SyscallRefused,SyscallPS.Commands.InvokeRawSyscallCommand'
        (Invoke-RawSyscall getpid).ReturnValue | Should -Be $PID
    }

    It 'refuses a fatal signal sent through a pidfd of itself' {
        $pidfd = (Invoke-RawSyscall pidfd_open $PID, 0).ReturnValue
        if ($pidfd -lt 0) { Set-ItResult -Skipped -Because 'pidfd_open is not available'; return }
        try {
            Invoke-RawSyscall pidfd_send_signal $pidfd, 9, 0, 0 -ErrorVariable ev -ErrorAction SilentlyContinue
            $ev[0].FullyQualifiedErrorId | Should -BeLike 'SyscallRefused,*'
            (Invoke-RawSyscall pidfd_send_signal $pidfd, 0, 0, 0).ReturnValue | Should -Be 0
        }
        finally {
            Invoke-RawSyscall close $pidfd | Out-Null
        }
    }

    It 'refuses the x32 alias of exit' {
        if ($script:Arch -ne 'x86_64') { Set-ItResult -Skipped -Because 'x32 numbers exist on x86_64 only'; return }
        Invoke-RawSyscall -Number (0x40000000 + 60) -ErrorVariable ev -ErrorAction SilentlyContinue
        $ev[0].FullyQualifiedErrorId | Should -BeLike 'SyscallRefused,*'
    }

    It 'allows harmless calls of the same syscalls' {
        (Invoke-RawSyscall kill $PID, 0).ReturnValue | Should -Be 0          # signal 0: existence check
        (Invoke-RawSyscall kill $PID, 28).ReturnValue | Should -Be 0         # SIGWINCH: ignored by default
        (Invoke-RawSyscall close 987654).Errno | Should -Be 'EBADF'
        $map = Invoke-RawSyscall mmap 0, 4096, 3, 0x22, -1, 0                 # private anonymous, not fixed
        $map.Succeeded | Should -BeTrue
    }

    It 'really makes a refused call with -Force (in a child pwsh)' {
        $child = Invoke-ChildPwsh 'Invoke-RawSyscall exit_group 7 -Force -WarningAction SilentlyContinue; "still here"'
        $child.ExitCode | Should -Be 7
        $child.Output | Should -Not -Contain 'still here'
    }
}
