namespace SyscallPS.Tracing;

/// <summary>
/// Finds containers by id in the cgroup v2 hierarchy: the cgroups a runtime made for them (docker-ID.scope,
/// libpod-ID.scope, crio-ID.scope, kubepods/.../ID ...) and those below them.
/// </summary>
internal static class ContainerCgroups
{
    /// <summary>The cgroup v2 directories of the containers <paramref name="ids"/> (12-digit prefixes), with their descendants.</summary>
    internal static List<string> Directories(IReadOnlyCollection<string> ids)
    {
        var found = new List<string>();
        if (Root() is not { } root)
        {
            return found;
        }

        var pending = new Stack<(string Path, bool Inside)>();
        pending.Push((root, false));
        while (pending.Count > 0)
        {
            var (dir, inside) = pending.Pop();
            bool here = inside || (ProcessContexts.ContainerIdOf(Path.GetFileName(dir)) is { } id && ids.Contains(id));
            if (here)
            {
                found.Add(dir);
            }

            IEnumerable<string> children;
            try
            {
                children = Directory.EnumerateDirectories(dir);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            foreach (var child in children)
            {
                pending.Push((child, here));
            }
        }

        return found;
    }

    /// <summary>Where the cgroup v2 hierarchy is mounted (/sys/fs/cgroup, or /sys/fs/cgroup/unified beside v1), or null.</summary>
    private static string? Root()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/mounts"))
            {
                var f = line.Split(' ');
                if (f.Length > 2 && f[2] == "cgroup2")
                {
                    return f[1];
                }
            }
        }
        catch (IOException)
        {
        }

        return null;
    }
}
