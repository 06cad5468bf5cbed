using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Aether.Controller.Health;

internal static class HealthEndpoints
{
    public const string ReadyTag = "ready";

    /// <summary>
    /// Readiness checks of each dependency (PostgreSQL, NATS, RADIUS, and Kea's control agent with the reconciler on),
    /// also served by the gRPC health checking protocol (grpc.health.v1.Health).
    /// </summary>
    public static IServiceCollection AddAetherHealthChecks(this IServiceCollection services, bool reconciler)
    {
        var checks = services.AddHealthChecks()
            .AddCheck<PostgresHealthCheck>("postgresql", tags: [ReadyTag], timeout: TimeSpan.FromSeconds(5))
            .AddCheck<NatsHealthCheck>("nats", tags: [ReadyTag])
            .AddCheck<RadiusHealthCheck>("radius", tags: [ReadyTag]);
        if (reconciler)
        {
            checks.AddCheck<KeaHealthCheck>("kea-control-agent", tags: [ReadyTag], timeout: TimeSpan.FromSeconds(5));
        }

        services.AddGrpcHealthChecks();
        return services;
    }

    /// <summary>/readyz: every dependency as JSON; 503 when one is unhealthy (degraded still serves).</summary>
    public static IEndpointConventionBuilder MapAetherReadiness(this IEndpointRouteBuilder app) =>
        app.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            Predicate = c => c.Tags.Contains(ReadyTag),
            ResponseWriter = WriteJsonAsync,
        });

    private static Task WriteJsonAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var body = new
        {
            status = report.Status.ToString(),
            durationMs = report.TotalDuration.TotalMilliseconds,
            dependencies = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = e.Value.Status.ToString(),
                description = e.Value.Description,
                durationMs = e.Value.Duration.TotalMilliseconds,
                data = e.Value.Data.Count > 0 ? e.Value.Data : null,
            }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body));
    }
}
