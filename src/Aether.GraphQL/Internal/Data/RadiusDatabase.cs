using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Aether.GraphQL.Internal.Data;

/// <summary>What RADIUS should hold for one subscriber identity (User-Name): its password, rates and plan group.</summary>
internal sealed record RadiusSubscriber(string Username, string GroupName, long DownloadKbps, long UploadKbps);

/// <summary>
/// The FreeRADIUS database (rlm_sql's radcheck, radreply, radusergroup). For each subscriber identity it owns the
/// Cleartext-Password check item, the OSS-Download-Speed / OSS-Upload-Speed reply items (kbit/s, vendor dictionary
/// dictionary.aether) and the group memberships; other rows of the same user are left alone.
/// </summary>
internal sealed class RadiusDatabase : IAsyncDisposable
{
    public const string PasswordAttribute = "Cleartext-Password";
    public const string DownloadAttribute = "OSS-Download-Speed";
    public const string UploadAttribute = "OSS-Upload-Speed";
    private const string Masked = "********";

    private readonly NpgsqlDataSource? _dataSource;
    private readonly string _password;

    public RadiusDatabase(IOptions<AetherGraphQLOptions> options, ILoggerFactory loggerFactory)
    {
        var o = options.Value;
        _password = o.SubscriberPassword ?? AetherGraphQLOptions.DefaultSubscriberPassword;
        if (!string.IsNullOrWhiteSpace(o.RadiusConnectionString))
        {
            var builder = new NpgsqlDataSourceBuilder(o.RadiusConnectionString);
            builder.UseLoggerFactory(loggerFactory);
            _dataSource = builder.Build();
        }
    }

    public bool IsConfigured => _dataSource is not null;

    /// <exception cref="GraphQL.ExecutionError">UNAVAILABLE when no RADIUS database is configured.</exception>
    public async Task<NpgsqlConnection> OpenAsync(CancellationToken ct)
    {
        if (_dataSource is null)
        {
            throw ErrorCodes.UnavailableError(
                "No RADIUS database is configured (ConnectionStrings:Radius or GraphQL:RadiusConnectionString): provisioning is off.");
        }

        return await _dataSource.OpenConnectionAsync(ct);
    }

    /// <summary>
    /// Makes the RADIUS rows of <paramref name="write"/> what they describe and removes the owned rows of
    /// <paramref name="remove"/>, in the caller's transaction. Each User-Name is locked for the transaction (in a fixed
    /// order, so two writers cannot deadlock) so concurrent writes of one subscriber cannot interleave.
    /// </summary>
    public async Task ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction tx, IReadOnlyCollection<RadiusSubscriber> write,
        IReadOnlyCollection<string> remove, CancellationToken ct)
    {
        var touched = write.Select(w => w.Username).Concat(remove).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        if (touched.Length == 0)
        {
            return;
        }

        await using var batch = new NpgsqlBatch(connection, tx);
        Add("SELECT pg_advisory_xact_lock(hashtextextended('aether-radius:' || u, 0)) FROM (SELECT unnest(@u::text[]) AS u ORDER BY 1) t",
            p => p.Add(Texts("u", touched)));
        Add("DELETE FROM radcheck WHERE username = ANY(@u) AND attribute = @password_attribute", p =>
        {
            p.Add(Texts("u", touched));
            p.Add(new NpgsqlParameter<string>("password_attribute", PasswordAttribute));
        });
        Add("DELETE FROM radreply WHERE username = ANY(@u) AND attribute IN (@down_attribute, @up_attribute)", p =>
        {
            p.Add(Texts("u", touched));
            p.Add(new NpgsqlParameter<string>("down_attribute", DownloadAttribute));
            p.Add(new NpgsqlParameter<string>("up_attribute", UploadAttribute));
        });
        Add("DELETE FROM radusergroup WHERE username = ANY(@u)", p => p.Add(Texts("u", touched)));
        if (write.Count > 0)
        {
            var users = write.Select(w => w.Username).ToArray();
            Add("INSERT INTO radcheck (username, attribute, op, value) SELECT u, @password_attribute, ':=', @password FROM unnest(@w::text[]) AS u", p =>
            {
                p.Add(Texts("w", users));
                p.Add(new NpgsqlParameter<string>("password_attribute", PasswordAttribute));
                p.Add(new NpgsqlParameter<string>("password", _password));
            });
            Add(
                """
                INSERT INTO radreply (username, attribute, op, value)
                SELECT t.u, a.attribute, ':=', CASE WHEN a.n = 1 THEN t.d ELSE t.up END::text
                FROM unnest(@w::text[], @d::bigint[], @up::bigint[]) AS t(u, d, up)
                CROSS JOIN (VALUES (1, @down_attribute), (2, @up_attribute)) AS a(n, attribute)
                ORDER BY t.u, a.n
                """, p =>
                {
                    p.Add(Texts("w", users));
                    p.Add(new NpgsqlParameter<long[]>("d", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = [.. write.Select(w => w.DownloadKbps)] });
                    p.Add(new NpgsqlParameter<long[]>("up", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = [.. write.Select(w => w.UploadKbps)] });
                    p.Add(new NpgsqlParameter<string>("down_attribute", DownloadAttribute));
                    p.Add(new NpgsqlParameter<string>("up_attribute", UploadAttribute));
                });
            Add("INSERT INTO radusergroup (username, groupname, priority) SELECT u, g, 1 FROM unnest(@w::text[], @g::text[]) AS t(u, g)", p =>
            {
                p.Add(Texts("w", users));
                p.Add(Texts("g", write.Select(w => w.GroupName)));
            });
        }

        await batch.ExecuteNonQueryAsync(ct);

        void Add(string sql, Action<NpgsqlParameterCollection> bind)
        {
            var command = new NpgsqlBatchCommand(sql);
            bind(command.Parameters);
            batch.BatchCommands.Add(command);
        }
    }

    /// <summary>The rows FreeRADIUS reads for <paramref name="usernames"/>; password values are masked.</summary>
    public async Task<(List<RadiusAttributeRow> Check, List<RadiusAttributeRow> Reply, List<RadiusGroupRow> Groups)> ReadAsync(
        IReadOnlyCollection<string> usernames, CancellationToken ct)
    {
        if (usernames.Count == 0)
        {
            return ([], [], []);
        }

        await using var connection = await OpenAsync(ct);
        await using var batch = new NpgsqlBatch(connection);
        foreach (var sql in (string[])[
            "SELECT id, username, attribute, op, value FROM radcheck WHERE username = ANY(@u) ORDER BY username, id",
            "SELECT id, username, attribute, op, value FROM radreply WHERE username = ANY(@u) ORDER BY username, id",
            "SELECT id, username, groupname, priority FROM radusergroup WHERE username = ANY(@u) ORDER BY username, priority, id"])
        {
            var command = new NpgsqlBatchCommand(sql);
            command.Parameters.Add(Texts("u", usernames));
            batch.BatchCommands.Add(command);
        }

        await using var reader = await batch.ExecuteReaderAsync(ct);
        var check = await ReadAttributesAsync(reader, ct);
        await reader.NextResultAsync(ct);
        var reply = await ReadAttributesAsync(reader, ct);
        await reader.NextResultAsync(ct);
        var groups = new List<RadiusGroupRow>();
        while (await reader.ReadAsync(ct))
        {
            groups.Add(new RadiusGroupRow(reader.GetInt32(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3)));
        }

        return (check, reply, groups);
    }

    private static async Task<List<RadiusAttributeRow>> ReadAttributesAsync(NpgsqlDataReader reader, CancellationToken ct)
    {
        var rows = new List<RadiusAttributeRow>();
        while (await reader.ReadAsync(ct))
        {
            var attribute = reader.GetString(2);
            var value = attribute.EndsWith("-Password", StringComparison.OrdinalIgnoreCase) ? Masked : reader.GetString(4);
            rows.Add(new RadiusAttributeRow(reader.GetInt32(0), reader.GetString(1), attribute, reader.GetString(3), value));
        }

        return rows;
    }

    private static NpgsqlParameter<string[]> Texts(string name, IEnumerable<string> values) =>
        new(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = [.. values] };

    public ValueTask DisposeAsync() => _dataSource?.DisposeAsync() ?? ValueTask.CompletedTask;
}
