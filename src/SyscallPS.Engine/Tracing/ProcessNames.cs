namespace SyscallPS.Tracing;

/// <summary>
/// The names of traced processes and threads, for both engines. A process is named by its main thread's
/// <c>comm</c>; a thread by its own (<c>prctl(PR_SET_NAME)</c> renames only the calling thread). Names come from
/// what the engine saw (the eBPF records carry the thread's comm) or else from /proc, read when a task is first
/// met or has just been renamed, while it still exists.
/// </summary>
/// <remarks>Single-threaded: the engine's event thread owns it.</remarks>
internal sealed class ProcessNames
{
    private readonly Dictionary<int, string> _processes = [];
    private readonly Dictionary<int, string> _threads = [];

    // The previous observation, nearly always repeated by the next record: no dictionary writes then.
    private int _lastTid;
    private int _lastTgid;
    private string? _lastComm;

    /// <summary>The process's name: its main thread's comm; empty when neither the engine nor /proc knows it.</summary>
    public string Process(int tgid)
    {
        if (_processes.TryGetValue(tgid, out var name))
        {
            return name;
        }

        // Kept only when /proc answered: an empty name is no answer, and a later look may have one.
        name = ProcFs.Comm(tgid);
        if (name.Length > 0)
        {
            _processes[tgid] = name;
            return name;
        }

        // Gone from /proc before its main thread was seen: the name one of its threads carried is the best there is.
        return tgid == _lastTgid && _lastComm is { } comm ? comm : string.Empty;
    }

    /// <summary>The thread's own name (the process's for its main thread).</summary>
    public string Thread(int tid, int tgid)
    {
        if (tid == tgid)
        {
            return Process(tgid);
        }

        if (_threads.TryGetValue(tid, out var name))
        {
            return name;
        }

        name = ProcFs.Comm(tid);
        if (name.Length == 0)
        {
            return Process(tgid);
        }

        _threads[tid] = name;
        return name;
    }

    /// <summary>The comm an engine saw on a thread's record (eBPF): it names the thread, and the process when it is the main thread.</summary>
    public void Observe(int tid, int tgid, string comm)
    {
        if (tid == _lastTid && ReferenceEquals(comm, _lastComm))
        {
            return;
        }

        _lastTid = tid;
        _lastTgid = tgid;
        _lastComm = comm;
        if (comm.Length == 0)
        {
            return;
        }

        (tid == tgid ? _processes : _threads)[tid] = comm;
    }

    /// <summary>A thread renamed itself and the engine carries no names (ptrace): /proc is read again while the thread is stopped.</summary>
    public void Renamed(int tid, int tgid)
    {
        _lastComm = null;
        var name = ProcFs.Comm(tid);
        if (name.Length == 0)
        {
            return;
        }

        (tid == tgid ? _processes : _threads)[tid] = name;
    }

    /// <summary>A new process has its parent's name until it runs a program of its own.</summary>
    public void Started(int parentTgid, int childTgid)
    {
        if (!_processes.ContainsKey(childTgid) && Process(parentTgid) is { Length: > 0 } name)
        {
            _processes[childTgid] = name;
        }
    }

    /// <summary>The process ran a new program: its name is the program's now (read from /proc while it is stopped).</summary>
    public void ProgramReplaced(int tgid)
    {
        _lastComm = null;
        var name = ProcFs.Comm(tgid);
        if (name.Length > 0)
        {
            _processes[tgid] = name;
        }
        else
        {
            _processes.Remove(tgid);
        }
    }

    /// <summary>A thread has ended.</summary>
    public void ThreadEnded(int tid)
    {
        _threads.Remove(tid);
        if (tid == _lastTid)
        {
            _lastComm = null;
        }
    }

    /// <summary>A process has ended: its name is forgotten (its id may be reused).</summary>
    public void ProcessEnded(int tgid)
    {
        _processes.Remove(tgid);
        ThreadEnded(tgid);
    }
}
