# Private sshd instances on loopback addresses for the remoting tests: each with its own config, host key and
# authorized key (key-only, root) in a temporary folder, and a PowerShell subsystem that runs the pwsh running these
# tests. Not a test file: Remoting.Tests.ps1 dot-sources it, calls Start-SshHosts in BeforeAll and Stop-SshHosts in
# AfterAll. openssh-server comes from build.ps1 -Task Setup; under CI as root a missing one is installed here.

# Why the hosts cannot run here, or $null.
function Get-SshHostsSkipReason {
    if ((id -u) -ne '0') { return 'needs root: the test sshd instances log in as root with a generated key' }
    if (-not (Test-Path /usr/sbin/sshd) -and $env:CI -eq 'true' -and (Get-Command apt-get -ErrorAction Ignore)) {
        $env:DEBIAN_FRONTEND = 'noninteractive'
        & apt-get install -y -q --no-install-recommends openssh-server *> $null
    }
    if (-not (Test-Path /usr/sbin/sshd)) { return 'openssh-server is not installed (build.ps1 -Task Setup installs it)' }
    if (-not (Get-Command ssh -CommandType Application -ErrorAction Ignore)) { return 'the ssh client is not installed' }
    $null
}

# A free TCP port on $Address (the kernel's choice; sshd binds it a moment later).
function Get-FreePort([string] $Address) {
    $listener = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Parse($Address), 0)
    $listener.Start()
    try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
}

# Starts one sshd per address and waits until each accepts connections. Returns the harness (hosts, key, folder),
# or throws with sshd's log when one does not come up.
function Start-SshHosts([string[]] $Address = @('127.0.0.11', '127.0.0.12', '127.0.0.13')) {
    $dir = Join-Path ([IO.Path]::GetTempPath()) "syscallps-sshd-$PID-$([Guid]::NewGuid().ToString('n').Substring(0, 8))"
    $null = New-Item -ItemType Directory -Path $dir
    # sshd checks the rights of its key files.
    chmod 700 $dir
    & ssh-keygen -q -t ed25519 -N '' -C 'syscallps host' -f "$dir/host_key" *> $null
    & ssh-keygen -q -t ed25519 -N '' -C 'syscallps client' -f "$dir/client_key" *> $null
    Copy-Item "$dir/client_key.pub" "$dir/authorized_keys"
    # sshd's privilege separation folder; a system without a running sshd may lack it.
    if (-not (Test-Path /run/sshd)) { $null = New-Item -ItemType Directory -Path /run/sshd }

    # The subsystem: the pwsh running these tests (under the local dotnet tool, dotnet and pwsh.dll).
    $pwsh = @([Environment]::ProcessPath)
    if ([IO.Path]::GetFileNameWithoutExtension([Environment]::ProcessPath) -eq 'dotnet') { $pwsh += [Environment]::GetCommandLineArgs()[0] }
    $quoted = ($pwsh | ForEach-Object { "'" + ($_ -replace "'", "'\''") + "'" }) -join ' '
    Set-Content -LiteralPath "$dir/pwsh-subsystem.sh" -Value "#!/bin/sh`nexec $quoted `"`$@`"`n" -NoNewline
    chmod 755 "$dir/pwsh-subsystem.sh"

    $hosts = foreach ($a in $Address) {
        $port = Get-FreePort $a
        $config = "$dir/sshd-$a.conf"
        @(
            "ListenAddress ${a}:$port"
            "HostKey $dir/host_key"
            "PidFile $dir/sshd-$a.pid"
            "AuthorizedKeysFile $dir/authorized_keys"
            'PermitRootLogin prohibit-password'
            'PubkeyAuthentication yes'
            'PasswordAuthentication no'
            'KbdInteractiveAuthentication no'
            'UsePAM no'
            'StrictModes no'
            "Subsystem powershell $dir/pwsh-subsystem.sh -sshs -NoLogo -NoProfile"
        ) | Set-Content -LiteralPath $config
        # -D: stays in the foreground, so the pid is sshd's own and the test stops it by that pid.
        $process = Start-Process /usr/sbin/sshd -ArgumentList '-D', '-f', $config, '-E', "$dir/sshd-$a.log" -PassThru
        [pscustomobject]@{ Address = $a; Port = $port; Process = $process; Log = "$dir/sshd-$a.log"; Target = "root@${a}:$port" }
    }

    $harness = [pscustomobject]@{ Folder = $dir; KeyFilePath = "$dir/client_key"; Hosts = @($hosts) }
    foreach ($h in $harness.Hosts) {
        $deadline = [DateTime]::UtcNow.AddSeconds(15)
        $up = $false
        while (-not $up -and [DateTime]::UtcNow -lt $deadline -and -not $h.Process.HasExited) {
            $client = [Net.Sockets.TcpClient]::new()
            try { $client.Connect($h.Address, $h.Port); $up = $true } catch { Start-Sleep -Milliseconds 50 } finally { $client.Dispose() }
        }
        if (-not $up) {
            $log = Get-Content -Raw -LiteralPath $h.Log -ErrorAction Ignore
            Stop-SshHosts $harness
            throw "sshd on $($h.Address):$($h.Port) did not start: $log"
        }
    }
    $harness
}

# What New-PSSession and Invoke-Command need besides -HostName: the key, and no known_hosts (the host key is new).
function Get-SshOptions($Harness) {
    @{
        KeyFilePath = $Harness.KeyFilePath
        Options     = @{ StrictHostKeyChecking = 'no'; UserKnownHostsFile = '/dev/null'; LogLevel = 'ERROR' }
    }
}

# Stops the harness's sshd processes by pid and removes its folder.
function Stop-SshHosts($Harness) {
    if (-not $Harness) { return }
    foreach ($h in $Harness.Hosts) {
        if (-not $h.Process.HasExited) {
            $h.Process.Kill()
            $null = $h.Process.WaitForExit(5000)
        }
    }
    Remove-Item -LiteralPath $Harness.Folder -Recurse -Force -ErrorAction Ignore
}
