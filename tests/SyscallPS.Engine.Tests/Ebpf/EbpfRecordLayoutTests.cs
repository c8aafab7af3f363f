using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using SyscallPS.Ebpf;
using Xunit;

namespace SyscallPS.Tests.Ebpf;

/// <summary>
/// The C# mirrors of EbpfRecords.cs (and EbpfArgumentKind) against the BTF of the committed syscallps.bpf.o: same sizes, same member offsets,
/// same enumerator values. The object keeps its record types in BTF through the <c>btf_anchors</c> section.
/// </summary>
public sealed partial class EbpfRecordLayoutTests
{
    private static string ObjectPath => Path.Combine(EbpfTestSupport.RepoRoot(), "src", "SyscallPS.Engine", "Ebpf", "bpf", "syscallps.bpf.o");

    [SkippableTheory]
    [InlineData(typeof(EbpfRecord), "rec")]
    [InlineData(typeof(EbpfBlob), "blob")]
    [InlineData(typeof(EbpfConfig), "config")]
    public void StructMatchesItsBtfLayout(Type mirror, string cName)
    {
        var c = BtfStruct(cName);
        // In offset order: reflection does not promise declaration order.
        var fields = mirror.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            .OrderBy(f => (long)Marshal.OffsetOf(mirror, f.Name)).ToArray();
        Assert.Equal(c.Size, Marshal.SizeOf(mirror));
        Assert.Equal(c.Members.Count, fields.Length);
        for (int i = 0; i < fields.Length; i++)
        {
            int offset = (int)Marshal.OffsetOf(mirror, fields[i].Name);
            Assert.True(c.Members[i].Offset == offset,
                $"{mirror.Name}.{fields[i].Name} is at {offset}, C's {cName}.{c.Members[i].Name} at {c.Members[i].Offset}");

            // The names too: two adjacent members of one type swapped on one side keep every offset.
            Assert.True(Abbreviates(c.Members[i].Name, fields[i].Name),
                $"{mirror.Name}.{fields[i].Name} stands where C's {cName} has {c.Members[i].Name}");
        }
    }

    [SkippableFact]
    public void HeaderSizeConstantsMatchTheStructs()
    {
        Assert.Equal(EbpfRecord.HeaderSize, BtfStruct("rec").Size);
        Assert.Equal(EbpfBlob.HeaderSize, BtfStruct("blob").Size);
        var sig = BtfStruct("sig_rec");
        Assert.Equal(EbpfSignalRecord.Size, sig.Size);
        var info = sig.Members.Single(m => m.Name == "info");
        Assert.Equal(EbpfSignalRecord.InfoOffset, info.Offset);
        Assert.Equal(EbpfSignalRecord.InfoSize, sig.Size - info.Offset);
    }

    [SkippableTheory]
    [InlineData(typeof(EbpfRecordType), "rec_type")]
    [InlineData(typeof(EbpfSignalOrigin), "sig_origin")]
    [InlineData(typeof(EbpfArgumentKind), "arg_kind")]
    public void EnumMatchesItsBtfValues(Type mirror, string cName)
    {
        var c = BtfEnum(cName).Order().ToArray();
        var ours = Enum.GetValues(mirror).Cast<object>().Select(v => Convert.ToInt64(v, CultureInfo.InvariantCulture)).Order().ToArray();
        Assert.Equal(c, ours);
    }

    /// <summary>
    /// Whether C's member name abbreviates the C# one: same first letter, and the C name's letters in order within it,
    /// case and underscores aside (<c>nr</c> and <c>Number</c>, <c>enter_ns</c> and <c>EnterNanoseconds</c>).
    /// </summary>
    private static bool Abbreviates(string cName, string csharpName)
    {
        string c = cName.Replace("_", string.Empty, StringComparison.Ordinal).ToLowerInvariant();
        string cs = csharpName.ToLowerInvariant();
        if (c.Length == 0 || cs.Length == 0 || c[0] != cs[0])
        {
            return false;
        }

        int at = 0;
        foreach (char letter in c)
        {
            at = cs.IndexOf(letter, at);
            if (at < 0)
            {
                return false;
            }

            at++;
        }

        return true;
    }

    private sealed record Member(string Name, int Offset);

    private sealed record Struct(int Size, List<Member> Members);

    private static string[] Dump()
    {
        var dump = EbpfTestSupport.Bpftool("btf dump file " + ObjectPath + " format raw");
        Skip.If(dump is null, "bpftool is not installed (build.ps1 -Task Setup installs it)");
        return dump.Split('\n');
    }

    private static Struct BtfStruct(string name)
    {
        var lines = Dump();
        int at = Array.FindIndex(lines, l => l.Contains("] STRUCT '" + name + "' ", StringComparison.Ordinal));
        Assert.True(at >= 0, $"struct {name} is not in the object's BTF (is it anchored in the btf_anchors section?)");
        var head = StructHead().Match(lines[at]);
        var members = new List<Member>();
        for (int i = at + 1; i < lines.Length && lines[i].StartsWith('\t'); i++)
        {
            var m = MemberLine().Match(lines[i]);
            Assert.True(m.Success, "unexpected BTF member line: " + lines[i]);
            int bits = int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
            Assert.True(bits % 8 == 0, $"{name}.{m.Groups[1].Value} is a bit field, which no C# mirror can hold");
            members.Add(new Member(m.Groups[1].Value, bits / 8));
        }

        return new Struct(int.Parse(head.Groups[1].Value, CultureInfo.InvariantCulture), members);
    }

    private static List<long> BtfEnum(string name)
    {
        var lines = Dump();
        int at = Array.FindIndex(lines, l => l.Contains("] ENUM '" + name + "' ", StringComparison.Ordinal));
        Assert.True(at >= 0, $"enum {name} is not in the object's BTF (is it anchored in the btf_anchors section?)");
        var values = new List<long>();
        for (int i = at + 1; i < lines.Length && lines[i].StartsWith('\t'); i++)
        {
            values.Add(long.Parse(EnumeratorLine().Match(lines[i]).Groups[1].Value, CultureInfo.InvariantCulture));
        }

        return values;
    }

    [GeneratedRegex(@"size=(\d+)")]
    private static partial Regex StructHead();

    [GeneratedRegex(@"^\t'([^']*)' type_id=\d+ bits_offset=(\d+)")]
    private static partial Regex MemberLine();

    [GeneratedRegex(@"val=(-?\d+)")]
    private static partial Regex EnumeratorLine();
}
