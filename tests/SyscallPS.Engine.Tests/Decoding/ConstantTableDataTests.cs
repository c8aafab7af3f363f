using System.Globalization;
using System.Reflection;
using SyscallPS.Decoding.Tables;
using Xunit;
using Xunit.Abstractions;

namespace SyscallPS.Tests.Decoding;

/// <summary>
/// The generated C# of Decoding/Tables (Generated/*.g.cs) is up to date with the data files: every table the
/// decoders use holds the data's pairs, in the data's order, with strace's unknown comment, and every table or
/// constant of the table classes comes from the data. When this fails, run
/// <c>src/SyscallPS.Engine/Decoding/Tables/Update-ConstantTables.ps1</c>.
/// </summary>
public sealed class ConstantTableDataTests(ITestOutputHelper output)
{
    private const BindingFlags StaticFields = BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic;
    private const string Regenerate = "; run src/SyscallPS.Engine/Decoding/Tables/Update-ConstantTables.ps1";

    [Fact]
    public void GeneratedTablesHoldTheDataFilesPairs()
    {
        var problems = new List<string>();
        int tables = 0, rows = 0;
        foreach (var table in ConstantTableData.Rows.Where(r => r.ForCurrentArch).GroupBy(r => (r.Class, r.Field)))
        {
            var data = table.ToList();
            var field = TableType(table.Key.Class)?.GetField(table.Key.Field, StaticFields);
            if (field is null)
            {
                problems.Add($"{data[0]}: {table.Key.Class}.{table.Key.Field} does not exist");
                continue;
            }

            tables++;
            rows += data.Count;

            // The script refuses such a table; a data file edited without running it must fail here too.
            var odd = data.FirstOrDefault(r => r.Unknown != data[0].Unknown || (r.Kind != data[0].Kind && !(r.Kind is "mask" or "field")));
            if (odd is not null)
            {
                problems.Add($"{odd}: kind '{odd.Kind}' and unknown '{odd.Unknown}' differ from the table's first row");
                continue;
            }

            if (Compare(data, field) is { } problem)
            {
                problems.Add($"{data[0]}: {table.Key.Class}.{table.Key.Field} {problem}");
            }
        }

        output.WriteLine($"{tables} tables and constants, {rows} rows for {SyscallTable.CurrentArchitecture} compared with the generated C#");
        Assert.True(problems.Count == 0, string.Join("\n", problems) + Regenerate);
        Assert.True(rows > 1600, $"only {rows} rows were compared");
    }

    [Fact]
    public void EveryTableOfTheTableClassesComesFromTheData()
    {
        var fromData = ConstantTableData.Rows
            .Select(r => r.Class + "." + r.Field)
            .ToHashSet(StringComparer.Ordinal);
        var types = typeof(FlagTable).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(FlagTable).Namespace && t.IsAbstract && t.IsSealed && !t.IsNested);
        var handWritten = new List<string>();
        foreach (var type in types)
        {
            foreach (var field in type.GetFields(StaticFields))
            {
                bool table = field.FieldType == typeof(FlagTable) || field.FieldType == typeof(ValueTable) ||
                    field.FieldType == typeof(string[]) || field.FieldType == typeof((int, string, string)[]) ||
                    field.FieldType == typeof((uint, (uint, string)[])[]);
                bool constant = field.FieldType.IsPrimitive && (field.IsLiteral || field.IsInitOnly);
                if ((table || constant) && !fromData.Contains(type.Name + "." + field.Name))
                {
                    handWritten.Add(type.Name + "." + field.Name);
                }
            }
        }

        Assert.True(handWritten.Count == 0,
            "tables or constants typed in C# instead of data/<class>.tsv (move them to the data file" + Regenerate + "): " +
            string.Join(", ", handWritten));
    }

    private static Type? TableType(string name) => typeof(FlagTable).Assembly.GetType(typeof(FlagTable).Namespace + "." + name);

    /// <summary>What differs between the rows of one table and its generated field, or null.</summary>
    private static string? Compare(List<ConstantTableData.Row> rows, FieldInfo field)
    {
        var first = rows[0];
        var value = field.GetValue(null);
        switch (first.Kind)
        {
            case "int" or "uint" or "ulong":
                string type = first.Kind switch { "int" => nameof(Int32), "uint" => nameof(UInt32), _ => nameof(UInt64) };
                if (field.FieldType.Name != type)
                {
                    return $"is a {field.FieldType.Name}, the data says {first.Kind}";
                }

                // Per-arch constants are chosen at run time; the others must stay const for switch labels.
                if (field.IsLiteral == (first.Arch.Length > 0))
                {
                    return field.IsLiteral ? "is const but differs per arch" : "is not const";
                }

                long actual = value is ulong u ? unchecked((long)u) : Convert.ToInt64(value, CultureInfo.InvariantCulture);
                return actual == first.Value ? null : $"is {actual}, the data says {first.Value}";

            case "flags":
                if (value is not FlagTable flags)
                {
                    return "is not a FlagTable";
                }

                var flagEntries = flags.Entries.ToArray();
                if (Differs(flagEntries.Select(e => ((long)e.Value, e.Name)), rows) is { } flagProblem)
                {
                    return flagProblem;
                }

                // The unknown comment, seen on a bit no entry uses.
                ulong bit = Enumerable.Range(0, 64).Select(b => 1UL << (63 - b)).First(b => flagEntries.All(e => (e.Value & b) == 0));
                string flagText = flags.Format(bit);
                return flagText == $"0x{bit:x} /* {first.Unknown} */" ? null : $"prints an unknown bit as '{flagText}', the data's comment is {first.Unknown}";

            case "values" or "values-decimal":
                if (value is not ValueTable values)
                {
                    return "is not a ValueTable";
                }

                if (Differs(values.Entries.ToArray().Select(e => (e.Value, e.Name)), rows) is { } valueProblem)
                {
                    return valueProblem;
                }

                const long Unknown = 999_999;
                string number = first.Kind == "values" ? "0xf423f" : "999999";
                string valueText = values.FormatUnknown(Unknown);
                return valueText == $"{number} /* {first.Unknown} */" ? null : $"prints an unknown value as '{valueText}', the data says {first.Kind} with {first.Unknown}";

            case "names":
                return value is string[] names && names.SequenceEqual(rows.Select(r => r.Name))
                    ? null : "differs from the data's names";

            case "errno":
                return value is (int Value, string Name, string Message)[] errnos &&
                    errnos.SequenceEqual(rows.Select(r => ((int)r.Value, r.Name, r.Text)))
                    ? null : "differs from the data's errno rows";

            case "mask" or "field":
                if (value is not (uint Mask, (uint Value, string Name)[] Names)[] fields)
                {
                    return "is not a table of bit fields";
                }

                var expected = new List<(uint Mask, List<(uint, string)> Names)>();
                foreach (var r in rows)
                {
                    if (r.Kind == "mask")
                    {
                        expected.Add(((uint)r.Value, []));
                    }
                    else
                    {
                        expected[^1].Names.Add(((uint)r.Value, r.Name));
                    }
                }

                bool same = fields.Length == expected.Count &&
                    fields.Zip(expected).All(p => p.First.Mask == p.Second.Mask && p.First.Names.SequenceEqual(p.Second.Names));
                return same ? null : "differs from the data's masks and fields";

            default:
                return $"has the unknown kind '{first.Kind}'";
        }
    }

    private static string? Differs(IEnumerable<(long Value, string Name)> entries, List<ConstantTableData.Row> rows)
    {
        var actual = entries.ToList();
        var expected = rows.Select(r => (r.Value, r.Name)).ToList();
        if (actual.SequenceEqual(expected))
        {
            return null;
        }

        int at = actual.Zip(expected).TakeWhile(p => p.First == p.Second).Count();
        string Show(List<(long Value, string Name)> l) => at < l.Count ? $"(0x{l[at].Value:x}, {l[at].Name})" : "nothing";
        string where = at < rows.Count ? $" (data/{rows[at].Class}.tsv:{rows[at].Line})" : string.Empty;
        return $"differs from the data at entry {at + 1}{where}: {Show(actual)} in C#, {Show(expected)} in the data ({actual.Count} entries, {expected.Count} rows)";
    }
}
