using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Aether.Storage.Internal;

/// <summary>
/// Brings the schema up to date before the hosted services registered after it start (the host starts them in
/// order), waiting for a database that is still coming up; then keeps monthly partitions created ahead of time.
/// </summary>
internal sealed class SchemaMigrationService : BackgroundService
{
    private static readonly TimeSpan s_maxRetryDelay = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan s_partitionCheckInterval = TimeSpan.FromHours(6);

    private readonly SchemaMigrator _migrator;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<SchemaMigrationService> _logger;

    public SchemaMigrationService(SchemaMigrator migrator, TimeProvider timeProvider, ILogger<SchemaMigrationService> logger)
    {
        _migrator = migrator;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(250);
        while (true)
        {
            try
            {
                await _migrator.MigrateAsync(cancellationToken);
                break;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                _migrator.GiveUp(cancellationToken);
                throw;
            }
            catch (Exception ex) when (IsTransient(ex))
            {
                StorageLog.MigrationRetry(_logger, delay, ex);
                await Task.Delay(delay, _timeProvider, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, s_maxRetryDelay.Ticks));
            }
            catch (Exception ex)
            {
                _migrator.GiveUp(ex);
                throw;
            }
        }

        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(s_partitionCheckInterval, _timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await _migrator.EnsurePartitionsAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    StorageLog.PartitionMaintenanceFailed(_logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    internal static bool IsTransient(Exception ex) => ex switch
    {
        NpgsqlException { IsTransient: true } => true,
        // 57P03: the database system is starting up / shutting down.
        PostgresException { SqlState: "57P03" or "57P01" or "57P02" } => true,
        SocketException or TimeoutException => true,
        _ => ex.InnerException is not null && IsTransient(ex.InnerException),
    };
}
