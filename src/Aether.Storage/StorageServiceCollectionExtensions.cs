using Aether.Storage.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Aether.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers one <see cref="NpgsqlDataSource"/> for <paramref name="connectionString"/>, the schema migrator as a
    /// hosted service that migrates at start (register it before services that need the schema, or await
    /// <see cref="SchemaMigrator.Ready"/>), the event log writer, the read-model rebuilder, <see cref="SessionReadModel"/> and <see cref="AgentReportLog"/>.
    /// </summary>
    public static IServiceCollection AddAetherStorage(this IServiceCollection services, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp =>
        {
            var builder = new NpgsqlDataSourceBuilder(connectionString);
            if (builder.ConnectionStringBuilder.MaxAutoPrepare == 0)
            {
                // The projection runs the same few statements for every batch.
                builder.ConnectionStringBuilder.MaxAutoPrepare = 64;
            }

            if (sp.GetService<ILoggerFactory>() is { } loggerFactory)
            {
                builder.UseLoggerFactory(loggerFactory);
            }

            return builder.Build();
        });
        services.TryAddSingleton<SchemaMigrator>();
        services.TryAddSingleton<EventLogWriter>();
        services.TryAddSingleton<ReadModelRebuilder>();
        services.TryAddSingleton<SessionReadModel>();
        services.TryAddSingleton<AgentReportLog>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, SchemaMigrationService>());
        return services;
    }
}
