# The parity corpus of Parity.Tests.ps1 (issue 10): how the programs of ParityCorpus.psd1 are run under both engines
# and how their event lines are normalised and compared. Not a test file: dot-sourced by the suite. $Fixtures must
# be set.

# The corpus (ParityCorpus.psd1), with each fixture's path in FilePath.
$ParityCorpus = foreach ($program in (Import-PowerShellDataFile "$PSScriptRoot/ParityCorpus.psd1").Programs) {
    if ($program.Fixture) { $program.FilePath = "$Fixtures/$($program.Fixture)" }
    $program
}

# The calls whose arguments or result hold process or thread ids (futex: pthread_join waits on the thread's id;
# rt_sigreturn returns what the interrupted call did, a child's id after wait4).
$ParityPidCalls = 'clone', 'clone3', 'fork', 'vfork', 'wait4', 'waitid', 'kill', 'tkill', 'tgkill', 'getpid', 'gettid',
    'getppid', 'set_tid_address', 'futex', 'setpgid', 'getpgid', 'getpgrp', 'getsid', 'setsid', 'pidfd_open',
    'pidfd_send_signal', 'rt_sigqueueinfo', 'rt_tgsigqueueinfo', 'rt_sigreturn'

# A small tree with fixed contents and times, so what the programs read and print is the same for both runs.
function Initialize-ParityWork([string] $Path) {
    Remove-Item $Path -Recurse -Force -ErrorAction Ignore
    $null = New-Item "$Path/sub" -ItemType Directory -Force
    Set-Content "$Path/a.txt" -Value 'pear', 'apple', 'fig', 'apple', 'kiwi', 'banana'
    Set-Content "$Path/b.txt" -Value 'one line'
    Set-Content "$Path/sub/c.txt" -Value 'in sub'
    $when = [datetime]::new(2024, 1, 2, 3, 4, 5, [DateTimeKind]::Utc)
    foreach ($f in "$Path/a.txt", "$Path/b.txt", "$Path/sub/c.txt", "$Path/sub") {
        [IO.File]::SetLastWriteTimeUtc($f, $when)
        [IO.File]::SetLastAccessTimeUtc($f, $when)
    }
}

# The event lines of one run, per thread: each thread named by its place in the family (T for the launched
# process, T.2 for the second child or thread it created, T.2.1 ...), its lines in stream order, threads in the
# order of their names. How threads interleave is the scheduler's choice, not the engine's; who created whom, and
# what each thread did in which order, is the engine's report. Process ids become those names where a process id
# stands: in the calls that take or return one, as a signal's si_pid, in /proc/N and as a whole string (readlink
# of /proc/self); elsewhere a size of 8192 is not pid 8192.
function Get-ParityLines([object[]] $Events) {
    $byThread = [Collections.Generic.Dictionary[int, Collections.Generic.List[object]]]::new()
    $seen = [Collections.Generic.List[int]]::new()
    foreach ($e in $Events) {
        if (-not $e.ThreadId) { continue }
        if (-not $byThread.ContainsKey($e.ThreadId)) { $byThread[$e.ThreadId] = [Collections.Generic.List[object]]::new(); $seen.Add($e.ThreadId) }
        $byThread[$e.ThreadId].Add($e)
    }
    $names = @{}
    $order = [Collections.Generic.List[int]]::new()
    $queue = [Collections.Generic.Queue[int]]::new()
    $root = $seen[0]
    $names[$root] = 'T'
    $queue.Enqueue($root)
    while ($queue.Count) {
        $t = $queue.Dequeue()
        $order.Add($t)
        $k = 0
        foreach ($e in $byThread[$t]) {
            $c = $e.ChildProcessId
            if ($c -and -not $names.ContainsKey([int]$c)) {
                $names[[int]$c] = "$($names[$t]).$((++$k))"
                if ($byThread.ContainsKey($c)) { $queue.Enqueue([int]$c) }
            }
        }
    }
    # Threads no creation call names (there should be none): after the others, in order of appearance.
    foreach ($t in $seen) { if (-not $names.ContainsKey($t)) { $names[$t] = "?$($names.Count)"; $order.Add($t) } }
    $first = $byThread[$root][0]
    if ($first.ParentProcessId) { $names[[int]$first.ParentProcessId] = 'PARENT' }
    $ids = @($names.Keys | Sort-Object -Descending) -join '|'
    $anywhere = [regex]::new("\b($ids)\b")
    $inText = [regex]::new("(?<=si_pid=|/proc/)($ids)\b|(?<="")($ids)(?="")")
    $lines = foreach ($t in $order) {
        foreach ($e in $byThread[$t]) {
            $pattern = if ($e.Syscall -in $ParityPidCalls) { $anywhere } else { $inText }
            ConvertTo-ParityText ("$($names[$t]) " + $pattern.Replace($e.ToStraceLine(), { param($m) $names[[int]$m.Value] }))
        }
    }
    ConvertTo-ParityPorts $lines
}

# What changes from one run of the same program to the next, whichever engine traces it: addresses (ASLR), random
# bytes, the machine's uptime and free memory, absolute futex deadlines, the size of the file the test runner's
# output goes to (the programs' stdout and stderr), System V IPC ids (a sequence number the kernel advances on
# every creation), ephemeral ports (ConvertTo-ParityPorts).
function ConvertTo-ParityText([string] $Line) {
    $Line = $Line -replace '0x[0-9a-f]{6,}', '0xADDR'
    $Line = $Line -replace '^(\S+ (shmget|semget|msgget)\(.*\) = )\d+$', '$1IPCID'
    $Line = $Line -replace '^(\S+ (shmat|shmctl|semctl|msgctl|semop|semtimedop|msgsnd|msgrcv))\(\d+,', '$1(IPCID,'
    $Line = $Line -replace '^(\S+ getrandom\()"[^"]*"', '$1"RANDOM"'
    $Line = $Line -replace '^(\S+ sysinfo\()\{.*\}\)', '$1{...})'
    if ($Line -match '^\S+ futex\(') { $Line = $Line -replace '\{tv_sec=\d+, tv_nsec=\d+\}', '{TIME}' }
    $Line = $Line -replace '^(\S+ (newfstatat|fstat)\([012], .*st_size=)\d+', '$1SIZE'
    $Line -replace '^(\S+ lseek\([012], .*\) = )\d+$', '$1OFFSET'
}

# A port the kernel chose (the local port range starts at 32768) changes from run to run: that number becomes PORT
# wherever the program's lines show it (accept_specific prints it).
function ConvertTo-ParityPorts([string[]] $Lines) {
    $ports = @($Lines | Select-String 'htons\((\d+)\)' -AllMatches | ForEach-Object { $_.Matches } |
        ForEach-Object { [int]$_.Groups[1].Value } | Where-Object { $_ -ge 32768 } | Sort-Object -Unique)
    if (-not $ports) { return $Lines }
    $pattern = '\b(' + ($ports -join '|') + ')\b'
    $Lines -replace $pattern, 'PORT'
}

# How far two runs' lines agree, thread by thread (the first word of each line names it): Matched is the length of
# the longest common subsequence of each thread's lines, Total the longer side's line count, Differences the lines
# outside it ('ptrace: ...', 'ebpf: ...').
function Compare-ParityLines([string[]] $Ptrace, [string[]] $Ebpf) {
    $threads = [Collections.Generic.List[string]]::new()
    $sides = foreach ($lines in $Ptrace, $Ebpf) {
        $by = @{}
        foreach ($l in $lines) {
            $t = $l.Substring(0, $l.IndexOf(' '))
            if (-not $by.ContainsKey($t)) { $by[$t] = [Collections.Generic.List[string]]::new(); if (-not $threads.Contains($t)) { $threads.Add($t) } }
            $by[$t].Add($l)
        }
        , $by
    }
    $matched = 0; $total = 0
    $differences = [Collections.Generic.List[string]]::new()
    foreach ($t in $threads) {
        [string[]] $x = if ($sides[0].ContainsKey($t)) { $sides[0][$t].ToArray() } else { [string[]]@() }
        [string[]] $y = if ($sides[1].ContainsKey($t)) { $sides[1][$t].ToArray() } else { [string[]]@() }
        $total += [Math]::Max($x.Count, $y.Count)
        # Common head and tail first: the table below is then only as big as the region that differs.
        $head = 0
        while ($head -lt $x.Count -and $head -lt $y.Count -and $x[$head] -ceq $y[$head]) { $head++ }
        $tail = 0
        while ($tail -lt $x.Count - $head -and $tail -lt $y.Count - $head -and $x[$x.Count - 1 - $tail] -ceq $y[$y.Count - 1 - $tail]) { $tail++ }
        $matched += $head + $tail
        $n = $x.Count - $head - $tail; $m = $y.Count - $head - $tail
        $lcs = [int[, ]]::new($n + 1, $m + 1)
        for ($i = $n - 1; $i -ge 0; $i--) {
            for ($j = $m - 1; $j -ge 0; $j--) {
                $lcs[$i, $j] = if ($x[$head + $i] -ceq $y[$head + $j]) { $lcs[($i + 1), ($j + 1)] + 1 } else { [Math]::Max($lcs[($i + 1), $j], $lcs[$i, ($j + 1)]) }
            }
        }
        $matched += $lcs[0, 0]
        $i = 0; $j = 0
        while ($i -lt $n -or $j -lt $m) {
            if ($i -lt $n -and $j -lt $m -and $x[$head + $i] -ceq $y[$head + $j]) { $i++; $j++ }
            elseif ($j -ge $m -or ($i -lt $n -and $lcs[($i + 1), $j] -ge $lcs[$i, ($j + 1)])) { $differences.Add("ptrace: $($x[$head + $i])"); $i++ }
            else { $differences.Add("ebpf:   $($y[$head + $j])"); $j++ }
        }
    }
    [pscustomobject]@{ Matched = $matched; Total = $total; Differences = $differences.ToArray() }
}
