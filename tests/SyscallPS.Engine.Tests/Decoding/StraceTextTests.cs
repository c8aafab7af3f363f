using System.Text;
using SyscallPS.Decoding;
using Xunit;

namespace SyscallPS.Tests.Decoding;

public sealed class StraceTextTests
{
    private static string Quote(byte[] data, bool hex = false)
    {
        var sb = new StringBuilder();
        StraceText.AppendQuoted(sb, data, hex);
        return sb.ToString();
    }

    [Theory]
    [InlineData(new byte[] { (byte)'h', (byte)'i', 10 }, "\"hi\\n\"")]
    [InlineData(new byte[] { 9, 13, 11, 12, (byte)'"', (byte)'\\' }, "\"\\t\\r\\v\\f\\\"\\\\\"")]
    [InlineData(new byte[] { 0 }, "\"\\0\"")]
    [InlineData(new byte[] { 0, (byte)'1' }, "\"\\0001\"")]
    [InlineData(new byte[] { 0, (byte)'8' }, "\"\\08\"")]
    [InlineData(new byte[] { 27, (byte)'[' }, "\"\\33[\"")]
    [InlineData(new byte[] { 127, 255, 200 }, "\"\\177\\377\\310\"")]
    [InlineData(new byte[] { 1, (byte)'7' }, "\"\\0017\"")]
    public void QuotesWithStraceEscapes(byte[] data, string expected) => Assert.Equal(expected, Quote(data));

    [Fact]
    public void ForcedHexQuotesEveryByte() => Assert.Equal("\"\\x5c\\xe8\\x00\"", Quote([0x5c, 0xe8, 0], hex: true));

    [Theory]
    [InlineData(0UL, "000")]
    [InlineData(0x1a4UL, "0644")]
    [InlineData(0x9edUL, "04755")]
    [InlineData(0x12UL, "022")]
    public void OctalHasLeadingZeroAndThreeDigits(ulong value, string expected) => Assert.Equal(expected, StraceText.Octal(value));

    [Fact]
    public void PointersAndHex()
    {
        Assert.Equal("NULL", StraceText.Pointer(0));
        Assert.Equal("0x7ffd1000", StraceText.Pointer(0x7ffd1000));
        Assert.Equal("0", StraceText.Hex(0));
        Assert.Equal("0x20", StraceText.Hex(32));
    }

    [Fact]
    public void PrintableFormOfCapturedData() => Assert.Equal("GET / HTTP/1.1\\r\\n", StraceText.Printable(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\n")));
}
