using Aether.Storage.Internal;
using Npgsql;
using NpgsqlTypes;

namespace Aether.Storage;

/// <summary>
/// Appends batches of events to the log and projects them into the read models, in one transaction per batch.
/// Idempotent: an event already in the log (same bng_id, instance_id, seq) is skipped and not projected again, so a
/// redelivered batch has no further effect.
/// </summary>
public sealed class EventLogWriter
{
    private const string InsertSql =
        """
        INSERT INTO session_events (bng_id, instance_id, seq, type, time, session_id, payload)
        SELECT * FROM unnest(@b::text[], @i::text[], @s::bigint[], @ty::text[], @t::timestamptz[], @sid::text[], @p::jsonb[])
        ON CONFLICT DO NOTHING
        RETURNING bng_id, instance_id, seq
        """;

    private const string TypedSource =
        "unnest(@b::text[], @i::text[], @s::bigint[], @t::timestamptz[], @sid::text[], @p::jsonb[]) AS e(bng_id, instance_id, seq, time, session_id, payload)";

    private const string RegistrySource =
        "unnest(@b::text[], @i::text[], @s::bigint[], @t::timestamptz[]) AS e(bng_id, instance_id, seq, time)";

    private const string RejectSql =
        """
        INSERT INTO ingest_rejects (subject, stream_seq, error, payload)
        SELECT * FROM unnest(@subject::text[], @stream_seq::bigint[], @error::text[], @payload::bytea[])
        ON CONFLICT DO NOTHING
        """;

    private readonly NpgsqlDataSource _dataSource;

    public EventLogWriter(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    public Task<AppendResult> AppendAsync(IReadOnlyList<EventRecord> events, CancellationToken ct) =>
        AppendAsync(events, [], ct);

    /// <summary>Stores <paramref name="events"/> and <paramref name="rejects"/>, projecting the new events, in one transaction.</summary>
    public async Task<AppendResult> AppendAsync(IReadOnlyList<EventRecord> events, IReadOnlyList<RejectedEvent> rejects, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(rejects);
        if (events.Count == 0 && rejects.Count == 0)
        {
            return default;
        }

        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var fresh = events.Count == 0 ? [] : await InsertAsync(connection, tx, events, ct);
        if (fresh.Count > 0)
        {
            await using var batch = BuildLiveProjection(connection, tx, fresh);
            await batch.ExecuteNonQueryAsync(ct);
        }

        if (rejects.Count > 0)
        {
            await InsertRejectsAsync(connection, tx, rejects, ct);
        }

        await tx.CommitAsync(ct);
        return new AppendResult(fresh.Count, events.Count - fresh.Count, rejects.Count);
    }

    private static async Task<List<EventRecord>> InsertAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, IReadOnlyList<EventRecord> events, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(InsertSql, connection, tx);
        BindEvents(command.Parameters, events, withType: true, withPayload: true);

        var inserted = new HashSet<(string, string, long)>(events.Count);
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                inserted.Add((reader.GetString(0), reader.GetString(1), reader.GetInt64(2)));
            }
        }

        var fresh = new List<EventRecord>(inserted.Count);
        foreach (var e in events)
        {
            // Remove, so an event twice in one batch is projected once.
            if (inserted.Remove((e.BngId, e.InstanceId, e.Seq)))
            {
                fresh.Add(e);
            }
        }

        return fresh;
    }

    private static NpgsqlBatch BuildLiveProjection(NpgsqlConnection connection, NpgsqlTransaction tx, List<EventRecord> fresh)
    {
        var byType = new Dictionary<string, List<EventRecord>>(StringComparer.Ordinal);
        foreach (var e in fresh)
        {
            if (!byType.TryGetValue(e.Type, out var list))
            {
                byType[e.Type] = list = [];
            }

            list.Add(e);
        }

        var batch = new NpgsqlBatch(connection, tx);

        var registry = new NpgsqlBatchCommand(ProjectionSql.Registry(RegistrySource));
        BindEvents(registry.Parameters, fresh, withType: false, withPayload: false);
        batch.BatchCommands.Add(registry);

        byType.TryGetValue(StoredEventTypes.SessionStart, out var starts);
        var startSessions = starts is null ? [] : SessionIds(starts);

        AddTyped(StoredEventTypes.SessionStart, ProjectionSql.Start(TypedSource));
        if (startSessions.Length > 0)
        {
            AddWithStartSessions(ProjectionSql.CatchUpCounters(ProjectionSql.PriorLive), null);
            AddWithStartSessions(ProjectionSql.CatchUpPolicy(ProjectionSql.PriorLive), null);
        }

        AddTyped(StoredEventTypes.PolicyApply, ProjectionSql.Policy(TypedSource));
        AddTyped(StoredEventTypes.SessionUpdate, ProjectionSql.Update(TypedSource));

        // Stops of this batch, and earlier stops of sessions that only started now.
        byType.TryGetValue(StoredEventTypes.SessionStop, out var stops);
        if (stops is not null || startSessions.Length > 0)
        {
            var source = ProjectionSql.StopSource(TypedSource, ProjectionSql.PriorLive);
            AddWithStartSessions(ProjectionSql.StopFinalCounters(source), stops ?? []);
            AddWithStartSessions(ProjectionSql.StopMoveToHistory(source), stops ?? []);
        }

        AddTyped(StoredEventTypes.RouterUpdate, ProjectionSql.Router(TypedSource));
        AddTyped(StoredEventTypes.BngHealthUpdate, ProjectionSql.Health(TypedSource));
        return batch;

        void AddTyped(string type, string sql)
        {
            if (byType.TryGetValue(type, out var events))
            {
                var command = new NpgsqlBatchCommand(sql);
                BindEvents(command.Parameters, events, withType: false, withPayload: true);
                batch.BatchCommands.Add(command);
            }
        }

        void AddWithStartSessions(string sql, List<EventRecord>? events)
        {
            var command = new NpgsqlBatchCommand(sql);
            if (events is not null)
            {
                BindEvents(command.Parameters, events, withType: false, withPayload: true);
            }

            command.Parameters.Add(new NpgsqlParameter<string[]>("start_sessions", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = startSessions });
            batch.BatchCommands.Add(command);
        }
    }

    private static string[] SessionIds(List<EventRecord> events)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in events)
        {
            if (e.SessionId is not null)
            {
                ids.Add(e.SessionId);
            }
        }

        return [.. ids];
    }

    private static void BindEvents(NpgsqlParameterCollection parameters, IReadOnlyList<EventRecord> events, bool withType, bool withPayload)
    {
        var count = events.Count;
        var bng = new string[count];
        var instance = new string[count];
        var seq = new long[count];
        var time = new DateTime[count];
        for (var i = 0; i < count; i++)
        {
            var e = events[i];
            bng[i] = e.BngId;
            instance[i] = e.InstanceId;
            seq[i] = e.Seq;
            time[i] = e.Time.UtcDateTime;
        }

        parameters.Add(new NpgsqlParameter<string[]>("b", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = bng });
        parameters.Add(new NpgsqlParameter<string[]>("i", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = instance });
        parameters.Add(new NpgsqlParameter<long[]>("s", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = seq });
        parameters.Add(new NpgsqlParameter<DateTime[]>("t", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { TypedValue = time });
        if (withType)
        {
            var type = new string[count];
            for (var i = 0; i < count; i++)
            {
                type[i] = events[i].Type;
            }

            parameters.Add(new NpgsqlParameter<string[]>("ty", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = type });
        }

        if (withPayload)
        {
            var session = new string?[count];
            var payload = new string[count];
            for (var i = 0; i < count; i++)
            {
                session[i] = events[i].SessionId;
                payload[i] = events[i].PayloadJson;
            }

            parameters.Add(new NpgsqlParameter<string?[]>("sid", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = session });
            parameters.Add(new NpgsqlParameter<string[]>("p", NpgsqlDbType.Array | NpgsqlDbType.Jsonb) { TypedValue = payload });
        }
    }

    private static async Task InsertRejectsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, IReadOnlyList<RejectedEvent> rejects, CancellationToken ct)
    {
        var subject = new string[rejects.Count];
        var sequence = new long[rejects.Count];
        var error = new string[rejects.Count];
        var payload = new byte[rejects.Count][];
        for (var i = 0; i < rejects.Count; i++)
        {
            subject[i] = rejects[i].Subject;
            sequence[i] = rejects[i].StreamSequence;
            error[i] = rejects[i].Error;
            payload[i] = rejects[i].Payload.ToArray();
        }

        await using var command = new NpgsqlCommand(RejectSql, connection, tx);
        command.Parameters.Add(new NpgsqlParameter<string[]>("subject", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = subject });
        command.Parameters.Add(new NpgsqlParameter<long[]>("stream_seq", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = sequence });
        command.Parameters.Add(new NpgsqlParameter<string[]>("error", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = error });
        command.Parameters.Add(new NpgsqlParameter<byte[][]>("payload", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { TypedValue = payload });
        await command.ExecuteNonQueryAsync(ct);
    }
}
