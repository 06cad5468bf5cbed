using System.Buffers.Text;
using System.Globalization;
using System.Net;
using System.Text;
using Npgsql;
using NpgsqlTypes;

namespace Aether.Storage;

/// <summary>A live subscriber session as the read model holds it.</summary>
public sealed record ActiveSession(
    string SessionId,
    string BngId,
    string InstanceId,
    string Mac,
    string Ip,
    string CircuitId,
    string RemoteId,
    string? RelayId,
    string? Username,
    long DownloadKbps,
    long UploadKbps,
    long BytesUp,
    long BytesDown,
    long PacketsUp,
    long PacketsDown,
    DateTimeOffset Started,
    DateTimeOffset UpdatedAt,
    string State);

/// <summary>A session that has ended, as sessions_history holds it.</summary>
public sealed record EndedSession(string SessionId, string Mac, string Ip, DateTimeOffset Stopped, string Cause);

/// <summary>Filters for <see cref="SessionReadModel.ListActiveAsync"/>; null means any.</summary>
public sealed record SessionFilter(string? BngId = null, string? Ip = null, string? Mac = null, string? State = null);

/// <summary>One page of a keyset-paged list. <see cref="EndCursor"/> is passed as <c>after</c> for the next page.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, int TotalCount, bool HasNextPage, string? EndCursor);

/// <summary>Queries over <c>sessions_active</c>.</summary>
public sealed class SessionReadModel
{
    public const int MaxPageSize = 1000;

    private const string Columns =
        """
        session_id, bng_id, instance_id, mac, host(ip), circuit_id, remote_id, relay_id, username,
        download_kbps, upload_kbps, bytes_up, bytes_down, packets_up, packets_down, started, updated_at, state
        """;

    private readonly NpgsqlDataSource _dataSource;

    public SessionReadModel(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    /// <summary>
    /// Active sessions matching <paramref name="filter"/> in (started, session_id) order, <paramref name="first"/> at a
    /// time after the opaque cursor <paramref name="after"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="first"/> is negative or above <see cref="MaxPageSize"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="after"/> is not a cursor this model returned.</exception>
    public async Task<Page<ActiveSession>> ListActiveAsync(SessionFilter filter, int first, string? after, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentOutOfRangeException.ThrowIfNegative(first);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(first, MaxPageSize);
        var cursor = after is null ? ((DateTime Started, string SessionId)?)null : DecodeCursor(after);

        IPAddress? ip = null;
        if (filter.Ip is not null && !IPAddress.TryParse(filter.Ip, out ip))
        {
            return new Page<ActiveSession>([], 0, false, null);
        }

        var where = new StringBuilder("TRUE");
        var parameters = new List<NpgsqlParameter>();
        if (filter.BngId is not null)
        {
            where.Append(" AND bng_id = @bng");
            parameters.Add(new NpgsqlParameter<string>("bng", filter.BngId));
        }

        if (ip is not null)
        {
            where.Append(" AND ip = @ip");
            parameters.Add(new NpgsqlParameter<IPAddress>("ip", NpgsqlDbType.Inet) { TypedValue = ip });
        }

        if (filter.Mac is not null)
        {
            where.Append(" AND mac = @mac");
            parameters.Add(new NpgsqlParameter<string>("mac", filter.Mac.ToLowerInvariant()));
        }

        if (filter.State is not null)
        {
            where.Append(" AND state = @state");
            parameters.Add(new NpgsqlParameter<string>("state", filter.State));
        }

        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(connection);
        var count = new NpgsqlBatchCommand($"SELECT count(*) FROM sessions_active WHERE {where}");
        foreach (var p in parameters)
        {
            count.Parameters.Add(p.Clone());
        }

        var keyset = cursor is null ? string.Empty : " AND (started, session_id) > (@after_started, @after_id)";
        var list = new NpgsqlBatchCommand(
            $"SELECT {Columns} FROM sessions_active WHERE {where}{keyset} ORDER BY started, session_id LIMIT @limit");
        foreach (var p in parameters)
        {
            list.Parameters.Add(p.Clone());
        }

        if (cursor is { } c)
        {
            list.Parameters.Add(new NpgsqlParameter<DateTime>("after_started", NpgsqlDbType.TimestampTz) { TypedValue = c.Started });
            list.Parameters.Add(new NpgsqlParameter<string>("after_id", c.SessionId));
        }

        list.Parameters.Add(new NpgsqlParameter<int>("limit", first + 1));
        batch.BatchCommands.Add(count);
        batch.BatchCommands.Add(list);

        await using var reader = await batch.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var total = checked((int)reader.GetInt64(0));
        await reader.NextResultAsync(ct);
        var items = new List<ActiveSession>(Math.Min(first, 256));
        var hasNext = false;
        while (await reader.ReadAsync(ct))
        {
            if (items.Count == first)
            {
                hasNext = true;
                break;
            }

            items.Add(Read(reader));
        }

        var end = items.Count == 0 ? null : EncodeCursor(items[^1]);
        return new Page<ActiveSession>(items, total, hasNext, end);
    }

    public async Task<ActiveSession?> GetActiveAsync(string sessionId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sessionId);
        await using var command = _dataSource.CreateCommand($"SELECT {Columns} FROM sessions_active WHERE session_id = @id");
        command.Parameters.Add(new NpgsqlParameter<string>("id", sessionId));
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    /// <summary>
    /// Sessions of <paramref name="bngId"/> that ended on purpose (the subscriber's RELEASE or DECLINE, a Disconnect,
    /// an idle timeout, a lost carrier, an address or circuit change) at or after <paramref name="since"/>, whose MAC is
    /// one of <paramref name="macs"/> or whose address is one of <paramref name="ips"/>: what tells that a lease Kea
    /// still holds belongs to a session that is over, after the controller that saw it end has restarted.
    /// </summary>
    public async Task<IReadOnlyList<EndedSession>> ListEndedOnPurposeAsync(string bngId, DateTimeOffset since,
        IReadOnlyCollection<string> macs, IReadOnlyCollection<string> ips, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(bngId);
        ArgumentNullException.ThrowIfNull(macs);
        ArgumentNullException.ThrowIfNull(ips);
        var addresses = ips.Select(ip => IPAddress.TryParse(ip, out var a) ? a : null).OfType<IPAddress>().ToArray();
        if (macs.Count == 0 && addresses.Length == 0)
        {
            return [];
        }

        await using var command = _dataSource.CreateCommand(
            """
            SELECT session_id, mac, host(ip), stopped, cause FROM sessions_history
            WHERE bng_id = @bng AND stopped >= @since AND cause = ANY(@causes) AND (mac = ANY(@macs) OR ip = ANY(@ips))
            """);
        command.Parameters.Add(new NpgsqlParameter<string>("bng", bngId));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("since", since.ToUniversalTime()));
        command.Parameters.Add(new NpgsqlParameter<string[]>("causes", EndedOnPurposeCauses));
        command.Parameters.Add(new NpgsqlParameter<string[]>("macs", macs.ToArray()));
        command.Parameters.Add(new NpgsqlParameter<IPAddress[]>("ips", addresses) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Inet });
        var ended = new List<EndedSession>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            ended.Add(new EndedSession(reader.GetString(0), reader.GetString(1), reader.GetString(2),
                reader.GetFieldValue<DateTimeOffset>(3), reader.IsDBNull(4) ? "" : reader.GetString(4)));
        }

        return ended;
    }

    /// <summary>
    /// Acct-Terminate-Cause names of a session ended by its subscriber, its operator or its BNG's policy, as opposed to
    /// one the BNG lost (NAS-Reboot), whose lease is gone (Lost-Service) or ran out (Session-Timeout).
    /// </summary>
    public static readonly string[] EndedOnPurposeCauses = ["User-Request", "Admin-Reset", "Idle-Timeout", "Lost-Carrier", "NAS-Request"];

    private static ActiveSession Read(NpgsqlDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetString(6),
        r.IsDBNull(7) ? null : r.GetString(7), r.IsDBNull(8) ? null : r.GetString(8),
        r.GetInt64(9), r.GetInt64(10), r.GetInt64(11), r.GetInt64(12), r.GetInt64(13), r.GetInt64(14),
        r.GetFieldValue<DateTimeOffset>(15), r.GetFieldValue<DateTimeOffset>(16), r.GetString(17));

    // The cursor is base64url("{started as UTC ticks}:{session_id}"): opaque to clients, exact to the microsecond.
    internal static string EncodeCursor(ActiveSession last) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(
            string.Create(CultureInfo.InvariantCulture, $"{last.Started.UtcTicks}:{last.SessionId}")));

    internal static (DateTime Started, string SessionId) DecodeCursor(string cursor)
    {
        string text;
        try
        {
            text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
        }
        catch (FormatException ex)
        {
            throw new ArgumentException("The cursor is not one this API returned.", nameof(cursor), ex);
        }

        var separator = text.IndexOf(':', StringComparison.Ordinal);
        if (separator <= 0
            || !long.TryParse(text.AsSpan(0, separator), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            || ticks > DateTime.MaxValue.Ticks)
        {
            throw new ArgumentException("The cursor is not one this API returned.", nameof(cursor));
        }

        return (new DateTime(ticks, DateTimeKind.Utc), text[(separator + 1)..]);
    }
}
