namespace Aether.Agent.Sessions;

/// <summary>
/// Hands out tc class minors: 0x10 to 0xfff0, so that 1:1 (link) and 1:ffff (default) are never used; written in
/// hex wherever tc reads them. Creating an HTB class costs more the more classes the host has (every class binds a
/// filter block, and binding walks a list of all of them), while changing one costs microseconds; so a session's
/// classes stay in the kernel when it ends, parked on their shard, and the next session on that shard re-uses them
/// with `class replace`. Ids are unique across the agent, so a parked id can also move to another shard if no new
/// id is left. With Agent:ClassPool, classes are also created ahead of demand and parked the same way
/// (<see cref="ReserveForPool"/>, <see cref="ParkCreated"/>).
/// </summary>
internal sealed class ClassIdAllocator
{
    public const ushort First = 0x10;
    public const ushort Last = 0xfff0;

    /// <summary>Every id the agent can hand out.</summary>
    public const int Capacity = Last - First + 1;

    private readonly Lock _lock = new();
    private readonly HashSet<ushort> _used = [];

    // Ids whose classes the pool is creating: neither a session's nor parked until tc has made them.
    private readonly HashSet<ushort> _pending = [];
    private readonly Dictionary<ushort, ShardKey> _parkedAt = [];
    private readonly Dictionary<ShardKey, Stack<ushort>> _parked = [];
    private ushort _next = First;

    /// <summary>Ids held by sessions.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _used.Count;
            }
        }
    }

    /// <summary>Classes left in the kernel by ended sessions, ready to be re-used.</summary>
    public int Parked
    {
        get
        {
            lock (_lock)
            {
                return _parkedAt.Count;
            }
        }
    }

    /// <summary>An id for a new session on this shard: a parked class of the shard if there is one.</summary>
    public ushort Allocate(ShardKey shard)
    {
        lock (_lock)
        {
            if (_parked.TryGetValue(shard, out var parked) && parked.Count > 0)
            {
                var reused = parked.Pop();
                _parkedAt.Remove(reused);
                _used.Add(reused);
                return reused;
            }
            for (var i = 0; i <= Last - First; i++)
            {
                var candidate = _next;
                _next = _next >= Last ? First : (ushort)(_next + 1);
                if (!_parkedAt.ContainsKey(candidate) && !_pending.Contains(candidate) && _used.Add(candidate))
                {
                    return candidate;
                }
            }
            // Every id is taken or parked: take a class parked on another shard (it is re-created here).
            foreach (var (key, stack) in _parked)
            {
                if (stack.Count > 0)
                {
                    var moved = stack.Pop();
                    _parkedAt.Remove(moved);
                    _used.Add(moved);
                    return moved;
                }
            }
        }
        throw new InvalidOperationException("no tc class id left on this agent");
    }

    /// <summary>Marks an id as held by a session recovered after a restart; false when it already was.</summary>
    public bool Reserve(ushort id)
    {
        lock (_lock)
        {
            if (id is < First or > Last || _used.Contains(id) || _pending.Contains(id))
            {
                return false;
            }
            Unpark(id);
            return _used.Add(id);
        }
    }

    /// <summary>The session ended: its classes stay in the kernel, parked on their shard.</summary>
    public void Release(ushort id, ShardKey shard)
    {
        lock (_lock)
        {
            if (_used.Remove(id))
            {
                Park(id, shard);
            }
        }
    }

    /// <summary>A class found in the kernel after a restart that no session holds.</summary>
    public bool ParkFound(ushort id, ShardKey shard)
    {
        lock (_lock)
        {
            if (id is < First or > Last || _used.Contains(id) || _parkedAt.ContainsKey(id) || _pending.Contains(id))
            {
                return false;
            }
            Park(id, shard);
            return true;
        }
    }

    /// <summary>Classes parked on one shard.</summary>
    public int ParkedOn(ShardKey shard)
    {
        lock (_lock)
        {
            return _parked.TryGetValue(shard, out var stack) ? stack.Count : 0;
        }
    }

    /// <summary>
    /// Up to <paramref name="count"/> ids that no session holds and no class is parked on, for the pool to create;
    /// nobody else gets them until <see cref="ParkCreated"/> or <see cref="CancelPending"/>. Fewer when ids run out.
    /// </summary>
    public List<ushort> ReserveForPool(int count)
    {
        var ids = new List<ushort>(count);
        lock (_lock)
        {
            for (var i = 0; i < Capacity && ids.Count < count; i++)
            {
                var candidate = _next;
                _next = _next >= Last ? First : (ushort)(_next + 1);
                if (!_used.Contains(candidate) && !_parkedAt.ContainsKey(candidate) && _pending.Add(candidate))
                {
                    ids.Add(candidate);
                }
            }
        }
        return ids;
    }

    /// <summary>The pool created this class on both devices of the shard: parked there, ready for a session.</summary>
    public void ParkCreated(ushort id, ShardKey shard)
    {
        lock (_lock)
        {
            if (_pending.Remove(id))
            {
                Park(id, shard);
            }
        }
    }

    /// <summary>
    /// The pool could not create these classes: their ids are free again (a class tc did make is taken over by the
    /// next session given the id, with `class replace`, or removed by the next restart's cleanup).
    /// </summary>
    public void CancelPending(IEnumerable<ushort> ids)
    {
        lock (_lock)
        {
            foreach (var id in ids)
            {
                _pending.Remove(id);
            }
        }
    }

    /// <summary>Every parked class, for the restart's cleanup to keep.</summary>
    public List<(ShardKey Shard, ushort Id)> ParkedClasses()
    {
        lock (_lock)
        {
            return [.. _parkedAt.Select(p => (p.Value, p.Key))];
        }
    }

    private void Park(ushort id, ShardKey shard)
    {
        if (!_parked.TryGetValue(shard, out var stack))
        {
            stack = new Stack<ushort>();
            _parked[shard] = stack;
        }
        stack.Push(id);
        _parkedAt[id] = shard;
    }

    private void Unpark(ushort id)
    {
        if (_parkedAt.Remove(id, out var shard) && _parked.TryGetValue(shard, out var stack))
        {
            _parked[shard] = new Stack<ushort>(stack.Where(p => p != id).Reverse());
        }
    }
}

/// <summary>A pair of shard devices (download and upload) of one subscriber interface.</summary>
internal readonly record struct ShardKey(string Interface, int Shard);
