# The module as shipped: manifests, exported cmdlets, format views.
# Imports the manifest ModuleUnderTest.ps1 names (the build output under build.ps1 -Task Test).

BeforeAll {
    $script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $script:ManifestPath = & "$PSScriptRoot/ModuleUnderTest.ps1"
    $script:Module = Import-Module $ManifestPath -PassThru -ErrorAction Stop
    $script:Manifest = Import-PowerShellDataFile -LiteralPath $ManifestPath
    $script:RootManifest = Import-PowerShellDataFile -LiteralPath (Join-Path $RepoRoot 'SyscallPS.psd1')
    # The engine assembly loads lazily (when a cmdlet first needs it); the tests below build events directly.
    $engineDll = Join-Path (Split-Path -Parent $Module.ImplementingAssembly.Location) 'SyscallPS.Engine.dll'
    $null = [System.Reflection.Assembly]::LoadFrom($engineDll)

    # An event built through the public constructors, as the engines build them.
    function New-TestEvent([hashtable] $Properties) {
        $arguments = [SyscallPS.SyscallArgumentList]::new([SyscallPS.SyscallArgument[]]@(
                [SyscallPS.SyscallArgument]::new('dirfd', 'int', [uint64]4294967196, -100, 'AT_FDCWD'),
                [SyscallPS.SyscallArgument]::new('pathname', 'const char *', [uint64]0x7ffd0000, '/etc', '"/etc"'),
                [SyscallPS.SyscallArgument]::new('flags', 'int', [uint64]0, 0, 'O_RDONLY')))
        $base = @{
            Kind = 'Syscall'; Timestamp = [datetime]'2026-01-02T03:04:05.1234567'; ProcessId = 4242; ThreadId = 4242
            ProcessName = 'ls'; Syscall = 'openat'; Number = 257; Arguments = $arguments; ReturnValue = 3; ReturnText = '3'
            Duration = [timespan]::FromTicks(123); Path = '/etc'
        }
        foreach ($k in $Properties.Keys) { $base[$k] = $Properties[$k] }
        return [SyscallPS.SyscallEvent]$base
    }
}

Describe 'Module manifest' {
    It 'the root manifest is valid' {
        { Test-ModuleManifest -Path (Join-Path $RepoRoot 'SyscallPS.psd1') -ErrorAction Stop } | Should -Not -Throw
    }

    It 'the imported manifest is valid' {
        { Test-ModuleManifest -Path $ManifestPath -ErrorAction Stop } | Should -Not -Throw
    }

    It 'the published manifest has the root manifest''s exports and version' {
        $Manifest.ModuleVersion | Should -Be $RootManifest.ModuleVersion
        $Manifest.GUID | Should -Be $RootManifest.GUID
        @($Manifest.CmdletsToExport) | Should -Be @($RootManifest.CmdletsToExport)
    }

    It 'lists CmdletsToExport explicitly (no wildcard) and exports nothing else' {
        $Manifest.CmdletsToExport | Should -Not -BeNullOrEmpty
        $Manifest.CmdletsToExport | Should -Not -Contain '*'
        foreach ($kind in 'FunctionsToExport', 'AliasesToExport', 'VariablesToExport') {
            $Manifest.ContainsKey($kind) | Should -BeTrue -Because "$kind should be listed (empty) so nothing is exported by accident"
            @($Manifest[$kind]) | Should -Not -Contain '*'
        }
    }

    It 'exports exactly the cmdlets in CmdletsToExport' {
        $exported = @($Module.ExportedCmdlets.Keys | Sort-Object)
        $listed = @($Manifest.CmdletsToExport | Sort-Object)
        $missing = @($listed | Where-Object { $_ -notin $exported })
        $missing | Should -BeNullOrEmpty -Because 'every cmdlet the manifest lists must exist in SyscallPS.dll'
        $exported | Should -Be $listed
    }

    It 'lists every cmdlet class of SyscallPS.dll in CmdletsToExport' {
        $assembly = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'SyscallPS' } | Select-Object -First 1
        $assembly | Should -Not -BeNullOrEmpty
        $implemented = @($assembly.GetExportedTypes() | ForEach-Object {
                $attr = [System.Attribute]::GetCustomAttribute($_, [System.Management.Automation.CmdletAttribute])
                if ($attr) { "$($attr.VerbName)-$($attr.NounName)" }
            })
        $unlisted = @($implemented | Where-Object { $_ -notin $Manifest.CmdletsToExport })
        $unlisted | Should -BeNullOrEmpty -Because 'a cmdlet that is written but not in CmdletsToExport is invisible to users'
    }

    It 'names every module/*.format.ps1xml in FormatsToProcess, and the files exist' {
        $listed = @($RootManifest.FormatsToProcess | ForEach-Object { Split-Path -Leaf $_ })
        foreach ($f in (Get-ChildItem (Join-Path $RepoRoot 'module') -Filter '*.format.ps1xml')) {
            $listed | Should -Contain $f.Name
        }
        $base = Split-Path -Parent $ManifestPath
        foreach ($f in $Manifest.FormatsToProcess) { Join-Path $base $f | Should -Exist }
    }
}

Describe 'Publishable module folder' {
    It 'works on its own: copied into a PSModulePath folder and imported by name' {
        $moduleDir = Split-Path -Parent $Module.ImplementingAssembly.Location
        $manifestInFolder = Join-Path $moduleDir 'SyscallPS.psd1'
        if (-not (Test-Path -LiteralPath $manifestInFolder)) {
            Set-ItResult -Skipped -Because "no SyscallPS.psd1 next to SyscallPS.dll in $moduleDir (run build.ps1 -Task Build)"
            return
        }
        $modules = Join-Path ([IO.Path]::GetTempPath()) ("syscallps-modules-" + [guid]::NewGuid().ToString('n'))
        try {
            $null = New-Item -ItemType Directory -Path $modules
            Copy-Item -LiteralPath $moduleDir -Destination (Join-Path $modules 'SyscallPS') -Recurse
            $exe = [Environment]::ProcessPath
            $prefix = @(if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' })
            $script = "`$env:PSModulePath = '$modules'; Import-Module SyscallPS -ErrorAction Stop; `$m = Get-Module SyscallPS; `$m.ModuleBase; @(`$m.ExportedCmdlets.Keys).Count; (Get-FormatData SyscallPS.SyscallEvent).TypeNames[0]"
            Push-Location $modules
            try { $out = @(& $exe @prefix -NoProfile -NonInteractive -Command $script) } finally { Pop-Location }
            $LASTEXITCODE | Should -Be 0
            $out[0] | Should -Be (Join-Path $modules 'SyscallPS')
            [int]$out[1] | Should -Be $Module.ExportedCmdlets.Count
            $out[2] | Should -Be 'SyscallPS.SyscallEvent'
        }
        finally {
            Remove-Item -LiteralPath $modules -Recurse -Force -ErrorAction Ignore
        }
    }

    It 'carries the native launcher when the repository has one' {
        $nativeOut = Join-Path $RepoRoot 'src/native/out'
        if (-not (Test-Path -LiteralPath $nativeOut)) {
            Set-ItResult -Skipped -Because 'src/native/out does not exist in this checkout'
            return
        }
        $moduleDir = Split-Path -Parent $Module.ImplementingAssembly.Location
        $launchers = @(Get-ChildItem -LiteralPath $nativeOut -Recurse -File | ForEach-Object Name | Sort-Object -Unique)
        foreach ($name in $launchers) { Join-Path $moduleDir $name | Should -Exist }
    }
}

Describe 'Format views' {
    It 'registers a table and a list view for SyscallPS.SyscallEvent' {
        $views = @((Get-FormatData -TypeName 'SyscallPS.SyscallEvent' -PowerShellVersion $PSVersionTable.PSVersion).FormatViewDefinition)
        $controls = @($views | ForEach-Object { $_.Control.GetType().Name })
        $controls | Should -Contain 'TableControl'
        $controls | Should -Contain 'ListControl'
    }

    It 'registers a table view for SyscallPS.Tracing.TraceSession' {
        $views = @((Get-FormatData -TypeName 'SyscallPS.Tracing.TraceSession' -PowerShellVersion $PSVersionTable.PSVersion).FormatViewDefinition)
        @($views | ForEach-Object { $_.Control.GetType().Name }) | Should -Contain 'TableControl'
    }

    It 'shows a syscall as time, process id and name, microseconds and the strace line' {
        $text = New-TestEvent @{} | Format-Table | Out-String -Width 200
        $text | Should -Match 'Time\s+PID\s+Process\s+µs\s+Call'
        $text | Should -Match '03:04:05\.123456\s+4242\s+\S+\s+12\.3 openat\(AT_FDCWD, "/etc", O_RDONLY\) = 3'
    }

    It 'names a thread other than the main one, as strace''s [pid N] prefix does' {
        New-TestEvent @{ ThreadId = 4243 } | Format-Table | Out-String -Width 200 | Should -Match '\s4242\s.*\[tid 4243\] openat\('
    }

    It 'shows a failed call''s result text' {
        $e = New-TestEvent @{ ReturnValue = -1; ReturnText = '-1 ENOENT (No such file or directory)'; Errno = 'ENOENT'; ErrorMessage = 'No such file or directory' }
        $e | Format-Table | Out-String -Width 200 | Should -Match '= -1 ENOENT \(No such file or directory\)'
    }

    It 'shows signal, exit and loss records by their strace text' {
        $sig = New-TestEvent @{ Kind = 'Signal'; Syscall = ''; Signal = 'SIGCHLD'; SignalInfo = '{si_signo=SIGCHLD}'; Arguments = [SyscallPS.SyscallArgumentList]::Empty }
        $exit = New-TestEvent @{ Kind = 'Exited'; Syscall = ''; ExitCode = 7; Arguments = [SyscallPS.SyscallArgumentList]::Empty }
        $lost = New-TestEvent @{ Kind = 'Lost'; Syscall = ''; LostCount = 12; Arguments = [SyscallPS.SyscallArgumentList]::Empty; ProcessId = 0; ThreadId = 0; ProcessName = '' }
        $text = $sig, $exit, $lost | Format-Table | Out-String -Width 200
        $text | Should -Match '--- SIGCHLD \{si_signo=SIGCHLD\} ---'
        $text | Should -Match '\+\+\+ exited with 7 \+\+\+'
        $text | Should -Match '\d{6}\s+\+\+\+ lost 12 events \+\+\+'
    }

    It 'shows an unfinished call with its arguments and a ? result' {
        $text = New-TestEvent @{ Kind = 'Unfinished'; ReturnText = '' } | Format-Table | Out-String -Width 200
        $text | Should -Match 'openat\(AT_FDCWD, "/etc", O_RDONLY <unfinished \.\.\.>\) = \?'
    }

    It 'lists an event with its arguments as strace text' {
        $text = New-TestEvent @{} | Format-List | Out-String -Width 200
        $text | Should -Match 'Arguments\s+: AT_FDCWD, "/etc", O_RDONLY'
        $text | Should -Match 'Path\s+: /etc'
        $text | Should -Not -Match 'TargetPath'
    }

    It 'shows the arguments of an event one per row' {
        $text = (New-TestEvent @{}).Arguments | Format-Table | Out-String -Width 200
        $text | Should -Match 'pathname\s+const char \*\s+0x7ffd0000\s+"/etc"'
        $text | Should -Match 'dirfd\s+int\s+0xffffff9c\s+AT_FDCWD'
    }
}
