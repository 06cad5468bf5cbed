using System.Text.Json.Serialization;
using Aether.Simulator.Load;

namespace Aether.Simulator.Reporting;

/// <summary>The run's settings as the report records them.</summary>
internal sealed record ReportSettings(
    int Subscribers,
    int FirstIndex,
    double Rate,
    int Concurrency,
    double TimeoutMs,
    int Retries,
    double DurationCapSeconds,
    string Release,
    double HoldSeconds,
    string RemoteId,
    string MacPrefix,
    int Seed,
    string? Interface,
    string? Server,
    string? Giaddr,
    double? HoldMinSeconds,
    double? HoldMaxSeconds,
    string? HoldUntil = null);

internal sealed record SubscriberTotals(long Requested, long Started, long Bound, long Failed, long Released, long PeakBound);

internal sealed record LatencySummary(double Min, double Mean, double P50, double P90, double P95, double P99, double P999, double Max, long Count)
{
    public static LatencySummary From(LatencyHistogram histogram)
    {
        static double Ms(long microseconds) => Math.Round(microseconds / 1000.0, 3);
        return new LatencySummary(
            Ms(histogram.Min),
            Math.Round(histogram.Mean / 1000.0, 3),
            Ms(histogram.ValueAtPercentile(50)),
            Ms(histogram.ValueAtPercentile(90)),
            Ms(histogram.ValueAtPercentile(95)),
            Ms(histogram.ValueAtPercentile(99)),
            Ms(histogram.ValueAtPercentile(99.9)),
            Ms(histogram.Max),
            histogram.Count);
    }
}

internal sealed record MessageTotals(
    long DiscoverSent,
    long DiscoverRetransmitted,
    long RequestSent,
    long RequestRetransmitted,
    long ReleaseSent,
    long Offers,
    long Acks,
    long Naks,
    long LateReplies,
    long MalformedReplies,
    long UnmatchedReplies,
    long IgnoredFrames);

internal sealed record HistogramBin(double FromMs, double ToMs, long Count);

/// <summary>Everything a load or churn run reports; serialized as the JSON report.</summary>
internal sealed record LoadReport(
    string Command,
    string Mode,
    string Transport,
    DateTimeOffset StartedAt,
    ReportSettings Settings,
    SubscriberTotals Subscribers,
    double SessionsPerSecond,
    double SetupSeconds,
    double ElapsedSeconds,
    bool Cancelled,
    LatencySummary LatencyMs,
    IReadOnlyDictionary<string, long> Failures,
    MessageTotals Messages,
    IReadOnlyList<ProcessUsage> Processes,
    IReadOnlyList<HistogramBin> Histogram,
    IReadOnlyList<TimelineSecond> Timeline)
{
    /// <summary>Kebab-case failure names, as the text and JSON reports print them.</summary>
    public static string FailureName(DoraFailure failure) => failure switch
    {
        DoraFailure.NoOffer => "no-offer",
        DoraFailure.NoAck => "no-ack",
        DoraFailure.Nak => "nak",
        DoraFailure.SendError => "send-error",
        DoraFailure.Cancelled => "cancelled",
        _ => "none",
    };

    public static LoadReport Create(
        string command,
        string mode,
        DateTimeOffset startedAt,
        ReportSettings settings,
        LoadResult result,
        IReadOnlyList<ProcessUsage> processes,
        string transport)
    {
        var c = result.Counters;
        var failures = Enum.GetValues<DoraFailure>()
            .Where(f => f != DoraFailure.None)
            .ToDictionary(FailureName, f => c.Failures[(int)f]);
        return new LoadReport(
            command,
            mode,
            transport,
            startedAt,
            settings,
            new SubscriberTotals(settings.Subscribers, c.Started, c.Bound, c.Failed, c.Released, c.PeakBound),
            Math.Round(result.SessionsPerSecond, 1),
            Math.Round(result.SetupWindow.TotalSeconds, 3),
            Math.Round(result.Elapsed.TotalSeconds, 3),
            result.Cancelled,
            LatencySummary.From(result.Latency),
            failures,
            new MessageTotals(
                c.DiscoverSent, c.DiscoverRetransmitted, c.RequestSent, c.RequestRetransmitted, c.Released,
                c.Offers, c.Acks, c.Naks, c.LateReplies, c.MalformedReplies, c.UnmatchedReplies, result.IgnoredFrames),
            processes,
            [.. result.Latency.Coarse(8).Select(b => new HistogramBin(b.From / 1000.0, (b.To + 1) / 1000.0, b.Count))],
            result.Timeline);
    }
}

[JsonSourceGenerationOptions(
    WriteIndented = true,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(LoadReport))]
internal sealed partial class ReportJsonContext : JsonSerializerContext;
