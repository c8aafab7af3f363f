# Module manifest for SyscallPS, used from the repository root after ./build.ps1.
# build.ps1 writes a copy into out/SyscallPS/ with paths relative to that folder (the publishable module).
@{
    RootModule           = 'out/SyscallPS/SyscallPS.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '6f3a3c1e-7c1b-4a55-9a57-2f0f3e2a91d4'
    Author               = 'The SyscallPS authors'
    CompanyName          = 'SyscallPS'
    Copyright            = '(c) 2026 The SyscallPS authors. MIT License.'
    Description          = 'Linux system calls, observable and callable from the PowerShell pipeline: strace-depth decoding over ptrace or eBPF, as typed objects.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('module/SyscallPS.format.ps1xml', 'module/SyscallPS.Info.format.ps1xml', 'module/SyscallPS.Analysis.format.ps1xml', 'module/SyscallPS.Remoting.format.ps1xml')
    TypesToProcess       = @('module/SyscallPS.Types.ps1xml')
    CmdletsToExport      = @(
        'Start-SyscallTrace'
        'Get-SyscallEvent'
        'Stop-SyscallTrace'
        'Get-SyscallTrace'
        'Invoke-RawSyscall'
        'New-SyscallBuffer'
        'Get-SyscallInfo'
        'New-SyscallFault'
        'Measure-SyscallEvent'
        'Export-SyscallTimeline'
        'Import-StraceLog'
        'ConvertFrom-StraceLog'
        'Export-SyscallEvent'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Linux', 'strace', 'syscall', 'eBPF', 'ptrace', 'tracing')
            ProjectUri   = 'https://github.com/syscallps/SyscallPS'
            LicenseUri   = 'https://github.com/syscallps/SyscallPS/blob/main/LICENSE'
            # build.ps1 replaces this with the newest section of CHANGELOG.md in the published manifest.
            ReleaseNotes = 'https://github.com/syscallps/SyscallPS/blob/main/CHANGELOG.md'
        }
    }
}
