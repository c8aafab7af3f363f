namespace SyscallPS.Decoding;

/// <summary>
/// One syscall in flight on one thread: filled at entry, completed at exit. Engines keep one per thread
/// and reuse it, so the decoders must reset everything they set in <see cref="SyscallDecoder.OnEntry"/>.
/// </summary>
public sealed class SyscallDecodeState
{
    /// <summary>The syscall number.</summary>
    public int Number { get; set; }

    /// <summary>The table entry, or null for a number the table does not know.</summary>
    public SyscallInfo? Info { get; set; }

    /// <summary>The six argument registers.</summary>
    public ulong[] Args { get; } = new ulong[6];

    /// <summary>Arguments decoded at entry (inputs); slots left null are decoded at exit (outputs).</summary>
    public SyscallArgument?[] EntryArguments { get; } = new SyscallArgument?[6];

    /// <summary>The file path argument, when the syscall has one.</summary>
    public string? Path { get; set; }

    /// <summary>The second path (rename/link target).</summary>
    public string? TargetPath { get; set; }

    /// <summary>The signal name for kill/tkill/tgkill/rt_sigqueueinfo.</summary>
    public string? Signal { get; set; }

    /// <summary>Monotonic entry time in nanoseconds.</summary>
    public long EntryNanoseconds { get; set; }

    /// <summary>True between entry and exit.</summary>
    public bool InSyscall { get; set; }

    /// <summary>
    /// The tracee's stack pointer at the syscall (PTRACE_GET_SYSCALL_INFO gives it); 0 when unknown.
    /// rt_sigreturn reads the restored signal mask from the frame there.
    /// </summary>
    public ulong StackPointer { get; set; }

    /// <summary>
    /// An inode number the engine learned for the call's new descriptors where it happened (the eBPF engine
    /// reads a pipe's in the kernel); 0 when unknown, and then /proc is asked.
    /// </summary>
    public ulong KernelInode { get; set; }

    /// <summary>True when fault injection replaced the call's result (strace prints <c>(INJECTED)</c>); set by the engine at entry.</summary>
    public bool Injected { get; set; }

    /// <summary>True when fault injection delayed the call (strace prints <c>(DELAYED)</c>); set by the engine at entry.</summary>
    public bool Delayed { get; set; }

    /// <summary>The file descriptor the syscall works on (read's fd, connect's socket ...), or -1.</summary>
    public int Fd { get; set; } = -1;

    // Facts the decoders find for the descriptor table, whatever -Raw prints.

    /// <summary>
    /// The socket address the call names (bind, connect, sendto: the one given; accept, getsockname: the one
    /// returned) as the descriptor table takes it: <c>127.0.0.1:80</c>, <c>::1:9</c>, a Unix path; else null.
    /// </summary>
    public string? Endpoint { get; set; }

    /// <summary>The two descriptors pipe, pipe2 and socketpair returned in their array; else null.</summary>
    public (int First, int Second)? DescriptorPair { get; set; }

    /// <summary>openat2's open flags, read from its <c>struct open_how</c>; else 0.</summary>
    public ulong OpenFlags { get; set; }

    /// <summary>The name the call gives a new object (memfd_create's), whole; else null.</summary>
    public string? ObjectName { get; set; }

    /// <summary>execve's arguments as the new program gets them (unquoted; as far as the tracee's memory was read); else null.</summary>
    public IReadOnlyList<string>? ProgramArguments { get; set; }

    /// <summary>How many arguments the decoder prints (set at entry).</summary>
    internal int ArgumentCount { get; set; }

    /// <summary>The decoder chosen at entry, or null for the generic one.</summary>
    internal DecoderSpec? Spec { get; set; }

    /// <summary>A value a decoder saves at entry for its exit (a value-result length, a command).</summary>
    internal long Saved { get; set; }

    /// <summary>A second saved value.</summary>
    internal long Saved2 { get; set; }

    /// <summary>At exit: the errno of a failed call, else 0 (set before the exit decoder runs).</summary>
    internal int Errno { get; set; }
}

/// <summary>What the decoders make of a completed syscall.</summary>
/// <param name="Arguments">Every argument, decoded.</param>
/// <param name="ReturnValue">The return value, -1 when the call failed (libc convention).</param>
/// <param name="ReturnText">The return as strace prints it.</param>
/// <param name="Errno">The error name, or null on success.</param>
/// <param name="ErrorMessage">The error message, or null on success.</param>
/// <param name="ChildProcessId">For clone/fork/vfork in the parent: the child's id.</param>
public readonly record struct DecodedExit(
    SyscallArgumentList Arguments,
    long ReturnValue,
    string ReturnText,
    string? Errno,
    string? ErrorMessage,
    int? ChildProcessId);
