using SyscallPS.Tracing;
using Xunit;

namespace SyscallPS.Tests.Tracing;

public class EventQueueTests
{
    private static SyscallEvent Numbered(long n) => new() { MonotonicNanoseconds = n };

    [Fact]
    public void EveryEventArrivesOnceAndInOrderThroughAFullQueue()
    {
        const int Count = 200_000;
        var queue = new EventQueue(64, TimeSpan.FromMilliseconds(2));
        var producer = new Thread(() =>
        {
            for (int i = 0; i < Count; i++)
            {
                Assert.True(queue.Add(Numbered(i)));
            }

            queue.Complete();
        });
        producer.Start();

        long expected = 0;
        while (queue.WaitForEvents(CancellationToken.None))
        {
            while (queue.TryTake(out var e))
            {
                Assert.Equal(expected++, e.MonotonicNanoseconds);
            }
        }

        producer.Join();
        Assert.Equal(Count, expected);
    }

    [Fact]
    public void AFullQueueHoldsTheProducerBack()
    {
        var queue = new EventQueue(8, TimeSpan.FromMilliseconds(2));
        int added = 0;
        var producer = new Thread(() =>
        {
            for (int i = 0; i < 20; i++)
            {
                queue.Add(Numbered(i));
                Interlocked.Increment(ref added);
            }
        });
        producer.Start();

        // Nothing is taken: the producer stops at the capacity and waits there.
        Assert.False(producer.Join(300));
        Assert.Equal(queue.Capacity, Volatile.Read(ref added));

        for (int taken = 0; taken < 20;)
        {
            Assert.True(queue.WaitForEvents(CancellationToken.None));
            while (queue.TryTake(out var e))
            {
                Assert.Equal(taken++, e.MonotonicNanoseconds);
            }
        }

        Assert.True(producer.Join(5000));
    }

    [Fact]
    public void AbandoningReleasesAWaitingProducer()
    {
        var queue = new EventQueue(4, TimeSpan.FromMilliseconds(2));
        bool? lastAdd = null;
        var producer = new Thread(() =>
        {
            bool ok = true;
            for (int i = 0; i < 100 && ok; i++)
            {
                ok = queue.Add(Numbered(i));
            }

            lastAdd = ok;
        });
        producer.Start();
        Assert.False(producer.Join(200));

        queue.Abandon();
        Assert.True(producer.Join(5000), "the producer stayed blocked after the consumer went away");
        Assert.False(lastAdd);
        Assert.False(queue.Add(Numbered(0)));
    }

    [Fact]
    public void TheConsumerWaitsUntilCompletionAndThenGetsTheRest()
    {
        var queue = new EventQueue(1024, TimeSpan.FromMilliseconds(2));
        bool? found = null;
        var waiter = new Thread(() => found = queue.WaitForEvents(CancellationToken.None));
        waiter.Start();
        Assert.False(waiter.Join(100));

        // Fewer than a batch: found by the consumer's timed wait, not a wake-up.
        queue.Add(Numbered(7));
        Assert.True(waiter.Join(5000));
        Assert.True(found);
        Assert.True(queue.TryTake(out var e));
        Assert.Equal(7, e.MonotonicNanoseconds);
        Assert.False(queue.TryTake(out _));

        queue.Add(Numbered(8));
        queue.Complete();
        Assert.True(queue.WaitForEvents(CancellationToken.None));
        Assert.True(queue.TryTake(out e));
        Assert.Equal(8, e.MonotonicNanoseconds);
        Assert.False(queue.WaitForEvents(CancellationToken.None));
    }

    [Fact]
    public void CancellingStopsTheConsumersWait()
    {
        var queue = new EventQueue(16, TimeSpan.FromMilliseconds(2));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        Assert.ThrowsAny<OperationCanceledException>(() => queue.WaitForEvents(cancel.Token));
    }
}
