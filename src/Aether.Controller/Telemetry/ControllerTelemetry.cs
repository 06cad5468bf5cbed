using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Aether.Controller.Agents;
using Aether.Controller.Health;
using Aether.Controller.Sessions;
using Aether.Observability;
using OpenTelemetry.Metrics;

namespace Aether.Controller.Telemetry;

internal static class ControllerTelemetry
{
    /// <summary>
    /// Metrics (Prometheus on the HTTP endpoint's /metrics, OTLP when configured), traces (section <c>Telemetry</c>)
    /// and the health checks behind /readyz and grpc.health.v1.
    /// </summary>
    public static IServiceCollection AddAetherControllerTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddAetherTelemetry(configuration.GetSection("Telemetry"), "aether-controller",
            configureMetrics: m => m.AddPrometheusExporter().AddAspNetCoreInstrumentation());
        services.AddHostedService<ControllerMetricsBinding>();
        services.AddAetherHealthChecks(configuration.GetValue<bool>("Reconciler:Enabled"));
        return services;
    }

    /// <summary>/metrics, /readyz and the gRPC health service. (/healthz stays the plain liveness answer.)</summary>
    public static void MapAetherTelemetry(this WebApplication app)
    {
        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapAetherReadiness();
        app.MapGrpcHealthChecksService();
    }
}

/// <summary>Points the controller's observable instruments at the session directory and the agent registry.</summary>
internal sealed class ControllerMetricsBinding(SessionDirectory sessions, AgentRegistry agents, TimeProvider time) : IHostedService
{
    // Agents seen since start, so one that went away reads 0 instead of vanishing (what an alert needs).
    private readonly ConcurrentDictionary<string, bool> _seen = new(StringComparer.Ordinal);
    private readonly List<IDisposable> _bindings = [];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _bindings.Add(AetherMetrics.SessionsSource.Bind(ObserveSessions));
        _bindings.Add(AetherMetrics.AgentConnectedSource.Bind(ObserveAgents));
        _bindings.Add(AetherMetrics.AgentQueueDepthSource.Bind(ObserveQueues));
        _bindings.Add(AetherMetrics.AgentStreamsSource.Bind(() => [new Measurement<long>(agents.Agents.Count())]));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var binding in _bindings)
        {
            binding.Dispose();
        }

        return Task.CompletedTask;
    }

    internal IEnumerable<Measurement<long>> ObserveSessions()
    {
        var now = time.GetUtcNow();
        return sessions.All
            .GroupBy(s => (s.BngId, State: s.State.LeaseExpires is { } expires && expires.ToDateTimeOffset() < now ? "lease-expired" : "active"))
            .Select(g => new Measurement<long>(g.Count(),
                new KeyValuePair<string, object?>(AetherMetrics.BngLabel, g.Key.BngId),
                new KeyValuePair<string, object?>(AetherMetrics.StateLabel, g.Key.State)));
    }

    internal IEnumerable<Measurement<long>> ObserveAgents()
    {
        var connected = agents.Agents.Select(a => a.BngId).ToHashSet(StringComparer.Ordinal);
        foreach (var bng in connected)
        {
            _seen[bng] = true;
        }

        return _seen.Keys.Select(bng => new Measurement<long>(connected.Contains(bng) ? 1 : 0,
            new KeyValuePair<string, object?>(AetherMetrics.BngLabel, bng)));
    }

    internal IEnumerable<Measurement<long>> ObserveQueues() =>
        agents.Agents.Select(a => new Measurement<long>(a.Outbound.Reader.Count,
            new KeyValuePair<string, object?>(AetherMetrics.BngLabel, a.BngId)));
}
