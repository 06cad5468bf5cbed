using System.Globalization;
using System.Net;
using System.Text;
using Aether.Events;
using Aether.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Aether.GraphQL.Internal.Data;

internal sealed partial class OssReadModels
{
    private enum SortKind
    {
        Time,
        Inet,
        Text,
        Long,
    }

    private static (string Column, SortKind Kind) SortColumn(SessionSortField field) => field switch
    {
        SessionSortField.Started => ("a.started", SortKind.Time),
        SessionSortField.UpdatedAt => ("a.updated_at", SortKind.Time),
        SessionSortField.Ip => ("a.ip", SortKind.Inet),
        SessionSortField.Mac => ("a.mac", SortKind.Text),
        SessionSortField.BngId => ("a.bng_id", SortKind.Text),
        SessionSortField.CircuitId => ("a.circuit_id", SortKind.Text),
        SessionSortField.BytesDown => ("a.bytes_down", SortKind.Long),
        SessionSortField.BytesUp => ("a.bytes_up", SortKind.Long),
        _ => throw new ArgumentOutOfRangeException(nameof(field)),
    };

    private static string SortValue(ActiveSession s, SessionSortField field) => field switch
    {
        SessionSortField.Started => s.Started.UtcTicks.ToString(CultureInfo.InvariantCulture),
        SessionSortField.UpdatedAt => s.UpdatedAt.UtcTicks.ToString(CultureInfo.InvariantCulture),
        SessionSortField.Ip => s.Ip,
        SessionSortField.Mac => s.Mac,
        SessionSortField.BngId => s.BngId,
        SessionSortField.CircuitId => s.CircuitId,
        SessionSortField.BytesDown => s.BytesDown.ToString(CultureInfo.InvariantCulture),
        SessionSortField.BytesUp => s.BytesUp.ToString(CultureInfo.InvariantCulture),
        _ => throw new ArgumentOutOfRangeException(nameof(field)),
    };

    /// <summary>Active sessions matching <paramref name="query"/>, in its order with session_id breaking ties, after the cursor.</summary>
    public Task<Connection<ActiveSession>> ListSessionsAsync(SessionQuery query, int first, string? after, bool withCount, CancellationToken ct)
    {
        var where = new StringBuilder("TRUE");
        var filter = new List<NpgsqlParameter>();
        if (query.BngId is not null)
        {
            where.Append(" AND a.bng_id = @bng");
            filter.Add(new NpgsqlParameter<string>("bng", query.BngId));
        }

        if (query.CustomerId is { } customer)
        {
            where.Append(" AND a.username IN (SELECT sv.username FROM services sv WHERE sv.customer_id = @customer AND sv.username IS NOT NULL)");
            filter.Add(new NpgsqlParameter<long>("customer", customer));
        }

        if (query.State is not null)
        {
            where.Append(" AND a.state = @state");
            filter.Add(new NpgsqlParameter<string>("state", query.State));
        }

        if (!string.IsNullOrEmpty(query.Ip))
        {
            where.Append(@" AND host(a.ip) LIKE @ip ESCAPE '\'");
            filter.Add(new NpgsqlParameter<string>("ip", Contains(query.Ip)));
        }

        if (!string.IsNullOrEmpty(query.Mac))
        {
            where.Append(@" AND a.mac ILIKE @mac ESCAPE '\'");
            filter.Add(new NpgsqlParameter<string>("mac", Contains(query.Mac)));
        }

        var (column, kind) = SortColumn(query.Sort);
        var descending = query.Direction == SortDirection.Desc;
        var keyset = new List<NpgsqlParameter>();
        var keysetSql = "";
        if (after is not null)
        {
            var parts = Cursor.Decode(after, 4, "sessions");
            if (parts[0] != query.Sort.ToString() || parts[1] != query.Direction.ToString())
            {
                throw Cursor.Invalid("sessions");
            }

            keyset.Add(SortParameter("after_value", kind, parts[2]) ?? throw Cursor.Invalid("sessions"));
            keyset.Add(new NpgsqlParameter<string>("after_id", parts[3]));
            keysetSql = $" AND ({column}, a.session_id) {(descending ? "<" : ">")} (@after_value, @after_id)";
        }

        var direction = descending ? "DESC" : "ASC";
        var countSql = $"SELECT count(*) FROM sessions_active a WHERE {where}";
        var pageSql = $"SELECT {SessionColumns} FROM sessions_active a WHERE {where}{keysetSql} ORDER BY {column} {direction}, a.session_id {direction} LIMIT @limit";
        return PageAsync(countSql, pageSql, filter, keyset, first, withCount, r => ReadSession(r),
            s => Cursor.Encode(query.Sort.ToString(), query.Direction.ToString(), SortValue(s, query.Sort), s.SessionId), ct);
    }

    private static NpgsqlParameter? SortParameter(string name, SortKind kind, string value)
    {
        switch (kind)
        {
            case SortKind.Time when long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) && ticks <= DateTime.MaxValue.Ticks:
                return new NpgsqlParameter<DateTime>(name, NpgsqlDbType.TimestampTz) { TypedValue = new DateTime(ticks, DateTimeKind.Utc) };
            case SortKind.Inet when IPAddress.TryParse(value, out var ip):
                return new NpgsqlParameter<IPAddress>(name, NpgsqlDbType.Inet) { TypedValue = ip };
            case SortKind.Text:
                return new NpgsqlParameter<string>(name, NpgsqlDbType.Text) { TypedValue = value };
            case SortKind.Long when long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number):
                return new NpgsqlParameter<long>(name, NpgsqlDbType.Bigint) { TypedValue = number };
            default:
                return null;
        }
    }

    public async Task<ActiveSession?> GetSessionAsync(string sessionId, CancellationToken ct)
    {
        await using var command = _dataSource.CreateCommand($"SELECT {SessionColumns} FROM sessions_active a WHERE a.session_id = @id");
        command.Parameters.Add(new NpgsqlParameter<string>("id", sessionId));
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ReadSession(reader) : null;
    }

    /// <summary>Finished sessions, most recently stopped first.</summary>
    public Task<Connection<HistoricSessionRow>> ListHistoryAsync(HistoryQuery query, int first, string? after, bool withCount, CancellationToken ct)
    {
        var where = new StringBuilder("TRUE");
        var filter = new List<NpgsqlParameter>();
        if (query.BngId is not null)
        {
            where.Append(" AND h.bng_id = @bng");
            filter.Add(new NpgsqlParameter<string>("bng", query.BngId));
        }

        if (query.CustomerId is { } customer)
        {
            where.Append(" AND h.username IN (SELECT sv.username FROM services sv WHERE sv.customer_id = @customer AND sv.username IS NOT NULL)");
            filter.Add(new NpgsqlParameter<long>("customer", customer));
        }

        if (!string.IsNullOrEmpty(query.Ip))
        {
            where.Append(@" AND host(h.ip) LIKE @ip ESCAPE '\'");
            filter.Add(new NpgsqlParameter<string>("ip", Contains(query.Ip)));
        }

        if (!string.IsNullOrEmpty(query.Mac))
        {
            where.Append(@" AND h.mac ILIKE @mac ESCAPE '\'");
            filter.Add(new NpgsqlParameter<string>("mac", Contains(query.Mac)));
        }

        if (query.From is { } from)
        {
            where.Append(" AND h.stopped >= @from");
            filter.Add(Time("from", from));
        }

        if (query.To is { } to)
        {
            where.Append(" AND h.stopped < @to");
            filter.Add(Time("to", to));
        }

        var keyset = new List<NpgsqlParameter>();
        var keysetSql = "";
        if (after is not null)
        {
            var parts = Cursor.Decode(after, 2, "session history");
            keyset.Add(SortParameter("after_stopped", SortKind.Time, parts[0]) ?? throw Cursor.Invalid("session history"));
            keyset.Add(new NpgsqlParameter<string>("after_id", parts[1]));
            keysetSql = " AND (h.stopped, h.session_id) < (@after_stopped, @after_id)";
        }

        const string Columns =
            """
            h.session_id, h.bng_id, h.mac, host(h.ip), h.circuit_id, h.remote_id, h.relay_id, h.username, h.download_kbps, h.upload_kbps,
            h.bytes_up, h.bytes_down, h.packets_up, h.packets_down, h.started, h.stopped, h.cause
            """;
        return PageAsync(
            $"SELECT count(*) FROM sessions_history h WHERE {where}",
            $"SELECT {Columns} FROM sessions_history h WHERE {where}{keysetSql} ORDER BY h.stopped DESC, h.session_id DESC LIMIT @limit",
            filter, keyset, first, withCount,
            r => new HistoricSessionRow(
                r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), Text(r, 6), Text(r, 7),
                r.GetInt64(8), r.GetInt64(9), r.GetInt64(10), r.GetInt64(11), r.GetInt64(12), r.GetInt64(13), Utc(r, 14), Utc(r, 15), Text(r, 16)),
            h => Cursor.Encode(h.Stopped.Ticks.ToString(CultureInfo.InvariantCulture), h.SessionId), ct);
    }

    /// <summary>The event log, newest first. Each row's payload is the event as published.</summary>
    public Task<Connection<AetherEvent>> ListEventsAsync(EventQuery query, int first, string? after, CancellationToken ct)
    {
        var where = new StringBuilder("TRUE");
        var filter = new List<NpgsqlParameter>();
        if (query.SessionId is not null)
        {
            where.Append(" AND e.session_id = @session");
            filter.Add(new NpgsqlParameter<string>("session", query.SessionId));
        }

        if (query.BngId is not null)
        {
            where.Append(" AND e.bng_id = @bng");
            filter.Add(new NpgsqlParameter<string>("bng", query.BngId));
        }

        if (query.Types is { Count: > 0 } types)
        {
            where.Append(" AND e.type = ANY(@types)");
            filter.Add(TextArray("types", types));
        }

        if (query.From is { } from)
        {
            where.Append(" AND e.time >= @from");
            filter.Add(Time("from", from));
        }

        if (query.To is { } to)
        {
            where.Append(" AND e.time < @to");
            filter.Add(Time("to", to));
        }

        var keyset = new List<NpgsqlParameter>();
        var keysetSql = "";
        if (after is not null)
        {
            var parts = Cursor.Decode(after, 4, "events");
            if (SortParameter("after_time", SortKind.Time, parts[0]) is not { } time
                || SortParameter("after_seq", SortKind.Long, parts[3]) is not { } seq)
            {
                throw Cursor.Invalid("events");
            }

            keyset.Add(time);
            keyset.Add(new NpgsqlParameter<string>("after_bng", parts[1]));
            keyset.Add(new NpgsqlParameter<string>("after_instance", parts[2]));
            keyset.Add(seq);
            keysetSql = " AND (e.time, e.bng_id, e.instance_id, e.seq) < (@after_time, @after_bng, @after_instance, @after_seq)";
        }

        return PageAsync(
            "",
            $"""
            SELECT e.bng_id, e.instance_id, e.seq, e.type, e.time, e.session_id, e.payload::text
            FROM session_events e WHERE {where}{keysetSql}
            ORDER BY e.time DESC, e.bng_id DESC, e.instance_id DESC, e.seq DESC LIMIT @limit
            """,
            filter, keyset, first, withCount: false, ReadEvent,
            e => Cursor.Encode(e.Time.UtcTicks.ToString(CultureInfo.InvariantCulture), e.BngId, e.InstanceId,
                ((long)e.Seq).ToString(CultureInfo.InvariantCulture)), ct);
    }

    private static AetherEvent ReadEvent(NpgsqlDataReader r)
    {
        var time = new DateTimeOffset(Utc(r, 4));
        var logged = new AetherEvent
        {
            BngId = r.GetString(0),
            InstanceId = r.GetString(1),
            Seq = (ulong)r.GetInt64(2),
            Type = r.GetString(3),
            Time = time,
            SessionId = Text(r, 5),
        };
        try
        {
            // The payload is the whole event; the key columns are authoritative for identity.
            return AetherEventJson.Deserialize(Encoding.UTF8.GetBytes(r.GetString(6))) with
            {
                BngId = logged.BngId,
                InstanceId = logged.InstanceId,
                Seq = logged.Seq,
                Type = logged.Type,
                Time = time,
                SessionId = logged.SessionId,
            };
        }
        catch (System.Text.Json.JsonException)
        {
            return logged;
        }
    }
}
