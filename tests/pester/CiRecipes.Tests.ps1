#Requires -Version 7.4
# The CI recipes of README.md ("CI with Pester") and docs/about_SyscallPS.md ("CI recipes") are complete Pester test
# files: each powershell block there is written to a file and run with Invoke-Pester in a child pwsh (a Pester run
# inside this one would share its state), importing the module under test where the block imports SyscallPS.

BeforeDiscovery {
    $repo = (Resolve-Path "$PSScriptRoot/../..").Path
    function Get-RecipeBlocks([string] $File, [string] $Heading) {
        $text = Get-Content -Raw (Join-Path $repo $File)
        $start = $text.IndexOf($Heading)
        if ($start -lt 0) { return @() }
        $level = ($Heading -split ' ')[0]
        $next = [regex]::Match($text.Substring($start + $Heading.Length), "(?m)^#{1,$($level.Length)} ")
        $section = if ($next.Success) { $text.Substring($start, $Heading.Length + $next.Index) } else { $text.Substring($start) }
        [regex]::Matches($section, '(?s)```powershell\r?\n(.*?)```') | ForEach-Object { $_.Groups[1].Value }
    }
    $readme = @(Get-RecipeBlocks 'README.md' '## CI with Pester')
    $about = @(Get-RecipeBlocks 'docs/about_SyscallPS.md' '### CI recipes')
    $script:sources = @(
        @{ File = 'README.md'; Blocks = $readme; Other = $about }
        @{ File = 'docs/about_SyscallPS.md'; Blocks = $about; Other = $readme }
    )
}

BeforeAll {
    $module = & "$PSScriptRoot/ModuleUnderTest.ps1"
    $pesterManifest = Join-Path (Get-Module Pester).ModuleBase 'Pester.psd1'
    $exe = (Get-Process -Id $PID).Path
    $prefix = [string[]]@()
    if ((Split-Path $exe -Leaf) -like 'dotnet*') { $prefix = [string[]]@(Join-Path ([IO.Path]::GetDirectoryName([psobject].Assembly.Location)) 'pwsh.dll') }
}

Describe 'CI recipes in <File>' -ForEach $sources {
    It 'has the four recipes: offline, writes under $TestDrive, ENOSPC, re-reads' {
        $Blocks.Count | Should -Be 4
        $Blocks[0] | Should -Match 'Should -Not -HaveSyscall socket, connect'
        $Blocks[1] | Should -Match '\$TestDrive'
        $Blocks[2] | Should -Match 'ENOSPC'
        $Blocks[2] | Should -Match '-Inject'
        $Blocks[3] | Should -Match '-Times 3'
    }

    It 'shows the same recipes as the other file' {
        $Blocks | Should -Be $Other
    }
}

Describe 'CI recipes run' -ForEach @{ All = @($sources.Blocks) } {
    It 'every recipe passes when run as a test file' {
        # README and about_SyscallPS hold the same blocks (checked above): each distinct one runs once.
        $blocks = @($All | Select-Object -Unique)
        $blocks.Count | Should -BeGreaterOrEqual 4
        $files = for ($i = 0; $i -lt $blocks.Count; $i++) {
            $path = Join-Path $TestDrive "recipe$i.Tests.ps1"
            Set-Content -LiteralPath $path -Value ($blocks[$i] -replace 'Import-Module SyscallPS\b', "Import-Module '$module'")
            $path
        }
        $command = "Import-Module '$pesterManifest'; `$r = Invoke-Pester -Path '$($files -join "','")' -PassThru -Output Detailed; " +
            "`"RESULT `$(`$r.PassedCount) passed `$(`$r.FailedCount) failed`""
        $out = & $exe @prefix -NoProfile -NonInteractive -Command $command 2>&1 | Out-String
        $out | Should -Match "RESULT $($blocks.Count) passed 0 failed" -Because $out
    }
}
