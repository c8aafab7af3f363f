using System.Globalization;

namespace SyscallPS.Tests.Decoding;

/// <summary>
/// The constant tables' data files (src/SyscallPS.Engine/Decoding/Tables/data/*.tsv), read as
/// Update-ConstantTables.ps1 reads them: one row per (name, value) pair, in print order.
/// </summary>
internal static class ConstantTableData
{
    /// <summary>One row: the class (the file's name), the table (or <c>const</c>), its kind, strace's unknown comment, the value, the name, the arch ("" for both) and the text column (errno's message, a const's C# name, a comment).</summary>
    internal sealed record Row(string Class, string Table, string Kind, string Unknown, long Value, string Name, string Arch, string Text, int Line)
    {
        /// <summary>Whether this row holds the value of the architecture the tests run on.</summary>
        public bool ForCurrentArch => Arch.Length == 0 || Arch == global::SyscallPS.SyscallTable.CurrentArchitecture;

        /// <summary>The C# field: the table, or for a const row its C# name (the text column where it is not the C name).</summary>
        public string Field => Table != "const" ? Table : Text.Length > 0 ? Text : Name;

        public override string ToString() => $"data/{Class}.tsv:{Line} {Table} {Name}";
    }

    internal static string Directory => Path.Combine(Fixtures.RepoRoot, "src", "SyscallPS.Engine", "Decoding", "Tables", "data");

    private static readonly Lazy<IReadOnlyList<Row>> AllRows = new(Read);

    /// <summary>Every row of every data file, in file order.</summary>
    internal static IReadOnlyList<Row> Rows => AllRows.Value;

    private static List<Row> Read()
    {
        var rows = new List<Row>();
        foreach (var file in System.IO.Directory.GetFiles(Directory, "*.tsv").Order(StringComparer.Ordinal))
        {
            string cls = Path.GetFileNameWithoutExtension(file);
            bool header = false;
            int line = 0;
            foreach (var text in File.ReadLines(file))
            {
                line++;
                if (text.Length == 0 || text.StartsWith('#'))
                {
                    continue;
                }

                if (!header)
                {
                    header = true;
                    continue;
                }

                var f = text.Split('\t');
                if (f.Length != 7)
                {
                    throw new FormatException($"{file}:{line}: {f.Length} fields, expected 7");
                }

                rows.Add(new Row(cls, f[0], f[1], f[2], ParseValue(f[3]), f[4], f[5], f[6], line));
            }
        }

        return rows;
    }

    /// <summary>A value as the data files write it: decimal or 0x hex, optionally negative.</summary>
    private static long ParseValue(string text)
    {
        bool negative = text.StartsWith('-');
        string digits = negative ? text[1..] : text;
        long value = digits.StartsWith("0x", StringComparison.Ordinal)
            ? unchecked((long)ulong.Parse(digits[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture))
            : long.Parse(digits, CultureInfo.InvariantCulture);
        return negative ? -value : value;
    }
}
