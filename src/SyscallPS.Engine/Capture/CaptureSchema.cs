using System.Buffers.Binary;
using System.Numerics;

namespace SyscallPS.Capture;

/// <summary>How a field's value is laid out in a block, so a reader can skip a field it does not know.</summary>
internal enum WireType : byte
{
    /// <summary>An unsigned LEB128 number.</summary>
    VarInt = 0,

    /// <summary>A signed number, zigzag then LEB128.</summary>
    SVarInt = 1,

    /// <summary>An index into the block's string table, as a VarInt.</summary>
    String = 2,

    /// <summary>A VarInt byte length, then that many bytes.</summary>
    Blob = 3,
}

/// <summary>The fields a v2 capture stores for each event; the bit of a field in an event's presence mask is its value.</summary>
internal enum CaptureField : byte
{
    Kind,
    Timestamp,
    MonotonicNanoseconds,
    ProcessId,
    ThreadId,
    ProcessName,
    Syscall,
    Number,
    Category,
    Arguments,
    ReturnValue,
    ReturnText,
    Errno,
    ErrorMessage,
    Duration,
    Path,
    TargetPath,
    ChildProcessId,
    Signal,
    SignalInfo,
    ExitCode,
    LostCount,
    Fd,
    FdName,
    FdType,
    LocalAddress,
    LocalPort,
    RemoteAddress,
    RemotePort,
    Data,
    Injected,
    Delayed,
    ThreadName,
    ParentProcessId,
    CommandLine,
    ExecutablePath,
    UserId,
    UserName,
    VirtualProcessId,
    ContainerId,
    Cgroup,
    ServerIsLocal,
    Cpu,
}

/// <summary>
/// Capture format v2: the layout written by <see cref="CaptureWriter"/> and read by <see cref="CaptureReader"/>.
/// <code>
/// file   = magic[8] "\x89SPSCAP\n", u32 header length, header (UTF-8 JSON), u32 CRC32C of the header, block*
/// block  = u32 "SPSB", u32 payload length, u32 raw length, u32 event count, u32 CRC32C, payload (zstd)
///          the CRC covers the three lengths and the payload
/// raw    = VarInt string count, (VarInt byte length, UTF-8)*, event*
/// event  = VarInt presence mask (bit i: field i of the header's field table is present), the present fields in
///          table order; an absent field has the value a new SyscallEvent has
/// </code>
/// Each block stands alone (its own string table, delta bases reset), so a damaged block costs only its events.
/// Timestamp is <c>Ticks &lt;&lt; 2 | Kind</c> and, like MonotonicNanoseconds, a difference from the previous event
/// of the block. A field added later gets the next number; old readers skip it by its wire type.
/// </summary>
internal static class CaptureSchema
{
    /// <summary>The file's first eight bytes. The high first byte and the newline catch text-mode mangling, as PNG's do.</summary>
    internal static ReadOnlySpan<byte> Magic => [0x89, (byte)'S', (byte)'P', (byte)'S', (byte)'C', (byte)'A', (byte)'P', (byte)'\n'];

    /// <summary>"SPSB", little-endian: the start of every block, for finding the next one after damage.</summary>
    internal const uint BlockMagic = 0x42535053;

    /// <summary>Bytes of a block's header.</summary>
    internal const int BlockHeaderSize = 20;

    /// <summary>Largest raw (uncompressed) block a reader accepts; a writer seals blocks far below it.</summary>
    internal const int MaxRawBlock = 16 << 20;

    /// <summary>The format name in the header.</summary>
    internal const string FormatName = "syscallps-capture";

    /// <summary>The version written.</summary>
    internal const int Version = 2;

    /// <summary>The block codec.</summary>
    internal const string Codec = "zstd";

    /// <summary>Every field this build writes and reads, in bit order.</summary>
    internal static readonly (CaptureField Field, WireType Wire)[] Fields =
    [
        (CaptureField.Kind, WireType.VarInt),
        (CaptureField.Timestamp, WireType.SVarInt),
        (CaptureField.MonotonicNanoseconds, WireType.SVarInt),
        (CaptureField.ProcessId, WireType.SVarInt),
        (CaptureField.ThreadId, WireType.SVarInt),
        (CaptureField.ProcessName, WireType.String),
        (CaptureField.Syscall, WireType.String),
        (CaptureField.Number, WireType.SVarInt),
        (CaptureField.Category, WireType.VarInt),
        (CaptureField.Arguments, WireType.Blob),
        (CaptureField.ReturnValue, WireType.SVarInt),
        (CaptureField.ReturnText, WireType.String),
        (CaptureField.Errno, WireType.String),
        (CaptureField.ErrorMessage, WireType.String),
        (CaptureField.Duration, WireType.SVarInt),
        (CaptureField.Path, WireType.String),
        (CaptureField.TargetPath, WireType.String),
        (CaptureField.ChildProcessId, WireType.SVarInt),
        (CaptureField.Signal, WireType.String),
        (CaptureField.SignalInfo, WireType.String),
        (CaptureField.ExitCode, WireType.SVarInt),
        (CaptureField.LostCount, WireType.SVarInt),
        (CaptureField.Fd, WireType.SVarInt),
        (CaptureField.FdName, WireType.String),
        (CaptureField.FdType, WireType.VarInt),
        (CaptureField.LocalAddress, WireType.String),
        (CaptureField.LocalPort, WireType.SVarInt),
        (CaptureField.RemoteAddress, WireType.String),
        (CaptureField.RemotePort, WireType.SVarInt),
        (CaptureField.Data, WireType.Blob),
        (CaptureField.Injected, WireType.VarInt),
        (CaptureField.Delayed, WireType.VarInt),
        (CaptureField.ThreadName, WireType.String),
        (CaptureField.ParentProcessId, WireType.SVarInt),
        (CaptureField.CommandLine, WireType.String),
        (CaptureField.ExecutablePath, WireType.String),
        (CaptureField.UserId, WireType.SVarInt),
        (CaptureField.UserName, WireType.String),
        (CaptureField.VirtualProcessId, WireType.SVarInt),
        (CaptureField.ContainerId, WireType.String),
        (CaptureField.Cgroup, WireType.String),
        (CaptureField.ServerIsLocal, WireType.VarInt),
        (CaptureField.Cpu, WireType.SVarInt),
    ];

    /// <summary>CRC32C (Castagnoli) of <paramref name="data"/> continuing from <paramref name="crc"/>; SSE4.2 / ARMv8 CRC instructions where present.</summary>
    internal static uint Crc32C(ReadOnlySpan<byte> data, uint crc = 0)
    {
        crc = ~crc;
        int i = 0;
        for (; i + 8 <= data.Length; i += 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data[i..]));
        }

        for (; i < data.Length; i++)
        {
            crc = BitOperations.Crc32C(crc, data[i]);
        }

        return ~crc;
    }

    /// <summary>CRC32C of a block: its three length fields, then its payload.</summary>
    internal static uint BlockCrc(ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload) =>
        Crc32C(payload, Crc32C(header.Slice(4, 12)));
}
