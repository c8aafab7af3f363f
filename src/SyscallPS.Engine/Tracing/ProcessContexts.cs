using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace SyscallPS.Tracing;

/// <summary>
/// What sysdig calls a process's context (proc.ppid, proc.cmdline, proc.exepath, user.uid, user.name, proc.vpid,
/// container.id): read once per process from /proc, shared by all its events. Events read from a capture file also
/// carry the host it was recorded on (the header's host name), in <c>ComputerName</c>.
/// </summary>
internal sealed record ProcessContext(
    int? ParentProcessId,
    string? CommandLine,
    string? ExecutablePath,
    int? UserId,
    string? UserName,
    int? VirtualProcessId,
    string? ContainerId,
    string? Cgroup,
    string? ComputerName = null)
{
    /// <summary>Nothing known.</summary>
    public static readonly ProcessContext Unknown = new(null, null, null, null, null, null, null, null);
}

/// <summary>
/// The contexts of traced processes, read from /proc when a process is first met and again after it runs a new
/// program; a child whose /proc entry is gone before it was met inherits its parent's.
/// </summary>
/// <remarks>Single-threaded: the engine's event thread owns it.</remarks>
internal sealed partial class ProcessContexts
{
    private static readonly Lazy<Dictionary<int, string>> UserNames = new(ReadUserNames);

    private readonly Dictionary<int, ProcessContext> _byProcess = [];

    /// <summary>
    /// The container every traced process is known to run in, when the engine's kernel filter let only that one's
    /// through: it stands in for a process gone from /proc before it was read.
    /// </summary>
    public string? KnownContainer { get; init; }
    private readonly Dictionary<int, int> _parents = [];
    private int _lastTgid;
    private ProcessContext? _last;

    /// <summary>The context of process <paramref name="tgid"/>.</summary>
    public ProcessContext Get(int tgid)
    {
        if (tgid == _lastTgid && _last is not null)
        {
            return _last;
        }

        if (!_byProcess.TryGetValue(tgid, out var context))
        {
            context = Read(tgid) ?? Inherited(tgid);
            _byProcess[tgid] = context;
        }

        _lastTgid = tgid;
        _last = context;
        return context;
    }

    /// <summary>A traced process created <paramref name="childTgid"/>.</summary>
    public void Started(int parentTgid, int childTgid) => _parents[childTgid] = parentTgid;

    /// <summary>
    /// The process ran a new program: its context is read again; when it is already gone from /proc, the command line
    /// and program the execve call named (<paramref name="commandLine"/>, <paramref name="executable"/>) replace the old ones.
    /// </summary>
    public void ProgramReplaced(int tgid, string? commandLine = null, string? executable = null)
    {
        var known = Get(tgid);
        _last = null;
        // A process still exiting (its memory released, not yet a zombie) has its /proc folder without a command line or exe.
        var read = Read(tgid);
        _byProcess[tgid] = read is null
            ? known with { CommandLine = commandLine ?? known.CommandLine, ExecutablePath = executable ?? known.ExecutablePath }
            : read with { CommandLine = read.CommandLine ?? commandLine, ExecutablePath = read.ExecutablePath ?? executable };
    }

    /// <summary>The process has ended: its context is dropped (its id may be reused).</summary>
    public void Ended(int tgid)
    {
        _byProcess.Remove(tgid);
        _parents.Remove(tgid);
        _last = null;
    }

    /// <summary>
    /// The container a cgroup path belongs to: the first 12 hex digits of the last 64-digit container id in it, as
    /// docker ps and sysdig show it (docker-ID.scope, /docker/ID, libpod-ID.scope, crio-ID.scope,
    /// cri-containerd-ID.scope, kubepods/.../ID); a container runtime's own monitor (conmon) is not a container.
    /// </summary>
    internal static string? ContainerIdOf(string cgroupPath)
    {
        string? id = null;
        foreach (var segment in cgroupPath.Split('/'))
        {
            if (segment.Contains("conmon", StringComparison.Ordinal))
            {
                continue;
            }

            var match = ContainerIdPattern().Match(segment);
            if (match.Success)
            {
                id = match.Groups[1].Value[..12];
            }
        }

        return id;
    }

    /// <summary>The process's cgroup: its cgroup v2 path, else its first cgroup v1 path that is not the root.</summary>
    internal static string? CgroupOf(IEnumerable<string> lines)
    {
        string? v1 = null;
        foreach (var line in lines)
        {
            int colon = line.IndexOf(':', line.IndexOf(':') + 1);
            if (colon < 0)
            {
                continue;
            }

            var path = line[(colon + 1)..];
            if (line.StartsWith("0::", StringComparison.Ordinal) && path != "/")
            {
                return path;
            }

            if (path != "/" && v1 is null)
            {
                v1 = path;
            }
        }

        return v1;
    }

    private ProcessContext Inherited(int tgid) =>
        _parents.TryGetValue(tgid, out var parent) && _byProcess.TryGetValue(parent, out var context)
            ? context with { ParentProcessId = parent, VirtualProcessId = null }
            : ProcessContext.Unknown with { ContainerId = KnownContainer };

    private static ProcessContext? Read(int tgid)
    {
        var dir = "/proc/" + tgid.ToString(CultureInfo.InvariantCulture);
        try
        {
            var stat = File.ReadAllText(dir + "/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (fields[0] is "Z" or "X")
            {
                // Ended, not yet collected: its memory (command line) and program are gone already.
                return null;
            }

            int? parent = fields.Length > 1 && int.TryParse(fields[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var ppid) ? ppid : null;

            int? uid = null;
            int? vpid = null;
            foreach (var line in File.ReadLines(dir + "/status"))
            {
                if (line.StartsWith("Uid:", StringComparison.Ordinal))
                {
                    // real, effective, saved, filesystem: the effective one decides what the process may do.
                    var ids = line[4..].Split('\t', StringSplitOptions.RemoveEmptyEntries);
                    uid = ids.Length > 1 && int.TryParse(ids[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var euid) ? euid : null;
                }
                else if (line.StartsWith("NSpid:", StringComparison.Ordinal))
                {
                    // One id per pid namespace, outermost first: the last is the one the process sees.
                    var ids = line[6..].Split('\t', StringSplitOptions.RemoveEmptyEntries);
                    vpid = ids.Length > 0 && int.TryParse(ids[^1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : null;
                }
            }

            var cgroupLines = File.ReadAllLines(dir + "/cgroup");
            var cgroup = CgroupOf(cgroupLines);
            var container = cgroupLines.Select(l => ContainerIdOf(l[(l.IndexOf(':', l.IndexOf(':') + 1) + 1)..])).LastOrDefault(c => c is not null);
            return new ProcessContext(parent, CommandLine(dir), ReadLink(dir + "/exe"), uid,
                uid is int u && UserNames.Value.TryGetValue(u, out var name) ? name : null, vpid, container, cgroup);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The arguments as one line, as ps and sysdig show them: separated by spaces.</summary>
    private static string? CommandLine(string dir)
    {
        var bytes = File.ReadAllBytes(dir + "/cmdline");
        if (bytes.Length == 0)
        {
            return null;
        }

        return Encoding.UTF8.GetString(bytes).TrimEnd('\0').Replace('\0', ' ');
    }

    private static string? ReadLink(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>User names by uid, from /etc/passwd (read once; a trace meets few users).</summary>
    private static Dictionary<int, string> ReadUserNames()
    {
        var names = new Dictionary<int, string>();
        try
        {
            foreach (var line in File.ReadLines("/etc/passwd"))
            {
                var f = line.Split(':');
                if (f.Length > 2 && int.TryParse(f[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var uid))
                {
                    names.TryAdd(uid, f[0]);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // No names: uids only.
        }

        return names;
    }

    [GeneratedRegex("([0-9a-f]{64})")]
    private static partial Regex ContainerIdPattern();
}
