using System.Collections.Concurrent;

namespace SyscallPS.Tracing;

/// <summary>
/// The hand-over from an engine's thread to the consumer (the pipeline thread, or a background pump).
/// Bounded, so a slow consumer holds the tracer back instead of growing memory; and batched: the
/// consumer is woken once per <see cref="BatchSize"/> events (or finds them on its short timed wait),
/// because a wake-up per event would cost as much as the tracing on a two-core machine.
/// </summary>
internal sealed class EventQueue
{
    /// <summary>Events per consumer wake-up.</summary>
    internal const int BatchSize = 256;

    private readonly ConcurrentQueue<SyscallEvent> _queue = new();
    private readonly SemaphoreSlim _ready = new(0);
    private readonly ManualResetEventSlim _space = new(true);
    private readonly int _capacity;
    private readonly TimeSpan _idleWait;
    private int _count;
    private volatile bool _completed;
    private volatile bool _abandoned;

    internal EventQueue(int capacity, TimeSpan idleWait)
    {
        _capacity = capacity;
        _idleWait = idleWait;
    }

    /// <summary>True once the producer said it will add nothing more.</summary>
    internal bool IsCompleted => _completed;

    /// <summary>Adds an event, waiting while the queue is full; false when the consumer has gone.</summary>
    internal bool Add(SyscallEvent e)
    {
        while (Volatile.Read(ref _count) >= _capacity)
        {
            if (_abandoned)
            {
                return false;
            }

            _space.Reset();
            if (Volatile.Read(ref _count) >= _capacity)
            {
                _space.Wait(50);
            }
        }

        if (_abandoned)
        {
            return false;
        }

        _queue.Enqueue(e);
        if (Interlocked.Increment(ref _count) % BatchSize == 0)
        {
            _ready.Release();
        }

        return true;
    }

    /// <summary>The producer is done; wakes the consumer for the rest.</summary>
    internal void Complete()
    {
        _completed = true;
        _ready.Release();
    }

    /// <summary>The consumer is gone: the producer's next <see cref="Add"/> returns false.</summary>
    internal void Abandon()
    {
        _abandoned = true;
        _space.Set();
    }

    /// <summary>Takes one event if there is one.</summary>
    internal bool TryTake(out SyscallEvent e)
    {
        if (!_queue.TryDequeue(out e!))
        {
            return false;
        }

        if (Interlocked.Decrement(ref _count) == _capacity / 2)
        {
            _space.Set();
        }

        return true;
    }

    /// <summary>Waits until events may be there; false when the queue is completed and empty.</summary>
    internal bool WaitForEvents(CancellationToken cancellation)
    {
        while (_queue.IsEmpty)
        {
            if (_completed)
            {
                return !_queue.IsEmpty;
            }

            _ready.Wait(_idleWait, cancellation);
        }

        return true;
    }
}
