using System.Runtime.InteropServices;
using SyscallPS.Tracing;

namespace SyscallPS.Ebpf;

/// <summary>
/// Reads a BPF ring buffer map directly through its memory mapping: records are handed out in place and
/// the consumer position is published once per batch, not once per record (the producer reads that cache
/// line on every reservation, so fewer writes mean fewer cache-line transfers between the CPUs).
/// </summary>
internal sealed unsafe class EbpfRingReader : IDisposable
{
    private const uint BusyBit = 1u << 31;
    private const uint DiscardBit = 1u << 30;
    private const int HeaderSize = 8;

    private readonly int _fd;
    private readonly long _size;
    private readonly long _mask;
    private readonly int _pageSize = Environment.SystemPageSize;
    private nint _consumerPage;
    private nint _producerPages;

    /// <summary>Maps the ring buffer map <paramref name="fd"/> of <paramref name="size"/> data bytes.</summary>
    public EbpfRingReader(int fd, long size)
    {
        _fd = fd;
        _size = size;
        _mask = size - 1;
        _consumerPage = EbpfNative.Mmap(0, (nuint)_pageSize, EbpfNative.PROT_READ | EbpfNative.PROT_WRITE, EbpfNative.MAP_SHARED, fd, 0);
        _producerPages = _consumerPage == EbpfNative.MapFailed
            ? EbpfNative.MapFailed
            : EbpfNative.Mmap(0, (nuint)(_pageSize + (2 * size)), EbpfNative.PROT_READ, EbpfNative.MAP_SHARED, fd, _pageSize);
        if (_consumerPage == EbpfNative.MapFailed || _producerPages == EbpfNative.MapFailed)
        {
            int errno = Marshal.GetLastPInvokeError();
            Dispose();
            throw new TraceException("EbpfRingBufferFailed", TraceErrorKind.EngineFailure, $"eBPF engine: could not map the ring buffer ({Marshal.GetPInvokeErrorMessage(errno)}).", "Try a smaller -BufferSize.");
        }
    }

    /// <summary>Handles one record in place; false stops the consume after it.</summary>
    public delegate bool RecordHandler(ReadOnlySpan<byte> record);

    private ulong* ConsumerPos => (ulong*)_consumerPage;

    private ulong* ProducerPos => (ulong*)_producerPages;

    private byte* Data => (byte*)_producerPages + _pageSize;

    /// <summary>
    /// Waits until the kernel signals data in either ring or <paramref name="timeoutMilliseconds"/> pass: a
    /// process's exit record wakes the reader at once, so a trace ends when its program does, not a poll later.
    /// </summary>
    public static void WaitEither(EbpfRingReader first, EbpfRingReader second, int timeoutMilliseconds)
    {
        var pfds = stackalloc EbpfNative.PollFd[2];
        pfds[0] = new EbpfNative.PollFd { Fd = first._fd, Events = EbpfNative.POLLIN };
        pfds[1] = new EbpfNative.PollFd { Fd = second._fd, Events = EbpfNative.POLLIN };
        EbpfNative.Poll(pfds, 2, timeoutMilliseconds);
    }

    /// <summary>Hands out up to <paramref name="limit"/> committed records; returns how many.</summary>
    public int Consume(RecordHandler handler, int limit) => Consume(handler, limit, ulong.MaxValue, out _);

    /// <summary>
    /// Hands out every record submitted before this call, however many (records still being written are
    /// waited for briefly). Used before a process's exit record is reported: its syscalls were all submitted
    /// before it, so none may be left behind in the ring. False when the handler stopped the consume.
    /// </summary>
    public bool ConsumeThrough(RecordHandler handler)
    {
        ulong target = Volatile.Read(ref *ProducerPos);
        for (int attempt = 0; ; attempt++)
        {
            Consume(handler, int.MaxValue, target, out bool stopped);
            if (stopped)
            {
                return false;
            }

            if (Volatile.Read(ref *ConsumerPos) >= target || attempt >= 1000)
            {
                return true;
            }

            // A record reserved before the target is still being filled by a BPF program on another CPU.
            Thread.Yield();
        }
    }

    private int Consume(RecordHandler handler, int limit, ulong until, out bool stopped)
    {
        ulong consumer = Volatile.Read(ref *ConsumerPos);
        int count = 0;
        stopped = false;
        try
        {
            while (count < limit)
            {
                ulong producer = Math.Min(Volatile.Read(ref *ProducerPos), until);
                if (consumer >= producer)
                {
                    break;
                }

                while (consumer < producer && count < limit)
                {
                    byte* header = Data + (long)(consumer & (ulong)_mask);
                    uint length = Volatile.Read(ref *(uint*)header);
                    if ((length & BusyBit) != 0)
                    {
                        // Reserved but not yet submitted: everything after it waits too.
                        return count;
                    }

                    uint dataLength = length & ~(BusyBit | DiscardBit);
                    consumer += (ulong)((dataLength + HeaderSize + 7) & ~7u);
                    if ((length & DiscardBit) == 0)
                    {
                        count++;
                        if (!handler(new ReadOnlySpan<byte>(header + HeaderSize, (int)dataLength)))
                        {
                            stopped = true;
                            return count;
                        }
                    }
                }

                // Publish the batch so the producer can reuse the space.
                Volatile.Write(ref *ConsumerPos, consumer);
            }

            return count;
        }
        finally
        {
            Volatile.Write(ref *ConsumerPos, consumer);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_producerPages != 0 && _producerPages != EbpfNative.MapFailed)
        {
            EbpfNative.Munmap(_producerPages, (nuint)(_pageSize + (2 * _size)));
        }

        if (_consumerPage != 0 && _consumerPage != EbpfNative.MapFailed)
        {
            EbpfNative.Munmap(_consumerPage, (nuint)_pageSize);
        }

        _producerPages = 0;
        _consumerPage = 0;
    }
}
