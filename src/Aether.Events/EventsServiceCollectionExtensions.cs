using Aether.Events.Internal;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using NATS.Client.Core;
using NATS.Client.JetStream;

namespace Aether.Events;

public static class EventsServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="EventStreamOptions"/> from <paramref name="section"/> (validated at start, every error at once)
    /// and registers one NATS connection, its JetStream context and the <see cref="IEventPublisher"/>.
    /// </summary>
    public static IServiceCollection AddAetherEvents(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(section);

        services.AddOptions<EventStreamOptions>().Bind(section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EventStreamOptions>, EventStreamOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        services.TryAddSingleton<INatsConnection>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<EventStreamOptions>>().Value;
            return new NatsConnection(NatsOpts.Default with
            {
                Url = options.Url,
                Name = options.ClientName,

                // Replies (JetStream publish acks) are handled as they arrive rather than through the inbox muxer:
                // less CPU per publish.
                RequestReplyMode = NatsRequestReplyMode.Direct,

                // A process that starts before NATS keeps trying instead of failing its first publish.
                RetryOnInitialConnect = true,
                LoggerFactory = sp.GetService<Microsoft.Extensions.Logging.ILoggerFactory>() ?? NatsOpts.Default.LoggerFactory,
            });
        });
        services.TryAddSingleton(sp => new NatsJSContext(sp.GetRequiredService<INatsConnection>()));
        services.TryAddSingleton<INatsJSContext>(sp => sp.GetRequiredService<NatsJSContext>());
        services.TryAddSingleton<JetStreamEventPublisher>();
        services.TryAddSingleton<IEventPublisher>(sp => sp.GetRequiredService<JetStreamEventPublisher>());
        return services;
    }
}
