using System.Globalization;

namespace SyscallPS.Decoding.Tables;

// Entries is generated from data/ErrnoTable.tsv (Generated/ErrnoTable.g.cs).
internal static partial class ErrnoTable
{
    /// <summary>The name (<c>ENOENT</c>), or null for a value the table does not know.</summary>
    public static string? NameOf(int errno) =>
        errno > 0 && errno < Index.ByNumber.Length && Index.ByNumber[errno] is { } e ? e.Name : null;

    /// <summary>The message; glibc's <c>Unknown error N</c> for a value the table does not know.</summary>
    public static string MessageOf(int errno) =>
        errno > 0 && errno < Index.ByNumber.Length && Index.ByNumber[errno] is { } e ? e.Message : "Unknown error " + errno.ToString(CultureInfo.InvariantCulture);

    /// <summary>The name, or the number in decimal (strace's form for an unknown errno inside a structure).</summary>
    public static string NameOrNumber(int errno) => NameOf(errno) ?? errno.ToString(CultureInfo.InvariantCulture);

    /// <summary>The value of a name (any case), or null.</summary>
    public static int? ValueOf(string name)
    {
        foreach (var e in Entries)
        {
            if (e.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return e.Value;
            }
        }

        return null;
    }

    /// <summary>
    /// A failed call's return as strace prints it: <c>-1 ENOENT (No such file or directory)</c>, <c>? ERESTARTSYS (…)</c>
    /// for the kernel's restart codes, <c>-1 (errno 600)</c> for a value without a name.
    /// </summary>
    public static string ReturnText(int errno) => NameOf(errno) is { } name
        ? (IsRestart(errno) ? "? " : "-1 ") + name + " (" + MessageOf(errno) + ")"
        : "-1 (errno " + errno.ToString(CultureInfo.InvariantCulture) + ")";

    /// <summary>True for the kernel's restart codes, which strace prints as <c>? ERESTARTSYS (…)</c>.</summary>
    public static bool IsRestart(int errno) => errno is 512 or 513 or 514 or 516;

    // A nested class, so the index is built after Entries: the order of static initialisers across partial files is unspecified.
    private static class Index
    {
        public static readonly (string Name, string Message)?[] ByNumber = BuildIndex();
    }

    private static (string Name, string Message)?[] BuildIndex()
    {
        var a = new (string, string)?[Entries[^1].Value + 1];
        foreach (var (v, n, m) in Entries)
        {
            a[v] = (n, m);
        }

        return a;
    }
}
