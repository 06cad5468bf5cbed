namespace Aether.Events;

/// <summary>Publishes lifecycle events durably.</summary>
public interface IEventPublisher
{
    /// <summary>
    /// Completes once the event is stored by the stream (or was already stored: a repeat is success). Waits out
    /// outages of the event bus rather than dropping the event; only <paramref name="cancellationToken"/> stops it.
    /// </summary>
    ValueTask PublishAsync(AetherEvent e, CancellationToken cancellationToken);

    /// <summary>
    /// Sends the event and returns once it is on its way, after every event sent before it by an earlier call, so
    /// events sent one after another reach the stream in that order without waiting for each acknowledgement. The
    /// returned task completes as <see cref="PublishAsync"/> does: once the event is stored, retrying until then.
    /// </summary>
    async ValueTask<Task> SendAsync(AetherEvent e, CancellationToken cancellationToken)
    {
        await PublishAsync(e, cancellationToken);
        return Task.CompletedTask;
    }
}
