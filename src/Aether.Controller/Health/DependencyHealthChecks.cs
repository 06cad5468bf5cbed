using Aether.Controller.Reconciliation;
using Aether.Radius;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using NATS.Client.Core;
using Npgsql;

namespace Aether.Controller.Health;

/// <summary>PostgreSQL answers a trivial query.</summary>
internal sealed class PostgresHealthCheck(NpgsqlDataSource dataSource) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var command = dataSource.CreateCommand("select 1");
            command.CommandTimeout = 3;
            await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy(ex.Message);
        }
    }
}

/// <summary>The NATS connection is open (events can be published and consumed).</summary>
internal sealed class NatsHealthCheck(INatsConnection connection) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(connection.ConnectionState == NatsConnectionState.Open
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy($"connection {connection.ConnectionState}"));
}

/// <summary>
/// RADIUS is judged by the last real request, not by probing: an Access-Request nobody answered makes it degraded
/// (new subscribers are refused; existing ones keep forwarding), so it does not take the controller out of service.
/// </summary>
internal sealed class RadiusHealthCheck(RadiusClient client) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var last = client.Statistics.Last;
        var data = new Dictionary<string, object>
        {
            ["requests"] = client.Statistics.Requests,
            ["timeouts"] = client.Statistics.Timeouts,
        };
        if (last is null)
        {
            return Task.FromResult(HealthCheckResult.Healthy("no request yet", data));
        }

        data["lastAt"] = last.At;
        return Task.FromResult(last.Answered
            ? HealthCheckResult.Healthy("last request answered", data)
            : HealthCheckResult.Degraded("last request: no server answered", data: data));
    }
}

/// <summary>Kea's control agent answers (the reconciler reads leases through it).</summary>
internal sealed class KeaHealthCheck(KeaLeaseClient kea) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await kea.PingAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
        {
            // The reconciler only repairs drift: without Kea it waits, nothing else stops.
            return HealthCheckResult.Degraded(ex.Message);
        }
    }
}
