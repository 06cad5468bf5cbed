using Aether.Events;
using Aether.Ingestor;
using Aether.Observability;
using Aether.Storage;

// aether-ingestor: the durable JetStream consumer that writes the event log and the read models, as a process of
// its own (the controller can run the same ingestor in-process instead: Ingestor:Enabled). Several ingestors share
// the durable consumer and so the work.
//
//   aether-ingestor --ConnectionStrings:Aether=... --Events:Url=nats://... [--Ingestor:MetricsAddress=http://127.0.0.1:9465]
//                   [--Telemetry:TraceFile=...]
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Configuration.AddAetherSecretFiles();
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole(o =>
{
    o.SingleLine = true;
    o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
    o.UseUtcTimestamp = true;
});

var connectionString = builder.Configuration.GetConnectionString("Aether");
if (string.IsNullOrWhiteSpace(connectionString))
{
    throw new InvalidOperationException("ConnectionStrings:Aether is required (the OSS PostgreSQL database).");
}
var metricsAddress = builder.Configuration["Ingestor:MetricsAddress"] ?? "http://127.0.0.1:9465";
if (!Uri.TryCreate(metricsAddress, UriKind.Absolute, out var metricsUri) || metricsUri.Scheme != Uri.UriSchemeHttp)
{
    throw new InvalidOperationException($"Ingestor:MetricsAddress '{metricsAddress}' must be an http:// address (served at /metrics).");
}

builder.Services.AddAetherEvents(builder.Configuration.GetSection("Events"));
builder.Services.AddAetherStorage(connectionString);
builder.Services.AddAetherIngestor(builder.Configuration.GetSection("Ingestor"));
builder.Services.AddAetherTelemetry(builder.Configuration.GetSection("Telemetry"), "aether-ingestor", metricsAddress);

await builder.Build().RunAsync();
