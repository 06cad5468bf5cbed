using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Aether.Observability;

/// <summary>The BNG agent's instruments (meter <see cref="MeterName"/>). Created once; labels are the constants below.</summary>
public static class AgentMetrics
{
    public const string MeterName = "Aether.Agent";

    public const string DirectionLabel = "direction";
    public const string InterfaceLabel = "interface";
    public const string ReasonLabel = "reason";
    public const string OperationLabel = "operation";

    public static readonly Meter Meter = new(MeterName);

    /// <summary>DHCP messages relayed, by <see cref="DirectionLabel"/> (to-server, to-client).</summary>
    public static readonly ObservedValues<long> RelayedSource = new();

    /// <summary>DHCP messages dropped, by <see cref="InterfaceLabel"/> ("server" for replies) and <see cref="ReasonLabel"/>.</summary>
    public static readonly ObservedValues<long> DroppedSource = new();

    /// <summary>Sessions the agent holds.</summary>
    public static readonly ObservedValues<long> SessionsSource = new();

    /// <summary>1 while the agent's stream to a controller is open, else 0.</summary>
    public static readonly ObservedValues<long> ControllerConnectedSource = new();

    /// <summary>Reports (session start, stop, policy) journaled and not yet acked by the controller.</summary>
    public static readonly ObservedValues<long> OutboxSource = new();

    /// <summary>Session classes per direction parked in the kernel (left by ended sessions or created by the class pool).</summary>
    public static readonly ObservedValues<long> ParkedClassesSource = new();

    public static readonly ObservableGauge<long> ControllerConnected = Meter.CreateObservableGauge(
        "aether.agent.controller.connected", ControllerConnectedSource.Observe, "{stream}", "1 while the agent's gRPC stream to a controller is open, else 0.");

    public static readonly ObservableGauge<long> Outbox = Meter.CreateObservableGauge(
        "aether.agent.outbox.depth", OutboxSource.Observe, "{message}", "Reports journaled on the agent and not yet acked by the controller.");

    public static readonly ObservableCounter<long> DhcpRelayed = Meter.CreateObservableCounter(
        "aether.agent.dhcp.relayed", RelayedSource.Observe, "{packet}", "DHCP messages relayed, by direction.");

    public static readonly ObservableCounter<long> DhcpDropped = Meter.CreateObservableCounter(
        "aether.agent.dhcp.dropped", DroppedSource.Observe, "{packet}", "DHCP messages dropped, by interface and reason.");

    public static readonly ObservableGauge<long> Sessions = Meter.CreateObservableGauge(
        "aether.agent.sessions", SessionsSource.Observe, "{session}", "Sessions programmed on this BNG.");

    public static readonly ObservableGauge<long> ParkedClasses = Meter.CreateObservableGauge(
        "aether.agent.classes.parked", ParkedClassesSource.Observe, "{class}", "Session classes per direction ready in the kernel for a new session (left by ended sessions or created by Agent:ClassPool).");

    /// <summary>First DISCOVER to the DHCPACK sent to the client, for one subscriber's setup.</summary>
    public static readonly Histogram<double> SessionSetupDuration = Meter.CreateHistogram(
        "aether.agent.session.setup.duration", "s", "Session setup latency, DISCOVER captured to ACK sent to the client.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = AetherMetrics.LatencyBuckets });

    /// <summary>Kernel operations per applied batch (one nft and one tc invocation each).</summary>
    public static readonly Histogram<long> KernelBatchSize = Meter.CreateHistogram<long>(
        "aether.agent.kernel.batch.size", "{operation}", "Kernel operations applied per batch.",
        advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = AetherMetrics.BatchBuckets });

    public static readonly Histogram<double> KernelBatchDuration = Meter.CreateHistogram(
        "aether.agent.kernel.batch.duration", "s", "Time to apply one kernel batch (nft and tc).",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = AetherMetrics.LatencyBuckets });

    public static readonly Histogram<double> CounterSweepDuration = Meter.CreateHistogram(
        "aether.agent.counter.sweep.duration", "s", "Time to read every session's counters from the kernel and report them.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = AetherMetrics.LatencyBuckets });

    public static readonly ObservableCounter<double> CpuTime = Meter.CreateObservableCounter(
        "aether.agent.cpu.time", () => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds, "s", "CPU time the agent process used (user and system).");

    public static readonly ObservableGauge<long> MemoryUsage = Meter.CreateObservableGauge(
        "aether.agent.memory.usage", () => Environment.WorkingSet, "By", "Resident memory of the agent process.");
}
