using Aether.Simulator.Reporting;

namespace Aether.Simulator.Load;

/// <summary>Per-second activity, for the timeline in the JSON report and the picture.</summary>
internal sealed class TimelineSecond
{
    public int Started { get; set; }

    public int Bound { get; set; }

    public int Failed { get; set; }

    public int Released { get; set; }
}

/// <summary>What a run counted; written by the engine thread only.</summary>
internal sealed class LoadCounters
{
    public long Started;
    public long Bound;
    public long Released;
    public long DiscoverSent;
    public long RequestSent;
    public long DiscoverRetransmitted;
    public long RequestRetransmitted;
    public long Offers;
    public long Acks;
    public long Naks;
    public long LateReplies;
    public long MalformedReplies;
    public long UnmatchedReplies;
    public long PeakBound;
    public long CurrentlyBound;
    public readonly long[] Failures = new long[Enum.GetValues<DoraFailure>().Length];

    public long Failed => Failures.Sum();
}

/// <summary>The outcome of <see cref="LoadEngine.Run"/>.</summary>
internal sealed class LoadResult
{
    public required LoadCounters Counters { get; init; }

    public required LatencyHistogram Latency { get; init; }

    public required IReadOnlyList<TimelineSecond> Timeline { get; init; }

    public required IReadOnlyList<DoraSession> Sessions { get; init; }

    /// <summary>From the first DISCOVER to the last ACK: the window sessions per second is measured over.</summary>
    public required TimeSpan SetupWindow { get; init; }

    /// <summary>From the start of the run to the end of the release phase.</summary>
    public required TimeSpan Elapsed { get; init; }

    public required bool Cancelled { get; init; }

    public required long IgnoredFrames { get; init; }

    public double SessionsPerSecond => SetupWindow > TimeSpan.Zero ? Counters.Bound / SetupWindow.TotalSeconds : 0;
}
