#Requires -Version 7.4
# Fault injection (Start-SyscallTrace -Inject, New-SyscallFault), side by side with strace -e inject=: the faultprobe
# fixture runs once under strace and once under SyscallPS with the same spec, and both runs must end with the same exit
# code, write the same report, and show the same trace lines (process ids, addresses and the environment normalised).
# Every spec runs unfiltered and with a -Syscall filter (strace -e trace=; SyscallPS then uses its seccomp fast path).

BeforeDiscovery {
    $script:cases = @(
        @{ Name = 'error on the 2nd call'; Inject = @('openat:error=ENOENT:when=2'); Actions = @('open:/etc/hostname', 'open:/etc/hostname', 'open:/etc/hostname'); Trace = 'openat' }
        @{ Name = 'error on a %class, calls 2..3'; Inject = @('%file:error=EACCES:when=2..3'); Actions = @('open:/etc/hostname', 'open:/etc/passwd', 'open:/etc/hostname', 'open:/etc/passwd'); Trace = 'openat,open' }
        @{ Name = 'retval on every call'; Inject = @('read:retval=0'); Actions = @('read:/etc/hostname', 'read:/etc/passwd'); Trace = 'read' }
        @{ Name = 'retval on calls 2, 4, 6 (when=2+2)'; Inject = @('getuid:retval=42:when=2+2'); Actions = @('uid:6'); Trace = 'getuid' }
        @{ Name = 'ENOSPC from the 2nd write on (when=2+)'; Inject = @('write:error=ENOSPC:when=2+'); Actions = @('write:WORK/out.txt:3'); Trace = 'write' }
        @{ Name = 'ENOSPC on write 2..4+2, survived by a retry'; Inject = @('write:error=28:when=2..4+2'); Actions = @('write:WORK/out.txt:4'); Trace = 'write' }
        @{ Name = 'signal caught by a handler'; Inject = @('getuid:signal=SIGUSR1:when=2'); Actions = @('handle', 'uid:3'); Trace = 'getuid' }
        @{ Name = 'signal interrupting a blocking call'; Inject = @('nanosleep:signal=SIGUSR2'); Actions = @('handle', 'sleep:200'); Trace = 'nanosleep' }
        @{ Name = 'fatal signal with an error'; Inject = @('getuid:error=EPERM:signal=SIGTERM:when=2'); Actions = @('uid:3'); Trace = 'getuid' }
        @{ Name = 'delay_enter'; Inject = @('getuid:delay_enter=150ms:when=2'); Actions = @('uid:3'); Trace = 'getuid'; DelayMs = 150 }
        @{ Name = 'delay_exit with an error'; Inject = @('openat:error=EPERM:delay_exit=0.1s:when=1'); Actions = @('open:/etc/hostname', 'open:/etc/hostname'); Trace = 'openat'; DelayMs = 100 }
        @{ Name = 'counts per process across fork'; Inject = @('getuid:retval=42:when=2'); Actions = @('uid:1', 'fork', 'uid:2'); Trace = 'getuid' }
        @{ Name = 'counts per thread'; Inject = @('getuid:retval=42:when=2'); Actions = @('uid:1', 'thread', 'uid:2'); Trace = 'getuid' }
        @{ Name = 'several specs: the last for a syscall wins'; Inject = @('getuid:retval=5', 'openat:error=ENOENT:when=1', 'getuid:retval=9:when=2'); Actions = @('uid:3', 'open:/etc/hostname'); Trace = 'getuid,openat' }
    )
    $script:runs = foreach ($c in $cases) {
        foreach ($filtered in $false, $true) { $c + @{ Filtered = $filtered; Label = if ($filtered) { "-Syscall $($c.Trace)" } else { 'unfiltered' } } }
    }
}

BeforeAll {
    $repo = (Resolve-Path "$PSScriptRoot/../..").Path
    Import-Module $(& "$PSScriptRoot/ModuleUnderTest.ps1") -Force
    $probe = "$repo/tests/fixtures/bin/faultprobe"
    $PSDefaultParameterValues['Start-SyscallTrace:Engine'] = 'Ptrace'
    $script:why = if (-not (Get-Command strace -CommandType Application -ErrorAction Ignore)) { 'strace is not installed (apt-get install strace)' }
        elseif (-not (Test-Path $probe)) { 'fixtures not built (no C compiler)' }

    # Lines per thread, keyed by the thread's place in the process tree ("1", its k-th child "1.k"), with the ids
    # in the lines renamed the same way, and what differs between any two runs masked.
    function ConvertTo-CanonicalTrace([object[]] $Lines) {
        $perThread = [System.Collections.Generic.Dictionary[int, System.Collections.Generic.List[string]]]::new()
        $order = [System.Collections.Generic.List[int]]::new()
        foreach ($l in $Lines) {
            if (-not $perThread.ContainsKey($l.Tid)) { $perThread[$l.Tid] = [System.Collections.Generic.List[string]]::new(); $order.Add($l.Tid) }
            $perThread[$l.Tid].Add(($l.Text -replace '^(.*\))\s+= (.*)$', '$1 = $2'))
        }
        if ($order.Count -eq 0) { return [ordered]@{} }
        $keys = @{}
        $root = $order[0]
        $keys[$root] = '1'
        $queue = [System.Collections.Generic.Queue[int]]::new(); $queue.Enqueue($root)
        while ($queue.Count) {
            $tid = $queue.Dequeue(); $k = 0
            foreach ($line in $perThread[$tid]) {
                if ($line -match '^(?:clone|clone3|fork|vfork)\(.*\) = (\d+)$' -and -not $keys.ContainsKey([int]$Matches[1])) {
                    $keys[[int]$Matches[1]] = "$($keys[$tid]).$((++$k))"
                    $queue.Enqueue([int]$Matches[1])
                }
            }
        }
        foreach ($tid in $order) { if (-not $keys.ContainsKey($tid)) { $keys[$tid] = "?$($keys.Count)" } }
        $result = [ordered]@{}
        foreach ($tid in $order) {
            $result[$keys[$tid]] = @($perThread[$tid] | ForEach-Object {
                $line = [regex]::Replace($_, '(?<![0-9a-fx])\d{3,}(?![0-9])', { param($m) if ($keys.ContainsKey([int]$m.Value)) { 'PID' + $keys[[int]$m.Value] } else { $m.Value } })
                $line = $line -replace '^(execve\(.*\], )0x[0-9a-f]+ /\* \d+ vars? \*/\)', '$1ENVP)'
                $line = $line -replace '0x[0-9a-f]{5,}', '0xADDR'
                $line = $line -replace '^getrandom\("(?:[^"\\]|\\.)*"', 'getrandom("RANDOM"'
                $line -replace 'si_(utime|stime)=\d+', 'si_$1=T'
            })
        }
        $result
    }

    function Invoke-Strace([hashtable] $Case, [string] $Log, [string] $Work) {
        $out = Join-Path $Work 'strace.out'
        $trace = if ($Case.Filtered) { @('-e', "trace=$($Case.Trace)") } else { @() }
        $inject = foreach ($i in $Case.Inject) { '-e'; "inject=$i" }
        $actions = $Case.Actions -replace '^(\w+):WORK/', "`$1:$Work/"
        strace -f -o $out @trace @inject $probe $Log @actions
        $code = $LASTEXITCODE
        $lines = foreach ($raw in Get-Content $out) {
            if ($raw -match '^(\d+)\s+(.*)$') { [pscustomobject]@{ Tid = [int]$Matches[1]; Text = $Matches[2] } }
        }
        # Join "<unfinished ...>" with its "<... resumed>" part: one line per call, as SyscallPS reports it.
        $joined = [System.Collections.Generic.List[object]]::new(); $open = @{}
        foreach ($l in $lines) {
            if ($l.Text -match '^(.*) <unfinished \.\.\.>$') { $open[$l.Tid] = $joined.Count; $joined.Add([pscustomobject]@{ Tid = $l.Tid; Text = $Matches[1] }); continue }
            if ($l.Text -match '^<\.\.\. \w+ resumed>(.*)$' -and $open.ContainsKey($l.Tid)) { $joined[$open[$l.Tid]].Text += $Matches[1]; $open.Remove($l.Tid); continue }
            $joined.Add($l)
        }
        [pscustomobject]@{ ExitCode = $code; Report = @(Get-Content $Log); Trace = ConvertTo-CanonicalTrace $joined; Events = $null }
    }

    function Invoke-SyscallPS([hashtable] $Case, [string] $Log, [string] $Work) {
        $filter = if ($Case.Filtered) { @{ Syscall = $Case.Trace -split ',' } } else { @{} }
        $actions = $Case.Actions -replace '^(\w+):WORK/', "`$1:$Work/"
        $events = @(Start-SyscallTrace -FilePath $probe -ArgumentList (@($Log) + $actions) -Inject $Case.Inject @filter)
        $code = $LASTEXITCODE
        $lines = $events | ForEach-Object { [pscustomobject]@{ Tid = $_.ThreadId; Text = $_.ToStraceLine() } }
        [pscustomobject]@{ ExitCode = $code; Report = @(Get-Content $Log); Trace = ConvertTo-CanonicalTrace $lines; Events = $events }
    }
}

Describe 'Fault injection side by side with strace -e inject=' {
    It '<Name> (<Label>): same exit code, report and trace lines' -ForEach $runs {
        if ($why) { Set-ItResult -Skipped -Because $why; return }
        $work = (New-Item "TestDrive:/side-$([guid]::NewGuid().ToString('n').Substring(0, 8))" -ItemType Directory).FullName
        $log = Join-Path $work 'report.txt'
        $theirs = Invoke-Strace $_ $log $work
        Remove-Item $log, "$work/out.txt" -ErrorAction Ignore
        $ours = Invoke-SyscallPS $_ $log $work

        $ours.ExitCode | Should -Be $theirs.ExitCode -Because 'the program ends the same way'
        $ours.Report | Should -Be $theirs.Report -Because 'the program reports the same results'
        @($ours.Trace.Keys) | Should -Be @($theirs.Trace.Keys) -Because 'the same threads make calls'
        foreach ($key in $theirs.Trace.Keys) {
            ($ours.Trace[$key] -join "`n") | Should -BeExactly ($theirs.Trace[$key] -join "`n") -Because "thread $key prints the same lines"
        }
        ($theirs.Trace.Values | ForEach-Object { $_ } | Where-Object { $_ -match '\((INJECTED|DELAYED)\)$|^--- SIG' }) | Should -Not -BeNullOrEmpty -Because 'the spec hits at least one call'
        if ($DelayMs) {
            $delayed = @($ours.Events | Where-Object Delayed)
            $delayed | Should -Not -BeNullOrEmpty
            if ($_.Inject -match 'delay_enter') { $delayed[0].Duration.TotalMilliseconds | Should -BeGreaterOrEqual ($DelayMs - 1) }
        }
    }
}

Describe 'Injected and Delayed events' {
    It 'marks the calls and ends their strace lines as strace does' {
        if ($why) { Set-ItResult -Skipped -Because $why; return }
        $log = "$TestDrive/marks.txt"
        $events = Start-SyscallTrace -FilePath $probe -ArgumentList $log, 'uid:2', 'open:/etc/hostname' -Syscall getuid, openat -Inject 'getuid:retval=7:when=2', 'openat:error=ENOENT:delay_exit=10ms'
        $uid = @($events | Where-Object Syscall -eq getuid)
        $uid.Injected | Should -Be $false, $true
        $uid[1].ReturnValue | Should -Be 7
        $uid[1].ToString() | Should -Match '^\[pid \d+\] getuid\(\) = 7 \(INJECTED\)$'
        $open = $events | Where-Object Syscall -eq openat
        $open.Injected, $open.Delayed, $open.Errno | Should -Be $true, $true, 'ENOENT'
        $open.ToStraceLine() | Should -BeExactly 'openat(AT_FDCWD, "/etc/hostname", O_RDONLY) = -1 ENOENT (No such file or directory) (INJECTED) (DELAYED)'
        Get-Content $log | Should -Contain 'open /etc/hostname: ENOENT'
    }

    It 'keeps Injected and Delayed in capture files' {
        if ($why) { Set-ItResult -Skipped -Because $why; return }
        $file = "$TestDrive/inject.trace"
        Start-SyscallTrace -FilePath $probe -ArgumentList "$TestDrive/cap.txt", 'uid:1' -Inject 'getuid:retval=3:delay_enter=1ms' -Syscall getuid -OutFile $file | Out-Null
        $back = Get-SyscallEvent -Path $file | Where-Object Syscall -eq getuid
        $back.Injected, $back.Delayed | Should -Be $true, $true
        $back.ToStraceLine() | Should -BeExactly 'getuid() = 3 (INJECTED) (DELAYED)'
    }
}

Describe 'Faults outside the reported calls' {
    It 'injects into calls -Syscall does not report, and the seccomp filter still stops only at the chosen calls' {
        if ($why) { Set-ItResult -Skipped -Because $why; return }
        $log = "$TestDrive/hidden.txt"
        $s = Start-SyscallTrace -FilePath $probe -ArgumentList $log, 'sleep:400', 'open:/etc/hostname', 'uid:1' -Syscall getuid -Inject 'openat:error=ENOENT' -AsJob
        try {
            Start-Sleep -Milliseconds 150
            $status = Get-Content "/proc/$($s.ProcessIds[0])/status"
            ($status -match '^Seccomp:')[0] | Should -Match '\s2$' -Because 'the launched program runs under the seccomp filter (mode 2)'
            $null = $s | Wait-Job -Timeout 10
            $events = @(Get-SyscallEvent -Session $s | Where-Object Kind -eq 'Syscall')
        } finally { Stop-SyscallTrace -Session $s }
        $events.Syscall | Sort-Object -Unique | Should -Be 'getuid'
        Get-Content $log | Should -Contain 'open /etc/hostname: ENOENT'
    }
}

Describe 'New-SyscallFault' {
    It 'makes the fault its strace string makes' {
        $a = New-SyscallFault -Syscall openat -Errno ENOENT -First 2 -Last 4 -Step 2
        $b = New-SyscallFault -Syscall openat -Errno ENOENT -When '2..4+2'
        $a.ToString() | Should -BeExactly 'openat:error=ENOENT:when=2..4+2'
        $b.ToString() | Should -BeExactly $a.ToString()
        (New-SyscallFault -Category File, Network -Signal USR1 -DelayExit '00:00:00.25').ToString() | Should -BeExactly '%File,%Network:signal=SIGUSR1:delay_exit=250ms'
        (New-SyscallFault -Syscall getuid -ReturnValue 0 -First 3).When | Should -Be '3'
    }

    It 'hits only calls on paths matching -Path, counting only those' {
        if ($why) { Set-ItResult -Skipped -Because $why; return }
        $log = "$TestDrive/path.txt"
        $fault = New-SyscallFault -Syscall openat -Errno EACCES -Path '/etc/host*' -First 2
        $events = Start-SyscallTrace -FilePath $probe -ArgumentList $log, 'open:/etc/hostname', 'open:/etc/passwd', 'open:/etc/hostname', 'open:/etc/hostname' -Inject $fault -Syscall openat
        Get-Content $log | Select-Object -First 4 | Should -Be 'open /etc/hostname: ok', 'open /etc/passwd: ok', 'open /etc/hostname: EACCES', 'open /etc/hostname: ok'
        @($events | Where-Object Injected).Path | Should -Be '/etc/hostname'
    }

    It 'mixes strings and objects in -Inject' {
        if ($why) { Set-ItResult -Skipped -Because $why; return }
        $log = "$TestDrive/mixed.txt"
        Start-SyscallTrace -FilePath $probe -ArgumentList $log, 'uid:1', 'open:/etc/hostname' -Inject 'getuid:retval=11', (New-SyscallFault -Syscall openat -Errno ENOENT) | Out-Null
        Get-Content $log | Select-Object -First 2 | Should -Be 'getuid 1: 11', 'open /etc/hostname: ENOENT'
    }

    It '<Name> is InvalidArgument (<Id>)' -ForEach @(
        @{ Name = 'no syscall'; Arguments = @{ Errno = 'ENOENT' }; Id = 'NoSyscallForFault'; Message = 'needs the syscalls' }
        @{ Name = 'no action'; Arguments = @{ Syscall = 'openat' }; Id = 'InvalidFaultSpec'; Message = 'not what to do' }
        @{ Name = 'an unknown errno'; Arguments = @{ Syscall = 'openat'; Errno = 'EWHAT' }; Id = 'InvalidFaultSpec'; Message = "'EWHAT' is not an errno name" }
        @{ Name = 'an unknown syscall'; Arguments = @{ Syscall = 'nosuchcall'; Errno = 'ENOENT' }; Id = 'InvalidFaultSpec'; Message = "'nosuchcall' matches no syscall" }
        @{ Name = 'an errno and a return value'; Arguments = @{ Syscall = 'openat'; Errno = 'ENOENT'; ReturnValue = 1 }; Id = 'InvalidFaultSpec'; Message = 'both an errno and a return value' }
        @{ Name = '-When with -First'; Arguments = @{ Syscall = 'openat'; Errno = 'ENOENT'; When = '3'; First = 2 }; Id = 'WhenAndFirstTogether'; Message = 'cannot be combined' }
        @{ Name = '-Last before -First'; Arguments = @{ Syscall = 'openat'; Errno = 'ENOENT'; First = 4; Last = 3 }; Id = 'InvalidFaultSpec'; Message = 'ends before it starts' }
    ) {
        $err = $null
        try { New-SyscallFault @Arguments -ErrorAction Stop } catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -Be "$Id,SyscallPS.Commands.NewSyscallFaultCommand"
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -BeLike "*$Message*"
        $err.ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
    }
}

Describe 'Start-SyscallTrace -Inject errors' {
    It "'<Spec>' is InvalidArgument naming <Part>, and nothing is launched" -ForEach @(
        @{ Spec = 'openat:error=ENOENT:when=0'; Part = 'when=0' }
        @{ Spec = 'nosuchcall:error=ENOENT'; Part = "'nosuchcall'" }
        @{ Spec = 'openat:error=EBOGUS'; Part = "'EBOGUS'" }
        @{ Spec = 'openat:retval=1:error=EPERM'; Part = "'error=EPERM'" }
        @{ Spec = 'openat'; Part = 'not what to do' }
        @{ Spec = 'openat:error'; Part = "'error'" }
        @{ Spec = 'openat:error=ENOENT:when=5..2'; Part = 'when=5..2' }
        @{ Spec = 'openat:signal=SIGNOPE'; Part = "'SIGNOPE'" }
        @{ Spec = 'openat:delay_enter=5 parsecs'; Part = "'5 parsecs'" }
        @{ Spec = '%nonsense:error=EPERM'; Part = "'%nonsense'" }
    ) {
        $marker = "$TestDrive/launched-$([guid]::NewGuid().ToString('n'))"
        $err = $null
        try { Start-SyscallTrace -FilePath touch -ArgumentList $marker -Inject $Spec -ErrorAction Stop | Out-Null } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Be 'InvalidFaultSpec,SyscallPS.Commands.StartSyscallTraceCommand'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -BeLike "*$Part*"
        $err.ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
        Test-Path $marker | Should -BeFalse -Because 'a bad spec is refused before anything runs'
    }

    It '-Engine Ebpf -Inject is NotSupported and names ptrace' {
        $err = $null
        try { Start-SyscallTrace -FilePath true -Engine Ebpf -Inject 'openat:error=ENOENT' -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Be 'InjectNeedsPtrace,SyscallPS.Commands.StartSyscallTraceCommand'
        $err.Exception.Message | Should -BeLike '*ptrace*'
        $err.ErrorDetails.RecommendedAction | Should -BeLike '*-Engine Ptrace*'
    }

    It '-Engine Auto picks ptrace for -Inject and says why' {
        $PSDefaultParameterValues.Remove('Start-SyscallTrace:Engine')
        try {
            $s = Start-SyscallTrace -FilePath true -Inject 'getpid:retval=1' -AsJob
            $null = $s | Wait-Job -Timeout 10
            $s.Engine | Should -Be 'Ptrace'
            $s.EngineReason | Should -BeLike '*-Inject*eBPF*'
            Stop-SyscallTrace -Session $s
        } finally { $PSDefaultParameterValues['Start-SyscallTrace:Engine'] = 'Ptrace' }
    }

    It 'rejects objects that are not faults' {
        { Start-SyscallTrace -FilePath true -Inject 42 -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidFaultSpec,SyscallPS.Commands.StartSyscallTraceCommand'
    }
}

Describe 'Delays and cleanup' {
    It 'Stop-SyscallTrace during a delay ends the session and leaves no process behind' {
        if ($why) { Set-ItResult -Skipped -Because $why; return }
        $s = Start-SyscallTrace -FilePath $probe -ArgumentList "$TestDrive/held.txt", 'uid:1', 'sleep:5000' -Inject 'getuid:delay_enter=30s' -AsJob
        Start-Sleep -Milliseconds 300
        $pid0 = $s.ProcessIds[0]
        (Get-Content "/proc/$pid0/status" | Select-String '^State:\s+t') | Should -Not -BeNullOrEmpty -Because 'the program is held in its ptrace-stop'
        $watch = [Diagnostics.Stopwatch]::StartNew()
        Stop-SyscallTrace -Session $s
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 5
        $s.ExitCode | Should -Be 143
        # Tests in this file run one at a time, so any child of this pwsh would be left over: the program, the
        # tracer's sentinel or the delay's timer child.
        $children = Get-ChildItem /proc -Directory | Where-Object Name -match '^\d+$' | ForEach-Object {
            $stat = Get-Content "$($_.FullName)/stat" -Raw -ErrorAction Ignore
            if ($stat -and ($stat.Substring($stat.LastIndexOf(')') + 2) -split ' ')[1] -eq "$PID") { $stat }
        }
        $children | Where-Object { $_ -match '\((syscallps-laun|faultprobe)\)' } | Should -BeNullOrEmpty
    }
}

Describe 'Injecting into an attached process' {
    It 'injects with -ProcessId, counting from the attach' {
        if ($why) { Set-ItResult -Skipped -Because $why; return }
        $log = "$TestDrive/attached.txt"
        $target = [int](sh -c "'$probe' '$log' sleep:600 open:/etc/hostname open:/etc/hostname >/dev/null 2>&1 & echo `$!")
        try {
            Start-Sleep -Milliseconds 200
            $events = @(Start-SyscallTrace -ProcessId $target -Inject 'openat:error=ENOENT:when=2' -Duration '00:00:05')
            Get-Content $log | Should -Be 'slept', 'open /etc/hostname: ok', 'open /etc/hostname: ENOENT', 'failures: 1'
            @($events | Where-Object Injected).Count | Should -Be 1
        } finally { kill -9 $target 2>$null }
    }
}
