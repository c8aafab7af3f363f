# Every exported cmdlet has real help (from docs/*.md via the build's MAML), and the help documents exactly the
# parameters the cmdlet has. Data-driven: cmdlets are taken from the loaded module, so new cmdlets are covered as
# they are added.

BeforeDiscovery {
    $manifestPath = & "$PSScriptRoot/ModuleUnderTest.ps1"
    $module = Import-Module $manifestPath -PassThru -ErrorAction Stop
    $script:CmdletCases = @($module.ExportedCmdlets.Keys | Sort-Object | ForEach-Object { @{ Name = $_ } })
}

BeforeAll {
    $script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $script:ManifestPath = & "$PSScriptRoot/ModuleUnderTest.ps1"
    $script:Module = Import-Module $ManifestPath -PassThru -ErrorAction Stop
    Import-Module (Join-Path $RepoRoot 'build/MarkdownHelp.psm1') -Force
    # -WhatIf and -Confirm are documented like any parameter (as platyPS does); only the always-present common parameters are not.
    $script:Common = @([System.Management.Automation.PSCmdlet]::CommonParameters)
}

Describe 'Help of <Name>' -ForEach $CmdletCases {
    BeforeAll {
        $script:Command = Get-Command -Name $Name -Module SyscallPS
        $script:Help = Get-Help -Name $Name -Full
        $script:DocPath = Join-Path $RepoRoot "docs/$Name.md"
        $script:Doc = if (Test-Path -LiteralPath $DocPath) { Read-CommandHelpMarkdown -Path $DocPath } else { $null }
        $script:RealParameters = @($Command.Parameters.Keys | Where-Object { $_ -notin $Common } | Sort-Object)
    }

    It 'has docs/<Name>.md' {
        $DocPath | Should -Exist
    }

    It 'has a synopsis (not the generated syntax line)' {
        "$($Help.Synopsis)".Trim() | Should -Not -BeNullOrEmpty
        "$($Help.Synopsis)".Trim() | Should -Not -Match "^$([regex]::Escape($Name))(\s|$)" -Because 'Get-Help falls back to the syntax when no MAML help was found'
    }

    It 'has a description' {
        ($Help.description.Text -join "`n").Trim() | Should -Not -BeNullOrEmpty
    }

    It 'titles every example (### Example N: what it shows)' {
        $headings = @(Select-String -LiteralPath $DocPath -Pattern '^### Example\b' | ForEach-Object { $_.Line })
        $headings.Count | Should -BeGreaterOrEqual 1
        foreach ($h in $headings) { $h | Should -Match '^### Example \d+: \S' }
    }

    It 'has an online version, which Get-Help -Online opens' {
        $link = @($Help.relatedLinks.navigationLink | Where-Object { $_.uri })[0]
        $link.uri | Should -Be "https://github.com/syscallps/SyscallPS/blob/main/docs/$Name.md"
    }

    It 'has at least one example with code and remarks' {
        $examples = @($Help.examples.example)
        $examples.Count | Should -BeGreaterOrEqual 1
        foreach ($e in $examples) {
            "$($e.code)".Trim() | Should -Not -BeNullOrEmpty
            ($e.remarks.Text -join '').Trim() | Should -Not -BeNullOrEmpty -Because "example '$($e.title)' should say what it does"
        }
    }

    It 'documents exactly its parameters' {
        $documented = @($Help.parameters.parameter | ForEach-Object { $_.name } | Where-Object { $_ } | Sort-Object)
        $undocumented = @($RealParameters | Where-Object { $_ -notin $documented })
        $stale = @($documented | Where-Object { $_ -notin $RealParameters })
        $undocumented | Should -BeNullOrEmpty -Because 'every parameter needs a ### -Name section in the docs'
        $stale | Should -BeNullOrEmpty -Because 'the docs must not describe parameters the cmdlet does not have'
    }

    It 'describes every parameter' {
        foreach ($p in @($Help.parameters.parameter)) {
            ($p.description.Text -join '').Trim() | Should -Not -BeNullOrEmpty -Because "-$($p.name) needs a description"
        }
    }

    It 'documents the parameter sets, types, mandatory, position and pipeline input as implemented' {
        $Doc | Should -Not -BeNullOrEmpty
        $realSets = @($Command.ParameterSets | ForEach-Object Name)
        if ($realSets.Count -gt 1) {
            @($Doc.Syntax.Name | Sort-Object) | Should -Be @($realSets | Sort-Object) -Because 'the SYNTAX section has one ### per parameter set'
            ($Doc.Syntax | Where-Object IsDefault).Name | Should -Be $Command.DefaultParameterSet
        }
        $problems = [System.Collections.Generic.List[string]]::new()
        foreach ($set in $Command.ParameterSets) {
            foreach ($p in ($set.Parameters | Where-Object { $_.Name -notin $Common })) {
                $docParam = $Doc.Parameters | Where-Object Name -eq $p.Name
                if (-not $docParam) { continue }  # reported by 'documents exactly its parameters'
                $entry = @($docParam.Sets | Where-Object { $_.ParameterSets -contains $set.Name -or $_.ParameterSets -contains '(All)' -or ($realSets.Count -eq 1) }) | Select-Object -First 1
                if (-not $entry) { $problems.Add("-$($p.Name): not documented in parameter set $($set.Name)"); continue }
                # A nullable value type is documented as its value type (TimeSpan for TimeSpan?).
                $underlying = [Nullable]::GetUnderlyingType($p.ParameterType)
                $realType = if ($underlying) { $underlying.Name } else { $p.ParameterType.Name }
                $docType = ($entry.Type -split '\.')[-1]
                if ($docType -ne $realType) { $problems.Add("-$($p.Name): Type '$($entry.Type)', real '$realType'") }
                if ($entry.Required -ne $p.IsMandatory) { $problems.Add("-$($p.Name) [$($set.Name)]: Required $($entry.Required), real $($p.IsMandatory)") }
                $realPos = if ($p.Position -ge 0) { "$($p.Position)" } else { 'Named' }
                if ($entry.Position -ne $realPos) { $problems.Add("-$($p.Name) [$($set.Name)]: Position $($entry.Position), real $realPos") }
                $byValue = $entry.PipelineInput -match 'ByValue'
                $byName = $entry.PipelineInput -match 'ByPropertyName'
                if ($byValue -ne $p.ValueFromPipeline -or $byName -ne $p.ValueFromPipelineByPropertyName) {
                    $problems.Add("-$($p.Name) [$($set.Name)]: Accept pipeline input '$($entry.PipelineInput)', real ByValue=$($p.ValueFromPipeline) ByPropertyName=$($p.ValueFromPipelineByPropertyName)")
                }
            }
        }
        $problems | Should -BeNullOrEmpty
    }
}

Describe 'Help files' {
    It 'every command page in docs/ is a cmdlet the manifest exports' {
        $manifest = Import-PowerShellDataFile -LiteralPath $ManifestPath
        $pages = Get-ChildItem (Join-Path $RepoRoot 'docs') -Filter '*.md' | Where-Object { $_.Name -notlike 'about_*' -and (Select-String -LiteralPath $_.FullName -Pattern '^## SYNTAX' -Quiet) }
        foreach ($page in $pages) { $manifest.CmdletsToExport | Should -Contain $page.BaseName }
    }

    It 'the MAML help is where Get-Help looks for both imports (module folder and repository root)' {
        Join-Path (Split-Path -Parent $ManifestPath) 'en-US/SyscallPS.dll-Help.xml' | Should -Exist
        Join-Path $RepoRoot 'en-US/SyscallPS.dll-Help.xml' | Should -Exist
        { [xml](Get-Content -Raw (Join-Path $RepoRoot 'en-US/SyscallPS.dll-Help.xml')) } | Should -Not -Throw
    }

    It 'Import-Module ./SyscallPS.psd1 from the repository root gives the same cmdlets with their help' {
        $exe = [Environment]::ProcessPath
        $prefix = @(if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' })
        $script = 'Import-Module ./SyscallPS.psd1 -ErrorAction Stop; foreach ($c in (Get-Module SyscallPS).ExportedCmdlets.Keys) { "{0}|{1}" -f $c, (Get-Help $c).Synopsis.Trim() }'
        Push-Location $RepoRoot
        try { $lines = @(& $exe @prefix -NoProfile -NonInteractive -Command $script) } finally { Pop-Location }
        $LASTEXITCODE | Should -Be 0
        @($lines | ForEach-Object { ($_ -split '\|', 2)[0] } | Sort-Object) | Should -Be @($Module.ExportedCmdlets.Keys | Sort-Object)
        foreach ($l in $lines) {
            $name, $synopsis = $l -split '\|', 2
            $synopsis | Should -Not -Match "^$([regex]::Escape($name))(\s|$)" -Because "Get-Help $name should find the MAML when imported from the root"
        }
    }

    It 'Get-Help about_SyscallPS shows the about topic' {
        $text = Get-Help about_SyscallPS | Out-String
        $text | Should -Match 'about_syscallps'
        $text | Should -Match 'SHORT DESCRIPTION'
        $text | Should -Match 'Where-Object'
    }
}
