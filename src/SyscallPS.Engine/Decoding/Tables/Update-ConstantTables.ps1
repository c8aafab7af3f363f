#Requires -Version 7.4
<#
.SYNOPSIS
    Generates the constant tables of Decoding/Tables (Generated/*.g.cs) from the data files (data/*.tsv).

.DESCRIPTION
    One data file per table class (data/FileTables.tsv makes the class FileTables). Tab-separated, one row per
    (name, value) pair, in the order strace prints them (a flag table's composites before their parts):

      table    the C# field (OpenFlags), or 'const' for a C# constant
      kind     flags | values | values-decimal (unknown values printed in decimal) | names (a string array in
               row order) | errno (the text column is the message) | mask / field (a table of bit fields:
               a mask row, then the values of that field) | for 'const' rows, the C# type (int, uint, ulong)
      unknown  what strace writes in the comment after an unknown value: O_??? (most), SOL_?? (a few), ?_OK
      value    as the header has it, decimal or 0x hex
      name     the C name, as strace prints it
      arch     empty for both architectures, or x86_64 / aarch64 for a value that differs: the two rows follow
               each other and the C# chooses with Abi.IsArm64
      text     errno's message; a const's C# name where it is not the C name (AtFdCwd for AT_FDCWD); for
               other kinds a comment written above the entry

    '## ' lines before the header row document the class, '## ' lines before a table's first row document that
    table; other '#' lines are comments of the data file only. Code that is not a table (helpers, composite
    logic) lives in the hand-written partial class next to the generated one.

    ConstantTableHeaderTests compiles every name of the data files against /usr/include and compares the values;
    ConstantTableDataTests fails when Generated/ is out of date with the data.

.EXAMPLE
    ./src/SyscallPS.Engine/Decoding/Tables/Update-ConstantTables.ps1
#>
[CmdletBinding()]
param(
    [string] $DataDirectory = (Join-Path $PSScriptRoot 'data'),
    [string] $OutDirectory = (Join-Path $PSScriptRoot 'Generated')
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$columns = 'table', 'kind', 'unknown', 'value', 'name', 'arch', 'text'
$tableKinds = @{ flags = 'FlagTable'; values = 'ValueTable'; 'values-decimal' = 'ValueTable' }
$constTypes = 'int', 'uint', 'ulong'
$archs = '', 'x86_64', 'aarch64'

function Fail([string] $File, [int] $Line, [string] $Message) { throw "${File}:${Line}: $Message" }

function Quote([string] $Text) { '"' + $Text.Replace('\', '\\').Replace('"', '\"') + '"' }

function Doc([string[]] $Lines, [string] $Indent) {
    if ($Lines.Count -gt 0) {
        $text = ($Lines -join ' ').Replace('&', '&amp;').Replace('<', '&lt;').Replace('>', '&gt;')
        "$Indent/// <summary>$text</summary>"
    }
}

# A value as written in the data file, or for a pair of arch rows the choice between them (typed by suffix, as a
# conditional of two int literals would not convert to ulong).
function ValueText($Entry, [string] $Suffix) {
    if ($Entry.Arm64) { "Abi.IsArm64 ? $($Entry.Arm64)$Suffix : $($Entry.Value)$Suffix" } else { $Entry.Value }
}

# The unknown-value comment split into the constructor's prefix and marker arguments.
function UnknownArguments([string] $Unknown) {
    if ($Unknown.EndsWith('???')) { return (Quote $Unknown.Substring(0, $Unknown.Length - 3)), '' }
    if ($Unknown.EndsWith('??')) { return (Quote $Unknown.Substring(0, $Unknown.Length - 2)), ', unknownMarker: "??"' }
    return (Quote $Unknown), ', unknownMarker: ""'
}

function Read-Tables([string] $Path) {
    $file = Split-Path -Leaf $Path
    $classDoc = [System.Collections.Generic.List[string]]::new()
    $pendingDoc = [System.Collections.Generic.List[string]]::new()
    $tables = [System.Collections.Generic.List[object]]::new()
    $seen = @{}
    $headerSeen = $false
    $lineNumber = 0
    foreach ($line in [System.IO.File]::ReadAllLines($Path)) {
        $lineNumber++
        if ($line -eq '') { continue }
        if ($line.StartsWith('## ')) {
            if ($headerSeen) { $pendingDoc.Add($line.Substring(3).Trim()) } else { $classDoc.Add($line.Substring(3).Trim()) }
            continue
        }
        if ($line.StartsWith('#')) { continue }
        $f = $line.Split("`t")
        if (-not $headerSeen) {
            if (($f -join ',') -ne ($columns -join ',')) { Fail $file $lineNumber "the header row must be: $($columns -join ' ')" }
            $headerSeen = $true
            continue
        }
        if ($f.Count -ne $columns.Count) { Fail $file $lineNumber "$($f.Count) fields, expected $($columns.Count)" }
        $row = [ordered]@{}
        for ($i = 0; $i -lt $columns.Count; $i++) { $row[$columns[$i]] = $f[$i] }
        if ($row.value -notmatch '^-?(0x[0-9a-fA-F]+|\d+)$') { Fail $file $lineNumber "value '$($row.value)' is not decimal or 0x hex" }
        if ($row.name.Trim() -eq '') { Fail $file $lineNumber 'a name is required' }
        if ($row.arch -notin $archs) { Fail $file $lineNumber "arch '$($row.arch)' is not one of x86_64, aarch64 or empty" }

        $key = $row.table
        if ($key -eq 'const') { $key = "const $($row.text ? $row.text : $row.name)" }
        $table = if ($tables.Count -gt 0 -and $tables[-1].Key -eq $key) { $tables[-1] } else { $null }
        if ($null -eq $table) {
            if ($seen.ContainsKey($key)) { Fail $file $lineNumber "$($row.table) continues after another table: keep a table's rows together" }
            $kind = if ($row.kind -eq 'mask') { 'fields' } else { $row.kind }
            $valid = if ($row.table -eq 'const') { $kind -in $constTypes } else { $kind -in @($tableKinds.Keys) + 'names', 'errno', 'fields' }
            if (-not $valid) { Fail $file $lineNumber "kind '$($row.kind)' is not valid for $($row.table)" }
            $table = [pscustomobject]@{ Key = $key; Name = $row.table; Kind = $kind; Unknown = $row.unknown; Doc = @($pendingDoc); Entries = [System.Collections.Generic.List[object]]::new() }
            $tables.Add($table)
            $seen[$key] = $true
            $pendingDoc.Clear()
        }
        elseif ($pendingDoc.Count -gt 0) { Fail $file $lineNumber "a '## ' line inside $($row.table): document the table above its first row" }

        $rowKind = if ($table.Kind -eq 'fields') { $row.kind -in 'mask', 'field' } else { $row.kind -eq $table.Kind }
        if (-not $rowKind -or $row.unknown -ne $table.Unknown) { Fail $file $lineNumber "kind and unknown must be the same on every row of $($row.table)" }
        if ($table.Kind -in 'names', 'errno', 'fields' -or $table.Name -eq 'const') {
            if ($row.unknown -ne '') { Fail $file $lineNumber "a $($table.Kind) row has no unknown comment" }
        }
        elseif ($row.unknown -eq '') { Fail $file $lineNumber "$($row.table) needs the unknown comment strace prints (PREFIX_???)" }

        $previous = if ($table.Entries.Count -gt 0) { $table.Entries[-1] } else { $null }
        if ($row.arch -eq 'aarch64') {
            if ($null -eq $previous -or $previous.Name -ne $row.name -or $previous.Arch -ne 'x86_64' -or $previous.Arm64) {
                Fail $file $lineNumber "an aarch64 row follows the x86_64 row of the same name"
            }
            if ($table.Kind -notin @($tableKinds.Keys) + $constTypes) { Fail $file $lineNumber "per-arch values are supported in flag, value and const tables" }
            $previous.Arm64 = $row.value
            continue
        }
        if ($null -ne $previous -and $previous.Arch -eq 'x86_64' -and -not $previous.Arm64) { Fail $file ($lineNumber - 1) "the x86_64 row of $($previous.Name) has no aarch64 row after it" }
        $table.Entries.Add([pscustomobject]@{ Kind = $row.kind; Value = $row.value; Name = $row.name; Arch = $row.arch; Arm64 = $null; Text = $row.text })
    }
    if (-not $headerSeen) { Fail $file $lineNumber 'no header row' }
    # The check above sees a row's successor only within its table: an x86_64 row that ends a table is checked here.
    foreach ($t in $tables) {
        $last = if ($t.Entries.Count -gt 0) { $t.Entries[-1] } else { $null }
        if ($null -ne $last -and $last.Arch -eq 'x86_64' -and -not $last.Arm64) { Fail $file $lineNumber "the x86_64 row of $($last.Name) has no aarch64 row after it" }
    }
    if ($classDoc.Count -eq 0) { Fail $file 1 "the class needs a '## ' summary line before the header row" }
    [pscustomobject]@{ Doc = @($classDoc); Tables = $tables }
}

# Entries several to a line, as a person would type them (one to a line makes the tables' 1,600 lines read as
# hundreds of look-alike runs); an entry with a comment gets a line of its own under it.
function Add-Packed($Out, $Items) {
    $line = ''
    foreach ($item in $Items) {
        if ($item.Comment -or ($line -and $line.Length + $item.Text.Length + 2 -gt 112)) {
            if ($line) { $Out.Add("        $line") }
            $line = ''
        }
        if ($item.Comment) {
            $Out.Add("        // $($item.Comment)")
            $Out.Add("        $($item.Text),")
            continue
        }
        $line = if ($line) { "$line $($item.Text)," } else { "$($item.Text)," }
    }
    if ($line) { $Out.Add("        $line") }
}

function Write-Class([string] $Class, $Data) {
    $o = [System.Collections.Generic.List[string]]::new()
    $o.Add('// <auto-generated>')
    $o.Add("// Generated by Update-ConstantTables.ps1 from data/$Class.tsv: edit the data file and run the script.")
    $o.Add('// </auto-generated>')
    $o.Add('namespace SyscallPS.Decoding.Tables;')
    $o.Add('')
    Doc $Data.Doc '' | ForEach-Object { $o.Add($_) }
    $o.Add("internal static partial class $Class")
    $o.Add('{')
    $tables = $Data.Tables
    for ($i = 0; $i -lt $tables.Count; $i++) {
        $t = $tables[$i]
        if ($i -gt 0) { $o.Add('') }
        Doc $t.Doc '    ' | ForEach-Object { $o.Add($_) }
        switch ($t.Kind) {
            { $_ -in $constTypes } {
                $e = $t.Entries[0]
                if ($e.Arm64) {
                    $o.Add("    public static readonly $($t.Kind) $($e.Text ? $e.Text : $e.Name) = $(ValueText $e ($t.Kind -eq 'ulong' ? 'UL' : ($t.Kind -eq 'uint' ? 'U' : '')));")
                    break
                }
                if ($e.Text) { $o.Add("    public const $($t.Kind) $($e.Text) = $($e.Value); // $($e.Name)"); break }
                # Undocumented constants of one type that follow each other: one declaration.
                $run = @($e)
                while ($i + 1 -lt $tables.Count -and $tables[$i + 1].Name -eq 'const' -and $tables[$i + 1].Kind -eq $t.Kind -and
                       $tables[$i + 1].Doc.Count -eq 0 -and -not $tables[$i + 1].Entries[0].Arm64 -and -not $tables[$i + 1].Entries[0].Text) {
                    $run += $tables[++$i].Entries[0]
                }
                if ($run.Count -eq 1) { $o.Add("    public const $($t.Kind) $($e.Name) = $($e.Value);"); break }
                $o.Add("    public const $($t.Kind)")
                Add-Packed $o @($run | ForEach-Object { [pscustomobject]@{ Text = "$($_.Name) = $($_.Value)"; Comment = '' } })
                $o[$o.Count - 1] = $o[$o.Count - 1].TrimEnd(',') + ';'
            }
            { $_ -in $tableKinds.Keys } {
                $type = $tableKinds[$t.Kind]
                $prefix, $marker = UnknownArguments $t.Unknown
                $hex = if ($t.Kind -eq 'values-decimal') { ', hexUnknown: false' } else { '' }
                $suffix = if ($type -eq 'FlagTable') { 'UL' } else { 'L' }
                $items = @($t.Entries | ForEach-Object { [pscustomobject]@{ Text = "($(ValueText $_ $suffix), $(Quote $_.Name))"; Comment = $_.Text } })
                $oneLine = "    public static readonly $type $($t.Name) = new($prefix, [$(($items.Text) -join ', ')]$hex$marker);"
                if ($oneLine.Length -le 120 -and -not ($items | Where-Object Comment)) { $o.Add($oneLine); break }
                $o.Add("    public static readonly $type $($t.Name) = new($prefix,")
                $o.Add('    [')
                Add-Packed $o $items
                $o.Add("    ]$hex$marker);")
            }
            'names' {
                $o.Add("    public static readonly string[] $($t.Name) =")
                $o.Add('    [')
                Add-Packed $o @($t.Entries | ForEach-Object { [pscustomobject]@{ Text = (Quote $_.Name); Comment = '' } })
                $o.Add('    ];')
            }
            'errno' {
                $o.Add("    internal static readonly (int Value, string Name, string Message)[] $($t.Name) =")
                $o.Add('    [')
                foreach ($e in $t.Entries) { $o.Add("        ($($e.Value), $(Quote $e.Name), $(Quote $e.Text)),") }
                $o.Add('    ];')
            }
            'fields' {
                $o.Add("    public static readonly (uint Mask, (uint Value, string Name)[] Names)[] $($t.Name) =")
                $o.Add('    [')
                $group = $null
                foreach ($e in $t.Entries) {
                    if ($e.Kind -eq 'mask') {
                        if ($null -ne $group) { $o.Add("        $group]),") }
                        $o.Add("        // $($e.Name)")
                        $group = "($($e.Value), ["
                        $sep = ''
                    }
                    elseif ($null -eq $group) { throw "$Class.$($t.Name): a field row before any mask row" }
                    else { $group += "$sep($($e.Value), $(Quote $e.Name))"; $sep = ', ' }
                }
                $o.Add("        $group]),")
                $o.Add('    ];')
            }
        }
    }
    $o.Add('}')
    ($o -join "`n") + "`n"
}

# Every file is read and checked before any is written, so a bad row leaves Generated/ as it was.
$classes = [ordered]@{}
foreach ($file in Get-ChildItem -LiteralPath $DataDirectory -Filter '*.tsv' | Sort-Object Name) {
    $classes[$file.BaseName] = Write-Class $file.BaseName (Read-Tables $file.FullName)
}
$null = New-Item -ItemType Directory -Force -Path $OutDirectory
$written = @()
foreach ($class in $classes.Keys) {
    [System.IO.File]::WriteAllText((Join-Path $OutDirectory "$class.g.cs"), $classes[$class], [System.Text.UTF8Encoding]::new($false))
    $written += "$class.g.cs"
}
# A class whose data file is gone leaves no stale generated file behind.
Get-ChildItem -LiteralPath $OutDirectory -Filter '*.g.cs' | Where-Object Name -notin $written | Remove-Item
Write-Verbose "Wrote $($written.Count) files to $OutDirectory."
