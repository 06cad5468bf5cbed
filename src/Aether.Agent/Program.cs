using Aether.Agent;
using Aether.Agent.Control;
using Aether.Agent.Dhcp;
using Aether.Agent.Kernel;
using Aether.Agent.Sessions;
using Microsoft.Extensions.Options;

// Settings files live beside the binary, wherever it is started from.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Logging.AddSimpleConsole(o =>
{
    o.SingleLine = true;
    o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
    o.UseUtcTimestamp = true;
});

builder.Services.AddOptions<AgentOptions>().Bind(builder.Configuration.GetSection(AgentOptions.SectionName)).ValidateOnStart();
builder.Services.AddSingleton<IValidateOptions<AgentOptions>, AgentOptionsValidator>();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<AgentIdentity>();
builder.Services.AddSingleton<CommandRunner>();
builder.Services.AddSingleton<RelayCounters>();
builder.Services.AddSingleton<SubscriberCapture>();
builder.Services.AddSingleton<SessionKernel>();
builder.Services.AddSingleton<SessionManager>();
builder.Services.AddSingleton<IControllerCommandHandler>(sp => sp.GetRequiredService<SessionManager>());
builder.Services.AddSingleton(sp => new Lazy<IControllerCommandHandler>(sp.GetRequiredService<IControllerCommandHandler>));
builder.Services.AddSingleton<ControllerLink>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<SessionKernel>());
builder.Services.AddHostedService(sp => sp.GetRequiredService<ControllerLink>());
builder.Services.AddHostedService<RelayService>();
builder.Services.AddHostedService<SessionTimers>();

await builder.Build().RunAsync();
