using System.Diagnostics.Metrics;

namespace Aether.Observability;

/// <summary>
/// The controller's instruments (meter <see cref="MeterName"/>), including the event publisher and the ingestor that
/// run inside it. Created once; labels are the constants below. Prometheus names: dots become underscores, counters
/// end in <c>_total</c>, instruments in seconds end in <c>_seconds</c> (docs/operations.md lists them all).
/// </summary>
public static class AetherMetrics
{
    public const string MeterName = "Aether.Controller";

    /// <summary>Meter of the RADIUS client (src/Aether.Radius, which depends on nothing but the BCL).</summary>
    public const string RadiusMeterName = "Aether.Radius";

    public const string BngLabel = "bng_id";
    public const string StateLabel = "state";
    public const string ResultLabel = "result";
    public const string KindLabel = "kind";
    public const string TypeLabel = "type";
    public const string ErrorCauseLabel = "error_cause";

    /// <summary>Histogram buckets for latencies in seconds, 1 ms to 30 s: DHCP, RADIUS and database round trips.</summary>
    public static readonly double[] LatencyBuckets =
        [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    /// <summary>Histogram buckets for batch sizes.</summary>
    public static readonly long[] BatchBuckets = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000];

    public static readonly Meter Meter = new(MeterName);

    /// <summary>Live sessions this controller knows of, by <see cref="BngLabel"/> and <see cref="StateLabel"/> (active, lease-expired).</summary>
    public static readonly ObservedValues<long> SessionsSource = new();

    /// <summary>1 for each agent connected to this controller, 0 for one seen since start and not connected now; by <see cref="BngLabel"/>.</summary>
    public static readonly ObservedValues<long> AgentConnectedSource = new();

    /// <summary>Messages waiting in each agent stream's outbound queue, by <see cref="BngLabel"/>.</summary>
    public static readonly ObservedValues<long> AgentQueueDepthSource = new();

    /// <summary>Messages the ingestor's durable consumer has not yet been delivered (JetStream NumPending).</summary>
    public static readonly ObservedValues<long> ConsumerLagSource = new();

    public static readonly ObservableGauge<long> Sessions = Meter.CreateObservableGauge(
        "aether.sessions", SessionsSource.Observe, "{session}", "Live sessions by BNG and state.");

    public static readonly ObservableGauge<long> AgentConnected = Meter.CreateObservableGauge(
        "aether.agent.connected", AgentConnectedSource.Observe, "{agent}", "1 while the agent's gRPC stream is open to this controller, 0 after it went away.");

    /// <summary>Agent gRPC streams open on this controller (hello accepted, not yet ended).</summary>
    public static readonly ObservedValues<long> AgentStreamsSource = new();

    public static readonly ObservableGauge<long> AgentStreams = Meter.CreateObservableGauge(
        "aether.agent.streams", AgentStreamsSource.Observe, "{stream}", "Agent gRPC streams open on this controller.");

    public static readonly ObservableGauge<long> AgentQueueDepth = Meter.CreateObservableGauge(
        "aether.agent.stream.queue.depth", AgentQueueDepthSource.Observe, "{message}", "Messages queued for an agent's stream writer.");

    /// <summary>Authorization answers given to agents, by <see cref="ResultLabel"/> (accept, reject, radius-unavailable, draining).</summary>
    public static readonly Counter<long> Authorizations = Meter.CreateCounter<long>(
        "aether.authorizations", "{request}", "Authorization requests from agents by result.");

    /// <summary>RFC 5176 requests handled, by <see cref="KindLabel"/> (coa, disconnect), <see cref="ResultLabel"/> (ack, nak) and <see cref="ErrorCauseLabel"/>.</summary>
    public static readonly Counter<long> DynamicAuthorizations = Meter.CreateCounter<long>(
        "aether.coa.requests", "{request}", "CoA and Disconnect requests received, by kind and answer.");

    /// <summary>Time from publish to the JetStream ack, retries included, by <see cref="TypeLabel"/>.</summary>
    public static readonly Histogram<double> PublishDuration = Meter.CreateHistogram(
        "aether.events.publish.duration", "s", "JetStream publish latency, until the stream acked.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });

    /// <summary>Failed publish attempts (each is retried until JetStream acks), by <see cref="TypeLabel"/>.</summary>
    public static readonly Counter<long> PublishFailures = Meter.CreateCounter<long>(
        "aether.events.publish.failures", "{attempt}", "JetStream publish attempts that failed and were retried, by event type.");

    /// <summary>Counter totals of a sweep not published as SESSION_UPDATE: the session's counters had not moved and no interim was due.</summary>
    public static readonly Counter<long> UpdatesUnchanged = Meter.CreateCounter<long>(
        "aether.events.session_updates.unchanged", "{session}", "Swept sessions whose counters had not moved since their last SESSION_UPDATE and had no interim due: no event published.");

    public static readonly Histogram<long> IngestorBatchSize = Meter.CreateHistogram<long>(
        "aether.ingestor.batch.size", "{event}", "Events per batch the ingestor wrote in one transaction.",
        advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = BatchBuckets });

    public static readonly Histogram<double> IngestorCommitDuration = Meter.CreateHistogram(
        "aether.ingestor.commit.duration", "s", "Time to write and commit one batch (retries included).",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });

    public static readonly ObservableGauge<long> ConsumerLag = Meter.CreateObservableGauge(
        "aether.ingestor.consumer.lag", ConsumerLagSource.Observe, "{message}", "Messages in the stream the ingestor's consumer has not been delivered yet.");

    /// <summary>From the agent's SESSION_START (the DHCPACK) to its commit in the read models, by <see cref="BngLabel"/>.</summary>
    public static readonly Histogram<double> SessionStartCommitDelay = Meter.CreateHistogram(
        "aether.session.start.commit.delay", "s", "From the agent reporting a session (DHCPACK) to SESSION_START committed in PostgreSQL.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });

    /// <summary>
    /// From the subscriber's DISCOVER captured by the agent to its SESSION_START committed in the read models, by
    /// <see cref="BngLabel"/>: the agent's own DISCOVER-to-ACK time plus the report-to-commit delay.
    /// Only for setups the agent timed (not renewals of a session it recovered after a restart).
    /// </summary>
    public static readonly Histogram<double> SessionSetupDuration = Meter.CreateHistogram(
        "aether.session.setup.duration", "s", "Session setup latency, DISCOVER captured by the agent to SESSION_START committed in PostgreSQL.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
}
