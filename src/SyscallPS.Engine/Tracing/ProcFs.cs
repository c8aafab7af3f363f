using System.Globalization;

namespace SyscallPS.Tracing;

/// <summary>Small readers of /proc used by the engines (names, thread lists, states, tracer).</summary>
internal static class ProcFs
{
    /// <summary>The command name of a task (<c>/proc/PID/comm</c>), or empty when it is gone.</summary>
    internal static string Comm(int pid)
    {
        try
        {
            return File.ReadAllText("/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/comm").TrimEnd('\n');
        }
        catch (IOException)
        {
            return string.Empty;
        }
        catch (UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }

    /// <summary>True when /proc/PID exists.</summary>
    internal static bool Exists(int pid) => Directory.Exists("/proc/" + pid.ToString(CultureInfo.InvariantCulture));

    /// <summary>The thread ids of a process, or empty when it is gone.</summary>
    internal static int[] Threads(int pid)
    {
        try
        {
            return Directory.GetDirectories("/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/task")
                .Select(d => int.Parse(System.IO.Path.GetFileName(d), CultureInfo.InvariantCulture))
                .ToArray();
        }
        catch (IOException)
        {
            return [];
        }
    }

    /// <summary>A field of /proc/PID/status (<c>Tgid</c>, <c>TracerPid</c>, <c>State</c>, <c>Uid</c>), or null.</summary>
    internal static string? StatusField(int pid, string field)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/" + pid.ToString(CultureInfo.InvariantCulture) + "/status"))
            {
                if (line.Length > field.Length && line.StartsWith(field, StringComparison.Ordinal) && line[field.Length] == ':')
                {
                    return line[(field.Length + 1)..].Trim();
                }
            }
        }
        catch (IOException)
        {
        }

        return null;
    }

    /// <summary>The thread group id of a task, or the task id itself when it cannot be read.</summary>
    internal static int Tgid(int tid) =>
        int.TryParse(StatusField(tid, "Tgid"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var tgid) ? tgid : tid;
}
