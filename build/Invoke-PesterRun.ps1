<#
.SYNOPSIS
Runs Pester 5 over tests/pester and writes a small JSON summary. build.ps1 -Task Test starts it in a child pwsh,
so a crash in a test (or in the module under test) cannot take the build runner down with it.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)][string] $PesterPath,
    [Parameter(Mandatory)][string] $TestPath,
    [Parameter(Mandatory)][string] $ResultPath,
    [Parameter(Mandatory)][string] $SummaryPath
)
$ErrorActionPreference = 'Stop'
Import-Module $PesterPath -Force
$config = New-PesterConfiguration
$config.Run.Path = $TestPath
$config.Run.PassThru = $true
$config.Run.Exit = $false
$config.Output.Verbosity = 'Detailed'
# Colour codes make CI logs unreadable: plain text when the output goes to a file or pipe.
if ([Console]::IsOutputRedirected -or $env:CI -or $env:NO_COLOR) { $config.Output.RenderMode = 'Plaintext' }
$config.TestResult.Enabled = $true
$config.TestResult.OutputFormat = 'NUnitXml'
$config.TestResult.OutputPath = $ResultPath
$result = Invoke-Pester -Configuration $config

# A failing BeforeAll or a file that does not parse fails a block or container, not a test: count those too.
$blockFailures = $result.FailedBlocksCount + $result.FailedContainersCount
$notes = @()
if ($blockFailures -gt 0) { $notes += "$blockFailures failed block(s)/container(s) counted as failures" }
if ($result.NotRunCount -gt 0) { $notes += "$($result.NotRunCount) not run, counted as skipped" }
[ordered]@{
    Passed  = $result.PassedCount
    Failed  = $result.FailedCount + $blockFailures
    Skipped = $result.SkippedCount + $result.NotRunCount
    Note    = $notes -join '; '
} | ConvertTo-Json | Set-Content -LiteralPath $SummaryPath -Encoding utf8NoBOM
exit $(if ($result.FailedCount + $blockFailures -gt 0) { 1 } else { 0 })
