using System.Runtime.InteropServices;
using System.Text;

namespace SyscallPS.Raw;

/// <summary>
/// A block of zeroed unmanaged memory to pass to a raw syscall as a pointer (getcwd, read, uname ...),
/// whose bytes and text can be read after the call. The memory is freed on <see cref="Dispose"/> or by the finalizer.
/// </summary>
public sealed unsafe class SyscallBuffer : IDisposable
{
    /// <summary>The largest buffer <see cref="SyscallBuffer(int)"/> accepts (64 MiB).</summary>
    public const int MaxSize = 64 * 1024 * 1024;

    private byte* _memory;

    /// <summary>Allocates <paramref name="size"/> zeroed bytes.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The size is not between 1 and <see cref="MaxSize"/>.</exception>
    public SyscallBuffer(int size)
    {
        if (size < 1 || size > MaxSize)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, $"A syscall buffer holds between 1 and {MaxSize} bytes.");
        }

        Size = size;
        _memory = (byte*)NativeMemory.AllocZeroed((nuint)size);
    }

    /// <summary>Frees the memory if <see cref="Dispose"/> was not called.</summary>
    ~SyscallBuffer() => Free();

    /// <summary>The size of the buffer in bytes.</summary>
    public int Size { get; }

    /// <summary>True once the memory has been freed.</summary>
    public bool IsDisposed => _memory == null;

    /// <summary>The address of the memory, as passed to the kernel.</summary>
    public IntPtr Address => (IntPtr)Pointer;

    /// <summary>A copy of every byte of the buffer.</summary>
    public byte[] Bytes => Span.ToArray();

    /// <summary>The number of bytes before the first NUL (the whole size when there is none): the length of <see cref="Text"/> in bytes.</summary>
    public int Length
    {
        get
        {
            int nul = Span.IndexOf((byte)0);
            return nul < 0 ? Size : nul;
        }
    }

    /// <summary>The contents as UTF-8 text, up to the first NUL.</summary>
    public string Text => Encoding.UTF8.GetString(Span[..Length]);

    internal byte* Pointer => _memory != null ? _memory : throw new ObjectDisposedException(nameof(SyscallBuffer));

    private ReadOnlySpan<byte> Span => new(Pointer, Size);

    /// <summary>A copy of the first <paramref name="count"/> bytes, e.g. the count a <c>read</c> returned.</summary>
    public byte[] GetBytes(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Size);
        return Span[..count].ToArray();
    }

    /// <summary>Copies <paramref name="data"/> to the start of the buffer, as input for the kernel.</summary>
    public void Write(byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(data.Length, Size, nameof(data));
        data.CopyTo(new Span<byte>(Pointer, Size));
    }

    /// <summary>Writes <paramref name="text"/> as NUL-terminated UTF-8 at the start of the buffer.</summary>
    public void Write(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var bytes = Encoding.UTF8.GetBytes(text + "\0");
        Write(bytes);
    }

    /// <summary>Sets every byte to zero.</summary>
    public void Clear() => new Span<byte>(Pointer, Size).Clear();

    /// <summary>Frees the memory.</summary>
    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    /// <inheritdoc />
    public override string ToString() => IsDisposed ? $"SyscallBuffer({Size} bytes, disposed)" : $"SyscallBuffer({Size} bytes at 0x{(ulong)_memory:x})";

    private void Free()
    {
        var memory = _memory;
        _memory = null;
        if (memory != null)
        {
            NativeMemory.Free(memory);
        }
    }
}
