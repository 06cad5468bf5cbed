using Aether.Storage.Internal;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Aether.Storage;

/// <summary>
/// Rebuilds every read model from the event log: empties them and replays <c>session_events</c> in event order
/// through the same projection the ingestor applies, in one transaction. Ingestion waits meanwhile (the log is
/// share-locked), and readers see the old models until the rebuilt ones commit.
/// </summary>
public sealed class ReadModelRebuilder
{
    private static readonly string[] s_readModels =
        ["sessions_active", "sessions_history", "traffic_samples", "access_routers", "bng_registry", "bng_health_events"];

    private readonly NpgsqlDataSource _dataSource;
    private readonly ILogger<ReadModelRebuilder> _logger;

    public ReadModelRebuilder(NpgsqlDataSource dataSource, ILogger<ReadModelRebuilder> logger)
    {
        _dataSource = dataSource;
        _logger = logger;
    }

    /// <summary>Events replayed per set of projection statements.</summary>
    public int ChunkSize { get; init; } = 5000;

    /// <summary>The read-model tables the rebuild replaces.</summary>
    public static IReadOnlyList<string> ReadModels => s_readModels;

    /// <returns>The number of events replayed.</returns>
    public async Task<long> RebuildAsync(CancellationToken ct)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await ExecuteAsync(connection, tx, EventLogWriter.WriterLockSql, ct);
        await ExecuteAsync(connection, tx, "LOCK TABLE session_events IN SHARE MODE", ct);
        await ExecuteAsync(connection, tx, $"TRUNCATE {string.Join(", ", s_readModels)}", ct);

        // Event order: time, then the event key, so the replay is deterministic.
        await ExecuteAsync(connection, tx,
            """
            CREATE TEMP TABLE aether_replay ON COMMIT DROP AS
            SELECT row_number() OVER (ORDER BY time, bng_id, instance_id, seq) AS n,
                   bng_id, instance_id, seq, type, time, session_id, payload
            FROM session_events
            """, ct);
        await ExecuteAsync(connection, tx, "CREATE INDEX ON aether_replay (n); ANALYZE aether_replay", ct);

        long total;
        await using (var count = new NpgsqlCommand("SELECT count(*) FROM aether_replay", connection, tx))
        {
            total = (long)(await count.ExecuteScalarAsync(ct))!;
        }

        for (long low = 0; low < total; low += ChunkSize)
        {
            await using var batch = new NpgsqlBatch(connection, tx);
            Add(ProjectionSql.Registry("(SELECT bng_id, instance_id, seq, time FROM aether_replay WHERE n > @lo AND n <= @hi) AS e"));
            Add(ProjectionSql.Start(SessionSource(StoredEventTypes.SessionStart)));
            Add(ProjectionSql.Policy(SessionSource(StoredEventTypes.PolicyApply)));
            Add(ProjectionSql.Update(SessionSource(StoredEventTypes.SessionUpdate)));
            Add(ProjectionSql.StopSample(SessionSource(StoredEventTypes.SessionStop)));
            Add(ProjectionSql.StopFinalCounters(SessionSource(StoredEventTypes.SessionStop)));
            Add(ProjectionSql.StopMoveToHistory(SessionSource(StoredEventTypes.SessionStop)));
            Add(ProjectionSql.Router(Source(StoredEventTypes.RouterUpdate)));
            Add(ProjectionSql.Health(Source(StoredEventTypes.BngHealthUpdate)));
            Add(ProjectionSql.ResampleDelete);
            Add(ProjectionSql.ResampleInsert);
            Add(ProjectionSql.ResampleDone);
            await batch.ExecuteNonQueryAsync(ct);

            void Add(string sql)
            {
                var command = new NpgsqlBatchCommand(sql);
                command.Parameters.Add(new NpgsqlParameter<long>("lo", NpgsqlDbType.Bigint) { TypedValue = low });
                command.Parameters.Add(new NpgsqlParameter<long>("hi", NpgsqlDbType.Bigint) { TypedValue = low + ChunkSize });
                batch.BatchCommands.Add(command);
            }
        }

        await tx.CommitAsync(ct);
        StorageLog.ReadModelsRebuilt(_logger, total);
        return total;
    }

    private static string SessionSource(string type) =>
        $"({ProjectionSql.FromLog($"(SELECT * FROM aether_replay WHERE n > @lo AND n <= @hi AND type = '{type}')")}) AS e";

    private static string Source(string type) =>
        $"(SELECT bng_id, instance_id, seq, time, session_id, payload FROM aether_replay WHERE n > @lo AND n <= @hi AND type = '{type}') AS e";

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection, tx);
        await command.ExecuteNonQueryAsync(ct);
    }
}
