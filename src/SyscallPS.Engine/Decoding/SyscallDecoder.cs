using System.Globalization;

namespace SyscallPS.Decoding;

/// <summary>
/// Entry point of the decoders. PLACEHOLDER: prints raw arguments; the per-family decoders replace it.
/// </summary>
public static class SyscallDecoder
{
    /// <summary>Decodes the inputs of a syscall at entry (the tracee is stopped, or the eBPF record carries the bytes).</summary>
    public static void OnEntry(SyscallDecodeState state, ITraceeMemory memory, DecodeOptions options)
    {
        Array.Clear(state.EntryArguments);
        state.Path = null;
        state.TargetPath = null;
        state.Signal = null;
    }

    /// <summary>Completes the decoding at exit, with the raw kernel return value (negative errno on failure).</summary>
    public static DecodedExit OnExit(SyscallDecodeState state, long rawReturn, ITraceeMemory memory, DecodeOptions options)
    {
        var parameters = state.Info?.Parameters ?? [];
        int count = state.Info is null ? 6 : parameters.Count;
        var args = new SyscallArgument[count];
        for (int i = 0; i < count; i++)
        {
            var p = i < parameters.Count ? parameters[i] : new SyscallParameter("arg" + i, "unsigned long");
            args[i] = state.EntryArguments[i] ?? new SyscallArgument(p.Name, p.CType, state.Args[i], state.Args[i], "0x" + state.Args[i].ToString("x", CultureInfo.InvariantCulture));
        }

        if (rawReturn < 0 && rawReturn >= -4095)
        {
            var name = "E" + (-rawReturn).ToString(CultureInfo.InvariantCulture);
            return new DecodedExit(new SyscallArgumentList(args), -1, "-1 " + name, name, name, null);
        }

        return new DecodedExit(new SyscallArgumentList(args), rawReturn, rawReturn.ToString(CultureInfo.InvariantCulture), null, null, null);
    }

    /// <summary>The signal's name (<c>SIGCHLD</c>), or <c>SIG</c> + number for unknown ones.</summary>
    public static string SignalName(int signal) => "SIG" + signal.ToString(CultureInfo.InvariantCulture);

    /// <summary>A siginfo_t as strace prints it inside braces.</summary>
    public static string FormatSignalInfo(ReadOnlySpan<byte> siginfo) => "{}";
}
