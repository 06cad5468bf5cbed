using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Aether.Radius.Internal;

namespace Aether.Radius;

/// <summary>
/// The RADIUS client's instruments, meter <see cref="MeterName"/> (the BCL's System.Diagnostics.Metrics only, so the
/// library stays free of an exporter). Per server: requests answered or not, round trip, and whether it is held down.
/// </summary>
public static class RadiusMetrics
{
    public const string MeterName = "Aether.Radius";

    public const string ServerLabel = "server";
    public const string KindLabel = "kind";
    public const string ResultLabel = "result";
    public const string ReasonLabel = "reason";

    private static readonly double[] s_latencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private static readonly ConcurrentDictionary<RadiusClient, bool> s_clients = new();

    internal static readonly Meter Meter = new(MeterName);

    /// <summary>Requests sent to one server, by server, kind (auth, acct) and result (answered, no-answer after every retransmission).</summary>
    internal static readonly Counter<long> Requests = Meter.CreateCounter<long>(
        "aether.radius.requests", "{request}", "RADIUS requests per server, by kind and result.");

    /// <summary>Requests no server answered (every configured server tried).</summary>
    internal static readonly Counter<long> Timeouts = Meter.CreateCounter<long>(
        "aether.radius.timeouts", "{request}", "RADIUS requests that no server answered.");

    internal static readonly Histogram<double> RequestDuration = Meter.CreateHistogram(
        "aether.radius.request.duration", "s", "RADIUS round trip of answered requests, per server.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = s_latencyBuckets });

    internal static readonly ObservableGauge<int> ServerUp = Meter.CreateObservableGauge(
        "aether.radius.server.up", ObserveServers, "{server}", "1 while a RADIUS server is in service, 0 while it is held down after not answering.");

    /// <summary>RFC 5176 datagrams received on the dynamic authorization port, before any check.</summary>
    internal static readonly Counter<long> CoaReceived = Meter.CreateCounter<long>(
        "aether.coa.received", "{datagram}", "RFC 5176 datagrams received on the CoA port, before any check.");

    /// <summary>
    /// Datagrams at the RFC 5176 port that got no answer, by reason (<see cref="CoaDropReasons"/>): hostile or broken
    /// input is visible here, not only in logs.
    /// </summary>
    internal static readonly Counter<long> CoaDropped = Meter.CreateCounter<long>(
        "aether.coa.dropped", "{datagram}", "Datagrams at the dynamic authorization (CoA) port dropped without an answer, by reason.");

    internal static string Kind(bool accounting) => accounting ? "acct" : "auth";

    internal static void Register(RadiusClient client) => s_clients[client] = true;

    internal static void Unregister(RadiusClient client) => s_clients.TryRemove(client, out _);

    private static IEnumerable<Measurement<int>> ObserveServers()
    {
        foreach (var client in s_clients.Keys)
        {
            foreach (var (server, up) in client.ServerStates())
            {
                yield return new Measurement<int>(up ? 1 : 0, new KeyValuePair<string, object?>(ServerLabel, server));
            }
        }
    }

    internal static KeyValuePair<string, object?> Server(ServerState server) => new(ServerLabel, server.Endpoint.Host);

    internal static void CountCoaDropped(string reason) => CoaDropped.Add(1, new KeyValuePair<string, object?>(ReasonLabel, reason));
}

/// <summary>The reason label of aether_coa_dropped_total.</summary>
public static class CoaDropReasons
{
    /// <summary>The source address is not a configured client.</summary>
    public const string UnknownClient = "unknown-client";

    /// <summary>Not a RADIUS packet: short, bad length field, bad attribute lengths, or larger than 4096 bytes.</summary>
    public const string Malformed = "malformed";

    /// <summary>A RADIUS code other than CoA-Request or Disconnect-Request.</summary>
    public const string UnsupportedCode = "unsupported-code";

    /// <summary>The Request Authenticator does not verify with the client's secret (usually a wrong secret).</summary>
    public const string BadAuthenticator = "bad-authenticator";

    /// <summary>A wrong Message-Authenticator, or none where one is required.</summary>
    public const string BadMessageAuthenticator = "bad-message-authenticator";

    /// <summary>A retransmission of a request still being handled (one answered already gets the cached answer).</summary>
    public const string InProgress = "in-progress";

    /// <summary>Handling failed unexpectedly (logged with the exception).</summary>
    public const string Failed = "failed";
}
