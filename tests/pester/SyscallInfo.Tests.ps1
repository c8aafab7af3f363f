#Requires -Modules Pester
# Get-SyscallInfo and the syscall name/category completers (issue 4).

BeforeAll {
    $script:Repo = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $script:ModulePath = & "$PSScriptRoot/ModuleUnderTest.ps1"
    Import-Module $script:ModulePath -Force -ErrorAction Stop
    $null = Get-SyscallInfo -Name getpid   # loads SyscallPS.Engine so its types resolve
    if (-not (Get-FormatData -TypeName SyscallPS.SyscallInfo)) {
        Update-FormatData -AppendPath (Join-Path $script:Repo 'module/SyscallPS.Info.format.ps1xml')
    }
    $script:Arch = [SyscallPS.SyscallTable]::CurrentArchitecture

    function Get-Completion([string] $Line) {
        (TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches
    }
}

Describe 'Get-SyscallInfo: the examples of issue 4' {
    It 'Get-SyscallInfo -Name open* | Format-Table Name, Number, Category, Parameters' {
        $all = Get-SyscallInfo -Name open*
        $all | Should -Not -BeNullOrEmpty
        $all | ForEach-Object { $_ | Should -BeOfType SyscallPS.SyscallInfo; $_.Name | Should -BeLike 'open*' }
        $all.Name | Should -Contain 'openat'
        $all.Name | Should -Contain 'openat2'
        $openat = $all | Where-Object Name -EQ 'openat'
        $openat.Category | Should -Be ([SyscallPS.SyscallCategory]::File)
        $openat.Parameters.Name | Should -Be @('dfd', 'filename', 'flags', 'mode')
        $text = $all | Format-Table Name, Number, Category, Parameters | Out-String -Width 200
        $text | Should -Match 'openat\s+\d+\s+File\s+\{int dfd, const char \*filename'
    }

    It 'Get-SyscallInfo -Category Network' {
        $net = Get-SyscallInfo -Category Network
        $net.Count | Should -BeGreaterThan 15
        $net | ForEach-Object { $_.Categories.HasFlag([SyscallPS.SyscallCategory]::Network) | Should -BeTrue }
        $net.Name | Should -Contain 'connect'
        $net.Name | Should -Contain 'socket'
        $net.Name | Should -Not -Contain 'openat'
    }
}

Describe 'Get-SyscallInfo: lookups' {
    It 'defaults to the running machine' {
        (Get-SyscallInfo write).Architecture | Should -Be $script:Arch
    }

    It 'knows x86_64 numbers' {
        (Get-SyscallInfo write -Architecture x86_64).Number | Should -Be 1
        (Get-SyscallInfo exit -Architecture x86_64).Number | Should -Be 60
        (Get-SyscallInfo -Number 257 -Architecture x86_64).Name | Should -Be 'openat'
    }

    It 'knows aarch64 numbers' {
        (Get-SyscallInfo openat -Architecture aarch64).Number | Should -Be 56
        (Get-SyscallInfo write -Architecture aarch64).Number | Should -Be 64
        (Get-SyscallInfo -Number 56 -Architecture aarch64).Name | Should -Be 'openat'
    }

    It 'returns every syscall without -Name, in number order' {
        $all = Get-SyscallInfo -Architecture x86_64
        $all.Count | Should -BeGreaterThan 370
        $all[0].Name | Should -Be 'read'
        ($all.Number | Sort-Object) -join ',' | Should -Be ($all.Number -join ',')
    }

    It 'takes several names and patterns, without duplicates' {
        $r = Get-SyscallInfo -Name read, 'read*', write
        ($r.Name | Group-Object | Where-Object Count -GT 1) | Should -BeNullOrEmpty
        $r.Name | Should -Contain 'readv'
        $r.Name | Should -Contain 'write'
    }

    It 'takes names from the pipeline' {
        ('getpid', 'getppid' | Get-SyscallInfo).Name | Should -Be @('getpid', 'getppid')
    }

    It 'filters by several categories (any of them)' {
        $r = Get-SyscallInfo -Category Ipc, Clock
        $r.Name | Should -Contain 'semop'
        $r.Name | Should -Contain 'clock_gettime'
        $r | ForEach-Object { ($_.Categories -band ([SyscallPS.SyscallCategory]'Ipc, Clock')) | Should -Not -Be 0 }
    }

    It 'combines -Name and -Category' {
        (Get-SyscallInfo -Name '*stat*' -Category Stat).Name | Should -Contain 'statx'
        (Get-SyscallInfo -Name '*stat*' -Category Network) | Should -BeNullOrEmpty
    }

    It 'finds the calls strace puts in no class with -Category Other' {
        $r = Get-SyscallInfo -Category Other
        $r.Name | Should -Contain 'getpid'
        $r | ForEach-Object { $_.Categories | Should -Be ([SyscallPS.SyscallCategory]::Other) }
    }

    It 'carries the watch-list advice' {
        $execve = Get-SyscallInfo execve
        $execve.Advice | Should -Match 'program'
        (Get-SyscallInfo getpid).Advice | Should -BeNullOrEmpty
        @(Get-SyscallInfo | Where-Object Advice).Count | Should -Be 43
    }

    It 'shows the signature' {
        (Get-SyscallInfo openat).Signature | Should -Be 'openat(int dfd, const char *filename, int flags, umode_t mode)'
    }
}

Describe 'Get-SyscallInfo: errors' {
    It 'reports an unknown name as ObjectNotFound with suggestions' {
        Get-SyscallInfo -Name opena -ErrorVariable ev -ErrorAction SilentlyContinue
        $? | Should -BeFalse
        $ev[0].FullyQualifiedErrorId | Should -Be 'SyscallNotFound,SyscallPS.Commands.GetSyscallInfoCommand'
        $ev[0].CategoryInfo.Category | Should -Be ObjectNotFound
        $ev[0].ErrorDetails.RecommendedAction | Should -Match 'openat'
    }

    It 'returns nothing and no error for a wildcard without matches' {
        Get-SyscallInfo -Name 'zz*' -ErrorVariable ev | Should -BeNullOrEmpty
        $ev | Should -BeNullOrEmpty
    }

    It 'reports an unknown number as ObjectNotFound' {
        Get-SyscallInfo -Number 9999 -ErrorVariable ev -ErrorAction SilentlyContinue
        $ev[0].FullyQualifiedErrorId | Should -BeLike 'SyscallNumberNotFound,*'
        $ev[0].CategoryInfo.Category | Should -Be ObjectNotFound
    }

    It 'rejects an unknown architecture as InvalidArgument' {
        { Get-SyscallInfo -Architecture mips -ErrorAction Stop } | Should -Throw -ErrorId 'UnknownArchitecture,SyscallPS.Commands.GetSyscallInfoCommand'
    }

    It 'rejects an unknown category at binding' {
        { Get-SyscallInfo -Category Nonsense -ErrorAction Stop } | Should -Throw -ErrorId 'CannotConvertArgumentNoMessage,SyscallPS.Commands.GetSyscallInfoCommand'
    }
}

Describe 'Get-SyscallInfo: format views' {
    It 'shows a table with number, name, categories and signature' {
        $text = Get-SyscallInfo openat | Out-String -Width 200
        $text | Should -Match 'Number\s+Name\s+Categories\s+Signature'
        $text | Should -Match 'openat\(int dfd'
    }

    It 'shows the advice in the list view' {
        $text = Get-SyscallInfo connect | Format-List | Out-String -Width 200
        $text | Should -Match 'Advice\s+:'
        $text | Should -Match 'Architecture'
    }
}

Describe 'Syscall name and category completion' {
    It 'completes Get-SyscallInfo -Name ope<Tab>' {
        $c = Get-Completion 'Get-SyscallInfo -Name ope'
        $c.CompletionText | Should -Contain 'openat'
        $c | ForEach-Object { $_.CompletionText | Should -BeLike 'ope*' }
        ($c | Where-Object CompletionText -EQ 'openat').ToolTip | Should -Match 'const char \*filename'
    }

    It 'completes the last element of a comma list' {
        $c = Get-Completion 'Get-SyscallInfo -Name openat,rea'
        $c.CompletionText | Should -Contain 'read'
        $c.CompletionText | Should -Contain 'readv'
    }

    It 'completes inside quotes' {
        (Get-Completion "Get-SyscallInfo -Name 'getpp").CompletionText | Should -Be "'getppid'"
    }

    It 'follows -Architecture already on the line' {
        (Get-Completion 'Get-SyscallInfo -Architecture x86_64 -Name vfor').CompletionText | Should -Be 'vfork'
        Get-Completion 'Get-SyscallInfo -Architecture aarch64 -Name vfor' | Should -BeNullOrEmpty
    }

    It 'completes -Category' {
        (Get-Completion 'Get-SyscallInfo -Category Net').CompletionText | Should -Be 'Network'
        (Get-Completion 'Get-SyscallInfo -Category Network,Cl').CompletionText | Should -Be 'Clock'
    }

    It 'completes -Architecture' {
        (Get-Completion 'Get-SyscallInfo -Architecture aa').CompletionText | Should -Be 'aarch64'
    }

    It 'is the completer class other cmdlets can use' {
        [SyscallPS.Commands.SyscallNameCompleter] | Should -Not -BeNullOrEmpty
        $completer = [SyscallPS.Commands.SyscallNameCompleter]::new()
        $r = $completer.CompleteArgument('Start-SyscallTrace', 'Syscall', 'ope', $null, @{})
        $r.CompletionText | Should -Contain 'openat'
    }
}
