<#
.SYNOPSIS
Converts platyPS-schema markdown help (docs/*.md) into MAML (for cmdlets) and about_*.help.txt (for about topics).

.EXAMPLE
./build/ConvertTo-Maml.ps1 -DocsPath ./docs -OutputPath ./out/SyscallPS/en-US

Writes SyscallPS.dll-Help.xml and about_SyscallPS.help.txt into ./out/SyscallPS/en-US.
#>
[CmdletBinding()]
param(
    # Folder holding <Cmdlet>.md files and about_<Topic>.md files.
    [Parameter(Mandatory)][string] $DocsPath,
    # Culture folder to write into (e.g. <module>/en-US). Created when missing.
    [Parameter(Mandatory)][string[]] $OutputPath,
    # The MAML file's name: '<assembly file name>-Help.xml' is where PowerShell looks for a binary module's help.
    [string] $HelpFileName = 'SyscallPS.dll-Help.xml'
)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'MarkdownHelp.psm1') -Force

$all = @(Get-ChildItem -LiteralPath $DocsPath -Filter '*.md' -File)
$commands = @($all | Where-Object { $_.Name -notlike 'about_*' -and (Get-Content -LiteralPath $_.FullName -TotalCount 12) -match '^schema:\s*2\.0\.0' -and (Select-String -LiteralPath $_.FullName -Pattern '^## SYNTAX' -Quiet) })
$abouts = @($all | Where-Object Name -like 'about_*.md')
foreach ($dir in $OutputPath) {
    $helps = ConvertTo-MamlHelp -Path $commands.FullName -OutputFile (Join-Path $dir $HelpFileName)
    foreach ($a in $abouts) {
        ConvertTo-AboutHelpText -Path $a.FullName -OutputFile (Join-Path $dir ($a.BaseName + '.help.txt'))
    }
    Write-Verbose "$($dir): $($helps.Count) command(s), $($abouts.Count) about topic(s)"
}
[pscustomobject]@{ Commands = @($commands.BaseName); AboutTopics = @($abouts.BaseName); OutputPath = $OutputPath }
