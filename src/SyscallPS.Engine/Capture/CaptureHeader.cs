using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SyscallPS.Capture;

/// <summary>What a capture file says about itself: its format, where and how it was recorded.</summary>
public sealed record CaptureHeader
{
    internal static readonly JsonSerializerOptions Json = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>Always <c>syscallps-capture</c>.</summary>
    public string Format { get; init; } = string.Empty;

    /// <summary>1 for JSON Lines, 2 for the block format.</summary>
    public int Version { get; init; }

    /// <summary>The architecture the syscall numbers belong to (<c>x86_64</c>).</summary>
    public string Architecture { get; init; } = string.Empty;

    /// <summary>The machine that recorded it (version 2).</summary>
    public string? HostName { get; init; }

    /// <summary>The engine that traced (<c>Ebpf</c>, <c>Ptrace</c>).</summary>
    public string Engine { get; init; } = string.Empty;

    /// <summary>What was traced: the command line, the attached process ids, or <c>(system-wide)</c>.</summary>
    public string Command { get; init; } = string.Empty;

    /// <summary>When the recording started.</summary>
    public DateTime Created { get; init; }

    /// <summary>The block codec (version 2: <c>zstd</c>).</summary>
    public string? Codec { get; init; }

    /// <summary>The file's number in a rotated recording (1, 2 ...); 0 when the recording is one file.</summary>
    public int Part { get; init; }

    /// <summary>Version 2: the stored fields in bit order, with their wire types.</summary>
    public IReadOnlyList<CaptureFieldInfo>? Fields { get; init; }

    /// <summary>The header of a new v2 capture on this machine.</summary>
    internal static CaptureHeader ForV2(string engine, string command) => new()
    {
        Format = CaptureSchema.FormatName,
        Version = CaptureSchema.Version,
        Architecture = SyscallTable.CurrentArchitecture,
        HostName = Environment.MachineName,
        Engine = engine,
        Command = command,
        Created = DateTime.Now,
        Codec = CaptureSchema.Codec,
        Fields = CaptureSchema.Fields.Select(f => new CaptureFieldInfo(f.Field.ToString(), f.Wire.ToString())).ToArray(),
    };

    /// <summary>The file's first bytes: magic, length, JSON, CRC32C of the JSON.</summary>
    internal byte[] ToBytes()
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(this, Json);
        var bytes = new byte[CaptureSchema.Magic.Length + 4 + json.Length + 4];
        CaptureSchema.Magic.CopyTo(bytes);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), json.Length);
        json.CopyTo(bytes, 12);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(12 + json.Length), CaptureSchema.Crc32C(json));
        return bytes;
    }
}

/// <summary>A field stored in a v2 capture: its <see cref="SyscallEvent"/> property name and its wire type.</summary>
/// <param name="Name">The property name.</param>
/// <param name="Wire">VarInt, SVarInt, String or Blob.</param>
public sealed record CaptureFieldInfo(string Name, string Wire);
