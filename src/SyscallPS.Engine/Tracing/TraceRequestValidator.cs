using System.Globalization;

namespace SyscallPS.Tracing;

/// <summary>
/// Checks a request against this machine before anything runs, for every engine and with one vocabulary of
/// error ids: a request that passes can be started without launching something it would then have to undo.
/// </summary>
internal static class TraceRequestValidator
{
    // PF_KTHREAD in the flags field of /proc/PID/stat (include/linux/sched.h).
    private const uint PfKthread = 0x00200000;

    /// <summary>
    /// Redirection files, checked as Start-Process checks them: the input must exist, no two streams may name the same
    /// file (an output file would be emptied before the program read it as input), an output file's folder must exist.
    /// </summary>
    private static void ValidateStreams(TraceRequest request)
    {
        if (request.StandardInput is { } input && !File.Exists(input))
        {
            throw new TraceException("StandardInputNotFound", TraceErrorKind.NotFound, $"The standard input file '{input}' does not exist.", "Give an existing file to -RedirectStandardInput.", input);
        }

        var streams = new (string? File, string Parameter)[]
        {
            (request.StandardInput, "-RedirectStandardInput"), (request.StandardOutput, "-RedirectStandardOutput"), (request.StandardError, "-RedirectStandardError"),
        };
        for (int i = 0; i < streams.Length; i++)
        {
            for (int j = i + 1; j < streams.Length; j++)
            {
                if (streams[i].File is { } a && streams[j].File is { } b && a != "/dev/null" && Path.GetFullPath(a) == Path.GetFullPath(b))
                {
                    throw new TraceException("RedirectToSameFile", TraceErrorKind.InvalidArgument, $"{streams[i].Parameter} and {streams[j].Parameter} both name '{a}'.", $"Give {streams[i].Parameter} and {streams[j].Parameter} different files.", a);
                }
            }
        }

        foreach (var file in new[] { request.StandardOutput, request.StandardError })
        {
            if (file is null)
            {
                continue;
            }

            if (Directory.Exists(file))
            {
                throw new TraceException("StandardStreamIsDirectory", TraceErrorKind.InvalidArgument, $"'{file}' is a directory, not a file the program can write.", "Give a file path to -RedirectStandardOutput or -RedirectStandardError.", file);
            }

            if (Path.GetDirectoryName(Path.GetFullPath(file)) is { } folder && !Directory.Exists(folder))
            {
                throw new TraceException("StandardStreamFolderNotFound", TraceErrorKind.NotFound, $"The folder of '{file}' does not exist.", "Create the folder first, or choose a file in an existing one.", file);
            }
        }
    }

    /// <summary>Throws <see cref="TraceException"/> when <paramref name="engine"/> cannot run <paramref name="request"/>.</summary>
    internal static void Validate(TraceRequest request, EngineKind engine)
    {
        int targets = (request.IsLaunch ? 1 : 0) + (request.ProcessIds.Count > 0 ? 1 : 0) + (request.SystemWide ? 1 : 0);
        if (targets == 0)
        {
            throw new TraceException("NoTraceTarget", TraceErrorKind.InvalidArgument, "Nothing to trace: give a program, process ids, or -SystemWide.", "Use -FilePath, -ProcessId or -SystemWide.");
        }

        if (targets > 1)
        {
            throw new TraceException("ConflictingTraceTargets", TraceErrorKind.InvalidArgument, "A program, process ids and -SystemWide cannot be combined.", "Choose one of -FilePath, -ProcessId, -SystemWide.");
        }

        if (request.StopGracePeriod < TimeSpan.Zero)
        {
            throw new TraceException("InvalidStopGracePeriod", TraceErrorKind.InvalidArgument, $"The stop grace period {request.StopGracePeriod} is negative.", "Give zero or a positive time span.", request.StopGracePeriod);
        }

        if (request.IsLaunch)
        {
            ProgramResolver.ResolveForLaunch(request);
            ValidateStreams(request);
        }
        else if (request.StandardInput is not null || request.StandardOutput is not null || request.StandardError is not null)
        {
            throw new TraceException("RedirectNeedsLaunch", TraceErrorKind.InvalidArgument, "Standard streams can be redirected only for a program the trace launches.", "Leave out -RedirectStandardInput/-Output/-Error when attaching or tracing system-wide.");
        }

        foreach (var pid in request.ProcessIds)
        {
            ValidateProcess(pid, engine);
        }

        if (request.ContainerIds.Count > 0)
        {
            var ids = request.ContainerIds.Select(ContainerId).ToHashSet();
            var known = ContainerCgroups.Directories(ids).Select(d => ProcessContexts.ContainerIdOf(d)).ToHashSet();
            var missing = ids.Where(id => !known.Contains(id)).ToList();
            if (missing.Count > 0)
            {
                throw new TraceException("ContainerNotFound", TraceErrorKind.NotFound,
                    $"No running container has the id {string.Join(", ", missing)} (no cgroup of a container runtime names it).",
                    "Check the id with docker ps or podman ps (the first 12 hex digits, or all 64).", missing[0]);
            }
        }

        if (engine == EngineKind.Ebpf)
        {
            ValidateForEbpf(request);
        }
    }

    private static void ValidateProcess(int pid, EngineKind engine)
    {
        string? tgidText = pid > 0 ? ProcFs.StatusField(pid, "Tgid") : null;
        if (tgidText is null || !int.TryParse(tgidText, NumberStyles.Integer, CultureInfo.InvariantCulture, out int tgid))
        {
            throw new TraceException("ProcessNotFound", TraceErrorKind.NotFound, $"No process with id {pid} exists.", "Check the id with Get-Process; the process may have ended.", pid);
        }

        if (tgid == Environment.ProcessId)
        {
            throw new TraceException("CannotTraceSelf", TraceErrorKind.InvalidArgument,
                pid == tgid ? $"Process {pid} is this PowerShell process, which cannot trace itself." : $"Thread {pid} belongs to this PowerShell process, which cannot trace itself.",
                "Trace it from another pwsh session.", pid);
        }

        if (ProcFs.StatusField(pid, "State") is ['Z', ..] or ['X', ..])
        {
            throw new TraceException("ProcessNotTraceable", TraceErrorKind.InvalidArgument,
                $"Process {pid} has ended: it is a zombie waiting for its parent to collect its exit status, and makes no more system calls.",
                "Trace a running process; Get-Process lists them.", pid);
        }

        if (IsKernelThread(pid))
        {
            throw new TraceException("ProcessNotTraceable", TraceErrorKind.InvalidArgument,
                $"Process {pid} ({ProcFs.Comm(pid)}) is a kernel thread: it runs only in the kernel and makes no system calls to trace.",
                "Trace a user-space process; kernel work shows up in the system calls of the processes that cause it (-SystemWide).", pid);
        }

        if (engine == EngineKind.Ptrace && ProcFs.StatusField(tgid, "PPid") == Environment.ProcessId.ToString(CultureInfo.InvariantCulture))
        {
            // The kernel reports a tracee's stops to every wait in the tracer's thread group, and .NET waits for
            // the children it started: it would steal the stops of this process and hang it.
            throw new TraceException("ProcessIsChildOfThisSession", TraceErrorKind.InvalidArgument,
                $"Process {pid} is a child of this PowerShell process and cannot be attached to from it.",
                "Trace it from another pwsh session, launch it under the trace with -FilePath, or start it detached: sh -c 'program & echo $!'.", pid);
        }
    }

    /// <summary>A container id as docker ps shows it: the first 12 of its 64 hex digits, lower-case.</summary>
    internal static string ContainerId(string id) => (id.Length > 12 ? id[..12] : id).ToLowerInvariant();

    private static bool IsKernelThread(int pid)
    {
        try
        {
            var stat = File.ReadAllText("/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/stat");

            // Fields after the parenthesised command name: state ppid pgrp session tty_nr tpgid flags ...
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields.Length > 6 && uint.TryParse(fields[6], NumberStyles.Integer, CultureInfo.InvariantCulture, out var flags) && (flags & PfKthread) != 0;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static void ValidateForEbpf(TraceRequest request)
    {
        int bytes = request.RingBufferBytes;
        if (bytes < Environment.SystemPageSize || (bytes & (bytes - 1)) != 0)
        {
            throw new TraceException("InvalidBufferSize", TraceErrorKind.InvalidArgument,
                $"The eBPF ring buffer size {bytes} is not a power of two of at least {Environment.SystemPageSize} bytes.",
                "Give a power of two such as 16MB, 64MB or 256MB.", bytes);
        }

        if (request.SyscallNumbers is { } set)
        {
            foreach (var n in set)
            {
                if (n < 0 || n >= Ebpf.EbpfArgumentSpecs.MaxSyscalls)
                {
                    throw new TraceException("InvalidSyscallNumber", TraceErrorKind.InvalidArgument, $"Syscall number {n} is outside 0..{Ebpf.EbpfArgumentSpecs.MaxSyscalls - 1}.", "Use syscall names from Get-SyscallInfo.", n);
                }
            }
        }
    }
}
