using System.Diagnostics.Metrics;
using Aether.Agent.Dhcp;
using Aether.Agent.Sessions;
using Aether.Observability;

namespace Aether.Agent.Telemetry;

internal static class AgentTelemetry
{
    /// <summary>Where /metrics is served when <c>Agent:MetricsAddress</c> is not set: this host only.</summary>
    public const string DefaultMetricsAddress = "http://127.0.0.1:9464/";

    /// <summary>
    /// Prometheus /metrics on <c>Agent:MetricsAddress</c> (e.g. http://0.0.0.0:9464/; "off" disables it), OTLP and
    /// trace files from the <c>Telemetry</c> section, and the bindings of the agent's observable instruments.
    /// </summary>
    public static IServiceCollection AddAetherAgentTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var address = configuration["Agent:MetricsAddress"];
        if (string.IsNullOrWhiteSpace(address))
        {
            address = DefaultMetricsAddress;
        }
        else if (address.Equals("off", StringComparison.OrdinalIgnoreCase))
        {
            address = null;
        }

        var serviceName = "aether-agent/" + (configuration["Agent:BngId"] ?? "unknown");
        services.AddAetherTelemetry(configuration.GetSection("Telemetry"), serviceName, address);
        services.AddHostedService<AgentMetricsBinding>();
        return services;
    }
}

/// <summary>Points the agent's observable instruments at the relay counters and the session table.</summary>
internal sealed class AgentMetricsBinding(RelayCounters counters, SessionManager sessions, Control.IControllerLink controller) : IHostedService
{
    private readonly List<IDisposable> _bindings = [];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _bindings.Add(AgentMetrics.RelayedSource.Bind(ObserveRelayed));
        _bindings.Add(AgentMetrics.DroppedSource.Bind(ObserveDropped));
        _bindings.Add(AgentMetrics.SessionsSource.Bind(() => [new Measurement<long>(sessions.Count)]));
        _bindings.Add(AgentMetrics.ParkedClassesSource.Bind(() => [new Measurement<long>(sessions.ParkedClasses)]));
        _bindings.Add(AgentMetrics.ControllerConnectedSource.Bind(() => [new Measurement<long>(controller.IsConnected ? 1 : 0)]));
        _bindings.Add(AgentMetrics.OutboxSource.Bind(() => [new Measurement<long>(controller.OutboxCount)]));
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

    internal IEnumerable<Measurement<long>> ObserveRelayed() =>
    [
        new(counters.ToServer, new KeyValuePair<string, object?>(AgentMetrics.DirectionLabel, "to-server")),
        new(counters.ToClient, new KeyValuePair<string, object?>(AgentMetrics.DirectionLabel, "to-client")),
    ];

    internal IEnumerable<Measurement<long>> ObserveDropped() =>
        counters.Snapshot().Select(d => new Measurement<long>(d.Count,
            new KeyValuePair<string, object?>(AgentMetrics.InterfaceLabel, d.Interface),
            new KeyValuePair<string, object?>(AgentMetrics.ReasonLabel, d.Reason.Name())));
}
