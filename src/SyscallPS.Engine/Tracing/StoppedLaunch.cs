using SyscallPS.Native;

namespace SyscallPS.Tracing;

/// <summary>
/// Starts a program stopped before its execve, for every engine: posix_spawn of the native launcher
/// (src/native), which stops itself with SIGSTOP, optionally installs a seccomp filter once continued, then
/// execs the program. The child belongs to the calling thread, which waits here for its stop.
/// </summary>
internal static class StoppedLaunch
{
    /// <summary>Spawns the launcher for <paramref name="resolvedPath"/> and returns its pid once it has stopped.</summary>
    /// <param name="resolvedPath">The program, already resolved through PATH.</param>
    /// <param name="request">Supplies argv[0] (-FilePath as given), the arguments and the working directory.</param>
    /// <param name="seccompFilter">A seccomp program for the launcher's --seccomp, or null.</param>
    /// <exception cref="TraceException">LaunchFailed when the launcher ends before stopping.</exception>
    internal static int Start(string resolvedPath, TraceRequest request, byte[]? seccompFilter)
    {
        var argv = new List<string> { "syscallps-launch" };
        if (seccompFilter is not null)
        {
            argv.Add("--seccomp");
            argv.Add(Convert.ToHexString(seccompFilter));
        }

        if (request.WorkingDirectory is not null)
        {
            argv.Add("--cwd");
            argv.Add(request.WorkingDirectory);
        }

        argv.Add("--");
        argv.Add(resolvedPath);
        argv.Add(request.FilePath!);
        argv.AddRange(request.ArgumentList);
        int pid;
        try
        {
            pid = Spawn.Start(ProgramResolver.Launcher(), argv, new StandardStreams(request.StandardInput, request.StandardOutput, request.StandardError));
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            // With redirected streams this is most often a file the child could not open.
            throw new TraceException("LaunchFailed", ex.NativeErrorCode == Tmds.Linux.LibC.EACCES ? TraceErrorKind.PermissionDenied : TraceErrorKind.EngineFailure,
                $"Starting '{resolvedPath}' failed: {ex.Message}.",
                "Check the -RedirectStandardInput/-Output/-Error files (readable input, writable output folder) and -WorkingDirectory.", resolvedPath, ex);
        }

        int r = Wait.Wait4(pid, out int status, Wait.WUNTRACED | Wait.__WNOTHREAD);
        if (r != pid || !Wait.IfStopped(status))
        {
            throw new TraceException("LaunchFailed", TraceErrorKind.EngineFailure,
                $"The launcher for '{resolvedPath}' ended before it could be traced (status 0x{status:x}).",
                "Check -WorkingDirectory and that the program can run; the launcher wrote its reason to the program's standard error.", resolvedPath);
        }

        return pid;
    }

    /// <summary>Collects a launched child's exit status (no zombie left behind), waiting up to <paramref name="timeout"/>.</summary>
    internal static int? Reap(int pid, TimeSpan timeout)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        do
        {
            // Without __WNOTHREAD: any thread of this process may reap a child of another thread.
            int r = Wait.Wait4(pid, out int status, Wait.WNOHANG);
            if (r == pid)
            {
                return Wait.IfSignaled(status) ? 128 + Wait.TermSig(status) : Wait.ExitStatus(status);
            }

            if (r < 0)
            {
                return null;
            }

            Thread.Sleep(5);
        }
        while (waited.Elapsed < timeout);
        return null;
    }
}
