using Npgsql;

namespace Aether.GraphQL.Internal.Data;

internal sealed partial class OssReadModels
{
    public Task<Connection<CustomerRow>> ListCustomersAsync(string? search, int first, string? after, bool withCount, CancellationToken ct)
    {
        var where = "TRUE";
        var filter = new List<NpgsqlParameter>();
        if (!string.IsNullOrWhiteSpace(search))
        {
            where = @"(c.name ILIKE @search ESCAPE '\' OR c.email ILIKE @search ESCAPE '\')";
            filter.Add(new NpgsqlParameter<string>("search", Contains(search.Trim())));
        }

        var keyset = new List<NpgsqlParameter>();
        var keysetSql = "";
        if (after is not null)
        {
            keyset.Add(new NpgsqlParameter<long>("after_id", IdCursor(after, "customers")));
            keysetSql = " AND c.customer_id > @after_id";
        }

        return PageAsync(
            $"SELECT count(*) FROM customers c WHERE {where}",
            $"SELECT {CustomerColumns} FROM customers c WHERE {where}{keysetSql} ORDER BY c.customer_id LIMIT @limit",
            filter, keyset, first, withCount, r => ReadCustomer(r), c => Cursor.Encode(c.CustomerId.ToString(System.Globalization.CultureInfo.InvariantCulture)), ct);
    }

    public Task<Connection<ServiceRow>> ListServicesAsync(long? customerId, long? planId, int first, string? after, bool withCount, CancellationToken ct)
    {
        var where = "TRUE";
        var filter = new List<NpgsqlParameter>();
        if (customerId is { } c)
        {
            where += " AND s.customer_id = @customer";
            filter.Add(new NpgsqlParameter<long>("customer", c));
        }

        if (planId is { } p)
        {
            where += " AND s.plan_id = @plan";
            filter.Add(new NpgsqlParameter<long>("plan", p));
        }

        var keyset = new List<NpgsqlParameter>();
        var keysetSql = "";
        if (after is not null)
        {
            keyset.Add(new NpgsqlParameter<long>("after_id", IdCursor(after, "services")));
            keysetSql = " AND s.service_id > @after_id";
        }

        return PageAsync(
            $"SELECT count(*) FROM services s WHERE {where}",
            $"SELECT {ServiceColumns} FROM services s WHERE {where}{keysetSql} ORDER BY s.service_id LIMIT @limit",
            filter, keyset, first, withCount, r => ReadService(r), s => Cursor.Encode(s.ServiceId.ToString(System.Globalization.CultureInfo.InvariantCulture)), ct);
    }

    private static long IdCursor(string after, string list) =>
        long.TryParse(Cursor.Decode(after, 1, list)[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id)
            ? id
            : throw Cursor.Invalid(list);

    public async Task<List<PlanRow>> ListPlansAsync(CancellationToken ct)
    {
        await using var command = _dataSource.CreateCommand($"SELECT {PlanColumns} FROM plans p ORDER BY p.name");
        return await ReadListAsync(command, r => ReadPlan(r), ct);
    }

    public async Task<Dictionary<long, CustomerRow>> CustomersByIdAsync(IReadOnlyList<long> ids, CancellationToken ct)
    {
        await using var command = _dataSource.CreateCommand($"SELECT {CustomerColumns} FROM customers c WHERE c.customer_id = ANY(@ids)");
        command.Parameters.Add(BigintArray("ids", ids));
        return await ReadMapAsync(command, r => (r.GetInt64(0), ReadCustomer(r)), ct);
    }

    /// <summary>The customer whose service has each User-Name.</summary>
    public async Task<Dictionary<string, CustomerRow>> CustomersByUsernameAsync(IReadOnlyList<string> usernames, CancellationToken ct)
    {
        await using var command = _dataSource.CreateCommand(
            $"SELECT s.username, {CustomerColumns} FROM services s JOIN customers c ON c.customer_id = s.customer_id WHERE s.username = ANY(@u)");
        command.Parameters.Add(TextArray("u", usernames));
        return await ReadMapAsync(command, r => (r.GetString(0), ReadCustomer(r, 1)), ct);
    }

    public async Task<Dictionary<long, PlanRow>> PlansByIdAsync(IReadOnlyList<long> ids, CancellationToken ct)
    {
        await using var command = _dataSource.CreateCommand($"SELECT {PlanColumns} FROM plans p WHERE p.plan_id = ANY(@ids)");
        command.Parameters.Add(BigintArray("ids", ids));
        return await ReadMapAsync(command, r => (r.GetInt64(0), ReadPlan(r)), ct);
    }

    public async Task<Dictionary<long, int>> ServiceCountsByPlanAsync(IReadOnlyList<long> ids, CancellationToken ct)
    {
        await using var command = _dataSource.CreateCommand(
            "SELECT plan_id, count(*)::integer FROM services WHERE plan_id = ANY(@ids) GROUP BY plan_id");
        command.Parameters.Add(BigintArray("ids", ids));
        return await ReadMapAsync(command, r => (r.GetInt64(0), r.GetInt32(1)), ct);
    }

    public async Task<Dictionary<long, ServiceRow>> ServicesByIdAsync(IReadOnlyList<long> ids, CancellationToken ct)
    {
        await using var command = _dataSource.CreateCommand($"SELECT {ServiceColumns} FROM services s WHERE s.service_id = ANY(@ids)");
        command.Parameters.Add(BigintArray("ids", ids));
        return await ReadMapAsync(command, r => (r.GetInt64(0), ReadService(r)), ct);
    }

    public async Task<Dictionary<string, ServiceRow>> ServicesByUsernameAsync(IReadOnlyList<string> usernames, CancellationToken ct)
    {
        await using var command = _dataSource.CreateCommand($"SELECT {ServiceColumns} FROM services s WHERE s.username = ANY(@u)");
        command.Parameters.Add(TextArray("u", usernames));
        return await ReadMapAsync(command, r => (r.GetString(5), ReadService(r)), ct);
    }

    public async Task<Dictionary<long, IReadOnlyList<ServiceRow>>> ServicesByCustomerAsync(IReadOnlyList<long> customerIds, CancellationToken ct)
    {
        await using var command = _dataSource.CreateCommand(
            $"SELECT {ServiceColumns} FROM services s WHERE s.customer_id = ANY(@c) ORDER BY s.service_id");
        command.Parameters.Add(BigintArray("c", customerIds));
        return await ReadGroupsAsync(command, r => (r.GetInt64(1), ReadService(r)), ct);
    }
}
