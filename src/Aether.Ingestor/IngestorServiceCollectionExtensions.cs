using Aether.Ingestor.Internal;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Aether.Ingestor;

public static class IngestorServiceCollectionExtensions
{
    /// <summary>
    /// Adds the ingestor: a hosted service that consumes the event stream through a durable pull consumer and writes
    /// each fetched batch to the event log and read models in one transaction, acknowledging only after commit.
    /// Requires <c>AddAetherEvents</c> and <c>AddAetherStorage</c>.
    /// </summary>
    public static IServiceCollection AddAetherIngestor(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(section);

        services.AddOptions<IngestorOptions>().Bind(section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<IngestorOptions>, IngestorOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, IngestorService>());
        return services;
    }
}
