namespace Aether.AgentScaleBench;

/// <summary>The session table's clock: wall time plus an offset the bench moves on to expire every lease at once.</summary>
internal sealed class ManualClock : TimeProvider
{
    private long _offsetTicks;

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);
}
