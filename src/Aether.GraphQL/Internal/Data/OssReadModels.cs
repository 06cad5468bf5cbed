using Aether.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Aether.GraphQL.Internal.Data;

/// <summary>
/// Read queries over the OSS database (the ingestor's read models and the provisioning tables) for the GraphQL API:
/// keyset-paged lists, and the batch fetches behind <see cref="DataLoaders"/> (one query for any number of keys).
/// </summary>
internal sealed partial class OssReadModels
{
    private const string SessionColumns =
        """
        a.session_id, a.bng_id, a.instance_id, a.mac, host(a.ip), a.circuit_id, a.remote_id, a.relay_id, a.username,
        a.download_kbps, a.upload_kbps, a.bytes_up, a.bytes_down, a.packets_up, a.packets_down, a.started, a.updated_at, a.state
        """;

    private const string CustomerColumns = "c.customer_id, c.name, c.email, c.phone, c.address, c.created_at, c.updated_at";
    private const string PlanColumns = "p.plan_id, p.name, p.download_kbps, p.upload_kbps, p.burst_kbps, p.created_at";
    private const string ServiceColumns =
        "s.service_id, s.customer_id, s.plan_id, s.circuit_id, s.remote_id, s.username, s.status, s.created_at, s.updated_at";

    private readonly NpgsqlDataSource _dataSource;

    public OssReadModels(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    public NpgsqlDataSource DataSource => _dataSource;

    internal static ActiveSession ReadSession(NpgsqlDataReader r, int o = 0) => new(
        r.GetString(o), r.GetString(o + 1), r.GetString(o + 2), r.GetString(o + 3), r.GetString(o + 4), r.GetString(o + 5),
        r.GetString(o + 6), Text(r, o + 7), Text(r, o + 8),
        r.GetInt64(o + 9), r.GetInt64(o + 10), r.GetInt64(o + 11), r.GetInt64(o + 12), r.GetInt64(o + 13), r.GetInt64(o + 14),
        r.GetFieldValue<DateTimeOffset>(o + 15), r.GetFieldValue<DateTimeOffset>(o + 16), r.GetString(o + 17));

    internal static CustomerRow ReadCustomer(NpgsqlDataReader r, int o = 0) => new(
        r.GetInt64(o), r.GetString(o + 1), r.GetString(o + 2), Text(r, o + 3), Text(r, o + 4), Utc(r, o + 5), Utc(r, o + 6));

    internal static PlanRow ReadPlan(NpgsqlDataReader r, int o = 0) => new(
        r.GetInt64(o), r.GetString(o + 1), r.GetInt64(o + 2), r.GetInt64(o + 3), r.IsDBNull(o + 4) ? null : r.GetInt64(o + 4), Utc(r, o + 5));

    internal static ServiceRow ReadService(NpgsqlDataReader r, int o = 0) => new(
        r.GetInt64(o), r.GetInt64(o + 1), r.GetInt64(o + 2), Text(r, o + 3), Text(r, o + 4), Text(r, o + 5), r.GetString(o + 6),
        Utc(r, o + 7), Utc(r, o + 8));

    internal static string? Text(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    internal static DateTime Utc(NpgsqlDataReader r, int i) => r.GetFieldValue<DateTime>(i);

    private static NpgsqlParameter<string[]> TextArray(string name, IEnumerable<string> values) =>
        new(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = [.. values] };

    private static NpgsqlParameter<long[]> BigintArray(string name, IEnumerable<long> values) =>
        new(name, NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = [.. values] };

    private static NpgsqlParameter<DateTime> Time(string name, DateTime value) =>
        new(name, NpgsqlDbType.TimestampTz) { TypedValue = DateTime.SpecifyKind(value.ToUniversalTime(), DateTimeKind.Utc) };

    /// <summary>A LIKE pattern matching <paramref name="value"/> anywhere, with LIKE's wildcards taken literally.</summary>
    internal static string Contains(string value) =>
        "%" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal)
            .Replace("_", "\\_", StringComparison.Ordinal) + "%";

    private static async Task<Dictionary<TKey, TValue>> ReadMapAsync<TKey, TValue>(
        NpgsqlCommand command, Func<NpgsqlDataReader, (TKey Key, TValue Value)> read, CancellationToken ct)
        where TKey : notnull
    {
        var map = new Dictionary<TKey, TValue>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var (key, value) = read(reader);
            map.TryAdd(key, value);
        }

        return map;
    }

    private static async Task<Dictionary<TKey, IReadOnlyList<TValue>>> ReadGroupsAsync<TKey, TValue>(
        NpgsqlCommand command, Func<NpgsqlDataReader, (TKey Key, TValue Value)> read, CancellationToken ct)
        where TKey : notnull
    {
        var map = new Dictionary<TKey, List<TValue>>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var (key, value) = read(reader);
            if (!map.TryGetValue(key, out var list))
            {
                map[key] = list = [];
            }

            list.Add(value);
        }

        return map.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<TValue>)kv.Value);
    }

    private static async Task<List<T>> ReadListAsync<T>(NpgsqlCommand command, Func<NpgsqlDataReader, T> read, CancellationToken ct)
    {
        var list = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            list.Add(read(reader));
        }

        return list;
    }

    /// <summary>
    /// Runs the optional count and the page query in one round trip; reads first + 1 rows to learn whether a next page exists.
    /// </summary>
    private async Task<Connection<T>> PageAsync<T>(
        string countSql, string pageSql, IReadOnlyList<NpgsqlParameter> filter, IReadOnlyList<NpgsqlParameter> keyset,
        int first, bool withCount, Func<NpgsqlDataReader, T> read, Func<T, string> cursor, CancellationToken ct)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(connection);
        if (withCount)
        {
            var count = new NpgsqlBatchCommand(countSql);
            foreach (var p in filter)
            {
                count.Parameters.Add(p.Clone());
            }

            batch.BatchCommands.Add(count);
        }

        var page = new NpgsqlBatchCommand(pageSql);
        foreach (var p in filter.Concat(keyset))
        {
            page.Parameters.Add(p.Clone());
        }

        page.Parameters.Add(new NpgsqlParameter<int>("limit", first + 1));
        batch.BatchCommands.Add(page);

        await using var reader = await batch.ExecuteReaderAsync(ct);
        int? total = null;
        if (withCount)
        {
            await reader.ReadAsync(ct);
            total = checked((int)reader.GetInt64(0));
            await reader.NextResultAsync(ct);
        }

        var items = new List<T>(Math.Min(first, 256));
        var hasNext = false;
        while (await reader.ReadAsync(ct))
        {
            if (items.Count == first)
            {
                hasNext = true;
                break;
            }

            items.Add(read(reader));
        }

        return new Connection<T>(items, new PageInfo(hasNext, items.Count == 0 ? null : cursor(items[^1])), total);
    }
}
