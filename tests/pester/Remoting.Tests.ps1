#Requires -Version 7.4
# PowerShell remoting over SSH, against real sshd instances on 127.0.0.11-13 (SshHosts.ps1): traced programs that
# print must not break the remoting channel, a fleet fan-out answers from every host, events read well on the
# client, and stopping the client's job ends the remote trace and its program.

BeforeDiscovery {
    . "$PSScriptRoot/SshHosts.ps1"
    $script:sshWhy = Get-SshHostsSkipReason
}

Describe 'Remoting over SSH' -Skip:([bool]$sshWhy) {
    BeforeAll {
        . "$PSScriptRoot/SshHosts.ps1"
        $module = (Resolve-Path (& "$PSScriptRoot/ModuleUnderTest.ps1")).Path
        Import-Module $module -Force
        $harness = Start-SshHosts
        $ssh = Get-SshOptions $harness
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $session = New-PSSession -HostName $harness.Hosts[0].Target @ssh
        Write-Host "SSH session open: $($watch.ElapsedMilliseconds) ms"
    }

    AfterAll {
        if ($session) { $session | Remove-PSSession }
        Stop-SshHosts $harness
    }

    It 'traces a printing program through Invoke-Command and the session stays open' {
        $events = Invoke-Command -Session $session { Import-Module $using:module; Start-SyscallTrace -FilePath cat -ArgumentList /etc/hostname }
        $session.State | Should -Be 'Opened'
        $session.Availability | Should -Be 'Available'
        $events[0].PSTypeNames[0] | Should -Be 'Deserialized.SyscallPS.SyscallEvent'
        $write = $events | Where-Object Syscall -eq 'write' | Select-Object -First 1
        $write | Should -Not -BeNullOrEmpty -Because 'cat wrote the file to its (redirected) standard output'
        $write.Arguments[0] | Should -Be '1'
        $write.ArgumentText | Should -Match '^1, '
        $write.StraceText | Should -BeLike 'write(1, *'
        "$($write.Kind)" | Should -Be 'Syscall'
        $table = $events | Select-Object -First 5 | Format-Table | Out-String -Width 200
        $table | Should -Not -Match 'System.Collections'
        $table | Should -Match ([regex]::Escape($harness.Hosts[0].Address))
        # The session still works.
        Invoke-Command -Session $session { 6 * 7 } | Should -Be 42
    }

    It 'fans out over three hosts with every host answering' {
        $events = Invoke-Command -HostName $harness.Hosts.Target @ssh { Import-Module $using:module; Start-SyscallTrace -FilePath cat -ArgumentList /etc/hostname -Syscall openat, write }
        $byHost = $events | Group-Object PSComputerName
        @($byHost.Name | Sort-Object) | Should -Be @($harness.Hosts | ForEach-Object Address | Sort-Object)
        foreach ($group in $byHost) {
            ($group.Group | Where-Object Syscall -eq 'openat').ArgumentText | Should -Contain 'AT_FDCWD, "/etc/hostname", O_RDONLY'
        }
    }

    It 'Stop-Job on the client ends the remote trace and its program' {
        $marker = '37.{0}' -f (Get-Random -Minimum 100 -Maximum 999)
        $job = Invoke-Command -Session $session { Import-Module $using:module; Start-SyscallTrace -FilePath sleep -ArgumentList $using:marker } -AsJob
        $deadline = [DateTime]::UtcNow.AddSeconds(20)
        while (-not (pgrep -f "^sleep $marker`$") -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
        pgrep -f "^sleep $marker`$" | Should -Not -BeNullOrEmpty -Because 'the remote trace launched the program'
        $job | Stop-Job
        $deadline = [DateTime]::UtcNow.AddSeconds(15)
        while ((pgrep -f "^sleep $marker`$") -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
        pgrep -f "^sleep $marker`$" | Should -BeNullOrEmpty -Because 'stopping the job stops the remote pipeline, which ends the trace'
        $job.State | Should -Be 'Stopped'
        $job | Remove-Job
        Invoke-Command -Session $session { 'still open' } | Should -Be 'still open'
    }

    It 'Ctrl+C on the client ends the remote trace and its program' {
        if (-not (Get-Command tmux -ErrorAction Ignore)) { Set-ItResult -Skipped -Because 'tmux is missing'; return }
        # A person at a terminal: Ctrl+C typed into the pane running Invoke-Command.
        $marker = '38.{0}' -f (Get-Random -Minimum 100 -Maximum 999)
        $name = "syscallps-remote-ctrlc-$PID"
        $file = Join-Path $TestDrive "$name.ps1"
        $done = Join-Path $TestDrive "$name.done"
        $options = "@{ StrictHostKeyChecking = 'no'; UserKnownHostsFile = '/dev/null'; LogLevel = 'ERROR' }"
        @(
            "try { Invoke-Command -HostName '$($harness.Hosts[0].Target)' -KeyFilePath '$($ssh.KeyFilePath)' -Options $options { Import-Module '$module'; Start-SyscallTrace -FilePath sleep -ArgumentList $marker } | Out-Null }"
            "finally { 'ended' | Set-Content -LiteralPath '$done' }"
        ) | Set-Content -LiteralPath $file
        $pwshLine = (@([Environment]::ProcessPath) + @(if ([IO.Path]::GetFileNameWithoutExtension([Environment]::ProcessPath) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' }) | ForEach-Object { "'$_'" }) -join ' '
        tmux new-session -d -s $name -x 120 -y 20 "$pwshLine -NoProfile -File '$file'; sleep 60"
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(30)
            while (-not (pgrep -f "^sleep $marker`$") -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
            pgrep -f "^sleep $marker`$" | Should -Not -BeNullOrEmpty -Because 'the remote trace launched the program'
            Start-Sleep -Milliseconds 300
            tmux send-keys -t $name C-c
            $deadline = [DateTime]::UtcNow.AddSeconds(15)
            while (((pgrep -f "^sleep $marker`$") -or -not (Test-Path -LiteralPath $done)) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
            pgrep -f "^sleep $marker`$" | Should -BeNullOrEmpty -Because 'Ctrl+C stops the remote pipeline, which ends the trace'
            Test-Path -LiteralPath $done | Should -BeTrue -Because 'the client returns to its prompt'
        }
        finally { tmux kill-session -t $name 2>$null }
    }
}
