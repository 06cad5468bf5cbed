namespace Aether.Simulator.Load;

/// <summary>
/// The hold before the end-phase releases as the world outside the engine sees it: who is told the leases are
/// held, and what may end the hold before <see cref="EngineSettings.Hold"/> elapses. Both run on the engine thread.
/// </summary>
/// <param name="Began">Called once when a hold begins, with every session (the bound ones hold their lease).</param>
/// <param name="EndsEarly">Polled every <see cref="PollInterval"/> during the hold; true ends it at once.</param>
internal sealed record HoldHooks(Action<IReadOnlyList<DoraSession>>? Began = null, Func<bool>? EndsEarly = null)
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);
}
