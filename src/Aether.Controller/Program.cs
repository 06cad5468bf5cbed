using Aether.Controller;
using Aether.Storage;

// `aether-controller rebuild-read-models [--ConnectionStrings:Aether=...]` replays session_events into
// fresh read models and exits.
var rebuildReadModels = args.Length > 0 && args[0] == "rebuild-read-models";
if (rebuildReadModels)
{
    args = args[1..];
}

// Settings files live beside the binary, wherever it is started from.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole(o =>
{
    o.SingleLine = true;
    o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
    o.UseUtcTimestamp = true;
});

builder.AddAetherController();

var app = builder.Build();
app.MapAetherController();

if (rebuildReadModels)
{
    await app.Services.GetRequiredService<SchemaMigrator>().MigrateAsync(CancellationToken.None);
    var events = await app.Services.GetRequiredService<ReadModelRebuilder>().RebuildAsync(CancellationToken.None);
    Console.WriteLine($"Rebuilt {string.Join(", ", ReadModelRebuilder.ReadModels)} from {events} events in session_events.");
    return;
}

await app.RunAsync();
