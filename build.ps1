<#
.SYNOPSIS
Builds, tests, documents and packages SyscallPS.

.DESCRIPTION
Run from the repository root with the pwsh of the local tool manifest:

    dotnet tool restore && dotnet pwsh ./build.ps1 -Task Demo
    dotnet tool restore && dotnet pwsh ./build.ps1 -Task Test

Tasks:
  Setup    Debian packages (as root, only when missing), tracefs mount, Pester 5.7.1 from NuGet, and for the
           timeline viewer test Chromium (Debian) and speedscope (npm, into .tools/). Idempotent.
  Build    dotnet publish into out/SyscallPS (the complete, publishable module folder), format files, manifest, help.
  Docs     docs/*.md (platyPS schema) -> en-US/SyscallPS.dll-Help.xml and about_*.help.txt.
  Test     Setup, Build, C fixtures, xunit, Pester (a child pwsh per file); ends with "N passed, N failed, N skipped".
  Bench    Build, then bench/run.ps1.
  Package  Build, then out/SyscallPS-<version>.zip and .tar.gz (the module folder, ready to extract into a
           PSModulePath folder; tar keeps the launcher's execute bit) and out/nupkg/syscallps.<version>.nupkg
           (Publish-PSResource's package: Install-PSResource, or Publish-PSResource -NupkgPath to a gallery).
  Demo     Build, then a real trace of `ls -la /etc`.
  Clean    Removes build outputs.
#>
[CmdletBinding()]
param(
    [ValidateSet('Setup', 'Build', 'Docs', 'Test', 'Bench', 'Package', 'Demo', 'Clean')]
    [string[]] $Task = 'Build',
    [ValidateSet('Release', 'Debug')]
    [string] $Configuration = 'Release',
    # Minutes each test stage (xunit, Pester) may run before it is killed and counted as failed.
    [int] $TestTimeoutMinutes = 20
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

$RepoRoot = $PSScriptRoot
$OutRoot = Join-Path $RepoRoot 'out'
$ModuleOut = Join-Path $OutRoot 'SyscallPS'
$ResultsDir = Join-Path $OutRoot 'TestResults'
$FixtureDir = Join-Path $RepoRoot 'tests/fixtures'
$FixtureBin = Join-Path $FixtureDir 'bin'
$PesterVersion = '5.7.1'
# The timeline viewer test opens an Export-SyscallTimeline file in speedscope (npm) in headless Chromium (Debian).
$SpeedscopeVersion = '1.25.0'
$SpeedscopeDir = Join-Path $RepoRoot '.tools/speedscope'
$AptPackages = @('gcc', 'strace', 'curl', 'libbpf1', 'libbpf-dev', 'bpftool', 'bpftrace', 'openssh-server', 'tmux')
$IsRoot = (& id -u) -eq '0'

function Write-Step([string] $Message) { Write-Host "==> $Message" -ForegroundColor Cyan }
function Write-Note([string] $Message) { Write-Host "    $Message" }

function Invoke-Native {
    # Runs a native command with streamed output; throws when it fails.
    param([Parameter(Mandatory)][string] $FilePath, [string[]] $ArgumentList = @(), [string] $What = $FilePath)
    & $FilePath @ArgumentList | Out-Host
    if ($LASTEXITCODE -ne 0) { throw "$What failed (exit code $LASTEXITCODE)." }
}

function Get-PwshCommand {
    # The pwsh running this script, as a command line for child processes: 'dotnet pwsh.dll' for the local tool.
    $exe = [Environment]::ProcessPath
    if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') {
        return @{ FilePath = $exe; Prefix = @((Join-Path $PSHOME 'pwsh.dll')) }
    }
    return @{ FilePath = $exe; Prefix = @() }
}

function Invoke-ChildProcess {
    # Starts a process sharing our console (its output streams as it comes), waits at most $TimeoutMinutes,
    # kills its whole tree on timeout. Returns the exit code (-1 on timeout).
    param([string] $FilePath, [string[]] $ArgumentList, [int] $TimeoutMinutes, [string] $What)
    $psi = [System.Diagnostics.ProcessStartInfo]::new($FilePath)
    foreach ($a in $ArgumentList) { $psi.ArgumentList.Add($a) }
    $psi.UseShellExecute = $false
    $psi.WorkingDirectory = $RepoRoot
    $p = [System.Diagnostics.Process]::Start($psi)
    try {
        if (-not $p.WaitForExit([int]([TimeSpan]::FromMinutes($TimeoutMinutes).TotalMilliseconds))) {
            Write-Warning "$What did not finish within $TimeoutMinutes minutes: killing it."
            $p.Kill($true)
            $p.WaitForExit()
            return -1
        }
        $p.WaitForExit()
        return $p.ExitCode
    }
    finally { $p.Dispose() }
}

function Get-PesterModulePath {
    $packages = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path $HOME '.nuget/packages' }
    return Join-Path $packages "pester/$PesterVersion/tools/Pester.psd1"
}

# ------------------------------------------------------------------------------------------------------------------
# Setup
# ------------------------------------------------------------------------------------------------------------------

function Test-DebianPackage([string] $Name) {
    $status = & dpkg-query -W -f='${Status}' $Name 2>$null
    return ($LASTEXITCODE -eq 0 -and "$status" -match 'install ok installed')
}

function Install-TimelineViewer {
    # Optional: without them only the timeline viewer test skips (saying why).
    $chromium = Get-Command chromium, chromium-browser -CommandType Application -ErrorAction Ignore | Select-Object -First 1
    if ($chromium) { Write-Note "Chromium present: $($chromium.Source)" }
    elseif (-not $IsRoot -or -not (Get-Command apt-get -ErrorAction Ignore)) {
        Write-Warning 'Chromium is not installed and we cannot install it (not root, or no apt-get): the timeline viewer test will skip. As root: apt-get install chromium'
    }
    else {
        Write-Note 'Installing Chromium (for the timeline viewer test)'
        $env:DEBIAN_FRONTEND = 'noninteractive'
        & apt-get install -y -q --no-install-recommends chromium | Out-Host
        if ($LASTEXITCODE -ne 0) {
            & apt-get update -q | Out-Host
            & apt-get install -y -q --no-install-recommends chromium | Out-Host
        }
        if ($LASTEXITCODE -ne 0) { Write-Warning 'apt-get install chromium failed (offline?): the timeline viewer test will skip.' }
    }

    $index = Join-Path $SpeedscopeDir 'node_modules/speedscope/dist/release/index.html'
    if (Test-Path -LiteralPath $index) { Write-Note "speedscope present: $SpeedscopeDir" }
    elseif (-not (Get-Command npm -CommandType Application -ErrorAction Ignore)) {
        Write-Warning 'npm is not installed: speedscope cannot be installed and the timeline viewer test will skip.'
    }
    else {
        Write-Note "Installing speedscope $SpeedscopeVersion from npm into .tools/speedscope"
        & npm install --prefix $SpeedscopeDir "speedscope@$SpeedscopeVersion" --no-audit --no-fund | Out-Host
        if ($LASTEXITCODE -ne 0 -or -not (Test-Path -LiteralPath $index)) {
            Write-Warning 'npm install speedscope failed (offline, or the npm registry unreachable): the timeline viewer test will skip.'
        }
    }
}

function Invoke-Setup {
    Write-Step 'Setup'
    if (Get-Command dpkg-query -ErrorAction Ignore) {
        $missing = @($AptPackages | Where-Object { -not (Test-DebianPackage $_) })
        if ($missing.Count -eq 0) {
            Write-Note "Debian packages present: $($AptPackages -join ', ')"
        }
        elseif (-not $IsRoot) {
            Write-Warning "Missing Debian packages: $($missing -join ' '). Not root, so not installing them; run: sudo apt-get install -y $($missing -join ' '). Tests that need them will skip."
        }
        else {
            Write-Note "Installing Debian packages: $($missing -join ' ')"
            $env:DEBIAN_FRONTEND = 'noninteractive'
            & apt-get update -q | Out-Host
            if ($LASTEXITCODE -ne 0) { Write-Warning 'apt-get update failed (offline, or no Debian mirror reachable); trying the install with the cached package lists.' }
            & apt-get install -y -q --no-install-recommends @missing | Out-Host
            if ($LASTEXITCODE -ne 0) {
                Write-Warning "apt-get install failed for: $($missing -join ' ') (offline?). Tests that need them will skip."
            }
        }
    }
    else {
        Write-Warning "dpkg-query not found: not a Debian system; install $($AptPackages -join ', ') with your package manager."
    }

    # tracefs: the eBPF engine and the tests read tracepoint ids from it.
    $tracefsMounted = (Get-Content /proc/mounts) -match '^\S+ /sys/kernel/tracing tracefs '
    if ($tracefsMounted) { Write-Note 'tracefs mounted at /sys/kernel/tracing' }
    elseif (-not $IsRoot) { Write-Warning 'tracefs is not mounted at /sys/kernel/tracing and we are not root: eBPF tests will skip. As root: mount -t tracefs nodev /sys/kernel/tracing' }
    else {
        & mount -t tracefs nodev /sys/kernel/tracing | Out-Host
        if ($LASTEXITCODE -eq 0) { Write-Note 'mounted tracefs at /sys/kernel/tracing' }
        else { Write-Warning 'Could not mount tracefs at /sys/kernel/tracing: eBPF tests will skip.' }
    }

    Install-TimelineViewer

    $pester = Get-PesterModulePath
    if (Test-Path -LiteralPath $pester) { Write-Note "Pester $PesterVersion present: $pester" }
    else {
        Write-Note "Restoring Pester $PesterVersion from NuGet"
        & dotnet restore (Join-Path $RepoRoot 'tests/PesterRestore/PesterRestore.proj') --nologo -v q | Out-Host
        if ($LASTEXITCODE -ne 0 -or -not (Test-Path -LiteralPath $pester)) {
            throw "Could not restore Pester $PesterVersion from NuGet (offline, or nuget.org unreachable). Expected it at $pester."
        }
        Write-Note "Pester $PesterVersion restored: $pester"
    }
}

# ------------------------------------------------------------------------------------------------------------------
# Build and Docs
# ------------------------------------------------------------------------------------------------------------------

function Write-ModuleManifest {
    # The publishable manifest is the root one with paths made relative to out/SyscallPS (everything sits flat there).
    $text = Get-Content -Raw -LiteralPath (Join-Path $RepoRoot 'SyscallPS.psd1')
    $text = $text -replace "'out/SyscallPS/", "'" -replace "'module/", "'"
    $text = $text -replace '(?m)^# Module manifest for SyscallPS, used from the repository root.*\r?\n(#.*\r?\n)*', "# Module manifest for SyscallPS (written by build.ps1 from the repository's SyscallPS.psd1).`n"
    # The gallery shows ReleaseNotes: the newest section of CHANGELOG.md, in place of the link the root manifest has.
    $notes = Get-ReleaseNotes
    if ($notes) {
        $quoted = "'" + ($notes -replace "'", "''") + "'"
        $text = $text -replace "(?m)^\s*# build\.ps1 replaces this.*\r?\n", '' -replace "(?m)^(\s*ReleaseNotes\s*=\s*)'[^']*'", { $_.Groups[1].Value + $quoted }
    }
    $path = Join-Path $ModuleOut 'SyscallPS.psd1'
    Set-Content -LiteralPath $path -Value $text -Encoding utf8NoBOM -NoNewline
    $data = Import-PowerShellDataFile -LiteralPath $path
    foreach ($f in @($data.RootModule) + @($data['FormatsToProcess']) + @($data['TypesToProcess'])) {
        if ($f -and -not (Test-Path -LiteralPath (Join-Path $ModuleOut $f))) { throw "out/SyscallPS/SyscallPS.psd1 names '$f', which the build did not produce." }
    }
}

function Get-ReleaseNotes {
    # The first '## ' section of CHANGELOG.md (its heading and body), or nothing when there is none.
    $changelog = Join-Path $RepoRoot 'CHANGELOG.md'
    if (-not (Test-Path -LiteralPath $changelog)) { return $null }
    $m = [regex]::Match((Get-Content -Raw -LiteralPath $changelog), '(?ms)^## .*?(?=^## |\z)')
    if ($m.Success) { return $m.Value.Trim() }
    return $null
}

function Invoke-Docs {
    Write-Step 'Docs: docs/*.md -> MAML and about topics'
    # Get-Help looks in <ModuleBase>/<culture>/: out/SyscallPS/en-US for the published module, <repo>/en-US when
    # ./SyscallPS.psd1 is imported from the repository root (its ModuleBase is the root, not the dll's folder).
    $targets = @((Join-Path $ModuleOut 'en-US'), (Join-Path $RepoRoot 'en-US'))
    $r = & (Join-Path $RepoRoot 'build/ConvertTo-Maml.ps1') -DocsPath (Join-Path $RepoRoot 'docs') -OutputPath $targets
    Write-Note "commands: $($r.Commands -join ', ')"
    Write-Note "about topics: $($r.AboutTopics -join ', ')"
    Write-Note "written to: out/SyscallPS/en-US, en-US"
}

function Invoke-Build {
    # The native launcher first: the engine project ships src/native/out/<arch>/syscallps-launch with its output.
    $native = Join-Path $RepoRoot 'src/native/build.sh'
    if (Test-Path -LiteralPath $native) {
        Write-Step 'Build: src/native/build.sh'
        Invoke-Native bash @($native) 'src/native/build.sh'
    }

    Write-Step "Build ($Configuration): dotnet publish -> out/SyscallPS"
    if (Test-Path -LiteralPath $ModuleOut) { Remove-Item -LiteralPath $ModuleOut -Recurse -Force }
    $rid = if ((& uname -m) -eq 'aarch64') { 'linux-arm64' } else { 'linux-x64' }
    Invoke-Native dotnet @('publish', (Join-Path $RepoRoot 'src/SyscallPS/SyscallPS.csproj'), '-c', $Configuration, '-r', $rid,
        '--self-contained', 'false', '-o', $ModuleOut, '--nologo', '-v', 'q', '-clp:NoSummary') 'dotnet publish'

    # Whatever build.sh produced for this machine's architecture sits flat next to the assemblies.
    $nativeOut = Join-Path $RepoRoot 'src/native/out'
    $archOut = Join-Path $nativeOut (& uname -m)
    $nativeFiles = @(if (Test-Path -LiteralPath $archOut) { Get-ChildItem -LiteralPath $archOut -File }
        elseif (Test-Path -LiteralPath $nativeOut) { Get-ChildItem -LiteralPath $nativeOut -File })
    foreach ($f in $nativeFiles) {
        Copy-Item -LiteralPath $f.FullName -Destination $ModuleOut -Force
        if (Get-Command chmod -ErrorAction Ignore) { & chmod +x (Join-Path $ModuleOut $f.Name) }
    }
    if ($nativeFiles) { Write-Note "native: $($nativeFiles.Name -join ', ')" }

    Copy-Item -Path (Join-Path $RepoRoot 'module/*') -Destination $ModuleOut -Recurse -Force
    Copy-Item -LiteralPath (Join-Path $RepoRoot 'LICENSE') -Destination $ModuleOut -Force
    Write-ModuleManifest
    Invoke-Docs
    Write-Note "module folder: $ModuleOut"
}

# ------------------------------------------------------------------------------------------------------------------
# Test
# ------------------------------------------------------------------------------------------------------------------

function Invoke-FixtureBuild {
    $sources = @(Get-ChildItem -Path (Join-Path $FixtureDir '*.c') -File -ErrorAction Ignore)
    if ($sources.Count -eq 0) { Write-Note 'no C fixtures (tests/fixtures/*.c)'; return 0 }
    $cc = @('gcc', 'cc', 'clang', 'clang-14') | Where-Object { Get-Command $_ -CommandType Application -ErrorAction Ignore } | Select-Object -First 1
    if (-not $cc) {
        Write-Warning "No C compiler (gcc, cc, clang) found: the $($sources.Count) C fixture(s) are not built and the tests that need them will skip."
        return 0
    }
    Write-Step "Fixtures: $($sources.Count) C program(s) with $cc -O2"
    $failures = 0
    $null = New-Item -ItemType Directory -Force -Path $FixtureBin
    foreach ($src in $sources) {
        # A fixture may ask for extra flags on a line: // cflags: -static
        $extra = @(Select-String -LiteralPath $src.FullName -Pattern '^\s*//\s*cflags:\s*(.+)$' | ForEach-Object { $_.Matches[0].Groups[1].Value -split '\s+' })
        $outFile = Join-Path $FixtureBin $src.BaseName
        & $cc -O2 -g -Wall -pthread -o $outFile $src.FullName @extra | Out-Host
        if ($LASTEXITCODE -ne 0) {
            # The tests that need it fail on their own; the others still run.
            Write-Host "Compiling fixture $($src.Name) failed." -ForegroundColor Red
            $failures++
        }
    }
    Write-Note "built into tests/fixtures/bin: $($sources.BaseName -join ', ')"
    return $failures
}

function Invoke-XunitTests {
    # Returns @{ Passed; Failed; Skipped; Note }.
    Write-Step 'xunit: tests/SyscallPS.Engine.Tests'
    $trx = Join-Path $ResultsDir 'engine.trx'
    Remove-Item -LiteralPath $trx -ErrorAction Ignore
    $argList = @('test', (Join-Path $RepoRoot 'tests/SyscallPS.Engine.Tests'), '-c', $Configuration, '--nologo',
        '--logger', 'trx;LogFileName=engine.trx', '--logger', 'console;verbosity=normal', '--results-directory', $ResultsDir,
        '--blame-hang-timeout', "$($TestTimeoutMinutes)m")
    $exit = Invoke-ChildProcess -FilePath 'dotnet' -ArgumentList $argList -TimeoutMinutes ($TestTimeoutMinutes + 5) -What 'dotnet test'
    if (-not (Test-Path -LiteralPath $trx)) {
        return @{ Passed = 0; Failed = 1; Skipped = 0; Note = "no results (dotnet test exit code ${exit}: build failure or crash)" }
    }
    [xml] $doc = Get-Content -Raw -LiteralPath $trx
    $ns = @{ t = 'http://microsoft.com/schemas/VisualStudio/TeamTest/2010' }
    $outcomes = @(Select-Xml -Xml $doc -XPath '//t:UnitTestResult' -Namespace $ns | ForEach-Object { $_.Node.outcome })
    $r = @{
        Passed  = @($outcomes | Where-Object { $_ -eq 'Passed' }).Count
        Failed  = @($outcomes | Where-Object { $_ -in 'Failed', 'Error', 'Timeout', 'Aborted' }).Count
        Skipped = @($outcomes | Where-Object { $_ -in 'NotExecuted', 'Inconclusive', 'Skipped' }).Count
        Note    = ''
    }
    if ($exit -ne 0 -and $r.Failed -eq 0) {
        # The run itself failed (host crash, hang timeout) although no test was reported failed.
        $r.Failed = 1
        $r.Note = "dotnet test exit code ${exit} with no failed test: counted as one failure"
    }
    return $r
}

function Invoke-PesterTests {
    # One child pwsh per test file: a crash (or a hang) costs only that file's results, not the whole run.
    Write-Step 'Pester: tests/pester (a child pwsh per file)'
    $pwsh = Get-PwshCommand
    $total = @{ Passed = 0; Failed = 0; Skipped = 0; Note = '' }
    $notes = [System.Collections.Generic.List[string]]::new()
    $files = @(Get-ChildItem -Path (Join-Path $RepoRoot 'tests/pester') -Filter '*.Tests.ps1' -File | Sort-Object Name)
    foreach ($file in $files) {
        $summary = Join-Path $ResultsDir "pester-$($file.BaseName).json"
        Remove-Item -LiteralPath $summary -ErrorAction Ignore
        $argList = @($pwsh.Prefix) + @('-NoProfile', '-NonInteractive', '-File', (Join-Path $RepoRoot 'build/Invoke-PesterRun.ps1'),
            '-PesterPath', (Get-PesterModulePath), '-TestPath', $file.FullName,
            '-ResultPath', (Join-Path $ResultsDir "pester-$($file.BaseName).xml"), '-SummaryPath', $summary)
        $exit = Invoke-ChildProcess -FilePath $pwsh.FilePath -ArgumentList $argList -TimeoutMinutes $TestTimeoutMinutes -What "Pester $($file.Name)"
        if (-not (Test-Path -LiteralPath $summary)) {
            $total.Failed += 1
            $notes.Add("$($file.Name): no results, child pwsh exit code $exit (crash or timeout), counted as one failure")
            continue
        }
        $s = Get-Content -Raw -LiteralPath $summary | ConvertFrom-Json
        $total.Passed += [int]$s.Passed
        $total.Failed += [int]$s.Failed
        $total.Skipped += [int]$s.Skipped
        if ($s.Note) { $notes.Add("$($file.Name): $($s.Note)") }
    }
    if ($files.Count -eq 0) { $notes.Add('no tests/pester/*.Tests.ps1') }
    $total.Note = $notes -join '; '
    return $total
}

function Invoke-Test {
    $null = New-Item -ItemType Directory -Force -Path $ResultsDir
    $xunit = @{ Passed = 0; Failed = 0; Skipped = 0; Note = 'not run' }
    $pester = @{ Passed = 0; Failed = 0; Skipped = 0; Note = 'not run' }
    $infraFailures = 0
    # Setup problems (no apt, no tracefs) only make tests skip; a missing Pester fails the Pester stage below.
    try { Invoke-Setup }
    catch { Write-Host "Setup: $_" -ForegroundColor Red }
    $built = $false
    try {
        Invoke-Build
        $built = $true
    }
    catch {
        $infraFailures++
        Write-Host "Build failed: $_" -ForegroundColor Red
    }
    if ($built) {
        $infraFailures += Invoke-FixtureBuild
        $env:SYSCALLPS_MODULE = Join-Path $ModuleOut 'SyscallPS.psd1'
        $env:SYSCALLPS_FIXTURES = $FixtureBin
        $xunit = Invoke-XunitTests
        if (Test-Path -LiteralPath (Get-PesterModulePath)) { $pester = Invoke-PesterTests }
        else { $pester = @{ Passed = 0; Failed = 1; Skipped = 0; Note = "Pester $PesterVersion is not installed (see Setup above)" } }
    }

    $fmt = { param($name, $r) '{0,-7} {1,5} passed, {2,5} failed, {3,5} skipped{4}' -f $name, $r.Passed, $r.Failed, $r.Skipped, $(if ($r.Note) { "  ($($r.Note))" } else { '' }) }
    Write-Host ''
    Write-Step 'Summary'
    Write-Host (& $fmt 'xunit' $xunit)
    Write-Host (& $fmt 'Pester' $pester)
    $passed = $xunit.Passed + $pester.Passed
    $failed = $xunit.Failed + $pester.Failed + $infraFailures
    if ($infraFailures -gt 0) { Write-Host "Build     $infraFailures failure(s) (build or C fixtures)" }
    $skipped = $xunit.Skipped + $pester.Skipped
    # The last line of output, exactly this shape: CI parses it.
    Write-Host "$passed passed, $failed failed, $skipped skipped"
    return $failed
}

# ------------------------------------------------------------------------------------------------------------------
# Bench, Package, Demo, Clean
# ------------------------------------------------------------------------------------------------------------------

function Invoke-Bench {
    $script = Join-Path $RepoRoot 'bench/run.ps1'
    if (-not (Test-Path -LiteralPath $script)) { Write-Step 'Bench: bench/run.ps1 does not exist yet; nothing to run.'; return }
    Invoke-Build
    Write-Step 'Bench: bench/run.ps1'
    $env:SYSCALLPS_MODULE = Join-Path $ModuleOut 'SyscallPS.psd1'
    & $script
}

function Invoke-Package {
    Invoke-Build
    $version = (Import-PowerShellDataFile -LiteralPath (Join-Path $ModuleOut 'SyscallPS.psd1')).ModuleVersion
    $zip = Join-Path $OutRoot "SyscallPS-$version.zip"
    Write-Step "Package: $zip (zip of the module folder SyscallPS/; unzip into a folder on `$env:PSModulePath)"
    Remove-Item -LiteralPath $zip -ErrorAction Ignore
    Compress-Archive -Path $ModuleOut -DestinationPath $zip
    Write-Note ('{0:N0} bytes' -f (Get-Item -LiteralPath $zip).Length)

    # tar keeps the launcher's execute bit, which unzip tools may drop (the engine restores it on first use).
    $tgz = Join-Path $OutRoot "SyscallPS-$version.tar.gz"
    Write-Step "Package: $tgz (tar -xzf it in a folder on `$env:PSModulePath)"
    Invoke-Native tar @('-czf', $tgz, '-C', $OutRoot, 'SyscallPS') 'tar'
    Write-Note ('{0:N0} bytes' -f (Get-Item -LiteralPath $tgz).Length)

    # The .nupkg Install-PSResource and the PowerShell Gallery take, made by Publish-PSResource itself into a
    # throwaway file repository (registered for this call only).
    $nupkgDir = Join-Path $OutRoot 'nupkg'
    $repoName = "SyscallPS-build-$PID"
    if (Test-Path -LiteralPath $nupkgDir) { Remove-Item -LiteralPath $nupkgDir -Recurse -Force }
    $null = New-Item -ItemType Directory -Path $nupkgDir
    Write-Step "Package: $nupkgDir/syscallps.$version.nupkg (Publish-PSResource to a local file repository)"
    Register-PSResourceRepository -Name $repoName -Uri $nupkgDir -Trusted
    try { Publish-PSResource -Path $ModuleOut -Repository $repoName -SkipDependenciesCheck }
    finally { Unregister-PSResourceRepository -Name $repoName }
    $nupkg = Get-ChildItem -LiteralPath $nupkgDir -Filter '*.nupkg' | Select-Object -First 1
    if (-not $nupkg) { throw "Publish-PSResource wrote no .nupkg into $nupkgDir." }
    Write-Note ('{0}: {1:N0} bytes' -f $nupkg.Name, $nupkg.Length)
}

function Invoke-Demo {
    Invoke-Build
    Write-Step 'Demo: Import-Module ./SyscallPS.psd1; trace ls -la /etc'
    $demo = @'
$ErrorActionPreference = 'Stop'
Import-Module ./SyscallPS.psd1
if (-not (Get-Command Start-SyscallTrace -Module SyscallPS -ErrorAction Ignore)) {
    Write-Host 'Start-SyscallTrace is not in this build yet (the module loaded, but exports no such cmdlet).'
    exit 1
}
Write-Host "`nStart-SyscallTrace -FilePath ls -ArgumentList '-la','/etc' | Select-Object -First 15 | Format-Table`n"
Start-SyscallTrace -FilePath ls -ArgumentList '-la', '/etc' | Select-Object -First 15 | Format-Table | Out-Host
Write-Host "Start-SyscallTrace -FilePath ls -ArgumentList '-la','/etc' | Group-Object Syscall -NoElement | Sort-Object Count -Descending | Select-Object -First 10`n"
Start-SyscallTrace -FilePath ls -ArgumentList '-la', '/etc' | Group-Object Syscall -NoElement |
    Sort-Object Count -Descending | Select-Object -First 10 | Format-Table -AutoSize | Out-Host
Write-Host "ls exit code: $LASTEXITCODE"
'@
    $pwsh = Get-PwshCommand
    $exit = Invoke-ChildProcess -FilePath $pwsh.FilePath -ArgumentList (@($pwsh.Prefix) + @('-NoProfile', '-NonInteractive', '-Command', $demo)) -TimeoutMinutes 5 -What 'Demo'
    if ($exit -ne 0) { throw "Demo failed (exit code $exit)." }
}

function Invoke-Clean {
    Write-Step 'Clean'
    $paths = @($OutRoot, (Join-Path $RepoRoot 'en-US'), $FixtureBin, (Join-Path $RepoRoot 'TestResults')) +
        @(Get-ChildItem -Path (Join-Path $RepoRoot 'src/*'), (Join-Path $RepoRoot 'tests/*') -Directory -ErrorAction Ignore |
            ForEach-Object { Join-Path $_.FullName 'bin'; Join-Path $_.FullName 'obj' })
    foreach ($p in $paths) {
        if (Test-Path -LiteralPath $p) { Remove-Item -LiteralPath $p -Recurse -Force; Write-Note "removed $([IO.Path]::GetRelativePath($RepoRoot, $p))" }
    }
}

# ------------------------------------------------------------------------------------------------------------------

Push-Location $RepoRoot
try {
    $failures = 0
    foreach ($t in $Task) {
        switch ($t) {
            'Setup' { Invoke-Setup }
            'Build' { Invoke-Build }
            'Docs' { Invoke-Docs }
            'Test' { $failures += Invoke-Test }
            'Bench' { Invoke-Bench }
            'Package' { Invoke-Package }
            'Demo' { Invoke-Demo }
            'Clean' { Invoke-Clean }
        }
    }
    if ($failures -gt 0) { exit 1 }
}
catch {
    Write-Host "build.ps1 -Task $($Task -join ','): $_" -ForegroundColor Red
    exit 1
}
finally {
    Pop-Location
}
