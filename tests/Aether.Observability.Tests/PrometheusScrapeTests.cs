using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using Aether.Observability;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Aether.Observability.Tests;

[Collection(nameof(MetricsCollection))]
public sealed class PrometheusScrapeTests
{
    [Fact]
    public async Task Scrape_serves_the_named_series_with_their_values()
    {
        var port = FreePort();
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddAetherTelemetry(new ConfigurationBuilder().Build(), "aether-test", $"http://127.0.0.1:{port}/");
        using var host = builder.Build();
        await host.StartAsync();
        using var relayed = AgentMetrics.RelayedSource.Bind(() =>
            [new Measurement<long>(5, new KeyValuePair<string, object?>(AgentMetrics.DirectionLabel, "to-server"))]);
        using var sessions = AetherMetrics.SessionsSource.Bind(() =>
            [new Measurement<long>(2, new KeyValuePair<string, object?>(AetherMetrics.BngLabel, "bng-01"), new KeyValuePair<string, object?>(AetherMetrics.StateLabel, "active"))]);
        AgentMetrics.KernelBatchSize.Record(3);
        AgentMetrics.SessionSetupDuration.Record(0.02);
        AetherMetrics.PublishDuration.Record(0.004, new KeyValuePair<string, object?>(AetherMetrics.TypeLabel, "SESSION_START"));

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var body = await http.GetStringAsync($"http://127.0.0.1:{port}/metrics");
        await host.StopAsync();

        Assert.Matches("aether_agent_dhcp_relayed_total\\{[^}]*direction=\"to-server\"[^}]*\\} 5", body);
        Assert.Matches("aether_sessions\\{[^}]*bng_id=\"bng-01\"[^}]*state=\"active\"[^}]*\\} 2", body);
        Assert.Contains("aether_agent_kernel_batch_size_bucket", body, StringComparison.Ordinal);
        Assert.Contains("aether_agent_session_setup_duration_seconds_bucket", body, StringComparison.Ordinal);
        Assert.Matches("aether_events_publish_duration_seconds_count\\{[^}]*type=\"SESSION_START\"[^}]*\\} 1", body);
        Assert.Contains("aether_agent_memory_usage_bytes", body, StringComparison.Ordinal);
        Assert.Contains("aether_agent_cpu_time_seconds_total", body, StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
