namespace Aether.Agent.Kernel;

/// <summary>
/// Work handed to a thread of its own (libnftables' thread): producers add, the one consumer blocks in
/// <see cref="TryTake"/> until there is some. Unlike BlockingCollection (whose SemaphoreSlim spins in sched_yield
/// before it sleeps), a consumer with nothing to do sleeps at once: on a 2-core BNG that spinning cost the agent
/// about 5 % of its CPU under load.
/// </summary>
internal sealed class HandoffQueue<T>
{
    private readonly object _gate = new();
    private readonly Queue<T> _items = new();
    private bool _completed;

    /// <summary>False when the queue no longer takes work (<see cref="CompleteAdding"/>).</summary>
    public bool TryAdd(T item)
    {
        lock (_gate)
        {
            if (_completed)
            {
                return false;
            }
            _items.Enqueue(item);
            if (_items.Count == 1)
            {
                Monitor.Pulse(_gate);
            }
            return true;
        }
    }

    /// <summary>Blocks until an item is there (true) or the queue is completed and empty (false).</summary>
    public bool TryTake(out T item)
    {
        lock (_gate)
        {
            while (_items.Count == 0)
            {
                if (_completed)
                {
                    item = default!;
                    return false;
                }
                Monitor.Wait(_gate);
            }
            item = _items.Dequeue();
            return true;
        }
    }

    public void CompleteAdding()
    {
        lock (_gate)
        {
            _completed = true;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>What was added and never taken (after <see cref="CompleteAdding"/> and the consumer's end).</summary>
    public List<T> Drain()
    {
        lock (_gate)
        {
            var rest = _items.ToList();
            _items.Clear();
            return rest;
        }
    }
}
