using Npgsql;

namespace Aether.Storage;

/// <summary>An access router as the read model holds it.</summary>
public sealed record AccessRouterRow(string RouterId, string? Giaddr, string BngId, string State);

/// <summary>What the event log and the network read model already hold for an agent: read when it connects.</summary>
public sealed class AgentReportLog
{
    private readonly NpgsqlDataSource _dataSource;

    public AgentReportLog(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    /// <summary>
    /// The highest sequence number among the logged events of <paramref name="types"/> that (<paramref name="bngId"/>,
    /// <paramref name="instanceId"/>) reported; 0 when none is logged.
    /// </summary>
    public async Task<ulong> LastSeqAsync(string bngId, string instanceId, IReadOnlyList<string> types, CancellationToken ct)
    {
        await using var command = _dataSource.CreateCommand(
            "SELECT max(seq) FROM session_events WHERE bng_id = @b AND instance_id = @i AND type = ANY(@t)");
        command.Parameters.AddWithValue("b", bngId);
        command.Parameters.AddWithValue("i", instanceId);
        command.Parameters.AddWithValue("t", types.ToArray());
        var value = await command.ExecuteScalarAsync(ct);
        return value is long seq and > 0 ? (ulong)seq : 0;
    }

    /// <summary>Every access router the read model holds.</summary>
    public async Task<List<AccessRouterRow>> AccessRoutersAsync(CancellationToken ct)
    {
        await using var command = _dataSource.CreateCommand("SELECT router_id, host(giaddr), bng_id, state FROM access_routers");
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<AccessRouterRow>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add(new AccessRouterRow(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetString(2), reader.GetString(3)));
        }
        return rows;
    }
}
