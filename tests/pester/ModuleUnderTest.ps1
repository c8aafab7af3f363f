# The manifest the Pester suites import: $env:SYSCALLPS_MODULE (build.ps1 -Task Test points it at the built
# out/SyscallPS/SyscallPS.psd1), else the repository's own SyscallPS.psd1. Not a test file: the suites call it.
if ($env:SYSCALLPS_MODULE) { $env:SYSCALLPS_MODULE } else { Join-Path (Resolve-Path "$PSScriptRoot/../..").Path 'SyscallPS.psd1' }
