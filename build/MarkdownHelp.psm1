# Reads platyPS-schema markdown (v1 command help, and about_ topics) and writes the files Get-Help reads:
# MAML XML for cmdlets, plain .help.txt for about topics. Used by build.ps1 -Task Docs and by the help tests.
# Written for this repository's docs/; it supports the platyPS v1 schema, not every markdown construct.

Set-StrictMode -Version Latest

$script:NsMaml = 'http://schemas.microsoft.com/maml/2004/10'
$script:NsCommand = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
$script:NsDev = 'http://schemas.microsoft.com/maml/dev/2004/10'
$script:NsMsHelp = 'http://msdn.microsoft.com/mshelp'
$script:NsMsh = 'http://msh'

# ---------------------------------------------------------------------------------------------------------------
# Markdown structure
# ---------------------------------------------------------------------------------------------------------------

function Split-FrontMatter {
    # Returns @{ Meta = hashtable; Lines = body lines }.
    param([string[]] $Lines)
    $meta = [ordered]@{}
    if ($Lines.Count -gt 0 -and $Lines[0].Trim() -eq '---') {
        for ($i = 1; $i -lt $Lines.Count; $i++) {
            if ($Lines[$i].Trim() -eq '---') {
                $body = if ($i + 1 -lt $Lines.Count) { $Lines[($i + 1)..($Lines.Count - 1)] } else { @() }
                return @{ Meta = $meta; Lines = @($body) }
            }
            if ($Lines[$i] -match '^\s*([^:]+?)\s*:\s*(.*)$') { $meta[$Matches[1]] = $Matches[2].Trim() }
        }
        throw "Front matter opened with '---' but never closed."
    }
    return @{ Meta = $meta; Lines = $Lines }
}

function Get-MarkdownSection {
    # Splits lines into headed sections at the given heading level (ignores '#' inside code fences).
    # Returns a list of @{ Title; Lines } in document order; lines before the first heading get Title $null.
    param([string[]] $Lines, [int] $Level)
    $prefix = ('#' * $Level) + ' '
    $sections = [System.Collections.Generic.List[object]]::new()
    $current = @{ Title = $null; Lines = [System.Collections.Generic.List[string]]::new() }
    $inFence = $false
    foreach ($line in $Lines) {
        if ($line -match '^\s*```') { $inFence = -not $inFence }
        if (-not $inFence -and $line.StartsWith($prefix)) {
            $sections.Add($current)
            $current = @{ Title = $line.Substring($prefix.Length).Trim(); Lines = [System.Collections.Generic.List[string]]::new() }
            continue
        }
        $current.Lines.Add($line)
    }
    $sections.Add($current)
    return $sections
}

function Get-MarkdownBlock {
    # Splits section lines into blocks: @{ Kind = 'Code'|'Text'; Language; Text; Lines }.
    # Text blocks are runs of non-blank lines; code blocks are fenced.
    param([string[]] $Lines)
    $blocks = [System.Collections.Generic.List[object]]::new()
    $buffer = [System.Collections.Generic.List[string]]::new()
    $inFence = $false
    $language = ''
    $flushText = {
        if ($buffer.Count -gt 0) {
            $blocks.Add(@{ Kind = 'Text'; Language = ''; Lines = @($buffer); Text = ($buffer -join "`n") })
            $buffer.Clear()
        }
    }
    foreach ($line in $Lines) {
        if ($line -match '^\s*```\s*(\S*)') {
            if (-not $inFence) {
                & $flushText
                $inFence = $true
                $language = $Matches[1]
            }
            else {
                $blocks.Add(@{ Kind = 'Code'; Language = $language; Lines = @($buffer); Text = ($buffer -join "`n") })
                $buffer.Clear()
                $inFence = $false
            }
            continue
        }
        if ($inFence) { $buffer.Add($line); continue }
        if ($line.Trim() -eq '') { & $flushText; continue }
        $buffer.Add($line)
    }
    if ($inFence) { throw 'A code fence (```) is never closed.' }
    & $flushText
    return $blocks
}

function ConvertFrom-MarkdownInline {
    # Inline markdown to plain help text: links become "text (uri)", emphasis markers go; `code` stays readable.
    param([string] $Text)
    $t = [regex]::Replace($Text, '\[([^\]]+)\]\(([^)]*)\)', { param($m) if ($m.Groups[2].Value) { "$($m.Groups[1].Value) ($($m.Groups[2].Value))" } else { $m.Groups[1].Value } })
    $t = $t -replace '\*\*([^*]+)\*\*', '$1'
    $t = $t -replace '(?<![\w*])\*([^*\s][^*]*)\*(?![\w*])', '$1'
    $t = $t -replace '\\([\\`*_{}\[\]()#+\-.!<>|])', '$1'
    return $t
}

function ConvertTo-Paragraph {
    # Turns a text block into help paragraphs. List items and table rows stay one per line; wrapped prose is joined.
    param([hashtable] $Block)
    $lines = @($Block.Lines)
    if ($lines | Where-Object { $_ -match '^\s*\|' }) {
        return , ((($lines | ForEach-Object { ConvertFrom-MarkdownInline $_.TrimEnd() }) -join "`n"))
    }
    $items = [System.Collections.Generic.List[string]]::new()
    $current = $null
    foreach ($line in $lines) {
        if ($line -match '^\s*([-*+]|\d+\.)\s+(.*)$') {
            if ($null -ne $current) { $items.Add($current) }
            $marker = if ($Matches[1] -match '\d') { $Matches[1] } else { '-' }
            $current = "$marker $($Matches[2].Trim())"
        }
        elseif ($null -ne $current) { $current += ' ' + $line.Trim() }
        else { $current = $line.Trim() }
    }
    if ($null -ne $current) { $items.Add($current) }
    return @($items | ForEach-Object { ConvertFrom-MarkdownInline $_ })
}

function Get-SectionParagraph {
    param([string[]] $Lines)
    $paras = [System.Collections.Generic.List[string]]::new()
    foreach ($block in (Get-MarkdownBlock $Lines)) {
        if ($block.Kind -eq 'Code') { $paras.Add($block.Text) }
        else { foreach ($p in (ConvertTo-Paragraph $block)) { $paras.Add($p) } }
    }
    return , $paras.ToArray()
}

function ConvertFrom-ParameterYaml {
    # The flat "Key: value" yaml block platyPS writes under each parameter.
    param([string] $Text, [string] $ParameterName, [string] $File)
    $map = [ordered]@{}
    foreach ($line in ($Text -split "`n")) {
        if ($line.Trim() -eq '') { continue }
        if ($line -notmatch '^\s*([^:]+?)\s*:\s*(.*)$') { throw "${File}: parameter -${ParameterName}: yaml line '$line' is not 'Key: value'." }
        $map[$Matches[1]] = $Matches[2].Trim()
    }
    foreach ($key in 'Type', 'Parameter Sets', 'Required', 'Position') {
        if (-not $map.Contains($key)) { throw "${File}: parameter -${ParameterName}: yaml block lacks '${key}:'." }
    }
    # @(if ...) keeps an empty result an empty array (a bare 'if' yields $null for @()).
    $sets = @(if ($map['Parameter Sets'] -eq '(All)') { '(All)' } else { $map['Parameter Sets'] -split '\s*,\s*' | Where-Object { $_ } })
    $aliases = @(if ($map.Contains('Aliases') -and $map['Aliases'] -and $map['Aliases'] -ne 'None') { $map['Aliases'] -split '\s*,\s*' })
    $pipeline = if ($map.Contains('Accept pipeline input')) { $map['Accept pipeline input'] } else { 'False' }
    $wildcard = if ($map.Contains('Accept wildcard characters')) { $map['Accept wildcard characters'] } else { 'False' }
    $default = if ($map.Contains('Default value')) { $map['Default value'] } else { 'None' }
    $accepted = @(if ($map.Contains('Accepted values')) { $map['Accepted values'] -split '\s*,\s*' })
    return [pscustomobject]@{
        Type           = $map['Type']
        ParameterSets  = $sets
        Aliases        = $aliases
        Required       = $map['Required'] -eq 'True'
        Position       = $map['Position']
        DefaultValue   = $default
        PipelineInput  = $pipeline
        Globbing       = $wildcard -eq 'True'
        AcceptedValues = $accepted
    }
}

function Read-CommandHelpMarkdown {
    <#
    .SYNOPSIS
    Parses one platyPS v1 command help markdown file into an object (Name, Synopsis, Description, Syntax,
    Parameters, Examples, Inputs, Outputs, Notes, Links).
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)][string] $Path)
    $file = Split-Path -Leaf $Path
    $raw = [System.IO.File]::ReadAllText($Path) -replace "`r`n", "`n"
    $front = Split-FrontMatter ($raw -split "`n")
    $h1 = @(Get-MarkdownSection $front.Lines 1 | Where-Object Title)
    if ($h1.Count -ne 1) { throw "${file}: expected exactly one '# Name' heading, found $($h1.Count)." }
    $name = $h1[0].Title
    $sections = @{}
    foreach ($s in (Get-MarkdownSection $h1[0].Lines 2)) { if ($s.Title) { $sections[$s.Title.ToUpperInvariant()] = @($s.Lines) } }
    foreach ($required in 'SYNOPSIS', 'SYNTAX', 'DESCRIPTION', 'EXAMPLES', 'PARAMETERS') {
        if (-not $sections.ContainsKey($required)) { throw "${file}: missing '## $required' section." }
    }

    # SYNTAX: one ### per parameter set, each with a code block listing the parameters in display order.
    $syntax = [System.Collections.Generic.List[object]]::new()
    foreach ($s in (Get-MarkdownSection $sections['SYNTAX'] 3)) {
        if (-not $s.Title) { continue }
        $code = @(Get-MarkdownBlock $s.Lines | Where-Object Kind -eq 'Code')
        $order = @(foreach ($c in $code) { [regex]::Matches($c.Text, '(?<![\w<])-([A-Za-z]\w*)') | ForEach-Object { $_.Groups[1].Value } })
        $syntax.Add([pscustomobject]@{
                Name      = ($s.Title -replace '\s*\(Default\)\s*$', '').Trim()
                IsDefault = $s.Title -match '\(Default\)\s*$'
                Order     = @($order | Select-Object -Unique)
            })
    }
    if ($syntax.Count -eq 0) {
        # A single unnamed set: platyPS writes "### __AllParameterSets".
        $code = @(Get-MarkdownBlock $sections['SYNTAX'] | Where-Object Kind -eq 'Code')
        $order = @(foreach ($c in $code) { [regex]::Matches($c.Text, '(?<![\w<])-([A-Za-z]\w*)') | ForEach-Object { $_.Groups[1].Value } })
        $syntax.Add([pscustomobject]@{ Name = '__AllParameterSets'; IsDefault = $true; Order = @($order | Select-Object -Unique) })
    }

    $parameters = [System.Collections.Generic.List[object]]::new()
    foreach ($s in (Get-MarkdownSection $sections['PARAMETERS'] 3)) {
        if (-not $s.Title -or $s.Title -eq 'CommonParameters') { continue }
        if ($s.Title -notmatch '^-(\w+)$') { throw "${file}: parameter heading '### $($s.Title)' must be '### -Name'." }
        $pname = $Matches[1]
        $blocks = @(Get-MarkdownBlock $s.Lines)
        $yaml = @($blocks | Where-Object { $_.Kind -eq 'Code' -and $_.Language -eq 'yaml' })
        if ($yaml.Count -eq 0) { throw "${file}: parameter -${pname} has no yaml block." }
        $desc = [System.Collections.Generic.List[string]]::new()
        foreach ($b in ($blocks | Where-Object { -not ($_.Kind -eq 'Code' -and $_.Language -eq 'yaml') })) {
            if ($b.Kind -eq 'Code') { $desc.Add($b.Text) } else { foreach ($p in (ConvertTo-Paragraph $b)) { $desc.Add($p) } }
        }
        $parameters.Add([pscustomobject]@{
                Name        = $pname
                Description = $desc.ToArray()
                Sets        = @($yaml | ForEach-Object { ConvertFrom-ParameterYaml $_.Text $pname $file })
            })
    }

    $examples = [System.Collections.Generic.List[object]]::new()
    foreach ($s in (Get-MarkdownSection $sections['EXAMPLES'] 3)) {
        if (-not $s.Title) { continue }
        $blocks = @(Get-MarkdownBlock $s.Lines)
        $code = @($blocks | Where-Object Kind -eq 'Code')
        if ($code.Count -eq 0) { throw "${file}: example '$($s.Title)' has no code block." }
        $remarks = [System.Collections.Generic.List[string]]::new()
        foreach ($b in ($blocks | Where-Object Kind -eq 'Text')) { foreach ($p in (ConvertTo-Paragraph $b)) { $remarks.Add($p) } }
        $examples.Add([pscustomobject]@{ Title = $s.Title; Code = (($code | ForEach-Object Text) -join "`n`n"); Remarks = $remarks.ToArray() })
    }

    $readTypes = {
        param([string] $key)
        $list = [System.Collections.Generic.List[object]]::new()
        if (-not $sections.ContainsKey($key)) { return , $list.ToArray() }
        foreach ($s in (Get-MarkdownSection $sections[$key] 3)) {
            if (-not $s.Title) { continue }
            $list.Add([pscustomobject]@{ Type = $s.Title; Description = (Get-SectionParagraph $s.Lines) })
        }
        return , $list.ToArray()
    }

    $links = [System.Collections.Generic.List[object]]::new()
    if ($front.Meta.Contains('online version') -and $front.Meta['online version']) {
        $links.Add([pscustomobject]@{ Text = 'Online Version:'; Uri = $front.Meta['online version'] })
    }
    if ($sections.ContainsKey('RELATED LINKS')) {
        foreach ($line in $sections['RELATED LINKS']) {
            foreach ($m in [regex]::Matches($line, '\[([^\]]+)\]\(([^)]*)\)')) { $links.Add([pscustomobject]@{ Text = $m.Groups[1].Value; Uri = $m.Groups[2].Value }) }
        }
    }

    $notes = [string[]]@()
    if ($sections.ContainsKey('NOTES')) { $notes = Get-SectionParagraph $sections['NOTES'] }

    [pscustomobject]@{
        Name        = $name
        File        = $file
        Meta        = $front.Meta
        Synopsis    = (Get-SectionParagraph $sections['SYNOPSIS'])
        Description = (Get-SectionParagraph $sections['DESCRIPTION'])
        Syntax      = $syntax.ToArray()
        Parameters  = $parameters.ToArray()
        Examples    = $examples.ToArray()
        Inputs      = (& $readTypes 'INPUTS')
        Outputs     = (& $readTypes 'OUTPUTS')
        Notes       = $notes
        Links       = $links.ToArray()
    }
}

# ---------------------------------------------------------------------------------------------------------------
# MAML writer
# ---------------------------------------------------------------------------------------------------------------

function Write-Para {
    param([System.Xml.XmlWriter] $W, [string[]] $Paragraphs)
    $W.WriteStartElement('maml', 'description', $script:NsMaml)
    if (-not $Paragraphs -or $Paragraphs.Count -eq 0) { $W.WriteElementString('maml', 'para', $script:NsMaml, '') }
    foreach ($p in $Paragraphs) { $W.WriteElementString('maml', 'para', $script:NsMaml, $p) }
    $W.WriteEndElement()
}

function Get-ShortTypeName {
    param([string] $Type)
    return ($Type -split '\.')[-1]
}

function Write-MamlParameter {
    param([System.Xml.XmlWriter] $W, $Parameter, $Set, [bool] $InSyntax)
    $isSwitch = (Get-ShortTypeName $Set.Type) -eq 'SwitchParameter'
    $W.WriteStartElement('command', 'parameter', $script:NsCommand)
    $W.WriteAttributeString('required', $Set.Required.ToString().ToLowerInvariant())
    $W.WriteAttributeString('variableLength', ($Set.Type.EndsWith('[]')).ToString().ToLowerInvariant())
    $W.WriteAttributeString('globbing', $Set.Globbing.ToString().ToLowerInvariant())
    $W.WriteAttributeString('pipelineInput', $Set.PipelineInput)
    $W.WriteAttributeString('position', $(if ($Set.Position -match '^\d+$') { $Set.Position } else { 'named' }))
    $W.WriteAttributeString('aliases', $(if ($Set.Aliases.Count) { $Set.Aliases -join ', ' } else { 'none' }))
    $W.WriteElementString('maml', 'name', $script:NsMaml, $Parameter.Name)
    Write-Para $W $Parameter.Description
    if ($Set.AcceptedValues.Count -gt 0 -and $InSyntax) {
        $W.WriteStartElement('command', 'parameterValueGroup', $script:NsCommand)
        foreach ($v in $Set.AcceptedValues) {
            $W.WriteStartElement('command', 'parameterValue', $script:NsCommand)
            $W.WriteAttributeString('required', 'false')
            $W.WriteAttributeString('command', 'variableLength', $script:NsCommand, 'false')
            $W.WriteString($v)
            $W.WriteEndElement()
        }
        $W.WriteEndElement()
    }
    if (-not ($isSwitch -and $InSyntax)) {
        $W.WriteStartElement('command', 'parameterValue', $script:NsCommand)
        $W.WriteAttributeString('required', $(if ($isSwitch) { 'false' } else { 'true' }))
        $W.WriteAttributeString('variableLength', ($Set.Type.EndsWith('[]')).ToString().ToLowerInvariant())
        $W.WriteString((Get-ShortTypeName $Set.Type))
        $W.WriteEndElement()
    }
    $W.WriteStartElement('dev', 'type', $script:NsDev)
    $W.WriteElementString('maml', 'name', $script:NsMaml, $Set.Type)
    $W.WriteElementString('maml', 'uri', $script:NsMaml, '')
    $W.WriteEndElement()
    $W.WriteElementString('dev', 'defaultValue', $script:NsDev, $Set.DefaultValue)
    $W.WriteEndElement()
}

function Get-ParameterSetEntry {
    # The yaml block of a parameter that applies to a set, or $null when the parameter is not in it.
    param($Parameter, [string] $SetName)
    foreach ($s in $Parameter.Sets) { if ($s.ParameterSets -contains $SetName) { return $s } }
    foreach ($s in $Parameter.Sets) { if ($s.ParameterSets -contains '(All)') { return $s } }
    return $null
}

function Write-MamlCommand {
    param([System.Xml.XmlWriter] $W, $Help)
    $W.WriteStartElement('command', 'command', $script:NsCommand)
    $W.WriteAttributeString('xmlns', 'maml', $null, $script:NsMaml)
    $W.WriteAttributeString('xmlns', 'command', $null, $script:NsCommand)
    $W.WriteAttributeString('xmlns', 'dev', $null, $script:NsDev)
    $W.WriteAttributeString('xmlns', 'MSHelp', $null, $script:NsMsHelp)

    $verb, $noun = $Help.Name -split '-', 2
    $W.WriteStartElement('command', 'details', $script:NsCommand)
    $W.WriteElementString('command', 'name', $script:NsCommand, $Help.Name)
    $W.WriteElementString('command', 'verb', $script:NsCommand, $verb)
    $W.WriteElementString('command', 'noun', $script:NsCommand, $noun)
    Write-Para $W $Help.Synopsis
    $W.WriteEndElement()

    Write-Para $W $Help.Description

    $W.WriteStartElement('command', 'syntax', $script:NsCommand)
    # The default set first, as Get-Command shows it.
    foreach ($set in @($Help.Syntax | Sort-Object { -not $_.IsDefault })) {
        $W.WriteStartElement('command', 'syntaxItem', $script:NsCommand)
        $W.WriteElementString('maml', 'name', $script:NsMaml, $Help.Name)
        $inSet = @($Help.Parameters | Where-Object { Get-ParameterSetEntry $_ $set.Name })
        if ($set.Name -eq '__AllParameterSets') { $inSet = @($Help.Parameters) }
        $ordered = @($set.Order | ForEach-Object { $n = $_; $inSet | Where-Object Name -eq $n }) +
            @($inSet | Where-Object { $set.Order -notcontains $_.Name })
        foreach ($p in $ordered) {
            $entry = Get-ParameterSetEntry $p $set.Name
            if ($null -eq $entry) { $entry = $p.Sets[0] }
            Write-MamlParameter $W $p $entry $true
        }
        $W.WriteEndElement()
    }
    $W.WriteEndElement()

    $W.WriteStartElement('command', 'parameters', $script:NsCommand)
    foreach ($p in $Help.Parameters) { Write-MamlParameter $W $p $p.Sets[0] $false }
    $W.WriteEndElement()

    foreach ($pair in @(@('inputTypes', 'inputType', $Help.Inputs), @('returnValues', 'returnValue', $Help.Outputs))) {
        $W.WriteStartElement('command', $pair[0], $script:NsCommand)
        foreach ($t in $pair[2]) {
            $W.WriteStartElement('command', $pair[1], $script:NsCommand)
            $W.WriteStartElement('dev', 'type', $script:NsDev)
            $W.WriteElementString('maml', 'name', $script:NsMaml, $t.Type)
            $W.WriteEndElement()
            Write-Para $W $t.Description
            $W.WriteEndElement()
        }
        $W.WriteEndElement()
    }

    $W.WriteStartElement('maml', 'alertSet', $script:NsMaml)
    $W.WriteStartElement('maml', 'alert', $script:NsMaml)
    # Get-Help runs the paragraphs of an alert together: keep them apart with blank lines inside one paragraph.
    $W.WriteElementString('maml', 'para', $script:NsMaml, ($Help.Notes -join "`n`n"))
    $W.WriteEndElement()
    $W.WriteEndElement()

    $W.WriteStartElement('command', 'examples', $script:NsCommand)
    foreach ($e in $Help.Examples) {
        $W.WriteStartElement('command', 'example', $script:NsCommand)
        $W.WriteElementString('maml', 'title', $script:NsMaml, "--------- $($e.Title) ---------")
        $W.WriteElementString('dev', 'code', $script:NsDev, $e.Code)
        $W.WriteStartElement('dev', 'remarks', $script:NsDev)
        if ($e.Remarks.Count -eq 0) { $W.WriteElementString('maml', 'para', $script:NsMaml, '') }
        foreach ($r in $e.Remarks) { $W.WriteElementString('maml', 'para', $script:NsMaml, $r) }
        # A trailing empty paragraph gives the blank line between examples that Get-Help does not add itself.
        if ($e.Remarks.Count -gt 0) { $W.WriteElementString('maml', 'para', $script:NsMaml, '') }
        $W.WriteEndElement()
        $W.WriteEndElement()
    }
    $W.WriteEndElement()

    $W.WriteStartElement('command', 'relatedLinks', $script:NsCommand)
    foreach ($l in $Help.Links) {
        $W.WriteStartElement('maml', 'navigationLink', $script:NsMaml)
        $W.WriteElementString('maml', 'linkText', $script:NsMaml, $l.Text)
        # Links to sibling .md files mean nothing to Get-Help -Online; keep only absolute URIs.
        $W.WriteElementString('maml', 'uri', $script:NsMaml, $(if ($l.Uri -match '^https?://') { $l.Uri } else { '' }))
        $W.WriteEndElement()
    }
    $W.WriteEndElement()

    $W.WriteEndElement()
}

function ConvertTo-MamlHelp {
    <#
    .SYNOPSIS
    Converts platyPS v1 command markdown files into one MAML help file (e.g. en-US/SyscallPS.dll-Help.xml).
    Returns the parsed help objects.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][string[]] $Path,
        [Parameter(Mandatory)][string] $OutputFile
    )
    $helps = @($Path | Sort-Object | ForEach-Object { Read-CommandHelpMarkdown -Path $_ })
    $dir = Split-Path -Parent $OutputFile
    if ($dir) { $null = New-Item -ItemType Directory -Force -Path $dir }
    $settings = [System.Xml.XmlWriterSettings]::new()
    $settings.Indent = $true
    $settings.Encoding = [System.Text.UTF8Encoding]::new($false)
    $settings.NewLineChars = "`n"
    $w = [System.Xml.XmlWriter]::Create($OutputFile, $settings)
    try {
        $w.WriteStartDocument()
        $w.WriteStartElement('helpItems', $script:NsMsh)
        $w.WriteAttributeString('schema', 'maml')
        foreach ($h in $helps) { Write-MamlCommand $w $h }
        $w.WriteEndElement()
        $w.WriteEndDocument()
    }
    finally { $w.Dispose() }
    # Fail the build on malformed output rather than let Get-Help silently ignore the file.
    $null = [xml](Get-Content -Raw -LiteralPath $OutputFile)
    return $helps
}

# ---------------------------------------------------------------------------------------------------------------
# about_ topics
# ---------------------------------------------------------------------------------------------------------------

function Format-Wrapped {
    param([string] $Text, [int] $Indent, [int] $HangingIndent = $Indent, [int] $Width = 80)
    $out = [System.Collections.Generic.List[string]]::new()
    $line = ' ' * $Indent
    $lineHasWord = $false
    foreach ($word in ($Text -split '\s+' | Where-Object { $_ })) {
        if ($lineHasWord -and ($line.Length + 1 + $word.Length) -gt $Width) {
            $out.Add($line)
            $line = (' ' * $HangingIndent) + $word
        }
        else {
            $line += $(if ($lineHasWord) { ' ' } else { '' }) + $word
        }
        $lineHasWord = $true
    }
    if ($lineHasWord) { $out.Add($line) }
    return $out
}

function Add-BlankLine {
    # Ends the text so far with exactly one blank line.
    param([System.Text.StringBuilder] $Builder)
    while ($Builder.Length -gt 0 -and $Builder[$Builder.Length - 1] -eq "`n") { $null = $Builder.Remove($Builder.Length - 1, 1) }
    $null = $Builder.Append("`n`n")
}

function ConvertTo-AboutHelpText {
    <#
    .SYNOPSIS
    Converts a platyPS about_ topic markdown file to the about_*.help.txt text Get-Help shows.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][string] $Path,
        [Parameter(Mandatory)][string] $OutputFile
    )
    $raw = [System.IO.File]::ReadAllText($Path) -replace "`r`n", "`n"
    $front = Split-FrontMatter ($raw -split "`n")
    $h1 = @(Get-MarkdownSection $front.Lines 1 | Where-Object Title)
    if ($h1.Count -ne 1) { throw "$(Split-Path -Leaf $Path): expected exactly one '# about_Name' heading." }
    $sb = [System.Text.StringBuilder]::new()
    $null = $sb.Append("TOPIC`n    $($h1[0].Title)`n")
    foreach ($s2 in (Get-MarkdownSection $h1[0].Lines 2)) {
        if ($s2.Title) { Add-BlankLine $sb; $null = $sb.Append("$($s2.Title.ToUpperInvariant())`n") }
        foreach ($s3 in (Get-MarkdownSection $s2.Lines 3)) {
            if ($s3.Title) { Add-BlankLine $sb; $null = $sb.Append("  $($s3.Title)`n") }
            foreach ($block in (Get-MarkdownBlock $s3.Lines)) {
                if ($block.Kind -eq 'Code') {
                    foreach ($l in $block.Lines) { $null = $sb.Append(('        ' + $l).TrimEnd()).Append("`n") }
                    $null = $sb.Append("`n")
                    continue
                }
                if ($block.Lines | Where-Object { $_ -match '^\s*\|' }) {
                    foreach ($l in $block.Lines) {
                        if ($l -match '^\s*\|[\s|:-]+\|\s*$') { continue }  # the |---|---| separator row
                        $null = $sb.Append('    ' + (ConvertFrom-MarkdownInline $l.Trim())).Append("`n")
                    }
                    $null = $sb.Append("`n")
                    continue
                }
                foreach ($p in (ConvertTo-Paragraph $block)) {
                    $hang = if ($p -match '^(-|\d+\.) ') { 4 + $Matches[0].Length } else { 4 }
                    foreach ($l in (Format-Wrapped $p 4 $hang)) { $null = $sb.Append($l).Append("`n") }
                }
                $null = $sb.Append("`n")
            }
        }
    }
    $dir = Split-Path -Parent $OutputFile
    if ($dir) { $null = New-Item -ItemType Directory -Force -Path $dir }
    [System.IO.File]::WriteAllText($OutputFile, ($sb.ToString().TrimEnd() + "`n"), [System.Text.UTF8Encoding]::new($false))
}

Export-ModuleMember -Function Read-CommandHelpMarkdown, ConvertTo-MamlHelp, ConvertTo-AboutHelpText
