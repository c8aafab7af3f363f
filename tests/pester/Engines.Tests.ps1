#Requires -Version 7.4
# How an engine is chosen and what reaches the console: -Engine Auto without the eBPF capabilities, libbpf's own
# messages, and the syscall selection shared by both engines (-Category Other).

BeforeDiscovery {
    $script:isRoot = (id -u) -eq '0'
    $script:haveSetpriv = [bool](Get-Command setpriv -ErrorAction Ignore)
}

BeforeAll {
    $module = & "$PSScriptRoot/ModuleUnderTest.ps1"
    Import-Module $module -Force
    $ebpfWhy = [SyscallPS.Ebpf.EbpfEngine]::new().WhyUnavailable([SyscallPS.Tracing.TraceRequest]::new())
    # Under the local dotnet tool the process is dotnet and its first argument pwsh.dll.
    $pwshArgs = @(if ([IO.Path]::GetFileNameWithoutExtension([Environment]::ProcessPath) -eq 'dotnet') { [Environment]::GetCommandLineArgs()[0] })
}

Describe '-Engine Auto' {
    It 'picks ptrace, and says why, for root without CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN (a container)' {
        # The capabilities leave the bounding set, so the child pwsh has root's uid but not them.
        $script = "Import-Module '$module'; Start-SyscallTrace -FilePath true -Verbose 4>&1 | Where-Object { `$_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message"
        $out = & setpriv --bounding-set=-bpf,-perfmon,-sys_admin --inh-caps=-bpf,-perfmon,-sys_admin ([Environment]::ProcessPath) @pwshArgs -NoProfile -NonInteractive -Command $script 2>&1
        "$out" | Should -Match 'engine Ptrace \(Ptrace chosen: Ebpf unavailable \(The eBPF engine needs'
        "$out" | Should -Not -Match 'libbpf:'
        $LASTEXITCODE | Should -Be 0
    } -Skip:(-not ($isRoot -and $haveSetpriv))
}

Describe 'libbpf messages' {
    It 'go to -Debug and -Verbose, never to the console' {
        if ($ebpfWhy) { Set-ItResult -Skipped -Because "eBPF engine unavailable: $ebpfWhy"; return }
        $debug = & { $DebugPreference = 'Continue'; Start-SyscallTrace -Engine Ebpf -FilePath true 5>&1 } | Where-Object { $_ -is [System.Management.Automation.DebugRecord] }
        @($debug.Message) -match '^libbpf: ' | Should -Not -BeNullOrEmpty
        # A child pwsh's own stderr: what a user's console would show.
        $stderr = & ([Environment]::ProcessPath) @pwshArgs -NoProfile -NonInteractive -Command "Import-Module '$module'; `$null = Start-SyscallTrace -Engine Ebpf -FilePath true" 2>&1 | Out-String
        $stderr | Should -Not -Match 'libbpf'
    }
}

Describe '-Category Other' {
    It 'traces the syscalls that belong to no class, under both engines' -ForEach @(@{ Engine = 'Ptrace' }, @{ Engine = 'Ebpf' }) {
        if ($Engine -eq 'Ebpf' -and $ebpfWhy) { Set-ItResult -Skipped -Because "eBPF engine unavailable: $ebpfWhy"; return }
        $calls = @(Start-SyscallTrace -Engine $Engine -FilePath true -Category Other | Where-Object Kind -eq 'Syscall')
        $calls.Count | Should -BeGreaterThan 0
        $calls.Syscall | Should -Contain 'set_tid_address'
        $calls | ForEach-Object { $_.Category | Should -Be 'Other' }
    }
}

Describe 'Syscall selection' {
    It 'leaves out calls named with ! or -ExcludeSyscall, tracing every other one' {
        $all = @(Start-SyscallTrace -Engine Ptrace -FilePath ls -ArgumentList /etc | Where-Object Kind -eq 'Syscall')
        $bang = @(Start-SyscallTrace -Engine Ptrace -FilePath ls -ArgumentList /etc -Syscall '!mmap,!openat' | Where-Object Kind -eq 'Syscall')
        $excluded = @(Start-SyscallTrace -Engine Ptrace -FilePath ls -ArgumentList /etc -ExcludeSyscall mmap, openat | Where-Object Kind -eq 'Syscall')
        $all.Syscall | Should -Contain 'mmap'
        foreach ($set in $bang, $excluded) {
            $set.Syscall | Should -Not -Contain 'mmap'
            $set.Syscall | Should -Not -Contain 'openat'
            $set.Syscall | Should -Contain 'getdents64'
            $set.Count | Should -Be ($all.Count - @($all | Where-Object Syscall -in 'mmap', 'openat').Count)
        }
        $only = @(Start-SyscallTrace -Engine Ptrace -FilePath ls -ArgumentList /etc -Category File -ExcludeSyscall openat | Where-Object Kind -eq 'Syscall')
        $only.Syscall | Should -Not -Contain 'openat'
        $only | ForEach-Object { [SyscallPS.SyscallTable]::Current.ByNumber($_.Number).IsIn('File') | Should -BeTrue }
    }

    It '-Category Io traces the calls that move data (sysdig evt.is_io)' {
        # head copies through its own buffer whatever its output is; cp between files lets the kernel copy (copy_file_range)
        $io = @(Start-SyscallTrace -Engine Ptrace -FilePath head -ArgumentList '-c', '5', '/etc/hostname' -Category Io | Where-Object Kind -eq 'Syscall')
        $io.Syscall | Should -Contain 'read'
        $io.Syscall | Should -Contain 'write'
        ($io.Syscall | Sort-Object -Unique) | ForEach-Object { $_ | Should -BeIn 'read', 'write', 'pread64', 'pwrite64', 'readv', 'writev', 'sendto', 'recvfrom', 'sendmsg', 'recvmsg', 'preadv', 'pwritev', 'preadv2', 'pwritev2' }
        ($io | Where-Object Syscall -eq 'write')[0].IoDirection | Should -Be 'Write'
        $copied = @(Start-SyscallTrace -Engine Ptrace -FilePath cp -ArgumentList '/etc/hostname', (Join-Path $TestDrive 'copy') -Category Io | Where-Object Kind -eq 'Syscall')
        $copied.Syscall | Should -Contain 'copy_file_range'
        ($copied | Where-Object Syscall -eq 'copy_file_range')[0].IoDirection | Should -Be 'Transfer'
    }
}
