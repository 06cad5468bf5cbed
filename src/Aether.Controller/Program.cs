using Aether.Controller;
using Aether.Storage;

// `aether-controller rebuild-read-models [--ConnectionStrings:Aether=...]` replays session_events into
// fresh read models and exits.
var rebuildReadModels = args.Length > 0 && args[0] == "rebuild-read-models";
if (rebuildReadModels)
{
    args = args[1..];
}

var app = ControllerApplication.Build(args);
if (rebuildReadModels)
{
    await app.Services.GetRequiredService<SchemaMigrator>().MigrateAsync(CancellationToken.None);
    var events = await app.Services.GetRequiredService<ReadModelRebuilder>().RebuildAsync(CancellationToken.None);
    Console.WriteLine($"Rebuilt {string.Join(", ", ReadModelRebuilder.ReadModels)} from {events} events in session_events.");
    return;
}

await app.RunAsync();
