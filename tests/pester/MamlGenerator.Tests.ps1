# The markdown -> MAML converter of build/MarkdownHelp.psm1, on the repository's real docs and on broken input.

BeforeAll {
    $script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    Import-Module (Join-Path $RepoRoot 'build/MarkdownHelp.psm1') -Force
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) ("syscallps-maml-" + [guid]::NewGuid().ToString('n'))
    $null = New-Item -ItemType Directory -Path $Work
    $script:MamlFile = Join-Path $Work 'SyscallPS.dll-Help.xml'
    $null = ConvertTo-MamlHelp -Path (Join-Path $RepoRoot 'docs/Start-SyscallTrace.md'), (Join-Path $RepoRoot 'docs/Stop-SyscallTrace.md') -OutputFile $MamlFile
    [xml] $script:Maml = Get-Content -Raw -LiteralPath $MamlFile
    $script:Ns = [System.Xml.XmlNamespaceManager]::new($Maml.NameTable)
    $Ns.AddNamespace('command', 'http://schemas.microsoft.com/maml/dev/command/2004/10')
    $Ns.AddNamespace('maml', 'http://schemas.microsoft.com/maml/2004/10')
    $Ns.AddNamespace('dev', 'http://schemas.microsoft.com/maml/dev/2004/10')
    function Get-Command-Node([string] $Name) {
        $Maml.SelectSingleNode("//command:command[command:details/command:name='$Name']", $Ns)
    }
    function Get-SyntaxParameterName($SyntaxItem) {
        @($SyntaxItem.SelectNodes('command:parameter/maml:name', $Ns) | ForEach-Object InnerText)
    }
}

AfterAll {
    Remove-Item -LiteralPath $Work -Recurse -Force -ErrorAction Ignore
}

Describe 'ConvertTo-MamlHelp' {
    It 'writes one command element per markdown file, with verb and noun' {
        $names = @($Maml.SelectNodes('//command:command/command:details/command:name', $Ns) | ForEach-Object InnerText)
        $names | Should -Be @('Start-SyscallTrace', 'Stop-SyscallTrace')
        (Get-Command-Node 'Start-SyscallTrace').SelectSingleNode('command:details/command:noun', $Ns).InnerText | Should -Be 'SyscallTrace'
    }

    It 'writes one syntax item per parameter set, the default set first, with only that set''s parameters' {
        $items = @((Get-Command-Node 'Start-SyscallTrace').SelectNodes('command:syntax/command:syntaxItem', $Ns))
        $items.Count | Should -Be 3
        $launch = Get-SyntaxParameterName $items[0]
        $attach = Get-SyntaxParameterName $items[1]
        $systemWide = Get-SyntaxParameterName $items[2]
        $systemWide[0] | Should -Be 'SystemWide'
        $systemWide | Should -Not -Contain 'FilePath'
        $systemWide | Should -Not -Contain 'ProcessId'
        $launch[0..2] | Should -Be @('FilePath', 'ArgumentList', 'WorkingDirectory')
        $launch | Should -Not -Contain 'ProcessId'
        $attach[0] | Should -Be 'ProcessId'
        $attach | Should -Not -Contain 'FilePath'
        foreach ($common in 'Syscall', 'Category', 'Failed', 'Duration', 'Engine', 'NoFollow', 'StringLimit', 'Raw', 'AsJob', 'BufferCapacity') {
            $launch | Should -Contain $common
            $attach | Should -Contain $common
        }
    }

    It 'carries required, position, pipeline input and globbing per parameter' {
        $cmd = Get-Command-Node 'Start-SyscallTrace'
        $filePath = $cmd.SelectSingleNode("command:parameters/command:parameter[maml:name='FilePath']", $Ns)
        $filePath.required | Should -Be 'true'
        $filePath.position | Should -Be '0'
        $syscall = $cmd.SelectSingleNode("command:parameters/command:parameter[maml:name='Syscall']", $Ns)
        $syscall.globbing | Should -Be 'true'
        $syscall.position | Should -Be 'named'
        $syscall.variableLength | Should -Be 'true'
        $session = (Get-Command-Node 'Stop-SyscallTrace').SelectSingleNode("command:parameters/command:parameter[maml:name='Session']", $Ns)
        $session.pipelineInput | Should -Be 'True (ByValue)'
    }

    It 'writes no value for a switch in the syntax, and the accepted values of an enum' {
        $launch = (Get-Command-Node 'Start-SyscallTrace').SelectNodes('command:syntax/command:syntaxItem', $Ns)[0]
        $failed = $launch.SelectSingleNode("command:parameter[maml:name='Failed']", $Ns)
        $failed.SelectSingleNode('command:parameterValue', $Ns) | Should -BeNullOrEmpty
        $engine = $launch.SelectSingleNode("command:parameter[maml:name='Engine']", $Ns)
        @($engine.SelectNodes('command:parameterValueGroup/command:parameterValue', $Ns) | ForEach-Object InnerText) | Should -Be @('Auto', 'Ptrace', 'Ebpf')
    }

    It 'writes each example''s code verbatim and its remarks' {
        $examples = @((Get-Command-Node 'Start-SyscallTrace').SelectNodes('command:examples/command:example', $Ns))
        $examples.Count | Should -BeGreaterOrEqual 3
        $code = $examples[1].SelectSingleNode('dev:code', $Ns).InnerText
        $code | Should -Match "^Start-SyscallTrace -FilePath sh .*\|\n    Where-Object Syscall -in"
        $examples[0].SelectSingleNode('dev:remarks/maml:para', $Ns).InnerText | Should -Match 'counts its calls'
    }

    It 'writes input and output types' {
        $cmd = Get-Command-Node 'Stop-SyscallTrace'
        @($cmd.SelectNodes('command:inputTypes/command:inputType/dev:type/maml:name', $Ns) | ForEach-Object InnerText) | Should -Be @('SyscallPS.Tracing.TraceSession', 'SyscallPS.Jobs.SyscallTraceJob')
        @($cmd.SelectNodes('command:returnValues/command:returnValue/dev:type/maml:name', $Ns) | ForEach-Object InnerText) | Should -Contain 'SyscallPS.Tracing.TraceSession'
    }

    It 'names the file and the missing section when the markdown is incomplete' {
        $bad = Join-Path $Work 'Get-Broken.md'
        Set-Content -LiteralPath $bad -Value "---`nschema: 2.0.0`n---`n`n# Get-Broken`n`n## SYNTAX`n`n## DESCRIPTION`nx`n"
        { Read-CommandHelpMarkdown -Path $bad } | Should -Throw '*Get-Broken.md*SYNOPSIS*'
    }

    It 'rejects a parameter without its yaml block' {
        $bad = Join-Path $Work 'Get-NoYaml.md'
        Set-Content -LiteralPath $bad -Value @'
# Get-NoYaml
## SYNOPSIS
s
## SYNTAX
```
Get-NoYaml -X <String>
```
## DESCRIPTION
d
## EXAMPLES
### Example 1
```powershell
Get-NoYaml -X a
```
## PARAMETERS
### -X
The x.
'@
        { Read-CommandHelpMarkdown -Path $bad } | Should -Throw '*-X has no yaml block*'
    }
}

Describe 'ConvertTo-AboutHelpText' {
    BeforeAll {
        $script:AboutFile = Join-Path $Work 'about_SyscallPS.help.txt'
        ConvertTo-AboutHelpText -Path (Join-Path $RepoRoot 'docs/about_SyscallPS.md') -OutputFile $AboutFile
        $script:AboutLines = Get-Content -LiteralPath $AboutFile
    }

    It 'starts with the topic name and has the headings in capitals' {
        $AboutLines[0..1] | Should -Be @('TOPIC', '    about_SyscallPS')
        $AboutLines | Should -Contain 'SHORT DESCRIPTION'
        $AboutLines | Should -Contain 'LONG DESCRIPTION'
    }

    It 'wraps prose at 80 columns but keeps code lines whole' {
        $code = @($AboutLines | Where-Object { $_ -like '        *' })
        $code | Should -Contain "        ... | Where-Object RemotePort -eq 80"
        $prose = @($AboutLines | Where-Object { $_ -notlike '        *' })
        ($prose | Measure-Object -Property Length -Maximum).Maximum | Should -BeLessOrEqual 80
    }
}
