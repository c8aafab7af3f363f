using System.Runtime.InteropServices;

namespace SyscallPS.Tracing;

/// <summary>
/// The hand-over from an engine's thread to the consumer (the pipeline thread, or a background pump).
/// </summary>
/// <remarks>
/// A fixed ring for one producer thread at a time and one consumer thread. Each side writes only its own
/// index, so an event costs two plain stores and no atomic instruction: on a two-core machine where the
/// tracee, the engine and the pipeline share the cores, a locked operation per event on a cache line both
/// cores touch costs more than the hand-over itself. The ring is small on purpose: every event in it is
/// still alive at the next garbage collection and gets copied into an older generation, so a deep queue
/// makes each collection slow; the engine's own buffer (the kernel ring, a stopped tracee) holds any
/// backlog more cheaply. Bounded, so a slow consumer holds the tracer back instead of growing memory.
/// The consumer is woken once per <see cref="BatchSize"/> events (or finds them on its short timed wait),
/// because a wake-up per event would cost as much as the tracing.
/// </remarks>
internal sealed class EventQueue
{
    /// <summary>Events per consumer wake-up.</summary>
    internal const int BatchSize = 256;

    private readonly SyscallEvent?[] _slots;
    private readonly int _mask;
    private readonly SemaphoreSlim _ready = new(0);
    private readonly SemaphoreSlim _space = new(0);
    private readonly TimeSpan _idleWait;
    private Indexes _indexes;
    private volatile bool _completed;
    private volatile bool _abandoned;

    /// <summary>Creates a queue of at least <paramref name="capacity"/> events (rounded up to a power of two).</summary>
    internal EventQueue(int capacity, TimeSpan idleWait)
    {
        int size = (int)Math.Max(2u, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)capacity));
        _slots = new SyscallEvent?[size];
        _mask = size - 1;
        _idleWait = idleWait;
    }

    /// <summary>How many events the queue holds at most.</summary>
    internal int Capacity => _slots.Length;

    /// <summary>True once the producer said it will add nothing more.</summary>
    internal bool IsCompleted => _completed;

    /// <summary>Adds an event, waiting while the queue is full; false when the consumer has gone.</summary>
    internal bool Add(SyscallEvent e)
    {
        ref var ix = ref _indexes;
        long tail = ix.Tail;
        if (tail - ix.ProducerSeenHead >= _slots.Length)
        {
            ix.ProducerSeenHead = Volatile.Read(ref ix.Head);
            if (tail - ix.ProducerSeenHead >= _slots.Length && !WaitForSpace(tail))
            {
                return false;
            }
        }

        if (_abandoned)
        {
            return false;
        }

        _slots[(int)tail & _mask] = e;
        Volatile.Write(ref ix.Tail, tail + 1);
        if (((tail + 1) & (BatchSize - 1)) == 0 && Volatile.Read(ref ix.ConsumerWaiting) != 0)
        {
            WakeConsumer();
        }

        return true;
    }

    /// <summary>The producer is done; wakes the consumer for the rest.</summary>
    internal void Complete()
    {
        _completed = true;
        WakeConsumer();
    }

    /// <summary>The consumer is gone: the producer's next <see cref="Add"/> returns false.</summary>
    internal void Abandon()
    {
        _abandoned = true;
        _space.Release();
    }

    /// <summary>Takes one event if there is one. Consumer thread only.</summary>
    internal bool TryTake(out SyscallEvent e)
    {
        ref var ix = ref _indexes;
        long head = ix.Head;
        if (head == ix.ConsumerSeenTail)
        {
            ix.ConsumerSeenTail = Volatile.Read(ref ix.Tail);
            if (head == ix.ConsumerSeenTail)
            {
                e = null!;
                return false;
            }
        }

        ref var slot = ref _slots[(int)head & _mask];
        e = slot!;

        // The consumer keeps no reference: a delivered event is garbage as soon as the pipeline drops it.
        slot = null;
        Volatile.Write(ref ix.Head, head + 1);
        if (Volatile.Read(ref ix.ProducerWaiting) != 0 && ix.ConsumerSeenTail - head <= _slots.Length / 2)
        {
            WakeProducer();
        }

        return true;
    }

    /// <summary>Waits until events may be there; false when the queue is completed and empty.</summary>
    internal bool WaitForEvents(CancellationToken cancellation)
    {
        ref var ix = ref _indexes;
        while (IsEmpty())
        {
            if (_completed)
            {
                // Complete() comes after the producer's last Add: look once more.
                return !IsEmpty();
            }

            // The flag is set with a full fence before the last look. The producer reads it at its batch
            // boundaries without a fence of its own, so it may miss it and not wake us: the timed wait bounds
            // that (a few milliseconds of latency, never a lost event), and finds anything short of a batch.
            Interlocked.Exchange(ref ix.ConsumerWaiting, 1);
            if (Volatile.Read(ref ix.ProducerWaiting) != 0)
            {
                WakeProducer();
            }

            if (IsEmpty() && !_completed)
            {
                try
                {
                    _ready.Wait(_idleWait, cancellation);
                }
                finally
                {
                    Volatile.Write(ref ix.ConsumerWaiting, 0);
                }
            }
            else
            {
                Volatile.Write(ref ix.ConsumerWaiting, 0);
            }
        }

        return true;
    }

    private bool IsEmpty()
    {
        ref var ix = ref _indexes;
        ix.ConsumerSeenTail = Volatile.Read(ref ix.Tail);
        return ix.Head == ix.ConsumerSeenTail;
    }

    private bool WaitForSpace(long tail)
    {
        ref var ix = ref _indexes;
        while (true)
        {
            if (_abandoned)
            {
                return false;
            }

            Interlocked.Exchange(ref ix.ProducerWaiting, 1);
            ix.ProducerSeenHead = Volatile.Read(ref ix.Head);
            if (tail - ix.ProducerSeenHead < _slots.Length)
            {
                Volatile.Write(ref ix.ProducerWaiting, 0);
                return true;
            }

            // A consumer that is about to sleep on an empty-looking queue must not leave us waiting.
            if (Volatile.Read(ref ix.ConsumerWaiting) != 0)
            {
                WakeConsumer();
            }

            _space.Wait(50);
            Volatile.Write(ref ix.ProducerWaiting, 0);
            ix.ProducerSeenHead = Volatile.Read(ref ix.Head);
            if (tail - ix.ProducerSeenHead < _slots.Length)
            {
                return true;
            }
        }
    }

    private void WakeConsumer()
    {
        // At most one pending release: a consumer that was busy must not find a pile of stale wake-ups.
        if (_ready.CurrentCount == 0)
        {
            _ready.Release();
        }
    }

    private void WakeProducer()
    {
        Volatile.Write(ref _indexes.ProducerWaiting, 0);
        if (_space.CurrentCount == 0)
        {
            _space.Release();
        }
    }

    /// <summary>
    /// The two sides' indexes, each on its own cache line so that the producer's stores do not evict the
    /// consumer's line and the other way round.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 320)]
    private struct Indexes
    {
        /// <summary>Next slot the producer fills; written by the producer only.</summary>
        [FieldOffset(64)]
        public long Tail;

        /// <summary>The producer's last look at <see cref="Head"/>.</summary>
        [FieldOffset(72)]
        public long ProducerSeenHead;

        /// <summary>Next slot the consumer takes; written by the consumer only.</summary>
        [FieldOffset(128)]
        public long Head;

        /// <summary>The consumer's last look at <see cref="Tail"/>.</summary>
        [FieldOffset(136)]
        public long ConsumerSeenTail;

        /// <summary>1 while the consumer sleeps on an empty queue.</summary>
        [FieldOffset(192)]
        public int ConsumerWaiting;

        /// <summary>1 while the producer sleeps on a full queue.</summary>
        [FieldOffset(256)]
        public int ProducerWaiting;
    }
}
