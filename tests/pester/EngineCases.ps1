# The engines the cross-engine suites run against, as -ForEach cases: Engine, and Why (why the eBPF engine cannot
# run on this machine, else null; its cases then skip with that reason). Not a test file: the suites call it in
# BeforeDiscovery, after importing the module.
$ebpfWhy = [SyscallPS.Ebpf.EbpfEngine]::new().WhyUnavailable([SyscallPS.Tracing.TraceRequest]::new())
@(@{ Engine = 'Ptrace'; Why = $null }, @{ Engine = 'Ebpf'; Why = $ebpfWhy })
