using Aether.Observability.Internal;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Aether.Observability;

public static class TelemetryServiceCollectionExtensions
{
    /// <summary>Spans waiting for the trace file; more are dropped (a traced setup has a dozen spans).</summary>
    private const int TraceQueueSize = 16_384;

    /// <summary>The longest a finished span waits before it is in the trace file.</summary>
    private const int TraceFileFlushMilliseconds = 500;

    /// <summary>
    /// Metrics and traces for one Aether process. <paramref name="section"/> is the <c>Telemetry</c> section:
    /// <c>OtlpEndpoint</c> (metrics and traces by OTLP when set), <c>TraceFile</c> (spans as JSON lines, written in batches within half a second),
    /// <c>ConsoleTraces</c> (spans on stdout), <c>TraceSampleRatio</c> (the share of new traces recorded, 0 to 1, 1 by
    /// default; a trace continued from another process follows that process's decision). Tracing is on only when
    /// one of the three outputs is set. Metrics are always on:
    /// served by an HttpListener on <paramref name="metricsListenerAddress"/> when given (the agent), else by what
    /// <paramref name="configureMetrics"/> adds (the controller maps its ASP.NET Core Prometheus endpoint).
    /// </summary>
    public static IServiceCollection AddAetherTelemetry(
        this IServiceCollection services,
        IConfiguration section,
        string serviceName,
        string? metricsListenerAddress = null,
        Action<MeterProviderBuilder>? configureMetrics = null,
        Action<TracerProviderBuilder>? configureTracing = null)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceName);
        var otlp = section["OtlpEndpoint"];
        var traceFile = section["TraceFile"];
        var consoleTraces = section.GetValue("ConsoleTraces", false);
        var sampleRatio = section.GetValue("TraceSampleRatio", 1.0);
        if (double.IsNaN(sampleRatio) || sampleRatio is < 0 or > 1)
        {
            throw new InvalidOperationException($"Telemetry:TraceSampleRatio must be between 0 and 1 (not {sampleRatio}).");
        }

        var builder = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(serviceName, serviceInstanceId: Environment.MachineName + "/" + Environment.ProcessId))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(AetherMetrics.MeterName, AetherMetrics.RadiusMeterName, AgentMetrics.MeterName)
                    .AddRuntimeInstrumentation();
                if (!string.IsNullOrWhiteSpace(metricsListenerAddress))
                {
                    var listen = new Uri(metricsListenerAddress);
                    metrics.AddPrometheusHttpListener(o =>
                    {
                        // HttpListener spells "every address" as "+".
                        o.Host = listen.Host is "0.0.0.0" or "[::]" ? "+" : listen.Host;
                        o.Port = listen.Port;
                        o.ScrapeEndpointPath = "/metrics";
                    });
                }

                if (!string.IsNullOrWhiteSpace(otlp))
                {
                    metrics.AddOtlpExporter(o => o.Endpoint = new Uri(otlp));
                }

                configureMetrics?.Invoke(metrics);
            });

        if (!string.IsNullOrWhiteSpace(otlp) || !string.IsNullOrWhiteSpace(traceFile) || consoleTraces)
        {
            builder.WithTracing(tracing =>
            {
                tracing.AddSource(AetherTracing.SourceName)
                    .SetSampler(new ParentBasedSampler(sampleRatio >= 1 ? new AlwaysOnSampler() : new TraceIdRatioBasedSampler(sampleRatio)));
                if (!string.IsNullOrWhiteSpace(otlp))
                {
                    tracing.AddOtlpExporter(o => o.Endpoint = new Uri(otlp));
                }

                if (!string.IsNullOrWhiteSpace(traceFile))
                {
                    // Batched on the processor's own thread, written at least every TraceFileFlushMilliseconds: a span
                    // costs the request path a queue slot, not a file write. Spans beyond the queue are dropped.
                    tracing.AddProcessor(new BatchActivityExportProcessor(
                        new FileActivityExporter(traceFile, serviceName),
                        maxQueueSize: TraceQueueSize,
                        scheduledDelayMilliseconds: TraceFileFlushMilliseconds,
                        exporterTimeoutMilliseconds: 30_000,
                        maxExportBatchSize: 512));
                }

                if (consoleTraces)
                {
                    tracing.AddConsoleExporter();
                }

                configureTracing?.Invoke(tracing);
            });
        }

        return services;
    }
}
