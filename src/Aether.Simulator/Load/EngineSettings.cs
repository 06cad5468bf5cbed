namespace Aether.Simulator.Load;

/// <summary>When the simulated subscribers give their leases back.</summary>
internal enum ReleaseMode
{
    /// <summary>After every DORA has finished (and an optional hold), paced by the release rate.</summary>
    End,

    /// <summary>Right after each ACK.</summary>
    Immediate,

    /// <summary>Never: leases are left in place for an end-to-end check.</summary>
    None,
}

/// <summary>A run's pacing and limits, validated by the command that builds it.</summary>
/// <param name="Subscribers">Subscribers in the run (load) or in the pool (churn).</param>
/// <param name="Concurrency">Exchanges in flight at most.</param>
/// <param name="Rate">Starts per second; 0 for as fast as exchanges complete.</param>
/// <param name="Burst">Starts the token bucket may bank.</param>
/// <param name="Timeout">Wait for each reply before retransmitting.</param>
/// <param name="Retries">Retransmissions per message before the subscriber fails.</param>
/// <param name="Duration">Cap on the time new subscribers start; the run then drains and releases.</param>
/// <param name="Release">When leases are given back.</param>
/// <param name="ReleaseRate">RELEASEs per second in the end phase.</param>
/// <param name="Hold">Pause between the last DORA and the end-phase releases.</param>
/// <param name="Seed">Seeds transaction ids and churn's choices, so runs repeat.</param>
/// <param name="ProgressInterval">How often the progress line is refreshed.</param>
internal sealed record EngineSettings(
    int Subscribers,
    int Concurrency,
    double Rate,
    double Burst,
    TimeSpan Timeout,
    int Retries,
    TimeSpan Duration,
    ReleaseMode Release,
    double ReleaseRate,
    TimeSpan Hold,
    int Seed,
    TimeSpan ProgressInterval)
{
    /// <summary>Longest one exchange can take: each of two messages sent 1 + retries times.</summary>
    public TimeSpan LongestExchange => Timeout * (2 * (Retries + 1));
}
