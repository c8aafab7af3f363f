namespace SyscallPS.Tracing;

/// <summary>
/// The bounded store of a background session: a ring of the newest events. When full, the oldest event
/// is dropped and counted, so memory stays bounded however long the session runs.
/// </summary>
internal sealed class EventSpool
{
    private readonly object _gate = new();
    private SyscallEvent[] _ring;
    private long _written;    // sequence number of the next event
    private bool _completed;

    internal EventSpool(int capacity)
    {
        Capacity = Math.Max(1, capacity);
        _ring = new SyscallEvent[Capacity];
    }

    /// <summary>How many events the ring holds at most.</summary>
    internal int Capacity { get; }

    /// <summary>Events written so far.</summary>
    internal long Written
    {
        get
        {
            lock (_gate)
            {
                return _written;
            }
        }
    }

    /// <summary>Events dropped because the ring was full.</summary>
    internal long Dropped
    {
        get
        {
            lock (_gate)
            {
                return Math.Max(0, _written - Capacity);
            }
        }
    }

    internal void Add(SyscallEvent e)
    {
        lock (_gate)
        {
            if (_ring.Length == 0)
            {
                return;
            }

            _ring[_written % Capacity] = e;
            _written++;
            Monitor.PulseAll(_gate);
        }
    }

    internal void Complete()
    {
        lock (_gate)
        {
            _completed = true;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Lets go of every event held (Remove-Job); later reads find none, later events are not kept.</summary>
    internal void Release()
    {
        lock (_gate)
        {
            _ring = [];
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>
    /// Copies the events from sequence number <paramref name="next"/> on (or the oldest still held) and
    /// advances it; returns how many were skipped because they had been dropped.
    /// </summary>
    internal long ReadFrom(ref long next, List<SyscallEvent> into)
    {
        lock (_gate)
        {
            long oldest = Math.Max(0, _written - Capacity);
            long skipped = 0;
            if (next < oldest)
            {
                skipped = oldest - next;
                next = oldest;
            }

            if (_ring.Length == 0)
            {
                next = _written;
                return 0;
            }

            for (; next < _written; next++)
            {
                into.Add(_ring[next % Capacity]);
            }

            return skipped;
        }
    }

    /// <summary>Waits until events after <paramref name="next"/> exist or the spool completes; false when completed with nothing new.</summary>
    internal bool WaitForMore(long next, TimeSpan timeout)
    {
        lock (_gate)
        {
            if (next < _written)
            {
                return true;
            }

            if (_completed)
            {
                return false;
            }

            Monitor.Wait(_gate, timeout);
            return next < _written || !_completed;
        }
    }
}
