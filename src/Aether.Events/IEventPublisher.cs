namespace Aether.Events;

/// <summary>Publishes lifecycle events durably.</summary>
public interface IEventPublisher
{
    /// <summary>
    /// Completes once the event is stored by the stream (or was already stored: a repeat is success). Waits out
    /// outages of the event bus rather than dropping the event; only <paramref name="cancellationToken"/> stops it.
    /// </summary>
    ValueTask PublishAsync(AetherEvent e, CancellationToken cancellationToken);
}
