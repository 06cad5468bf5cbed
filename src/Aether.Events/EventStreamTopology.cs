using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace Aether.Events;

/// <summary>Creates or updates the event stream; safe to call from every process at every start.</summary>
public static class EventStreamTopology
{
    public static StreamConfig StreamConfig(EventStreamOptions options) => new(options.StreamName, [EventSubjects.All(options.SubjectPrefix)])
    {
        Description = "Aether subscriber lifecycle events",
        Storage = StreamConfigStorage.File,
        Retention = StreamConfigRetention.Limits,
        Discard = StreamConfigDiscard.Old,
        DuplicateWindow = options.DuplicateWindow,
        MaxAge = options.MaxAge,
        MaxBytes = options.MaxBytes,
        NumReplicas = options.Replicas,
    };

    public static async ValueTask EnsureStreamAsync(INatsJSContext js, EventStreamOptions options, CancellationToken cancellationToken) =>
        await js.CreateOrUpdateStreamAsync(StreamConfig(options), cancellationToken);
}
