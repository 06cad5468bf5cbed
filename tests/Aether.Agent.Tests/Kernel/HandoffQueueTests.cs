using Aether.Agent.Kernel;
using Aether.Agent.Tests.Support;

namespace Aether.Agent.Tests.Kernel;

public sealed class HandoffQueueTests
{
    [Fact]
    public void A_consumer_takes_in_order_and_ends_when_the_queue_is_completed_and_empty()
    {
        var queue = new HandoffQueue<int>();
        var taken = new List<int>();
        var consumer = new Thread(() =>
        {
            while (queue.TryTake(out var item))
            {
                taken.Add(item);
            }
        });
        consumer.Start();

        for (var i = 0; i < 1_000; i++)
        {
            Assert.True(queue.TryAdd(i));
        }
        queue.CompleteAdding();

        Assert.True(consumer.Join(TestTimeouts.Await));
        Assert.Equal(Enumerable.Range(0, 1_000), taken);
        Assert.False(queue.TryAdd(1_000));
    }

    [Fact]
    public void A_waiting_consumer_wakes_for_the_first_item()
    {
        var queue = new HandoffQueue<string>();
        using var took = new ManualResetEventSlim();
        string? item = null;
        var consumer = new Thread(() =>
        {
            if (queue.TryTake(out var taken))
            {
                item = taken;
                took.Set();
            }
        });
        consumer.Start();
        // The consumer is asleep in TryTake with nothing queued.
        Assert.False(took.Wait(TimeSpan.FromMilliseconds(200)));

        queue.TryAdd("add element");

        Assert.True(took.Wait(TestTimeouts.Await));
        Assert.Equal("add element", item);
        queue.CompleteAdding();
        Assert.True(consumer.Join(TestTimeouts.Await));
    }

    [Fact]
    public void What_was_never_taken_is_drained_after_completion()
    {
        var queue = new HandoffQueue<int>();
        queue.TryAdd(1);
        queue.TryAdd(2);
        queue.CompleteAdding();

        Assert.Equal([1, 2], queue.Drain());
        Assert.False(queue.TryTake(out _));
    }
}
