#Requires -Version 7.4
<#
.SYNOPSIS
    Rebuilds syscalls.tsv, the syscall table embedded in SyscallPS.Engine.

.DESCRIPTION
    Sources, all on this machine or committed next to this script:
      numbers (x86_64)  - the x86_64 kernel header asm/unistd_64.h
      numbers (aarch64) - asm-generic/unistd.h, run through the C preprocessor with the
                          __ARCH_WANT_* switches arm64 sets, so the __NR3264_* names resolve
                          to their 64-bit spellings (fcntl, lseek, mmap, newfstatat ...)
      newer numbers     - data/numbers-supplement.tsv (syscalls newer than the installed headers)
      parameters        - /sys/kernel/tracing/events/syscalls/sys_enter_*/format; without tracefs the
                          parameters already in syscalls.tsv are kept; data/parameters-fallback.tsv
                          for syscalls that have no tracepoint
      categories        - data/categories.tsv (strace's classes)
      advice            - data/advice.tsv (the seed article's watch list)
    See docs/SyscallTable.md.

.EXAMPLE
    ./src/SyscallPS.Engine/Syscalls/Update-SyscallTable.ps1
#>
[CmdletBinding()]
param(
    [string] $X64Header = '/usr/include/x86_64-linux-gnu/asm/unistd_64.h',
    [string] $GenericHeader = '/usr/include/asm-generic/unistd.h',
    [string] $Preprocessor = 'gcc',
    [string] $TracefsSyscalls = '/sys/kernel/tracing/events/syscalls',
    [string] $OutFile = (Join-Path $PSScriptRoot 'syscalls.tsv')
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$dataDir = Join-Path $PSScriptRoot 'data'

# Reads a committed tab-separated data file: '#' lines are comments, the first other line is the header.
function Read-DataFile([string] $Path) {
    $lines = Get-Content -LiteralPath $Path | Where-Object { $_ -and -not $_.StartsWith('#') }
    $header = $lines[0].Split("`t")
    foreach ($line in $lines | Select-Object -Skip 1) {
        $fields = $line.Split("`t")
        $row = [ordered]@{}
        for ($i = 0; $i -lt $header.Length; $i++) { $row[$header[$i]] = if ($i -lt $fields.Length) { $fields[$i] } else { '' } }
        [pscustomobject]$row
    }
}

# --- numbers: x86_64 -------------------------------------------------------------------------
$x64 = [ordered]@{}
foreach ($line in Get-Content -LiteralPath $X64Header) {
    if ($line -match '^#define __NR_(\w+)\s+(\d+)\s*$') { $x64[$Matches[1]] = [int]$Matches[2] }
}
if ($x64.Count -lt 300) { throw "Only $($x64.Count) syscalls found in $X64Header." }

# --- numbers: aarch64 (generic table) ---------------------------------------------------------
# arm64's uapi asm/unistd.h sets these switches before including the generic table; on a 64-bit
# build __BITS_PER_LONG is 64, which selects the plain names for the __NR3264_* entries.
$arm64Wants = '__ARCH_WANT_RENAMEAT', '__ARCH_WANT_NEW_STAT', '__ARCH_WANT_SET_GET_RLIMIT',
              '__ARCH_WANT_TIME32_SYSCALLS', '__ARCH_WANT_SYS_CLONE3', '__ARCH_WANT_MEMFD_SECRET'
$ppArgs = @('-E', '-dM') + ($arm64Wants | ForEach-Object { "-D$_" }) + @('-x', 'c', '-')
$macros = @{}
foreach ($line in "#include `"$GenericHeader`"" | & $Preprocessor @ppArgs) {
    if ($line -match '^#define (__NR\w+)\s+(\S+)\s*$') { $macros[$Matches[1]] = $Matches[2] }
}
if ($LASTEXITCODE -ne 0) { throw "$Preprocessor failed on $GenericHeader." }
function Resolve-Macro([string] $value, [int] $depth = 0) {
    $value = $value.Trim('(', ')')
    if ($value -match '^\d+$') { return [int]$value }
    if ($depth -lt 5 -and $macros.ContainsKey($value)) { return Resolve-Macro $macros[$value] ($depth + 1) }
    return $null
}
# Not syscalls: the table size and the start of the (unused on arm64) arch-specific range.
$notSyscalls = 'syscalls', 'arch_specific_syscall'
$arm64 = [ordered]@{}
foreach ($key in $macros.Keys) {
    if ($key -notmatch '^__NR_(\w+)$') { continue }
    $name = $Matches[1]
    if ($name -in $notSyscalls) { continue }
    $number = Resolve-Macro $macros[$key]
    if ($null -ne $number) { $arm64[$name] = $number }
}
if ($arm64.Count -lt 250) { throw "Only $($arm64.Count) syscalls found in $GenericHeader." }

# --- numbers: newer than the headers ----------------------------------------------------------
foreach ($row in Read-DataFile (Join-Path $dataDir 'numbers-supplement.tsv')) {
    if ($row.x86_64) { $x64[$row.name] = [int]$row.x86_64 }
    if ($row.aarch64) { $arm64[$row.name] = [int]$row.aarch64 }
}

# --- parameters -------------------------------------------------------------------------------
# Tracepoints named after the kernel function where it differs from the syscall's name.
$tracepointAliases = @{
    newfstat = 'fstat'; newstat = 'stat'; newlstat = 'lstat'; newuname = 'uname'
    sendfile64 = 'sendfile'; umount = 'umount2'
}
$parameters = @{}
$parameterSource = ''
if (Test-Path -LiteralPath $TracefsSyscalls) {
    $parameterSource = $TracefsSyscalls
    foreach ($dir in Get-ChildItem -LiteralPath $TracefsSyscalls -Directory -Filter 'sys_enter_*') {
        $name = $dir.Name.Substring('sys_enter_'.Length)
        if ($tracepointAliases.ContainsKey($name)) { $name = $tracepointAliases[$name] }
        $decls = foreach ($line in Get-Content -LiteralPath (Join-Path $dir.FullName 'format')) {
            # "field:const char * filename;	offset:24;..." after the common_* fields and __syscall_nr
            if ($line -match '^\s*field:([^;]+);' -and $Matches[1] -notmatch '\b(common_\w+|__syscall_nr)$') { $Matches[1].Trim() }
        }
        $parameters[$name] = ($decls -join ';')
    }
} elseif (Test-Path -LiteralPath $OutFile) {
    $parameterSource = "the previous $([IO.Path]::GetFileName($OutFile)) (no tracefs)"
    foreach ($row in Read-DataFile $OutFile) { $parameters[$row.name] = $row.parameters }
    Write-Warning "No tracefs at ${TracefsSyscalls}: keeping the parameters already in $OutFile."
} else {
    throw "No tracefs at $TracefsSyscalls and no existing $OutFile to take parameters from."
}
foreach ($row in Read-DataFile (Join-Path $dataDir 'parameters-fallback.tsv')) {
    if (-not $parameters.ContainsKey($row.name)) { $parameters[$row.name] = $row.parameters }
}

# --- categories and advice --------------------------------------------------------------------
$categories = @{}
foreach ($row in Read-DataFile (Join-Path $dataDir 'categories.tsv')) { $categories[$row.name] = $row.categories }
$advice = @{}
foreach ($row in Read-DataFile (Join-Path $dataDir 'advice.tsv')) { $advice[$row.name] = $row.advice }

# --- merge and write --------------------------------------------------------------------------
$names = [System.Collections.Generic.List[string]]::new()
$x64.Keys | Sort-Object { $x64[$_] } | ForEach-Object { $names.Add($_) }
$arm64.Keys | Where-Object { -not $x64.Contains($_) } | Sort-Object { $arm64[$_] } | ForEach-Object { $names.Add($_) }

$missingParameters = $names | Where-Object { -not $parameters.ContainsKey($_) }
if ($missingParameters) { Write-Warning "No parameters known for: $($missingParameters -join ', ') (add them to data/parameters-fallback.tsv)." }
$unknown = @($categories.Keys) + @($advice.Keys) | Where-Object { $_ -notin $names } | Sort-Object -Unique
if ($unknown) { throw "Data files name syscalls that are in no table: $($unknown -join ', ')." }
$tracefsOnly = $parameters.Keys | Where-Object { $_ -notin $names } | Sort-Object
if ($tracefsOnly) { Write-Warning "Tracepoints without a syscall number (add them to data/numbers-supplement.tsv): $($tracefsOnly -join ', ')." }

$out = [System.Collections.Generic.List[string]]::new()
$out.Add("name`tx86_64`taarch64`tcategories`tparameters`tadvice")
$out.Add('# Generated by Update-SyscallTable.ps1 - do not edit by hand; see docs/SyscallTable.md.')
$out.Add("# Sources: $X64Header; $GenericHeader; data/numbers-supplement.tsv; parameters from $parameterSource.")
foreach ($name in $names) {
    $fields = @(
        $name
        if ($x64.Contains($name)) { $x64[$name] } else { '' }
        if ($arm64.Contains($name)) { $arm64[$name] } else { '' }
        $categories[$name] ?? ''
        $parameters[$name] ?? ''
        $advice[$name] ?? ''
    )
    $out.Add($fields -join "`t")
}
# LF endings on every platform: the file is an embedded resource read line by line.
[System.IO.File]::WriteAllText($OutFile, ($out -join "`n") + "`n", [System.Text.UTF8Encoding]::new($false))
Write-Verbose "Wrote $($names.Count) syscalls ($($x64.Count) x86_64, $($arm64.Count) aarch64) to $OutFile."
[pscustomobject]@{ Path = $OutFile; Syscalls = $names.Count; X86_64 = $x64.Count; AArch64 = $arm64.Count }
