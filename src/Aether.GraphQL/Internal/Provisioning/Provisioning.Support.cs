using System.Text;
using Aether.GraphQL.Internal.Data;
using GraphQL;
using Npgsql;
using NpgsqlTypes;

namespace Aether.GraphQL.Internal.Provisioning;

internal sealed partial class Provisioning
{
    private const string ServiceReturning =
        "service_id, customer_id, plan_id, circuit_id, remote_id, username, status, created_at, updated_at";

    /// <summary>
    /// Runs <paramref name="work"/> in an OSS transaction, applies the RADIUS change it returns in a RADIUS transaction,
    /// then commits OSS and RADIUS in that order. Nothing is committed if anything before the commits fails.
    /// </summary>
    private async Task<T> ProvisionAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<(T Result, RadiusChange Change)>> work, CancellationToken ct)
    {
        await using var connection = await _oss.DataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        T result;
        RadiusChange change;
        try
        {
            (result, change) = await work(connection, tx);
        }
        catch (PostgresException ex) when (Translate(ex) is { } error)
        {
            throw error;
        }

        if (change.IsEmpty)
        {
            await tx.CommitAsync(ct);
            return result;
        }

        NpgsqlConnection radius;
        try
        {
            radius = await _radius.OpenAsync(ct);
        }
        catch (NpgsqlException ex)
        {
            LogRadiusUnavailable(ex);
            throw ErrorCodes.UnavailableError("The RADIUS database cannot be reached; nothing was changed.");
        }

        await using (radius)
        {
            await using var radiusTx = await radius.BeginTransactionAsync(ct);
            await _radius.ApplyAsync(radius, radiusTx, change.Write, change.Remove, ct);

            // From here on the change is made: do not let a cancelled request stop it half-way.
            await tx.CommitAsync(CancellationToken.None);
            try
            {
                await radiusTx.CommitAsync(CancellationToken.None);
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or IOException)
            {
                LogRadiusCommitFailed(change.Write.Count, change.Remove.Count, ex);
                throw ErrorCodes.UnavailableError(
                    "The change was saved, but the RADIUS database did not take it; run syncRadius to bring RADIUS up to date.");
            }
        }

        return result;
    }

    /// <summary>What RADIUS must hold for the services matching <paramref name="where"/> (alias s): ACTIVE ones written, others removed.</summary>
    private static async Task<RadiusChange> DesiredRadiusAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string where,
        Action<NpgsqlParameterCollection> bind, CancellationToken ct)
    {
        var write = new List<RadiusSubscriber>();
        var remove = new List<string>();
        await using var command = new NpgsqlCommand(
            $"""
            SELECT s.username, s.status, p.name, p.download_kbps, p.upload_kbps
            FROM services s JOIN plans p ON p.plan_id = s.plan_id
            WHERE {where} AND s.username IS NOT NULL
            ORDER BY s.username
            """, connection, tx);
        bind(command.Parameters);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var username = reader.GetString(0);
            if (reader.GetString(1) == ServiceStatus.Active)
            {
                write.Add(new RadiusSubscriber(username, reader.GetString(2), reader.GetInt64(3), reader.GetInt64(4)));
            }
            else
            {
                remove.Add(username);
            }
        }

        return new RadiusChange(write, remove);
    }

    private static async Task<ServiceRow> InsertServiceAsync(NpgsqlConnection connection, NpgsqlTransaction tx, long customerId, long planId,
        SubscriberIdentity identity, string username, string status, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"""
            INSERT INTO services (customer_id, plan_id, circuit_id, remote_id, username, status)
            VALUES (@customer, @plan, @circuit, @remote, @username, @status)
            RETURNING {ServiceReturning}
            """, connection, tx);
        command.Parameters.Add(new NpgsqlParameter<long>("customer", customerId));
        command.Parameters.Add(new NpgsqlParameter<long>("plan", planId));
        command.Parameters.Add(NullableText("circuit", identity.CircuitId));
        command.Parameters.Add(NullableText("remote", identity.RemoteId));
        command.Parameters.Add(new NpgsqlParameter<string>("username", username));
        command.Parameters.Add(new NpgsqlParameter<string>("status", status));
        return (await SingleAsync(command, r => OssReadModels.ReadService(r), ct))!;
    }

    private static async Task<ServiceRow?> LockServiceAsync(NpgsqlConnection connection, NpgsqlTransaction tx, long id, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"SELECT {ServiceReturning} FROM services WHERE service_id = @id FOR UPDATE", connection, tx);
        command.Parameters.Add(new NpgsqlParameter<long>("id", id));
        return await SingleAsync(command, r => OssReadModels.ReadService(r), ct);
    }

    private static async Task<ServiceRow?> FindServiceByUsernameAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string username, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"SELECT {ServiceReturning} FROM services WHERE username = @u FOR UPDATE", connection, tx);
        command.Parameters.Add(new NpgsqlParameter<string>("u", username));
        return await SingleAsync(command, r => OssReadModels.ReadService(r), ct);
    }

    private static async Task<T?> SingleAsync<T>(NpgsqlCommand command, Func<NpgsqlDataReader, T> read, CancellationToken ct)
        where T : class
    {
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? read(reader) : null;
    }

    private static async Task<List<T>> ListAsync<T>(NpgsqlConnection connection, NpgsqlTransaction tx, string sql,
        Action<NpgsqlParameterCollection> bind, Func<NpgsqlDataReader, T> read, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection, tx);
        bind(command.Parameters);
        var list = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            list.Add(read(reader));
        }

        return list;
    }

    private static NpgsqlParameter<string?> NullableText(string name, string? value) => new(name, NpgsqlDbType.Text) { TypedValue = value };

    /// <summary>Constraint violations as errors that say what is wrong, in the API's words.</summary>
    private static ExecutionError? Translate(PostgresException ex) => (ex.SqlState, ex.ConstraintName) switch
    {
        (PostgresErrorCodes.UniqueViolation, "customers_email_key") => ErrorCodes.ConflictError("A customer with this email already exists."),
        (PostgresErrorCodes.UniqueViolation, "plans_name_key") => ErrorCodes.ConflictError("A plan with this name already exists."),
        (PostgresErrorCodes.UniqueViolation, "services_username_key") =>
            ErrorCodes.ConflictError("Another service already has this subscriber identity (User-Name)."),
        (PostgresErrorCodes.UniqueViolation, "services_option82") =>
            ErrorCodes.ConflictError("Another service already has this circuit-id and remote-id."),
        (PostgresErrorCodes.ForeignKeyViolation, "services_customer_id_fkey") => ErrorCodes.NotFoundError("The customer does not exist."),
        (PostgresErrorCodes.ForeignKeyViolation, "services_plan_id_fkey") => ErrorCodes.NotFoundError("The plan does not exist."),
        (PostgresErrorCodes.CheckViolation, _) => ErrorCodes.BadInput("A value is out of range (rates must be positive)."),
        _ => null,
    };

    // ---- input checks ----

    private static string RequiredText(string? value, string field)
    {
        var text = value?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            throw ErrorCodes.BadInput($"{field} must not be empty.");
        }

        if (text.Length > MaxNameLength || text.Any(char.IsControl))
        {
            throw ErrorCodes.BadInput($"{field} must be at most {MaxNameLength} printable characters.");
        }

        return text;
    }

    private static string? OptionalText(string? value, string field, int max)
    {
        var text = value?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (text.Length > max || text.Any(c => char.IsControl(c) && c != '\n'))
        {
            throw ErrorCodes.BadInput($"{field} must be at most {max} printable characters.");
        }

        return text;
    }

    private static string Email(string? value)
    {
        var email = value?.Trim() ?? "";
        var at = email.IndexOf('@', StringComparison.Ordinal);
        if (email.Length is < 3 or > 254 || at <= 0 || at != email.LastIndexOf('@') || at == email.Length - 1
            || email.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            throw ErrorCodes.BadInput("email must be an address such as name@example.net.");
        }

        return email;
    }

    private static long Rate(long value, string field) => value is >= MinRateKbps and <= MaxRateKbps
        ? value
        : throw ErrorCodes.BadInput($"{field} must be between {MinRateKbps} and {MaxRateKbps} kbit/s.");

    private static string Status(string? value)
    {
        var status = value?.Trim().ToUpperInvariant() ?? "";
        return ServiceStatus.IsValid(status) ? status : throw ErrorCodes.BadInput("status must be ACTIVE or SUSPENDED.");
    }

    /// <summary>The RADIUS User-Name: given, or the template filled with bngId, remoteId and circuitId.</summary>
    internal string Username(SubscriberIdentity identity)
    {
        foreach (var (value, field) in (ReadOnlySpan<(string?, string)>)[
            (identity.Username, "username"), (identity.BngId, "bngId"), (identity.RemoteId, "remoteId"), (identity.CircuitId, "circuitId")])
        {
            if (value is not null && (value.Length is 0 or > 253 || value.Any(char.IsControl)))
            {
                throw ErrorCodes.BadInput($"{field} must be 1 to 253 printable characters.");
            }
        }

        if (identity.Username is { } explicitName)
        {
            return explicitName;
        }

        var template = Template;
        var name = new StringBuilder(template);
        foreach (var (placeholder, value, field) in (ReadOnlySpan<(string, string?, string)>)[
            ("{bng_id}", identity.BngId, "bngId"), ("{remote_id}", identity.RemoteId, "remoteId"), ("{circuit_id}", identity.CircuitId, "circuitId")])
        {
            if (template.Contains(placeholder, StringComparison.Ordinal))
            {
                if (value is null)
                {
                    throw ErrorCodes.BadInput($"Give username, or {field} for the User-Name template '{template}'.");
                }

                name.Replace(placeholder, value);
            }
        }

        var result = name.ToString();
        if (result.Contains('{', StringComparison.Ordinal))
        {
            throw ErrorCodes.BadInput($"The User-Name template '{template}' needs values this API does not know; give username.");
        }

        return result;
    }
}
