using Aether.Agent;
using Aether.Agent.Telemetry;
using Aether.Observability;

// Settings files live beside the binary, wherever it is started from.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
// *SecretFile, *PasswordFile and *TokenFile settings (Agent:TokenFile): the secret read from that file.
builder.Configuration.AddAetherSecretFiles();
builder.Logging.AddSimpleConsole(o =>
{
    o.SingleLine = true;
    o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
    o.UseUtcTimestamp = true;
});
builder.Services.AddAetherAgent(builder.Configuration);
builder.Services.AddAetherAgentTelemetry(builder.Configuration);

await builder.Build().RunAsync();
