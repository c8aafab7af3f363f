using System.Globalization;
using System.Runtime.InteropServices;
using SyscallPS.Tracing;

namespace SyscallPS.Raw;

/// <summary>
/// Turns caller values into the 64-bit register values of a raw syscall and keeps the memory they point to
/// alive (pinned byte arrays, unmanaged UTF-8 strings) until the call has returned.
/// </summary>
internal sealed class RawArgumentMarshaller : IDisposable
{
    private static readonly System.Buffers.SearchValues<char> HexDigits = System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");
    private static readonly System.Buffers.SearchValues<char> DecimalDigits = System.Buffers.SearchValues.Create("0123456789");

    private readonly List<GCHandle> _pins = [];
    private readonly List<IntPtr> _strings = [];
    private readonly List<SyscallBuffer> _buffers = [];

    /// <summary>Marshals every argument; throws <see cref="TraceException"/> (<c>UnsupportedArgumentType</c>, <c>ArgumentOutOfRange</c>) for one it cannot pass.</summary>
    public ulong[] Marshal(IReadOnlyList<object?> arguments, string syscall)
    {
        var registers = new ulong[arguments.Count];
        for (int i = 0; i < arguments.Count; i++)
        {
            registers[i] = MarshalOne(arguments[i], i, syscall);
        }

        return registers;
    }

    /// <summary>Frees the strings and unpins the arrays.</summary>
    public void Dispose()
    {
        foreach (var pin in _pins)
        {
            pin.Free();
        }

        foreach (var s in _strings)
        {
            System.Runtime.InteropServices.Marshal.FreeCoTaskMem(s);
        }

        _pins.Clear();
        _strings.Clear();
        GC.KeepAlive(_buffers);
    }

    private unsafe ulong MarshalOne(object? value, int index, string syscall)
    {
        switch (value)
        {
            case null:
                return 0;
            case bool b:
                return b ? 1UL : 0UL;
            case sbyte or short or int or long:
                return (ulong)Convert.ToInt64(value, CultureInfo.InvariantCulture);
            case byte or ushort or uint or ulong:
                return Convert.ToUInt64(value, CultureInfo.InvariantCulture);
            case IntPtr p:
                return (ulong)(long)p;
            case UIntPtr up:
                return (ulong)up;
            case Enum e:
                return MarshalOne(Convert.ChangeType(e, Enum.GetUnderlyingType(e.GetType()), CultureInfo.InvariantCulture), index, syscall);
            case double or float or decimal:
                return FromNonInteger(value, index, syscall);
            case string s when TryParseInteger(s, out var number, out bool overflow):
                return overflow
                    ? throw new TraceException(
                        "ArgumentOutOfRange", TraceErrorKind.InvalidArgument,
                        $"Argument {index + 1} of {syscall} is '{s}', a number wider than 64 bits.",
                        "Syscall registers hold 64 bits: pass a number between -2^63 and 2^64-1.", value)
                    : number;
            case string s:
                var utf8 = System.Runtime.InteropServices.Marshal.StringToCoTaskMemUTF8(s);
                _strings.Add(utf8);
                return (ulong)(long)utf8;
            case byte[] bytes:
                var pin = GCHandle.Alloc(bytes, GCHandleType.Pinned);
                _pins.Add(pin);
                return (ulong)(long)pin.AddrOfPinnedObject();
            case SyscallBuffer buffer:
                if (buffer.IsDisposed)
                {
                    throw new TraceException(
                        "DisposedSyscallBuffer", TraceErrorKind.InvalidArgument,
                        $"Argument {index + 1} of {syscall} is a SyscallBuffer that has been disposed.",
                        "Create a new buffer with New-SyscallBuffer -Size.", value);
                }

                _buffers.Add(buffer);
                return (ulong)buffer.Pointer;
            default:
                throw new TraceException(
                    "UnsupportedArgumentType", TraceErrorKind.InvalidArgument,
                    $"Argument {index + 1} of {syscall} is a {value.GetType().FullName}, which cannot be passed to a syscall.",
                    "Pass an integer (also as a hex string like '0x10'), a string (passed as NUL-terminated UTF-8), a byte[] or a SyscallBuffer from New-SyscallBuffer.",
                    value);
        }
    }

    private static ulong FromNonInteger(object value, int index, string syscall)
    {
        decimal d;
        try
        {
            d = Convert.ToDecimal(value, CultureInfo.InvariantCulture);
        }
        catch (OverflowException)
        {
            d = decimal.MaxValue;
        }

        if (decimal.Truncate(d) == d && d >= long.MinValue && d <= ulong.MaxValue)
        {
            return d < 0 ? (ulong)(long)d : (ulong)d;
        }

        throw new TraceException(
            "ArgumentOutOfRange", TraceErrorKind.InvalidArgument,
            $"Argument {index + 1} of {syscall} is {Convert.ToString(value, CultureInfo.InvariantCulture)}, which is not a 64-bit integer.",
            "Syscall registers hold integers: pass a whole number between -2^63 and 2^64-1.",
            value);
    }

    /// <summary>
    /// Integers given as text: decimal ('-100', which is what PowerShell's argument mode makes of an unquoted -100)
    /// and hex ('0x10', '-0x10', '0XfF'). False for other text, which is passed as a string;
    /// <paramref name="overflow"/> is set for numbers wider than 64 bits.
    /// </summary>
    internal static bool TryParseInteger(string text, out ulong value, out bool overflow)
    {
        value = 0;
        overflow = false;
        var t = text.AsSpan().Trim();
        bool negative = t.StartsWith("-");
        if (negative)
        {
            t = t[1..];
        }

        bool hex = t.Length >= 3 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X');
        var digits = hex ? t[2..] : t;
        if (digits.Length == 0 || digits.ContainsAnyExcept(hex ? HexDigits : DecimalDigits))
        {
            return false;
        }

        var style = hex ? NumberStyles.AllowHexSpecifier : NumberStyles.None;
        overflow = !ulong.TryParse(digits, style, CultureInfo.InvariantCulture, out var magnitude)
            || (negative && !hex && magnitude > 1UL << 63);
        value = negative ? unchecked(0UL - magnitude) : magnitude;
        return true;
    }
}
