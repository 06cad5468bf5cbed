using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Aether.Storage.Internal;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Aether.Storage;

/// <summary>
/// Applies the SQL migrations embedded in this assembly (<c>Migrations/NNNN_name.sql</c>) in version order, each in
/// its own transaction, recording them in <c>schema_migrations</c>. A transaction-level advisory lock serialises
/// processes that migrate the same database at once; the loser finds the version recorded and skips it.
/// </summary>
public sealed class SchemaMigrator
{
    // Arbitrary constant shared by every Aether process: "AETHERDB" as ASCII.
    private const long AdvisoryLockKey = 0x4145_5448_4552_4442;
    private const string ResourcePrefix = "Aether.Storage.Migrations.";

    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<SchemaMigrator> _logger;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public SchemaMigrator(NpgsqlDataSource dataSource, TimeProvider timeProvider, ILogger<SchemaMigrator> logger)
    {
        _dataSource = dataSource;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>Completes once this process has brought the schema up to date; faults if migrating failed.</summary>
    public Task Ready => _ready.Task;

    /// <summary>Months of event-log partitions created ahead of the current one.</summary>
    public int PartitionMonthsAhead { get; init; } = 2;

    public static IReadOnlyList<Migration> Migrations { get; } = LoadMigrations();

    public async Task MigrateAsync(CancellationToken ct)
    {
        try
        {
            await using (var connection = await _dataSource.OpenConnectionAsync(ct))
            {
                await using (var create = new NpgsqlCommand(
                    """
                    CREATE TABLE IF NOT EXISTS schema_migrations (
                        version    integer     PRIMARY KEY,
                        name       text        NOT NULL,
                        checksum   text        NOT NULL,
                        applied_at timestamptz NOT NULL DEFAULT now())
                    """, connection))
                {
                    // Two processes racing here: the loser's CREATE can fail on the catalog's unique index.
                    await using var tx = await connection.BeginTransactionAsync(ct);
                    create.Transaction = tx;
                    await LockAsync(connection, tx, ct);
                    await create.ExecuteNonQueryAsync(ct);
                    await tx.CommitAsync(ct);
                }

                foreach (var migration in Migrations)
                {
                    await ApplyAsync(connection, migration, ct);
                }

                await EnsurePartitionsAsync(connection, ct);
            }

            _ready.TrySetResult();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            StorageLog.MigrationFailed(_logger, ex);
            throw;
        }
    }

    /// <summary>Makes <see cref="Ready"/> fault: this process gave up migrating.</summary>
    internal void GiveUp(Exception exception) => _ready.TrySetException(exception);

    internal void GiveUp(CancellationToken ct) => _ready.TrySetCanceled(ct);

    /// <summary>Creates the monthly partitions of the time-partitioned tables for this month and the next ones.</summary>
    public async Task EnsurePartitionsAsync(CancellationToken ct)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        await EnsurePartitionsAsync(connection, ct);
    }

    private async Task EnsurePartitionsAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var now = _timeProvider.GetUtcNow();
        await using var tx = await connection.BeginTransactionAsync(ct);
        await LockAsync(connection, tx, ct);
        var created = 0;
        foreach (var table in (string[])["session_events", "traffic_samples"])
        {
            await using var command = new NpgsqlCommand("SELECT aether_ensure_monthly_partitions(@table::regclass, @from, @to)", connection, tx);
            command.Parameters.AddWithValue("table", table);
            command.Parameters.AddWithValue("from", now);
            command.Parameters.AddWithValue("to", now.AddMonths(PartitionMonthsAhead));
            created += (int)(await command.ExecuteScalarAsync(ct))!;
        }

        await tx.CommitAsync(ct);
        if (created > 0)
        {
            StorageLog.PartitionsCreated(_logger, created);
        }
    }

    private async Task ApplyAsync(NpgsqlConnection connection, Migration migration, CancellationToken ct)
    {
        await using var tx = await connection.BeginTransactionAsync(ct);
        await LockAsync(connection, tx, ct);

        await using (var check = new NpgsqlCommand("SELECT checksum FROM schema_migrations WHERE version = @v", connection, tx))
        {
            check.Parameters.AddWithValue("v", migration.Version);
            if (await check.ExecuteScalarAsync(ct) is string applied)
            {
                if (applied != migration.Checksum)
                {
                    StorageLog.MigrationChanged(_logger, migration.Version, migration.Name);
                }

                return;
            }
        }

        await using (var apply = new NpgsqlCommand(migration.Sql, connection, tx))
        {
            await apply.ExecuteNonQueryAsync(ct);
        }

        await using (var record = new NpgsqlCommand(
            "INSERT INTO schema_migrations (version, name, checksum) VALUES (@v, @n, @c)", connection, tx))
        {
            record.Parameters.AddWithValue("v", migration.Version);
            record.Parameters.AddWithValue("n", migration.Name);
            record.Parameters.AddWithValue("c", migration.Checksum);
            await record.ExecuteNonQueryAsync(ct);
        }

        await tx.CommitAsync(ct);
        StorageLog.MigrationApplied(_logger, migration.Version, migration.Name);
    }

    private static async Task LockAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", connection, tx);
        command.Parameters.AddWithValue("key", AdvisoryLockKey);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static Migration[] LoadMigrations()
    {
        var assembly = typeof(SchemaMigrator).Assembly;
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(ResourcePrefix, StringComparison.Ordinal) || !resource.EndsWith(".sql", StringComparison.Ordinal))
            {
                continue;
            }

            var name = resource[ResourcePrefix.Length..^".sql".Length];
            var separator = name.IndexOf('_', StringComparison.Ordinal);
            if (separator <= 0 || !int.TryParse(name.AsSpan(0, separator), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            {
                throw new InvalidOperationException($"Migration resource '{resource}' is not named NNNN_name.sql.");
            }

            var sql = ReadResource(assembly, resource);
            var checksum = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql)));
            migrations.Add(new Migration(version, name, sql, checksum));
        }

        migrations.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (var i = 1; i < migrations.Count; i++)
        {
            if (migrations[i].Version == migrations[i - 1].Version)
            {
                throw new InvalidOperationException($"Two migrations share version {migrations[i].Version}.");
            }
        }

        return [.. migrations];
    }

    private static string ReadResource(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}

/// <summary>One embedded schema migration.</summary>
public sealed record Migration(int Version, string Name, string Sql, string Checksum);
