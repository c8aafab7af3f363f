namespace SyscallPS.Tracing;

/// <summary>Finds programs the way execvp does, and the engine's own native launcher.</summary>
internal static class ProgramResolver
{
    /// <summary>The program a launch request runs, resolved, after checking its working directory exists.</summary>
    /// <exception cref="TraceException">ProgramNotFound, ProgramNotExecutable, WorkingDirectoryNotFound.</exception>
    internal static string ResolveForLaunch(TraceRequest request)
    {
        var path = Resolve(request.FilePath!, request.WorkingDirectory ?? Environment.CurrentDirectory);
        if (request.WorkingDirectory is not null && !Directory.Exists(request.WorkingDirectory))
        {
            throw new TraceException("WorkingDirectoryNotFound", TraceErrorKind.NotFound,
                $"The working directory '{request.WorkingDirectory}' does not exist.", "Pass an existing directory to -WorkingDirectory.", request.WorkingDirectory);
        }

        return path;
    }

    /// <summary>Resolves <paramref name="filePath"/> through PATH (or relative to <paramref name="workingDirectory"/> when it has a slash).</summary>
    /// <exception cref="TraceException">ProgramNotFound / ProgramNotExecutable.</exception>
    internal static string Resolve(string filePath, string workingDirectory)
    {
        if (string.IsNullOrWhiteSpace(filePath))
        {
            throw new TraceException("ProgramNotFound", TraceErrorKind.NotFound, "No program was given.", "Pass the program to run with -FilePath, e.g. -FilePath ls.", filePath);
        }

        string? found = null;
        if (filePath.Contains('/', StringComparison.Ordinal))
        {
            var full = System.IO.Path.GetFullPath(filePath, workingDirectory);
            if (Directory.Exists(full))
            {
                throw new TraceException("ProgramIsDirectory", TraceErrorKind.InvalidArgument,
                    $"'{full}' is a directory, not a program.", "Give the path of a program file; Get-ChildItem lists what the directory holds.", filePath);
            }

            if (File.Exists(full))
            {
                found = full;
            }
        }
        else
        {
            foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries))
            {
                var candidate = System.IO.Path.Combine(dir, filePath);
                if (File.Exists(candidate) && IsExecutable(candidate))
                {
                    found = candidate;
                    break;
                }
            }
        }

        if (found is null)
        {
            throw new TraceException("ProgramNotFound", TraceErrorKind.NotFound,
                $"The program '{filePath}' was not found.",
                filePath.Contains('/', StringComparison.Ordinal)
                    ? "Check the path; relative paths are resolved against the current location."
                    : "Check the name, or give a full path; it is searched in $env:PATH.",
                filePath);
        }

        if (!IsExecutable(found))
        {
            throw new TraceException("ProgramNotExecutable", TraceErrorKind.PermissionDenied,
                $"The file '{found}' is not executable.", "Make it executable (chmod +x) or run it through its interpreter, e.g. -FilePath sh -ArgumentList script.sh.", found);
        }

        return found;
    }

    private static bool IsExecutable(string path) =>
        (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0
        && !Directory.Exists(path);

    /// <summary>The native stop-before-exec launcher shipped next to the engine assembly.</summary>
    /// <exception cref="TraceException">LauncherMissing when the module was built without it.</exception>
    internal static string Launcher()
    {
        var here = System.IO.Path.GetDirectoryName(typeof(ProgramResolver).Assembly.Location) ?? AppContext.BaseDirectory;
        var path = System.IO.Path.Combine(here, "syscallps-launch");
        if (!File.Exists(path))
        {
            throw new TraceException("LauncherMissing", TraceErrorKind.NotSupported,
                $"The native launcher '{path}' is missing.", "Rebuild the module with ./build.ps1 -Task Build (it compiles src/native/syscallps-launch.c, or uses the committed binary).", path);
        }

        var mode = File.GetUnixFileMode(path);
        if ((mode & UnixFileMode.UserExecute) == 0)
        {
            File.SetUnixFileMode(path, mode | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }

        return path;
    }
}
