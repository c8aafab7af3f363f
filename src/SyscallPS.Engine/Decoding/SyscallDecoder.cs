using System.Collections.Frozen;
using SyscallPS.Decoding.Tables;

namespace SyscallPS.Decoding;

/// <summary>Decodes syscall entries and exits into strace's text, for every engine.</summary>
/// <remarks>
/// Each syscall family registers a <see cref="DecoderSpec"/>: an entry decoder for the inputs, an exit
/// decoder for the outputs (only read when the call succeeded) and a return style. Syscalls without a
/// decoder print their raw arguments, typed by the table's C parameter types.
/// </remarks>
public static class SyscallDecoder
{
    private static readonly FrozenDictionary<string, DecoderSpec> Specs = BuildSpecs();
    private sealed record ArchitectureSpecs(string Architecture, DecoderSpec?[] ByNumber);

    // One reference, swapped whole, so a reader never pairs one architecture's name with another's array.
    private static volatile ArchitectureSpecs? s_specs;

    private static FrozenDictionary<string, DecoderSpec> BuildSpecs()
    {
        var r = new DecoderRegistry();
        FileDecoders.Register(r);
        DescriptorDecoders.Register(r);
        ProcessDecoders.Register(r);
        NetworkDecoders.Register(r);
        MemoryDecoders.Register(r);
        SignalDecoders.Register(r);
        PollDecoders.Register(r);
        IpcDecoders.Register(r);
        TimeDecoders.Register(r);
        SystemDecoders.Register(r);
        return r.Build();
    }

    /// <summary>The names of the syscalls that have a dedicated decoder.</summary>
    public static IReadOnlyCollection<string> DecodedSyscalls => Specs.Keys;

    private static DecoderSpec? SpecFor(SyscallInfo? info)
    {
        if (info is null)
        {
            return null;
        }

        var specs = s_specs;
        if (specs is null || !string.Equals(specs.Architecture, info.Architecture, StringComparison.Ordinal))
        {
            var t = SyscallTable.For(info.Architecture);
            var arr = new DecoderSpec?[t.MaxNumber + 1];
            foreach (var e in t.All)
            {
                Specs.TryGetValue(e.Name, out arr[e.Number]);
            }

            s_specs = specs = new ArchitectureSpecs(info.Architecture, arr);
        }

        var table = specs.ByNumber;
        var n = info.Number;
        return n >= 0 && n < table.Length ? table[n] : null;
    }

    /// <summary>Decodes the inputs of a syscall at entry (the tracee is stopped, or the eBPF record carries the bytes).</summary>
    public static void OnEntry(SyscallDecodeState state, ITraceeMemory memory, DecodeOptions options)
    {
        Array.Clear(state.EntryArguments);
        state.Path = null;
        state.TargetPath = null;
        state.Signal = null;
        state.Fd = -1;
        state.Endpoint = null;
        state.DescriptorPair = null;
        state.OpenFlags = 0;
        state.ObjectName = null;
        state.ProgramArguments = null;
        state.KernelInode = 0;
        state.Saved = 0;
        state.Saved2 = 0;
        var spec = SpecFor(state.Info);
        state.Spec = spec;
        state.ArgumentCount = spec?.ArgCount ?? (state.Info is null ? 6 : state.Info.Parameters.Count);
        if (spec is null)
        {
            return;
        }

        try
        {
            spec.Entry?.Invoke(state, memory, options);
            if (options.Raw)
            {
                // Raw output: every argument the table declares, in hex; the entry decoder still ran for Path, Signal, Fd.
                state.ArgumentCount = spec.ArgCount ?? state.Info!.Parameters.Count;
            }
        }
#pragma warning disable CA1031 // A decoder must never take the tracer down: anything unexpected falls back to raw.
        catch (Exception)
#pragma warning restore CA1031
        {
            Array.Clear(state.EntryArguments);
        }
    }

    /// <summary>Completes the decoding at exit, with the raw kernel return value (negative errno on failure).</summary>
    public static DecodedExit OnExit(SyscallDecodeState state, long rawReturn, ITraceeMemory memory, DecodeOptions options)
    {
        var spec = state.Spec;
        bool failed = rawReturn < 0 && rawReturn >= -4095;
        state.Errno = failed ? (int)-rawReturn : 0;
        string? returnOverride = null;
        if (spec?.Exit is not null)
        {
            // Also under -Raw, which prints none of it: the exit decoders find the facts the descriptor table needs.
            try
            {
                returnOverride = spec.Exit(state, failed ? -1 : rawReturn, memory, options, failed);
                if (options.Raw)
                {
                    returnOverride = null;
                }
            }
#pragma warning disable CA1031 // see OnEntry
            catch (Exception)
#pragma warning restore CA1031
            {
                returnOverride = null;
            }
        }

        int count = Math.Clamp(state.ArgumentCount, 0, 6);
        var args = count == 0 ? [] : new SyscallArgument[count];
        for (int i = 0; i < count; i++)
        {
            args[i] = (options.Raw ? null : state.EntryArguments[i]) ?? ArgFormat.Generic(state, i, options);
        }

        var list = count == 0 ? SyscallArgumentList.Empty : new SyscallArgumentList(args);
        if (failed)
        {
            int errno = (int)-rawReturn;
            return new DecodedExit(list, -1, ErrnoTable.ReturnText(errno), ErrnoTable.NameOf(errno) ?? "errno " + StraceText.Dec(errno), ErrnoTable.MessageOf(errno), null);
        }

        int? child = null;
        if (state.Info is { } info && (info.Effects & SyscallEffects.CreatesProcess) != 0 && rawReturn > 0)
        {
            child = (int)rawReturn;
        }

        var style = spec?.Return ?? ReturnStyle.Decimal;
        if (options.Raw && style != ReturnStyle.None)
        {
            style = ReturnStyle.Hex;
        }

        string returnText = returnOverride ?? FormatReturn(style, rawReturn);
        return new DecodedExit(list, rawReturn, returnText, null, null, child);
    }

    /// <summary>
    /// The arguments known at entry, for a syscall whose exit never comes (strace's <c>&lt;unfinished ...&gt;</c>):
    /// the inputs up to the first output argument, as strace prints them.
    /// </summary>
    public static SyscallArgumentList OnUnfinished(SyscallDecodeState state, DecodeOptions options)
    {
        int count = Math.Clamp(state.ArgumentCount, 0, 6);
        var list = new List<SyscallArgument>(count);
        for (int i = 0; i < count; i++)
        {
            var arg = options.Raw ? null : state.EntryArguments[i];
            if (arg is null)
            {
                if (state.Spec is not null && !options.Raw)
                {
                    // A slot the entry decoder left empty is an output: strace stops printing there.
                    break;
                }

                arg = ArgFormat.Generic(state, i, options);
            }

            list.Add(arg);
        }

        return list.Count == 0 ? SyscallArgumentList.Empty : new SyscallArgumentList([.. list]);
    }

    private static string FormatReturn(ReturnStyle style, long value) => style switch
    {
        ReturnStyle.Hex or ReturnStyle.Address => StraceText.Hex((ulong)value),
        ReturnStyle.Octal => StraceText.Octal((ulong)value),
        ReturnStyle.None => "?",
        _ => StraceText.Dec(value),
    };

    /// <summary>The signal's name (<c>SIGCHLD</c>, <c>SIGRT_3</c>), or the number for unknown ones.</summary>
    public static string SignalName(int signal) => SignalDecoders.Name(signal);

    /// <summary>A siginfo_t (128 bytes) as strace prints it inside braces.</summary>
    public static string FormatSignalInfo(ReadOnlySpan<byte> siginfo) => SignalDecoders.FormatSigInfo(siginfo);
}

/// <summary>How a syscall's successful return prints.</summary>
internal enum ReturnStyle
{
    /// <summary>Signed decimal (the default).</summary>
    Decimal,

    /// <summary>Hex (<c>0x…</c>).</summary>
    Hex,

    /// <summary>An address (mmap, brk, shmat): hex.</summary>
    Address,

    /// <summary>Octal with a leading zero (umask).</summary>
    Octal,

    /// <summary><c>?</c>: the call never returns (exit, exit_group).</summary>
    None,
}

/// <summary>Entry decoder: fills <see cref="SyscallDecodeState.EntryArguments"/> for the inputs.</summary>
internal delegate void EntryDecoder(SyscallDecodeState state, ITraceeMemory memory, DecodeOptions options);

/// <summary>Exit decoder: fills the output slots; returns a return text that replaces the default, or null.</summary>
/// <param name="state">The state filled at entry.</param>
/// <param name="ret">The return value (-1 when <paramref name="failed"/>).</param>
/// <param name="memory">The tracee's memory after the call.</param>
/// <param name="options">Decode options.</param>
/// <param name="failed">True when the call returned an error: output buffers then print as addresses.</param>
internal delegate string? ExitDecoder(SyscallDecodeState state, long ret, ITraceeMemory memory, DecodeOptions options, bool failed);

/// <summary>How one syscall is decoded.</summary>
internal sealed class DecoderSpec
{
    /// <summary>The syscall name.</summary>
    public required string Name { get; init; }

    /// <summary>Default argument count (the entry decoder may change it per call); null uses the table's.</summary>
    public int? ArgCount { get; init; }

    /// <summary>The entry decoder.</summary>
    public EntryDecoder? Entry { get; init; }

    /// <summary>The exit decoder.</summary>
    public ExitDecoder? Exit { get; init; }

    /// <summary>How the return value prints.</summary>
    public ReturnStyle Return { get; init; }

    /// <summary>Parameter names and types when the syscall table has none (legacy stat calls).</summary>
    public SyscallParameter[]? Parameters { get; init; }
}

/// <summary>Collects the decoders the family files register.</summary>
internal sealed class DecoderRegistry
{
    private readonly Dictionary<string, DecoderSpec> _specs = new(StringComparer.Ordinal);

    /// <summary>Registers a decoder for one or more syscall names.</summary>
    public void Add(string names, EntryDecoder? entry, ExitDecoder? exit = null, ReturnStyle ret = ReturnStyle.Decimal, int? argCount = null, string? parameters = null)
    {
        SyscallParameter[]? ps = parameters is null ? null : Array.ConvertAll(parameters.Split(';'), ParseParameter);
        foreach (var name in names.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            _specs[name] = new DecoderSpec { Name = name, Entry = entry, Exit = exit, Return = ret, ArgCount = argCount, Parameters = ps };
        }
    }

    private static SyscallParameter ParseParameter(string declaration)
    {
        declaration = declaration.Trim();
        int split = declaration.LastIndexOfAny([' ', '*']);
        return new SyscallParameter(declaration[(split + 1)..], declaration[..(split + 1)].Trim());
    }

    /// <summary>The registered decoders by name.</summary>
    public FrozenDictionary<string, DecoderSpec> Build() => _specs.ToFrozenDictionary(StringComparer.Ordinal);
}
