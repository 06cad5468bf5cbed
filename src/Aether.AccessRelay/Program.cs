using Aether.AccessRelay;
using Microsoft.Extensions.Options;

// The lab's access node: an L2 switch that takes subscribers' DHCP requests off the bridge, inserts
// Option 82 (circuit-id per access port, remote-id for the node) and sends them up to the BNG.
// Settings files live beside the binary, wherever it is started from.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Logging.AddSimpleConsole(o =>
{
    o.SingleLine = true;
    o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
    o.UseUtcTimestamp = true;
});
builder.Services.AddOptions<AccessRelayOptions>().Bind(builder.Configuration.GetSection("Relay")).ValidateOnStart();
builder.Services.AddSingleton<IValidateOptions<AccessRelayOptions>, AccessRelayOptionsValidator>();
builder.Services.AddHostedService<AccessRelay>();
await builder.Build().RunAsync();
