namespace Aether.Simulator.Load;

/// <summary>Which subscriber starts next and when a bound one leaves; the engine asks, on its own thread.</summary>
internal abstract class SubscriberSchedule
{
    /// <summary>True once no subscriber will ever start again.</summary>
    public abstract bool Exhausted { get; }

    public abstract bool TryNext(out int slot);

    /// <summary>When a just-bound subscriber releases; null to keep it until the end of the run.</summary>
    public abstract long? ReleaseAt(int slot, long now);

    /// <summary>A subscriber released its lease or failed; churn may start it again.</summary>
    public virtual void OnIdle(int slot)
    {
    }
}

/// <summary>The load test: each of N subscribers once, in order; released at once or at the end.</summary>
internal sealed class SequentialSchedule(int count, bool releaseImmediately) : SubscriberSchedule
{
    private int _next;

    public override bool Exhausted => _next >= count;

    public override bool TryNext(out int slot)
    {
        slot = _next;
        if (_next >= count)
        {
            return false;
        }

        _next++;
        return true;
    }

    public override long? ReleaseAt(int slot, long now) => releaseImmediately ? now : null;
}

/// <summary>
/// Churn: a pool of subscribers joining at the engine's rate, each picked at random among the idle ones, holding
/// its lease for a random time in [min, max] and then leaving, free to join again. Never exhausted: the run's
/// duration ends it.
/// </summary>
internal sealed class ChurnSchedule : SubscriberSchedule
{
    private readonly List<int> _idle;
    private readonly Random _random;
    private readonly long _holdMin;
    private readonly long _holdMax;

    public ChurnSchedule(int poolSize, Random random, long holdMin, long holdMax)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(poolSize);
        ArgumentOutOfRangeException.ThrowIfNegative(holdMin);
        ArgumentOutOfRangeException.ThrowIfLessThan(holdMax, holdMin);
        _idle = [.. Enumerable.Range(0, poolSize)];
        _random = random;
        _holdMin = holdMin;
        _holdMax = holdMax;
    }

    public int IdleCount => _idle.Count;

    public override bool Exhausted => false;

    public override bool TryNext(out int slot)
    {
        slot = -1;
        if (_idle.Count == 0)
        {
            return false;
        }

        int pick = _random.Next(_idle.Count);
        slot = _idle[pick];
        _idle[pick] = _idle[^1];
        _idle.RemoveAt(_idle.Count - 1);
        return true;
    }

    public override long? ReleaseAt(int slot, long now) => now + _holdMin + (long)(_random.NextDouble() * (_holdMax - _holdMin));

    public override void OnIdle(int slot) => _idle.Add(slot);
}
