# Every example of the cmdlet help (docs/<Cmdlet>.md) is run, as a user would paste it, in a scratch folder that
# holds what the examples name: ./app (a small program that opens and writes files), a Makefile for `make`, strace
# logs (trace.log, customer.strace), captures (make.trace, web1/web2/db1.trace), and a running process in place of the pid 4242. The
# examples of one page share one runspace and its variables, in order, as a reader's session would. An example
# passes when it runs without an error, or, when it shows one, with exactly that error. The few that need what a test
# machine cannot give skip, saying why.

BeforeDiscovery {
    $repo = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    Import-Module (Join-Path $repo 'build/MarkdownHelp.psm1') -Force
    $manifest = & "$PSScriptRoot/ModuleUnderTest.ps1"
    $cmdlets = @((Import-Module $manifest -PassThru -ErrorAction Stop).ExportedCmdlets.Keys)
    # What an example needs that a test cannot provide, by page and example number.
    $skips = @{
        'Export-SyscallEvent/1'  = 'needs DuckDB (duckdb), which is not a dependency of the tests'
        'Get-SyscallEvent/5'     = 'needs a rotated system-wide recording in /var/tmp (Start-SyscallTrace Example 7)'
        'Start-SyscallTrace/7'   = 'records the whole machine into /var/tmp for hours'
        'Start-SyscallTrace/8'   = 'needs an HTTP server on localhost and the eBPF engine'
        'Stop-SyscallTrace/1'    = 'waits ten seconds'
        'Import-StraceLog/3'     = 'writes /tmp/build.* outside the test folder'
        'Import-StraceLog/4'     = 'needs golden[1].log, a log of a program connecting to port 443'
        'Get-SyscallTrace/3'     = 'names session 2, an id from the reader''s own earlier sessions'
        'Stop-SyscallTrace/3'    = 'names sessions 1 and 3, ids from the reader''s own earlier sessions'
    }
    $script:Pages = foreach ($name in ($cmdlets | Sort-Object)) {
        $doc = Read-CommandHelpMarkdown -Path (Join-Path $repo "docs/$name.md")
        $i = 0
        $examples = foreach ($e in $doc.Examples) {
            $i++
            $lines = @($e.Code -split "`r?`n")
            # With prompts, the code is the prompted lines; without, it runs up to the first blank line (the output follows).
            $code = if ($lines -match '^PS /> ') { ($lines -match '^PS /> ' -replace '^PS /> ') -join "`n" }
            else { (@($lines | ForEach-Object -Begin { $done = $false } -Process { if (-not $_.Trim()) { $done = $true }; if (-not $done) { $_ } })) -join "`n" }
            # An example that shows an error ("Invoke-RawSyscall: kill is refused ...") expects that error.
            $expected = @($lines -notmatch '^PS /> ' -match '^[A-Z][a-z]+-[A-Za-z]+: ' -replace '^[A-Z][a-z]+-[A-Za-z]+: ')
            @{ Page = $name; Number = $i; Title = $e.Title; Code = $code; Skip = $skips["$name/$i"]; ExpectedErrors = $expected }
        }
        @{ Name = $name; Examples = @($examples) }
    }

    # The README's PowerShell blocks, as a reader would paste them, with the same scratch folder. The Pester recipes
    # among them run in CiRecipes.Tests.ps1; the module is imported from the build under test, and waits of 5 s and
    # 30 s are shortened to 1 s (what they show does not depend on the length).
    $readme = Get-Content -Raw -LiteralPath (Join-Path $repo 'README.md')
    $blocks = @([regex]::Matches($readme, '(?ms)^```powershell\r?\n(.*?)^```') | ForEach-Object { $_.Groups[1].Value })
    $i = 0
    $readmeExamples = foreach ($block in $blocks) {
        $i++
        if ($block -match '^\s*Describe ') { continue }
        $skip = if ($block -match 'New-PSSession -HostName h1') { 'needs SSH hosts named h1, h2 and h3 (Remoting.Tests.ps1 runs the same over local sshd instances)' }
            elseif ($block -match '-SystemWide -Duration 01:00:00') { 'records the whole machine into /var/tmp for an hour' }
        $code = $block -replace '(?m)^Import-Module \./SyscallPS\.psd1', "Import-Module '$manifest'" -replace '-Duration (5|30)s\b', '-Duration 1s'
        @{ Page = 'README'; Number = $i; Title = "README block $i"; Code = $code; Skip = $skip; ExpectedErrors = @() }
    }
    $script:Pages += @{ Name = 'README.md'; Examples = @($readmeExamples) }
}

BeforeAll {
    $script:ManifestPath = & "$PSScriptRoot/ModuleUnderTest.ps1"
    $script:Scratch = Join-Path $TestDrive 'examples'
    $null = New-Item -ItemType Directory -Path $Scratch
    Push-Location -LiteralPath $Scratch
    try {
        Set-Content -LiteralPath app -Value "#!/bin/sh`ncat /etc/hostname > /dev/null`necho data > app.out`ncat /nonexistent 2> /dev/null`nexit 0"
        chmod +x app
        Set-Content -LiteralPath Makefile -Value "all:`n`t@cc --version > /dev/null`n`t@ls > /dev/null`n"
        strace -f -tt -T -o trace.log ls / > $null 2>&1
        Copy-Item -LiteralPath trace.log -Destination customer.strace
        Import-Module $ManifestPath -ErrorAction Stop
        $null = Start-SyscallTrace -FilePath make -OutFile make.trace
        $null = Start-SyscallTrace -FilePath cat -ArgumentList /etc/hostname -OutFile 'cat[1].trace'
        # Three "hosts'" recordings for the merged timeline.
        foreach ($h in 'web1', 'web2', 'db1') { $null = Start-SyscallTrace -FilePath ./app -OutFile "$h.trace" }
    }
    finally { Pop-Location }
    # The process that stands for "4242" in the examples.
    $script:Stand = Start-Process -FilePath sleep -ArgumentList 600 -PassThru
}

AfterAll {
    if ($Stand -and -not $Stand.HasExited) { $Stand.Kill() }
}

Describe 'The examples of <Name>' -ForEach $Pages {
    BeforeAll {
        $script:Runspace = [powershell]::Create()
        $null = $Runspace.AddScript("Set-Location -LiteralPath '$Scratch'; Import-Module '$ManifestPath' -ErrorAction Stop").Invoke()
        $Runspace.Commands.Clear()
    }

    AfterAll {
        # Sessions an example left running in the background end with the page.
        $null = $Runspace.AddScript('Get-SyscallTrace | Where-Object State -EQ Running | Stop-SyscallTrace').Invoke()
        $Runspace.Dispose()
    }

    It '<Title>' -ForEach $Examples {
        if ($Skip) { Set-ItResult -Skipped -Because $Skip; return }
        $code = $Code -replace '\b4242\b', "$($Stand.Id)"
        $Runspace.Commands.Clear()
        $Runspace.Streams.Error.Clear()
        # Out-String formats the output as the console would, so a broken view fails the example too.
        # Dot-sourced: the variables an example sets stay for the next one ($s = Start-SyscallTrace ... -AsJob).
        $null = $Runspace.AddScript(". { $code } | Out-String -Width 120").Invoke()
        $errors = @($Runspace.Streams.Error | ForEach-Object { "$_" })
        if ($ExpectedErrors) { $errors | Should -Be $ExpectedErrors -Because "example $Number of $Page shows these errors" }
        else { $errors | Should -BeNullOrEmpty -Because "example $Number of $Page should run: $code" }
    }
}
