using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SyscallPS.Tracing;

namespace SyscallPS.Native;

/// <summary>
/// The few libbpf 1.x entry points the eBPF engine uses, bound at run time with <see cref="NativeLibrary"/>
/// so that a machine without libbpf gets a <see cref="TraceException"/> with a hint, not a crash.
/// Functions returning pointers return null and set errno on failure (libbpf 1.0 semantics).
/// </summary>
internal static unsafe partial class Libbpf
{
    /// <summary>The shared object name of libbpf 1.x.</summary>
    internal const string LibraryName = "libbpf.so.1";

    private static readonly Lazy<Exports?> Loaded = new(Load);

    /// <summary>The resolved exports, or null when libbpf is missing.</summary>
    internal static Exports? TryGet() => Loaded.Value;

    /// <summary>The resolved exports; throws a <see cref="TraceException"/> (LibbpfMissing) when libbpf cannot be loaded.</summary>
    internal static Exports Get() => Loaded.Value ?? throw new TraceException(
        "LibbpfMissing",
        TraceErrorKind.NotSupported,
        $"The eBPF engine needs {LibraryName}, which could not be loaded.",
        "Install libbpf (Debian/Ubuntu: apt-get install libbpf1; Fedora: dnf install libbpf), or use -Engine Ptrace.");

    /// <summary>The errno left by the last libbpf call on this thread.</summary>
    internal static int LastErrno => Marshal.GetLastSystemError();

    private static Exports? Load()
    {
        if (!OperatingSystem.IsLinux() || !NativeLibrary.TryLoad(LibraryName, out var handle))
        {
            return null;
        }

        try
        {
            var exports = new Exports(handle);

            // libbpf prints to stderr by default: its messages go to EngineLog, whose collector shows them.
            ((delegate* unmanaged<delegate* unmanaged[Cdecl]<int, byte*, nint, int>, nint>)NativeLibrary.GetExport(handle, "libbpf_set_print"))(&Print);
            return exports;
        }
        catch (EntryPointNotFoundException)
        {
            return null;
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Print(int level, byte* format, nint args)
    {
        const int Capacity = 1024;
        byte* text = stackalloc byte[Capacity];
        int length = VsnPrintf(text, Capacity, format, args);
        if (length > 0)
        {
            var message = Marshal.PtrToStringUTF8((nint)text, Math.Min(length, Capacity - 1)).TrimEnd('\n');
            EngineLog.Add(level switch { 0 => EngineMessageLevel.Warning, 1 => EngineMessageLevel.Info, _ => EngineMessageLevel.Debug }, "libbpf: " + message);
        }

        return length;
    }

    // The va_list libbpf hands over is passed on as it came (a pointer on x86-64 and aarch64).
    [LibraryImport("libc", EntryPoint = "vsnprintf")]
    private static partial int VsnPrintf(byte* buffer, nuint size, byte* format, nint args);

    /// <summary><c>struct bpf_object_open_opts</c> of libbpf 1.x (80 bytes on 64-bit).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct OpenOptions
    {
        public nuint Size;
        public nint ObjectName;
        public byte RelaxedMaps;
        public nint PinRootPath;
        public uint Unused;
        public nint Kconfig;
        public nint BtfCustomPath;
        public nint KernelLogBuffer;
        public nuint KernelLogSize;
        public uint KernelLogLevel;
    }

    /// <summary>Function pointers into libbpf.</summary>
    internal sealed class Exports
    {
        internal Exports(nint lib)
        {
            nint f(string name) => NativeLibrary.GetExport(lib, name);
            ObjectOpenMem = (delegate* unmanaged<byte*, nuint, OpenOptions*, nint>)f("bpf_object__open_mem");
            ObjectLoad = (delegate* unmanaged<nint, int>)f("bpf_object__load");
            ObjectClose = (delegate* unmanaged<nint, void>)f("bpf_object__close");
            FindMapByName = (delegate* unmanaged<nint, byte*, nint>)f("bpf_object__find_map_by_name");
            MapSetMaxEntries = (delegate* unmanaged<nint, uint, int>)f("bpf_map__set_max_entries");
            MapInitialValue = (delegate* unmanaged<nint, nuint*, void*>)f("bpf_map__initial_value");
            MapFd = (delegate* unmanaged<nint, int>)f("bpf_map__fd");
            FindProgramByName = (delegate* unmanaged<nint, byte*, nint>)f("bpf_object__find_program_by_name");
            ProgramSetAutoload = (delegate* unmanaged<nint, byte, int>)f("bpf_program__set_autoload");
            ProgramAttach = (delegate* unmanaged<nint, nint>)f("bpf_program__attach");
            ProgramAttachTracepoint = (delegate* unmanaged<nint, byte*, byte*, nint>)f("bpf_program__attach_tracepoint");
            LinkDestroy = (delegate* unmanaged<nint, int>)f("bpf_link__destroy");
            MapUpdateElem = (delegate* unmanaged<int, void*, void*, ulong, int>)f("bpf_map_update_elem");
            MapLookupElem = (delegate* unmanaged<int, void*, void*, int>)f("bpf_map_lookup_elem");
            NumPossibleCpus = (delegate* unmanaged<int>)f("libbpf_num_possible_cpus");
        }

        internal delegate* unmanaged<byte*, nuint, OpenOptions*, nint> ObjectOpenMem { get; }

        internal delegate* unmanaged<nint, int> ObjectLoad { get; }

        internal delegate* unmanaged<nint, void> ObjectClose { get; }

        internal delegate* unmanaged<nint, byte*, nint> FindMapByName { get; }

        internal delegate* unmanaged<nint, uint, int> MapSetMaxEntries { get; }

        internal delegate* unmanaged<nint, nuint*, void*> MapInitialValue { get; }

        internal delegate* unmanaged<nint, int> MapFd { get; }

        internal delegate* unmanaged<nint, byte*, nint> FindProgramByName { get; }

        internal delegate* unmanaged<nint, byte, int> ProgramSetAutoload { get; }

        internal delegate* unmanaged<nint, nint> ProgramAttach { get; }

        internal delegate* unmanaged<nint, byte*, byte*, nint> ProgramAttachTracepoint { get; }

        internal delegate* unmanaged<nint, int> LinkDestroy { get; }

        internal delegate* unmanaged<int, void*, void*, ulong, int> MapUpdateElem { get; }

        internal delegate* unmanaged<int, void*, void*, int> MapLookupElem { get; }

        internal delegate* unmanaged<int> NumPossibleCpus { get; }
    }
}
