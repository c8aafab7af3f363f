namespace SyscallPS.Commands; internal static class AssemblyMarker { }
