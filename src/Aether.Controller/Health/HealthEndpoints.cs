using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Aether.Controller.Health;

internal static class HealthEndpoints
{
    public const string ReadyTag = "ready";

    public const string PostgresCheck = "postgresql";
    public const string NatsCheck = "nats";
    public const string RadiusCheck = "radius";
    public const string KeaCheck = "kea-control-agent";

    /// <summary>How often grpc.health.v1.Health/Watch re-runs the checks (and tells watchers of a change).</summary>
    public static readonly TimeSpan WatchPeriod = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Readiness checks of each dependency (PostgreSQL, NATS, RADIUS, and Kea's control agent with the reconciler on),
    /// also served by the gRPC health checking protocol (grpc.health.v1.Health): service "" (and each of the
    /// controller's gRPC services by its full name) is the overall status, NOT_SERVING when any check is Unhealthy;
    /// each check is also a service of its own name ("postgresql", "nats", "radius", "kea-control-agent").
    /// Degraded is SERVING, as on /readyz.
    /// </summary>
    public static IServiceCollection AddAetherHealthChecks(this IServiceCollection services, bool reconciler)
    {
        string[] names = reconciler ? [PostgresCheck, NatsCheck, RadiusCheck, KeaCheck] : [PostgresCheck, NatsCheck, RadiusCheck];
        var checks = services.AddHealthChecks()
            .AddCheck<PostgresHealthCheck>(PostgresCheck, tags: [ReadyTag], timeout: TimeSpan.FromSeconds(5))
            .AddCheck<NatsHealthCheck>(NatsCheck, tags: [ReadyTag])
            .AddCheck<RadiusHealthCheck>(RadiusCheck, tags: [ReadyTag]);
        if (reconciler)
        {
            checks.AddCheck<KeaHealthCheck>(KeaCheck, tags: [ReadyTag], timeout: TimeSpan.FromSeconds(5));
        }

        services.AddGrpcHealthChecks(o =>
        {
            o.Services.Clear();
            foreach (var overall in (string[])["", Contracts.Agent.V1.AgentGatewayService.Descriptor.FullName, Contracts.Ops.V1.OperationsService.Descriptor.FullName])
            {
                o.Services.Map(overall, c => c.Tags.Contains(ReadyTag));
            }

            foreach (var name in names)
            {
                o.Services.Map(name, c => c.Name == name);
            }
        });
        // Watch is fed by the health check publisher: the first run soon after start, then every WatchPeriod.
        services.Configure<HealthCheckPublisherOptions>(o =>
        {
            o.Delay = TimeSpan.FromSeconds(1);
            o.Period = WatchPeriod;
        });
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
