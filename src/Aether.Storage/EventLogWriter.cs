using System.Net;
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

    /// <summary>Held by the transaction that appends (and by the rebuild); "AETHERWR" as ASCII.</summary>
    internal const string WriterLockSql = "SELECT pg_advisory_xact_lock(4703258055235753810)";

    private const string PayloadSource =
        "unnest(@b::text[], @i::text[], @s::bigint[], @t::timestamptz[], @sid::text[], @p::jsonb[]) AS e(bng_id, instance_id, seq, time, session_id, payload)";

    private const string SessionSource =
        "unnest(@b::text[], @i::text[], @s::bigint[], @t::timestamptz[], @sid::text[], @hs::boolean[], @mac::text[], " +
        "@ip::inet[], @cid::text[], @rid::text[], @rel::text[], @usr::text[], @ifc::text[], @dk::bigint[], @uk::bigint[], " +
        "@st::timestamptz[], @le::timestamptz[], @hc::boolean[], @bu::bigint[], @bd::bigint[], @pu::bigint[], @pd::bigint[], " +
        "@cause::text[], @detail::text[]) AS e(" + ProjectionSql.SessionColumns + ")";

    private const string RegistrySource =
        "unnest(@b::text[], @i::text[], @s::bigint[], @t::timestamptz[]) AS e(bng_id, instance_id, seq, time)";

    // Started sessions with events from earlier transactions (xmin: not written by this one).
    private const string PriorSessionsSql =
        "SELECT DISTINCT l.session_id FROM session_events l WHERE l.session_id = ANY(@start_sessions) AND " + ProjectionSql.PriorLive;

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

        // One round trip: the writer lock, the insert (returning what was new), and which started sessions already
        // have events in the log from earlier transactions (delivered ahead of their start).
        var (fresh, sessionsWithPrior) = await InsertAsync(connection, tx, events, ct);
        if (fresh.Count > 0)
        {
            await using var batch = BuildLiveProjection(connection, tx, fresh, sessionsWithPrior);
            await batch.ExecuteNonQueryAsync(ct);
        }

        if (rejects.Count > 0)
        {
            await InsertRejectsAsync(connection, tx, rejects, ct);
        }

        await tx.CommitAsync(ct);
        return new AppendResult(fresh.Count, events.Count - fresh.Count, rejects.Count);
    }

    private static async Task<(List<EventRecord> Fresh, HashSet<string> SessionsWithPrior)> InsertAsync(
        NpgsqlConnection connection, NpgsqlTransaction tx, IReadOnlyList<EventRecord> events, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(connection, tx);

        // One projecting transaction at a time, across processes: a batch must see every batch committed before it
        // (a late start looks for its session's earlier events), which concurrent writers would hide from each other.
        batch.BatchCommands.Add(new NpgsqlBatchCommand(WriterLockSql));

        var insert = new NpgsqlBatchCommand(InsertSql);
        BindEvents(insert.Parameters, events, withType: true, withPayload: true);
        batch.BatchCommands.Add(insert);

        var starts = new List<EventRecord>();
        foreach (var e in events)
        {
            if (e.Type == StoredEventTypes.SessionStart)
            {
                starts.Add(e);
            }
        }

        var prior = new NpgsqlBatchCommand(PriorSessionsSql);
        prior.Parameters.Add(new NpgsqlParameter<string[]>("start_sessions", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = SessionIds(starts) });
        batch.BatchCommands.Add(prior);

        var inserted = new HashSet<(string, string, long)>(events.Count);
        var sessionsWithPrior = new HashSet<string>(StringComparer.Ordinal);
        await using (var reader = await batch.ExecuteReaderAsync(ct))
        {
            await reader.NextResultAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                inserted.Add((reader.GetString(0), reader.GetString(1), reader.GetInt64(2)));
            }

            await reader.NextResultAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                sessionsWithPrior.Add(reader.GetString(0));
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

        return (fresh, sessionsWithPrior);
    }

    private static NpgsqlBatch BuildLiveProjection(
        NpgsqlConnection connection, NpgsqlTransaction tx, List<EventRecord> fresh, HashSet<string> sessionsWithPrior)
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
        // Sessions starting now whose other events were logged earlier (out of order): their earlier events are
        // projected with this batch's. Usually none, and then the statements read the batch alone.
        var startSessions = starts is null ? [] : SessionIds(starts).Where(sessionsWithPrior.Contains).ToArray();

        if (starts is not null)
        {
            var command = new NpgsqlBatchCommand(ProjectionSql.Start(SessionSource));
            BindSession(command.Parameters, starts);
            batch.BatchCommands.Add(command);
        }

        AddWithPrior(StoredEventTypes.PolicyApply, ProjectionSql.Policy);
        AddWithPrior(StoredEventTypes.SessionUpdate, ProjectionSql.Update);
        AddWithPrior(StoredEventTypes.SessionStop, ProjectionSql.StopSample, ProjectionSql.StopFinalCounters, ProjectionSql.StopMoveToHistory);
        if (byType.ContainsKey(StoredEventTypes.SessionUpdate))
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(ProjectionSql.ResampleDelete));
            batch.BatchCommands.Add(new NpgsqlBatchCommand(ProjectionSql.ResampleInsert));
            batch.BatchCommands.Add(new NpgsqlBatchCommand(ProjectionSql.ResampleDone));
        }
        AddTyped(StoredEventTypes.RouterUpdate, ProjectionSql.Router(PayloadSource));
        AddTyped(StoredEventTypes.BngHealthUpdate, ProjectionSql.Health(PayloadSource));
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

        // Events of the batch, plus earlier-logged ones of sessions that only started now.
        void AddWithPrior(string type, params Func<string, string>[] statements)
        {
            byType.TryGetValue(type, out var events);
            if (events is null && startSessions.Length == 0)
            {
                return;
            }

            var source = startSessions.Length == 0
                ? SessionSource
                : ProjectionSql.BatchAndPrior(SessionSource, type, ProjectionSql.PriorLive);
            foreach (var statement in statements)
            {
                var command = new NpgsqlBatchCommand(statement(source));
                BindSession(command.Parameters, events ?? []);
                if (startSessions.Length > 0)
                {
                    command.Parameters.Add(new NpgsqlParameter<string[]>("start_sessions", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = startSessions });
                }

                batch.BatchCommands.Add(command);
            }
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

    /// <summary>Binds the typed session columns (<see cref="ProjectionSql.SessionColumns"/>) of <paramref name="events"/>.</summary>
    private static void BindSession(NpgsqlParameterCollection parameters, List<EventRecord> events)
    {
        var count = events.Count;
        var hasSession = new bool[count];
        var mac = new string?[count];
        var ip = new IPAddress?[count];
        var circuit = new string?[count];
        var remote = new string?[count];
        var relay = new string?[count];
        var user = new string?[count];
        var iface = new string?[count];
        var down = new long?[count];
        var up = new long?[count];
        var started = new DateTime?[count];
        var leaseExpires = new DateTime?[count];
        var hasCounters = new bool[count];
        var bytesUp = new long?[count];
        var bytesDown = new long?[count];
        var packetsUp = new long?[count];
        var packetsDown = new long?[count];
        var cause = new string?[count];
        var detail = new string?[count];
        for (var i = 0; i < count; i++)
        {
            var e = events[i].Parsed();
            if (e.Session is { } session)
            {
                hasSession[i] = true;
                mac[i] = session.Mac.ToLowerInvariant();
                ip[i] = IPAddress.TryParse(session.Ip, out var address) ? address : null;
                circuit[i] = session.CircuitId;
                remote[i] = session.RemoteId;
                relay[i] = session.RelayId;
                user[i] = session.Username;
                iface[i] = session.Interface;
                down[i] = session.DownloadKbps;
                up[i] = session.UploadKbps;
                started[i] = session.Started.UtcDateTime;
                leaseExpires[i] = session.LeaseExpires?.UtcDateTime;
            }

            if (e.Counters is { } counters)
            {
                hasCounters[i] = true;
                bytesUp[i] = counters.BytesUp;
                bytesDown[i] = counters.BytesDown;
                packetsUp[i] = counters.PacketsUp;
                packetsDown[i] = counters.PacketsDown;
            }

            cause[i] = e.Cause;
            detail[i] = e.Detail;
        }

        BindEvents(parameters, events, withType: false, withPayload: false);
        var sessionIds = new string?[count];
        for (var i = 0; i < count; i++)
        {
            sessionIds[i] = events[i].SessionId;
        }

        Add("sid", NpgsqlDbType.Text, sessionIds);
        Add("hs", NpgsqlDbType.Boolean, hasSession);
        Add("mac", NpgsqlDbType.Text, mac);
        Add("ip", NpgsqlDbType.Inet, ip);
        Add("cid", NpgsqlDbType.Text, circuit);
        Add("rid", NpgsqlDbType.Text, remote);
        Add("rel", NpgsqlDbType.Text, relay);
        Add("usr", NpgsqlDbType.Text, user);
        Add("ifc", NpgsqlDbType.Text, iface);
        Add("dk", NpgsqlDbType.Bigint, down);
        Add("uk", NpgsqlDbType.Bigint, up);
        Add("st", NpgsqlDbType.TimestampTz, started);
        Add("le", NpgsqlDbType.TimestampTz, leaseExpires);
        Add("hc", NpgsqlDbType.Boolean, hasCounters);
        Add("bu", NpgsqlDbType.Bigint, bytesUp);
        Add("bd", NpgsqlDbType.Bigint, bytesDown);
        Add("pu", NpgsqlDbType.Bigint, packetsUp);
        Add("pd", NpgsqlDbType.Bigint, packetsDown);
        Add("cause", NpgsqlDbType.Text, cause);
        Add("detail", NpgsqlDbType.Text, detail);

        void Add<T>(string name, NpgsqlDbType type, T[] values) =>
            parameters.Add(new NpgsqlParameter<T[]>(name, NpgsqlDbType.Array | type) { TypedValue = values });
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
