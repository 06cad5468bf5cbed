using Aether.Storage;
using Npgsql;

namespace Aether.GraphQL.Internal.Data;

internal sealed partial class OssReadModels
{
    /// <summary>Most health reports returned for one BNG in one series.</summary>
    public const int MaxHealthSamples = 2000;

    public async Task<List<BngRow>> ListBngsAsync(string? bngId, CancellationToken ct)
    {
        await using var command = _dataSource.CreateCommand(
            $"""
            SELECT b.bng_id, b.instance_id, b.first_seen, b.last_seen, b.health_time, coalesce(b.cpu_percent, 0),
                   coalesce(b.memory_bytes, 0), coalesce(b.memory_limit_bytes, 0), coalesce(b.session_count, 0),
                   (SELECT count(*) FROM sessions_active a WHERE a.bng_id = b.bng_id)::integer
            FROM bng_registry b
            {(bngId is null ? "" : "WHERE b.bng_id = @bng")}
            ORDER BY b.bng_id
            """);
        if (bngId is not null)
        {
            command.Parameters.Add(new NpgsqlParameter<string>("bng", bngId));
        }

        return await ReadListAsync(command, r => new BngRow(
            r.GetString(0), r.GetString(1), Utc(r, 2), Utc(r, 3),
            r.IsDBNull(4) ? null : new BngHealthSampleRow(Utc(r, 4), r.GetDouble(5), r.GetInt64(6), r.GetInt64(7), r.GetInt32(8)),
            r.GetInt32(9)), ct);
    }

    public async Task<List<AccessRouterRow>> ListAccessRoutersAsync(string? bngId, CancellationToken ct)
    {
        await using var command = _dataSource.CreateCommand(
            $"""
            SELECT router_id, host(giaddr), bng_id, state, updated_at FROM access_routers
            {(bngId is null ? "" : "WHERE bng_id = @bng")}
            ORDER BY bng_id, router_id
            """);
        if (bngId is not null)
        {
            command.Parameters.Add(new NpgsqlParameter<string>("bng", bngId));
        }

        return await ReadListAsync(command, ReadRouter, ct);
    }

    private static AccessRouterRow ReadRouter(NpgsqlDataReader r) => new(r.GetString(0), Text(r, 1), r.GetString(2), r.GetString(3), Utc(r, 4));

    public async Task<Dictionary<string, IReadOnlyList<AccessRouterRow>>> AccessRoutersByBngAsync(IReadOnlyList<string> bngIds, CancellationToken ct)
    {
        await using var command = _dataSource.CreateCommand(
            "SELECT router_id, host(giaddr), bng_id, state, updated_at FROM access_routers WHERE bng_id = ANY(@b) ORDER BY bng_id, router_id");
        command.Parameters.Add(TextArray("b", bngIds));
        return await ReadGroupsAsync(command, r => (r.GetString(2), ReadRouter(r)), ct);
    }

    /// <summary>Health series of several BNGs: one statement per distinct time range, all in one round trip.</summary>
    public async Task<Dictionary<HealthSeriesKey, IReadOnlyList<BngHealthSampleRow>>> HealthSeriesAsync(IReadOnlyList<HealthSeriesKey> keys, CancellationToken ct)
    {
        var ranges = keys.GroupBy(k => (k.From, k.To)).ToList();
        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(connection);
        foreach (var range in ranges)
        {
            var command = new NpgsqlBatchCommand(
                $"""
                SELECT bng_id, time, cpu_percent, memory_bytes, memory_limit_bytes, session_count FROM (
                    SELECT h.*, row_number() OVER (PARTITION BY h.bng_id ORDER BY h.time DESC) AS n
                    FROM bng_health_events h WHERE h.bng_id = ANY(@b) AND h.time >= @from AND h.time < @to) x
                WHERE n <= {MaxHealthSamples}
                ORDER BY bng_id, time
                """);
            command.Parameters.Add(TextArray("b", range.Select(k => k.BngId).Distinct(StringComparer.Ordinal)));
            command.Parameters.Add(Time("from", range.Key.From));
            command.Parameters.Add(Time("to", range.Key.To));
            batch.BatchCommands.Add(command);
        }

        var result = new Dictionary<HealthSeriesKey, IReadOnlyList<BngHealthSampleRow>>();
        await using var reader = await batch.ExecuteReaderAsync(ct);
        foreach (var range in ranges)
        {
            var byBng = new Dictionary<string, List<BngHealthSampleRow>>(StringComparer.Ordinal);
            while (await reader.ReadAsync(ct))
            {
                var bng = reader.GetString(0);
                if (!byBng.TryGetValue(bng, out var list))
                {
                    byBng[bng] = list = [];
                }

                list.Add(new BngHealthSampleRow(Utc(reader, 1), reader.GetDouble(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt32(5)));
            }

            foreach (var (bng, list) in byBng)
            {
                result[new HealthSeriesKey(bng, range.Key.From, range.Key.To)] = list;
            }

            await reader.NextResultAsync(ct);
        }

        return result;
    }

    /// <summary>The live sessions authenticated with each User-Name (the newest one when a name has several).</summary>
    public async Task<Dictionary<string, ActiveSession>> SessionsByUsernameAsync(IReadOnlyList<string> usernames, CancellationToken ct)
    {
        await using var command = _dataSource.CreateCommand(
            $"SELECT {SessionColumns} FROM sessions_active a WHERE a.username = ANY(@u) ORDER BY a.started DESC");
        command.Parameters.Add(TextArray("u", usernames));
        return await ReadMapAsync(command, r =>
        {
            var s = ReadSession(r);
            return (s.Username!, s);
        }, ct);
    }

    /// <summary>Live sessions of each customer's services, oldest first.</summary>
    public async Task<Dictionary<long, IReadOnlyList<ActiveSession>>> SessionsByCustomerAsync(IReadOnlyList<long> customerIds, CancellationToken ct)
    {
        await using var command = _dataSource.CreateCommand(
            $"""
            SELECT sv.customer_id, {SessionColumns}
            FROM services sv JOIN sessions_active a ON a.username = sv.username
            WHERE sv.customer_id = ANY(@c) ORDER BY a.started, a.session_id
            """);
        command.Parameters.Add(BigintArray("c", customerIds));
        return await ReadGroupsAsync(command, r => (r.GetInt64(0), ReadSession(r, 1)), ct);
    }

    /// <summary>Live session ids and rates of the given User-Names.</summary>
    public async Task<List<(string SessionId, string Username, long DownloadKbps, long UploadKbps)>> LiveSessionsOfAsync(
        IReadOnlyCollection<string> usernames, CancellationToken ct)
    {
        if (usernames.Count == 0)
        {
            return [];
        }

        await using var command = _dataSource.CreateCommand(
            "SELECT session_id, username, download_kbps, upload_kbps FROM sessions_active WHERE username = ANY(@u) ORDER BY session_id");
        command.Parameters.Add(TextArray("u", usernames));
        return await ReadListAsync(command, r => (r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetInt64(3)), ct);
    }
}
