#Requires -Version 7.4
# Should -HaveSyscall: the Pester 5 assertion SyscallPS registers (src/SyscallPS/Pester). Assertions that pass,
# assertions that must fail with their failure text, and registration with either import order (in child pwsh
# processes, where nothing else has loaded Pester or SyscallPS yet).

BeforeAll {
    $repo = (Resolve-Path "$PSScriptRoot/../..").Path
    $module = & "$PSScriptRoot/ModuleUnderTest.ps1"
    Import-Module $module -Force
    $probe = "$repo/tests/fixtures/bin/faultprobe"
    $pesterPath = Join-Path (Get-Module Pester).ModuleBase 'Pester.psd1'
    $PSDefaultParameterValues['Start-SyscallTrace:Engine'] = 'Ptrace'
    $script:why = if (-not (Test-Path $probe)) { 'fixtures not built (no C compiler)' }

    if (-not $why) {
        $log = "$TestDrive/should.txt"
        # openat: /etc/hostname twice (ok), /nonexistent twice (ENOENT); no network at all.
        $script:files = Start-SyscallTrace -FilePath $probe -ArgumentList $log, 'open:/etc/hostname', 'open:/nonexistent', 'open:/etc/hostname', 'open:/nonexistent'
    }
    # A real connect to port 443 on the loopback (refused unless something listens there). With an empty environment
    # bash looks its user up first, and glibc's lookup connects to nscd's Unix socket before the TCP connect.
    $script:net = Start-SyscallTrace -FilePath env -ArgumentList '-i', 'bash', '-c', 'exec 3<>/dev/tcp/127.0.0.1/443 || true' -Syscall socket, connect

    function Get-FailureMessage([scriptblock] $Assertion) {
        $err = $null
        try { & $Assertion } catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty -Because 'the assertion must fail'
        $err.Exception.Message
    }
}

Describe 'Should -HaveSyscall passes' {
    It '<Text>' -ForEach @(
        @{ Text = 'Should -HaveSyscall openat'; Test = { $files | Should -HaveSyscall openat } }
        @{ Text = 'Should -HaveSyscall open* (wildcards)'; Test = { $files | Should -HaveSyscall 'open*' } }
        @{ Text = '-Path -Times -Exactly'; Test = { $files | Should -HaveSyscall openat -Path '/etc/host*' -Times 2 -Exactly } }
        @{ Text = '-Failed -Errno -Times'; Test = { $files | Should -HaveSyscall openat -Path '/nonexist*' -Failed -Errno ENOENT -Times 2 } }
        @{ Text = '-Not -HaveSyscall connect'; Test = { $files | Should -Not -HaveSyscall connect } }
        @{ Text = '-Not with -Times: fewer than N'; Test = { $files | Should -Not -HaveSyscall openat -Path '/etc/hostname' -Times 3 } }
        @{ Text = '-ProcessName and -ProcessId'; Test = { $files | Should -HaveSyscall openat -ProcessName 'faultp*' -ProcessId $files[0].ProcessId } }
        @{ Text = 'connect -Port 443'; Test = { $net | Should -HaveSyscall connect -Port 443 } }
        @{ Text = '-Not connect -Port 80'; Test = { $net | Should -Not -HaveSyscall connect -Port 80 } }
        @{ Text = 'a background session as input'; Test = {
            $s = Start-SyscallTrace -FilePath true -AsJob; $null = $s | Wait-Job -Timeout 10
            $s | Should -HaveSyscall execve -Times 1 -Exactly
            Stop-SyscallTrace -Session $s } }
    ) {
        if ($why -and $Text -notmatch 'Port|background') { Set-ItResult -Skipped -Because $why; return }
        & $Test
    }
}

Describe 'Should -HaveSyscall fails and explains' {
    It 'a missing call: what was expected, the reason, and the nearest calls' {
        $message = Get-FailureMessage { $net | Should -HaveSyscall connect -Port 8443 -Because 'the client talks to the proxy' }
        $lines = $message -split "`n"
        $lines[0] | Should -Match "^Expected at least 1 connect call on port 8443, because the client talks to the proxy, but found none among \d+ calls\.$"
        $lines[1] | Should -Be 'Nearest calls:'
        $lines[2] | Should -Match '^    \[pid \d+\] connect\(3, \{sa_family=AF_INET, sin_port=htons\(443\), sin_addr=inet_addr\("127\.0\.0\.1"\)\}, 16\) = '
    }

    It 'a call that must not happen: the offending calls as strace lines' {
        if ($why) { Set-ItResult -Skipped -Because $why; return }
        $message = Get-FailureMessage { $files | Should -Not -HaveSyscall openat -Failed }
        $lines = $message -split "`n"
        $lines[0] | Should -Match '^Expected no openat call that failed, but found 2 among \d+ calls\.$'
        $lines[1] | Should -Be 'Matching calls:'
        $lines[2..3] | Should -Match '^    \[pid \d+\] openat\(AT_FDCWD, "/nonexistent", O_RDONLY\) = -1 ENOENT \(No such file or directory\)$'
        $lines.Count | Should -Be 4
    }

    It 'a wrong count: exactly N' {
        if ($why) { Set-ItResult -Skipped -Because $why; return }
        $message = Get-FailureMessage { $files | Should -HaveSyscall openat -Path '/etc/*' -Failed -Errno ENOENT -Times 2 -Exactly }
        ($message -split "`n")[0] | Should -Match "^Expected exactly 2 openat calls on a path like '/etc/\*' that failed with ENOENT, but found none among \d+ calls\.$"
        ($message -split "`n")[1] | Should -Be 'Nearest calls:'
        ($message -split "`n")[2] | Should -Match '"/nonexistent"'
    }

    It 'quotes at most 10 calls' {
        if ($why) { Set-ItResult -Skipped -Because $why; return }
        $message = Get-FailureMessage { $files | Should -Not -HaveSyscall -Syscall '*' }
        $lines = $message -split "`n"
        $lines[0] | Should -Match '^Expected no \* call, but found (\d+) among \1 calls\.$'
        @($lines | Where-Object { $_ -match '^    \[pid ' }).Count | Should -Be 10
        $lines[-1] | Should -Match '^    \.\.\. and \d+ more$'
    }

    It 'input that is not a trace' {
        $message = Get-FailureMessage { 'hello' | Should -HaveSyscall openat }
        $message | Should -BeLike 'Expected SyscallPS.SyscallEvent objects*but got System.String.'
    }
}

Describe 'Registration' {
    BeforeAll {
        # This same PowerShell: pwsh itself, or (as the repository's dotnet tool) dotnet running pwsh.dll.
        $exe = (Get-Process -Id $PID).Path
        $prefix = [string[]]@()
        if ((Split-Path $exe -Leaf) -like 'dotnet*') { $prefix = [string[]]@(Join-Path ([IO.Path]::GetDirectoryName([psobject].Assembly.Location)) 'pwsh.dll') }
        function Invoke-Child([string] $Script) {
            $full = "`$ErrorActionPreference = 'Stop'; `$m = '$module'; `$p = '$pesterPath'; $Script"
            $out = & $exe @prefix -NoProfile -NonInteractive -Command $full 2>&1
            [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = ($out | Out-String).Trim() }
        }
        $assertions = "`$t = Start-SyscallTrace -Engine Ptrace -FilePath true; `$t | Should -HaveSyscall execve; " +
            "try { `$t | Should -HaveSyscall connect; 'passed wrongly' } catch { `$_.Exception.Message.Split([char]10)[0] }"
    }

    It 'works when SyscallPS is imported before Pester, does nothing without Pester, and survives Pester imported again' {
        # One child process for three checks: each pwsh start costs seconds on a loaded machine.
        $r = Invoke-Child ("Import-Module `$m; `$n = @(Start-SyscallTrace -Engine Ptrace -FilePath true).Count; `"without Pester: `$n events`"; " +
            "Import-Module `$p; $assertions; Import-Module `$p -Force; 'again:'; $assertions")
        $lines = @($r.Output -split '\r?\n')
        $lines[0] | Should -Match '^without Pester: \d+ events$'
        $lines[1] | Should -Match '^Expected at least 1 connect call, but found none among \d+ calls\.$'
        $lines[2] | Should -Be 'again:'
        $lines[3] | Should -Match '^Expected at least 1 connect call, but found none among \d+ calls\.$'
        $r.ExitCode | Should -Be 0
    }

    It 'works when Pester is imported before SyscallPS' {
        $r = Invoke-Child "Import-Module `$p; Import-Module `$m; $assertions"
        $r.Output | Should -Match '^Expected at least 1 connect call, but found none among \d+ calls\.$'
        $r.ExitCode | Should -Be 0
    }

    It 'Get-ShouldOperator lists HaveSyscall' {
        (Get-ShouldOperator).Name | Should -Contain 'HaveSyscall'
    }
}
