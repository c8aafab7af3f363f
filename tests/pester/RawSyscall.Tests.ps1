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
    # -DiscardErrors drops its standard error (the runtime's crash report of a child that is meant to die).
    function Invoke-ChildPwsh([string] $Script, [switch] $DiscardErrors) {
        $host_ = (Get-Process -Id $PID).Path
        [string[]] $prefix = if ([IO.Path]::GetFileNameWithoutExtension($host_) -eq 'dotnet') { @(Join-Path $PSHOME 'pwsh.dll') } else { @() }
        $full = "Import-Module '$($script:ModulePath)' -ErrorAction Stop; $Script"
        $output = if ($DiscardErrors) { & $host_ @prefix -NoProfile -NonInteractive -Command $full 2>$null } else { & $host_ @prefix -NoProfile -NonInteractive -Command $full }
        [pscustomobject]@{ Output = $output; ExitCode = $LASTEXITCODE }
    }

    # Little-endian bytes of 64-bit and 32-bit values, for structs passed by pointer.
    function Longs([long[]] $Values) { , [byte[]] ($Values | ForEach-Object { [BitConverter]::GetBytes([long] $_) }) }
    function Ints([int[]] $Values) { , [byte[]] ($Values | ForEach-Object { [BitConverter]::GetBytes([int] $_) }) }

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
    BeforeAll {
        $script:ParentPid = (Get-Process -Id $PID).Parent.Id
        # Descriptors and memory of the runtime (not from raw calls), and a pipe from a raw call.
        $script:RuntimePath = [IO.Path]::GetTempFileName()
        $script:RuntimeFile = [IO.FileStream]::new($script:RuntimePath, 'Open', 'ReadWrite', 'ReadWrite')
        $script:RuntimeFd = $script:RuntimeFile.SafeFileHandle.DangerousGetHandle().ToInt32()
        $script:RuntimePipe = [IO.Pipes.AnonymousPipeServerStream]::new('Out')
        $script:RuntimePipeFd = $script:RuntimePipe.SafePipeHandle.DangerousGetHandle().ToInt32()
        $script:RuntimePipeCopy = (Invoke-RawSyscall dup $script:RuntimePipeFd).ReturnValue
        $script:RuntimeBuffer = New-SyscallBuffer 4096
        $script:RuntimeMemory = $script:RuntimeBuffer.Address.ToInt64() -band -bnot 4095L
        $script:Pipe = New-RawPipe
        $script:MemFd = (Invoke-RawSyscall openat -100, '/proc/self/mem', 2).ReturnValue
    }

    AfterAll {
        $script:Pipe.Read, $script:Pipe.Write, $script:MemFd, $script:RuntimePipeCopy | ForEach-Object { Invoke-RawSyscall close $_ | Out-Null }
        $script:RuntimePipe.Dispose()
        $script:RuntimeFile.Dispose()
        Remove-Item -LiteralPath $script:RuntimePath -ErrorAction SilentlyContinue
    }

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
        @{ Name = 'kill'; Why = 'SIGSTOP to its parent'; Make = { $script:ParentPid, 19 } }
        @{ Name = 'tkill'; Why = 'SIGSEGV to its own thread'; Make = { (Invoke-RawSyscall gettid).ReturnValue, 11 } }
        @{ Name = 'tgkill'; Why = 'SIGABRT to its own thread'; Make = { $PID, $PID, 6 } }
        @{ Name = 'tgkill'; Why = 'SIGTERM to its parent'; Make = { $script:ParentPid, $script:ParentPid, 15 } }
        @{ Name = 'rt_sigqueueinfo'; Why = 'SIGUSR1 to itself'; Make = { $PID, 10, 0 } }
        @{ Name = 'rt_tgsigqueueinfo'; Why = 'SIGUSR2 to its own thread'; Make = { $PID, $PID, 12, 0 } }
        @{ Name = 'alarm'; Why = 'in one second'; Make = { 1 } }
        @{ Name = 'setitimer'; Why = 'ITIMER_REAL in one second'; Make = { 0, (Longs 0, 0, 1, 0), $null } }
        @{ Name = 'timer_create'; Why = 'with the default SIGALRM'; Make = { 1, $null, [byte[]]::new(8) } }
        @{ Name = 'mq_notify'; Why = 'with SIGUSR1'; Make = { 987654, (Ints 0, 0, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0) } }   # sigevent: SIGEV_SIGNAL
        @{ Name = 'prctl'; Why = 'PR_SET_PDEATHSIG SIGKILL'; Make = { 1, 9 } }
        @{ Name = 'prctl'; Why = 'PR_SET_NO_NEW_PRIVS'; Make = { 38, 1, 0, 0, 0 } }
        @{ Name = 'prctl'; Why = 'PR_SET_SECCOMP'; Make = { 22, 2, 0 } }
        @{ Name = 'prctl'; Why = 'PR_SET_MM'; Make = { 35, 1, 0 } }
        @{ Name = 'setrlimit'; Why = 'RLIMIT_NOFILE 0'; Make = { 7, [byte[]]::new(16) } }
        @{ Name = 'setrlimit'; Why = 'RLIMIT_AS 1 MiB'; Make = { 9, (Longs 1MB, 1MB) } }
        @{ Name = 'prlimit64'; Why = 'RLIMIT_NOFILE 0 on itself'; Make = { 0, 7, [byte[]]::new(16), $null } }
        @{ Name = 'prlimit64'; Why = 'RLIMIT_AS 1 MiB on its own pid'; Make = { $PID, 9, (Longs 1MB, 1MB), $null } }
        @{ Name = 'sched_setscheduler'; Why = 'SCHED_FIFO for itself'; Make = { 0, 1, (Ints 1) } }
        @{ Name = 'sched_setattr'; Why = 'SCHED_RR for itself'; Make = { 0, (Ints 48, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0), 0 } }
        @{ Name = 'setpgid'; Why = 'into another process group'; Make = { 0, $(if ((Invoke-RawSyscall getpgid 0).ReturnValue -eq 1) { 2 } else { 1 }) } }
        @{ Name = 'rt_sigtimedwait'; Why = 'without a timeout'; Make = { [byte[]]::new(8), $null, $null, 8 } }
        @{ Name = 'wait4'; Why = 'any child'; Make = { -1, $null, 0, $null } }
        @{ Name = 'waitid'; Why = 'any child, reaping'; Make = { 0, 0, [byte[]]::new(128), 5 } }
        @{ Name = 'ptrace'; Why = 'PTRACE_TRACEME'; Make = { 0, 0, 0, 0 } }
        @{ Name = 'ptrace'; Why = 'PTRACE_ATTACH to its parent'; Make = { 16, $script:ParentPid, 0, 0 } }
        @{ Name = 'ptrace'; Why = 'PTRACE_SEIZE of its parent'; Make = { 0x4206, $script:ParentPid, 0, 0 } }
        @{ Name = 'process_vm_writev'; Why = 'into itself'; Make = { $PID, 0, 0, 0, 0, 0 } }
        @{ Name = 'process_vm_writev'; Why = 'into its parent'; Make = { $script:ParentPid, 0, 0, 0, 0, 0 } }
        @{ Name = 'pwrite64'; Why = 'into its own /proc/self/mem'; Make = { $script:MemFd, [byte[]]::new(1), 1, $script:RuntimeMemory } }
        @{ Name = 'mmap'; Why = 'MAP_FIXED over address 0'; Make = { 0, 4096, 3, 0x32, -1, 0 } }
        @{ Name = 'mmap'; Why = "shared and writable over the runtime's file"; Make = { 0, 4096, 3, 0x01, $script:RuntimeFd, 0 } }
        @{ Name = 'munmap'; Why = "of the runtime's memory"; Make = { $script:RuntimeMemory, 4096 } }
        @{ Name = 'mprotect'; Why = "of the runtime's memory"; Make = { $script:RuntimeMemory, 4096, 0 } }
        @{ Name = 'madvise'; Why = "MADV_DONTNEED on the runtime's memory"; Make = { $script:RuntimeMemory, 4096, 4 } }
        @{ Name = 'mremap'; Why = "of the runtime's memory"; Make = { $script:RuntimeMemory, 4096, 8192, 1 } }
        @{ Name = 'brk'; Why = 'moving the end of the heap'; Make = { 0x10000 } }
        @{ Name = 'shmat'; Why = "SHM_REMAP over the runtime's memory"; Make = { 0, $script:RuntimeMemory, 0x4000 } }
        @{ Name = 'arch_prctl'; Why = 'ARCH_SET_FS'; Make = { 0x1002, 0 } }
        @{ Name = 'mlockall'; Why = 'MCL_FUTURE'; Make = { 2 } }
        @{ Name = 'ioctl'; Why = "UFFDIO_REGISTER of the runtime's memory"; Make = { 987654, 0xC020AA00, (Longs $script:RuntimeMemory, 4096, 1, 0) } }
        @{ Name = 'rt_sigprocmask'; Why = 'blocking every signal'; Make = { 0, (Longs -1), $null, 8 } }
        @{ Name = 'rt_sigaction'; Why = 'for SIGINT'; Make = { 2, [byte[]]::new(32), $null, 8 } }
        @{ Name = 'sigaltstack'; Why = 'replacing the stack'; Make = { [byte[]]::new(24), $null } }
        @{ Name = 'personality'; Why = 'PER_LINUX32'; Make = { (Invoke-RawSyscall personality 0xffffffff).ReturnValue -bxor 8 } }
        @{ Name = 'fanotify_mark'; Why = 'FAN_OPEN_PERM on /'; Make = { 987654, 1, 0x10000, -100, '/' } }
        @{ Name = 'close'; Why = 'standard output'; Make = { 1 } }
        @{ Name = 'close'; Why = "a descriptor the runtime opened"; Make = { $script:RuntimeFd } }
        @{ Name = 'close_range'; Why = 'from 3 to the end'; Make = { 3, [uint32]::MaxValue, 0 } }
        @{ Name = 'close_range'; Why = 'CLOSE_RANGE_UNSHARE of its own descriptor'; Make = { $script:Pipe.Read, $script:Pipe.Read, 2 } }
        @{ Name = 'dup2'; Why = 'onto standard error'; Make = { $script:Pipe.Read, 2 } }
        @{ Name = 'dup2'; Why = "onto a descriptor the runtime opened"; Make = { $script:Pipe.Read, $script:RuntimeFd } }
        @{ Name = 'dup3'; Why = 'onto standard input'; Make = { $script:Pipe.Read, 0, 0 } }
        @{ Name = 'dup3'; Why = "onto a descriptor the runtime opened"; Make = { $script:Pipe.Read, $script:RuntimeFd, 0 } }
        @{ Name = 'fcntl'; Why = 'O_NONBLOCK on standard input'; Make = { 0, 4, 0x800 } }
        @{ Name = 'fcntl'; Why = 'F_SETOWN of its own pipe to itself'; Make = { $script:Pipe.Read, 8, $PID } }
        @{ Name = 'fcntl'; Why = "F_ADD_SEALS on the runtime's file"; Make = { $script:RuntimeFd, 1033, 8 } }
        @{ Name = 'ioctl'; Why = 'TIOCNOTTY on standard input'; Make = { 0, 0x5422 } }
        @{ Name = 'ioctl'; Why = 'TIOCSCTTY on standard input'; Make = { 0, 0x540E, 0 } }
        @{ Name = 'ioctl'; Why = 'FIONBIO on standard input'; Make = { 0, 0x5421, (Ints 1) } }
        @{ Name = 'ioctl'; Why = 'FIOSETOWN of its own pipe to itself'; Make = { $script:Pipe.Read, 0x8901, (Ints $PID) } }
        @{ Name = 'read'; Why = "the runtime's pipe"; Make = { $script:RuntimePipeFd, [byte[]]::new(1), 1 } }
        @{ Name = 'write'; Why = "the runtime's file"; Make = { $script:RuntimeFd, 'x', 1 } }
        @{ Name = 'write'; Why = "a copy of the runtime's pipe"; Make = { $script:RuntimePipeCopy, 'x', 1 } }
        @{ Name = 'lseek'; Why = "the runtime's file"; Make = { $script:RuntimeFd, 0, 2 } }
        @{ Name = 'ftruncate'; Why = "the runtime's file"; Make = { $script:RuntimeFd, 0 } }
        @{ Name = 'shutdown'; Why = "the runtime's descriptor"; Make = { $script:RuntimeFd, 2 } }
        @{ Name = 'epoll_ctl'; Why = "on the runtime's descriptor"; Make = { $script:RuntimeFd, 2, 0, [byte[]]::new(12) } }
    ) {
        if (@([SyscallPS.SyscallTable]::Current.Match($Name)).Count -eq 0) { Set-ItResult -Skipped -Because "$Name does not exist here"; return }
        $arguments = & $Make
        Invoke-RawSyscall $Name $arguments -ErrorVariable ev -ErrorAction SilentlyContinue
        $ok = $?
        $ok | Should -BeFalse
        $ev[0].FullyQualifiedErrorId | Should -Be 'SyscallRefused,SyscallPS.Commands.InvokeRawSyscallCommand'
        $ev[0].CategoryInfo.Category | Should -Be PermissionDenied
        $ev[0].ErrorDetails.RecommendedAction | Should -Match '-Force'
        (Invoke-RawSyscall getpid).ReturnValue | Should -Be $PID
        $script:RuntimeFile.Length | Should -Be 0                    # the runtime's descriptors still work
        "/proc/$PID/fd/$($script:RuntimePipeFd)" | Should -Exist
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
        (Invoke-RawSyscall close 987654).Errno | Should -Be 'EBADF'          # not open: nobody's
        $map = Invoke-RawSyscall mmap 0, 4096, 3, 0x22, -1, 0                 # private anonymous, not fixed
        $map.Succeeded | Should -BeTrue
        (Invoke-RawSyscall mprotect $map.ReturnValue, 4096, 1).ReturnValue | Should -Be 0   # memory a raw call mapped
        (Invoke-RawSyscall munmap $map.ReturnValue, 4096).ReturnValue | Should -Be 0
        if (@([SyscallPS.SyscallTable]::Current.Match('alarm')).Count) { (Invoke-RawSyscall alarm 0).ReturnValue | Should -Be 0 }
        (Invoke-RawSyscall brk 0).ReturnValue | Should -BeGreaterThan 0
        if (@([SyscallPS.SyscallTable]::Current.Match('arch_prctl')).Count) { (Invoke-RawSyscall arch_prctl 0x1003, ([byte[]]::new(8))).ReturnValue | Should -Be 0 }   # ARCH_GET_FS
        (Invoke-RawSyscall setitimer 0, (Longs 0, 0, 0, 0), $null).ReturnValue | Should -Be 0   # disarms
        $limit = [byte[]]::new(16)
        (Invoke-RawSyscall prlimit64 0, 7, $null, $limit).ReturnValue | Should -Be 0          # reads
        (Invoke-RawSyscall setrlimit 7, $limit).ReturnValue | Should -Be 0                     # the same limit again
        (Invoke-RawSyscall rt_sigprocmask 0, $null, ([byte[]]::new(8)), 8).ReturnValue | Should -Be 0
        $persona = (Invoke-RawSyscall personality 0xffffffff).ReturnValue
        (Invoke-RawSyscall personality $persona).ReturnValue | Should -Be $persona
        (Invoke-RawSyscall fcntl 0, 3).Succeeded | Should -BeTrue                          # F_GETFL of standard input
        (Invoke-RawSyscall write 1, '', 0).ReturnValue | Should -Be 0
        (Invoke-RawSyscall wait4 1, $null, 1, $null).Errno | Should -Be 'ECHILD'         # not a child
        (Invoke-RawSyscall sched_setscheduler 0, 0, (Ints 0)).ReturnValue | Should -Be 0   # SCHED_OTHER
        (Invoke-RawSyscall pread64 $script:MemFd, ([byte[]]::new(1)), 1, $script:RuntimeMemory).ReturnValue | Should -Be 1
    }

    It 'really makes a refused call with -Force (in a child pwsh)' {
        $child = Invoke-ChildPwsh 'Invoke-RawSyscall exit_group 7 -Force -WarningAction SilentlyContinue; "still here"'
        $child.ExitCode | Should -Be 7
        $child.Output | Should -Not -Contain 'still here'
    }

    It 'alarm 1 -Force ends a child pwsh with SIGALRM: the refusal guards a real danger' {
        if (@([SyscallPS.SyscallTable]::Current.Match('alarm')).Count -eq 0) { Set-ItResult -Skipped -Because 'alarm does not exist here'; return }
        $child = Invoke-ChildPwsh 'Invoke-RawSyscall alarm 1 -Force -WarningAction SilentlyContinue | Out-Null; Start-Sleep -Seconds 3; "still here"'
        $child.ExitCode | Should -Be (128 + 14)
        $child.Output | Should -Not -Contain 'still here'
    }

    It 'closing the runtime''s descriptors with -Force aborts a child pwsh' {
        $child = Invoke-ChildPwsh '3..1000 | ForEach-Object { Invoke-RawSyscall close $_ -Force -WarningAction SilentlyContinue } | Out-Null; Get-ChildItem / | Out-Null; "still here"' -DiscardErrors
        $child.ExitCode | Should -BeGreaterThan 128   # ended by a signal (SIGABRT from the runtime)
        $child.Output | Should -Not -Contain 'still here'
    }
}

Describe 'Invoke-RawSyscall: descriptors belong to the shell unless a raw call returned them' {
    It 'closes, dup2s and dup3s onto descriptors it opened, without -Force' {
        $a = (Invoke-RawSyscall openat -100, '/dev/null', 2).ReturnValue
        $b = (Invoke-RawSyscall openat -100, '/dev/null', 2).ReturnValue
        (Invoke-RawSyscall dup3 $a, $b, 0 -ErrorAction Stop).ReturnValue | Should -Be $b
        if (@([SyscallPS.SyscallTable]::Current.Match('dup2')).Count) { (Invoke-RawSyscall dup2 $a, $b -ErrorAction Stop).ReturnValue | Should -Be $b }
        (Invoke-RawSyscall close $b -ErrorAction Stop).ReturnValue | Should -Be 0
        (Invoke-RawSyscall close $a -ErrorAction Stop).ReturnValue | Should -Be 0
    }

    It 'refuses the runtime''s descriptors, also a copy made by a raw call, and the shell survives' {
        $path = [IO.Path]::GetTempFileName()
        $runtime = [IO.FileStream]::new($path, 'Open', 'ReadWrite')
        try {
            $fd = $runtime.SafeFileHandle.DangerousGetHandle().ToInt32()
            Invoke-RawSyscall close $fd -ErrorVariable ev -ErrorAction SilentlyContinue
            $ev[0].FullyQualifiedErrorId | Should -BeLike 'SyscallRefused,*'
            $ev[0].Exception.Message | Should -Match 'descriptor the shell holds'
            $copy = (Invoke-RawSyscall dup $fd -ErrorAction Stop).ReturnValue
            Invoke-RawSyscall write $copy, 'x', 1 -ErrorVariable ev2 -ErrorAction SilentlyContinue
            $ev2[0].FullyQualifiedErrorId | Should -BeLike 'SyscallRefused,*'
            (Invoke-RawSyscall close $copy -ErrorAction Stop).ReturnValue | Should -Be 0     # the copy is yours to close
            $runtime.WriteByte(65); $runtime.Flush()
            [IO.File]::ReadAllText($path) | Should -Be 'A'
        }
        finally {
            $runtime.Dispose()
            Remove-Item -LiteralPath $path
        }
    }

    It 'refuses every descriptor of the shell in the loop of issue 13 (3..1000 | close), and the shell goes on' {
        # The runtime's assemblies are open descriptors no raw call returned.
        $assemblies = @(Get-ChildItem /proc/$PID/fd | Where-Object { [int] $_.Name -ge 3 -and $_.LinkTarget -like '*.dll' } | ForEach-Object Name)
        $assemblies.Count | Should -BeGreaterThan 10
        $errors = [Collections.ArrayList]::new()
        3..1000 | ForEach-Object { Invoke-RawSyscall close $_ -ErrorAction SilentlyContinue -ErrorVariable +errors } | Out-Null
        $refused = @($errors | Where-Object FullyQualifiedErrorId -like 'SyscallRefused,*').Count
        $refused | Should -BeGreaterOrEqual $assemblies.Count
        $assemblies | ForEach-Object { "/proc/$PID/fd/$_" | Should -Exist }
        $tmp = New-TemporaryFile; 'ok' | Set-Content $tmp; Get-Content $tmp | Should -Be 'ok'; Remove-Item $tmp
        (Get-Process -Id $PID).Id | Should -Be $PID
    }

    It 'refuses terminal requests that take the shell''s terminal away, through any descriptor (child pwsh on a pty)' {
        $script = Get-Command script -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
        if (-not $script) { Set-ItResult -Skipped -Because 'script(1) from util-linux is not installed'; return }
        $pwshHost = (Get-Process -Id $PID).Path
        $prefix = if ([IO.Path]::GetFileNameWithoutExtension($pwshHost) -eq 'dotnet') { "'$(Join-Path $PSHOME 'pwsh.dll')'" } else { '' }
        $body = @"
Import-Module '$($script:ModulePath)' -ErrorAction Stop
`$tty = (Invoke-RawSyscall openat -100, '/dev/tty', 0x102).ReturnValue
"tty=`$(`$tty -ge 0)"
foreach (`$request in 0x5422, 0x5410, 0x5412, 0x540E) {
    Invoke-RawSyscall ioctl `$tty, `$request, ([byte[]]::new(4)) -ErrorAction SilentlyContinue -ErrorVariable ev | Out-Null
    "request=`$(`$request):`$(`$ev[0].FullyQualifiedErrorId -like 'SyscallRefused,*')"
}
"winsize=`$((Invoke-RawSyscall ioctl `$tty, 0x5413, ([byte[]]::new(8))).ReturnValue)"
Invoke-RawSyscall setsid -ErrorAction SilentlyContinue -ErrorVariable ev2 | Out-Null
"setsid=`$(`$ev2[0].FullyQualifiedErrorId -like 'SyscallRefused,*')"
"@
        $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($body))
        $output = & $script.Source -qec "'$pwshHost' $prefix -NoProfile -NonInteractive -EncodedCommand $encoded" /dev/null 2>&1 | ForEach-Object { "$_".Trim() }
        $text = $output -join "`n"
        $text | Should -Match 'tty=True'
        $text | Should -Match 'request=21538:True'   # TIOCNOTTY
        $text | Should -Match 'request=21520:True'   # TIOCSPGRP
        $text | Should -Match 'request=21522:True'   # TIOCSTI
        $text | Should -Match 'request=21518:True'   # TIOCSCTTY
        $text | Should -Match 'winsize=0'            # TIOCGWINSZ only reads
        $text | Should -Match 'setsid=True'
    }
}
