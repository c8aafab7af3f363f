using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using SyscallPS.Decoding;
using SyscallPS.Tracing;
using Xunit;
using Xunit.Abstractions;

namespace SyscallPS.Tests.Decoding;

/// <summary>
/// The structs of <c>Decoding/KernelStructs.cs</c> against this machine's headers: each one marked with
/// <c>[CType]</c> is compiled with gcc, and its sizeof, every member's offsetof and sizeof are compared with the
/// layout the runtime gives the C# struct (whose field names are the C member names).
/// </summary>
public sealed class KernelStructTests(ITestOutputHelper output)
{
    /// <summary>The structs no header declares, with the reason; any other struct without [CType] fails the test.</summary>
    private static readonly Dictionary<string, string> Unchecked = new(StringComparer.Ordinal)
    {
        [nameof(KernelSigaction)] = "the kernel's rt_sigaction layout; glibc's struct sigaction and asm/signal.h's differ from it",
        [nameof(TimespecPair)] = "utimensat's struct timespec[2]; Timespec is checked",
        [nameof(CapUserDataV3)] = "capget's struct __user_cap_data_struct[2]; CapUserData is checked",
        [nameof(Pselect6Data)] = "pselect6's kernel-internal { sigset_t *ss; size_t ss_len; }",
    };

    private static readonly Type[] Structs = typeof(CTypeAttribute).Assembly.GetTypes()
        .Where(t => t.IsValueType && t.Namespace == "SyscallPS.Decoding" && !t.IsEnum
            && t.GetCustomAttribute<InlineArrayAttribute>() is null
            && t.StructLayoutAttribute is { Value: LayoutKind.Sequential or LayoutKind.Explicit }
            && (t.GetCustomAttribute<CTypeAttribute>() is not null || Unchecked.ContainsKey(t.Name)))
        .ToArray();

    [Fact]
    public void EveryUncheckedStructIsListedWithItsReason()
    {
        var source = File.ReadAllText(Path.Combine(Fixtures.RepoRoot, "src/SyscallPS.Engine/Decoding/KernelStructs.cs"));
        var declared = System.Text.RegularExpressions.Regex.Matches(source, @"internal struct (\w+)").Select(m => m.Groups[1].Value).ToList();
        var inlineArrays = declared.Where(n => typeof(CTypeAttribute).Assembly.GetType("SyscallPS.Decoding." + n)!.GetCustomAttribute<InlineArrayAttribute>() is not null);
        var missing = declared.Except(inlineArrays).Where(n => !Structs.Any(t => t.Name == n)).ToList();
        Assert.True(missing.Count == 0, "structs with neither [CType] nor a reason in Unchecked: " + string.Join(", ", missing));
        Assert.All(Unchecked.Keys, name => Assert.Contains(name, declared));
    }

    [SkippableFact]
    public void EveryStructMatchesTheSystemHeaders()
    {
        Skip.If(Fixtures.Compiler is null, "no C compiler to compile the structs against /usr/include (apt-get install gcc)");
        Skip.If(!File.Exists("/usr/include/linux/openat2.h"), "the kernel headers are not installed (apt-get install linux-libc-dev)");
        string machine = SyscallTable.CurrentArchitecture;
        var checkedTypes = Structs.Where(t => t.GetCustomAttribute<CTypeAttribute>() is { } c && (c.Machine is null || c.Machine == machine)).ToList();
        Assert.True(checkedTypes.Count >= 30, $"only {checkedTypes.Count} structs carry [CType]; the reflection walk is broken");

        string directory = Directory.CreateTempSubdirectory("syscallps-structs-").FullName;
        var mismatches = new List<string>();
        int members = 0;
        try
        {
            // One program for all (fast); one per struct when two headers clash.
            var layout = CompileAndRun(directory, "all", checkedTypes)
                ?? checkedTypes.SelectMany(t => CompileAndRun(directory, t.Name, [t]) ?? throw CompileError(directory, t.Name))
                    .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
            foreach (var type in checkedTypes)
            {
                var c = type.GetCustomAttribute<CTypeAttribute>()!;
                Compare(mismatches, $"sizeof({c.Name})", layout[type.Name + " sizeof"], SizeOf(type));
                foreach (var f in Fields(type))
                {
                    // Padding members (__pad0, __glibc_reserved) are compared too: their offsets pin the layout.
                    Compare(mismatches, $"offsetof({c.Name}, {f.Name})", layout[type.Name + " offsetof " + f.Name], (int)Marshal.OffsetOf(type, f.Name));
                    Compare(mismatches, $"sizeof({c.Name}.{f.Name})", layout[type.Name + " sizeof " + f.Name], SizeOf(f.FieldType));
                    members++;
                }
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }

        output.WriteLine($"{checkedTypes.Count} structs, {members} members compared with the headers on {machine}");
        Assert.True(mismatches.Count == 0, "layouts that differ from the headers:\n" + string.Join("\n", mismatches));
    }

    [Fact]
    public void ArraysOfCheckedStructsHaveTheirElementsSize()
    {
        Assert.Equal(2 * Unsafe.SizeOf<Timespec>(), Unsafe.SizeOf<TimespecPair>());
        Assert.Equal(2 * Unsafe.SizeOf<CapUserData>(), Unsafe.SizeOf<CapUserDataV3>());
        Assert.Equal(16, Unsafe.SizeOf<Pselect6Data>());
        Assert.Equal(32, Unsafe.SizeOf<KernelSigaction>());
    }

    private static void Compare(List<string> mismatches, string what, int header, int managed)
    {
        if (header != managed)
        {
            mismatches.Add($"{what}: headers {header}, C# {managed}");
        }
    }

    private static int SizeOf(Type t) =>
        (int)typeof(Unsafe).GetMethod(nameof(Unsafe.SizeOf))!.MakeGenericMethod(t).Invoke(null, null)!;

    private static List<FieldInfo> Fields(Type type) =>
        type.GetFields(BindingFlags.Instance | BindingFlags.Public).OrderBy(f => f.MetadataToken).ToList();

    /// <summary>Compiles a program printing each type's sizeof and each member's offsetof and sizeof; null when gcc fails.</summary>
    private static Dictionary<string, int>? CompileAndRun(string directory, string name, List<Type> types)
    {
        string source = Path.Combine(directory, name + ".c"), binary = Path.Combine(directory, name);
        var sb = new StringBuilder("#define _GNU_SOURCE\n#include <stddef.h>\n#include <stdio.h>\n");
        foreach (var header in types.Select(t => t.GetCustomAttribute<CTypeAttribute>()!.Header).Distinct().Order(StringComparer.Ordinal))
        {
            sb.Append("#include <").Append(header).Append(">\n");
        }

        sb.Append("int main(void)\n{\n");
        foreach (var t in types)
        {
            string c = t.GetCustomAttribute<CTypeAttribute>()!.Name;
            sb.Append(CultureInfo.InvariantCulture, $"    printf(\"{t.Name} sizeof\\t%zu\\n\", sizeof({c}));\n");
            foreach (var f in Fields(t))
            {
                sb.Append(CultureInfo.InvariantCulture, $"    printf(\"{t.Name} offsetof {f.Name}\\t%zu\\n\", offsetof({c}, {f.Name}));\n");
                sb.Append(CultureInfo.InvariantCulture, $"    printf(\"{t.Name} sizeof {f.Name}\\t%zu\\n\", sizeof((({c} *)0)->{f.Name}));\n");
            }
        }

        sb.Append("    return 0;\n}\n");
        File.WriteAllText(source, sb.ToString());
        var (code, text) = CompilerRun.Run(Fixtures.Compiler!, "-w", "-o", binary, source);
        File.WriteAllText(source + ".log", text);
        if (code != 0)
        {
            return null;
        }

        var (rc, stdout) = CompilerRun.Run(binary);
        Assert.Equal(0, rc);
        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('\t'))
            .ToDictionary(f => f[0], f => int.Parse(f[1], CultureInfo.InvariantCulture), StringComparer.Ordinal);
    }

    private static InvalidOperationException CompileError(string directory, string name) =>
        new($"gcc failed on {name}:\n" + File.ReadAllText(Path.Combine(directory, name + ".c.log")));
}
