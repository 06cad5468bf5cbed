using Aether.GraphQL.Internal.Data;
using GraphQL;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Aether.GraphQL.Internal.Provisioning;

/// <summary>
/// Customers, plans and services, and the RADIUS rows that follow from them. Every change runs in one OSS transaction
/// and one RADIUS transaction, both prepared before either commits; the OSS database (the source of truth) commits
/// first, so the rare failure between the two commits leaves RADIUS behind, which <c>syncRadius</c> repairs.
/// New rates then reach live sessions through <see cref="ISessionControl"/> (CoA).
/// </summary>
internal sealed partial class Provisioning
{
    private const long MinRateKbps = 8;
    private const long MaxRateKbps = 100_000_000;
    private const int MaxNameLength = 200;

    private readonly OssReadModels _oss;
    private readonly RadiusDatabase _radius;
    private readonly IServiceProvider _services;
    private readonly AetherGraphQLOptions _options;
    private readonly ILogger<Provisioning> _logger;

    public Provisioning(OssReadModels oss, RadiusDatabase radius, IServiceProvider services, IOptions<AetherGraphQLOptions> options, ILogger<Provisioning> logger)
    {
        _oss = oss;
        _radius = radius;
        _services = services;
        _options = options.Value;
        _logger = logger;
    }

    private string Template => _options.UserNameTemplate ?? AetherGraphQLOptions.DefaultUserNameTemplate;

    // ---- customers ----

    public async Task<CustomerRow> CreateCustomerAsync(CustomerInput input, CancellationToken ct)
    {
        var name = RequiredText(input.Name, "name");
        var email = Email(input.Email);
        var phone = OptionalText(input.Phone, "phone", 64);
        var address = OptionalText(input.Address, "address", 500);
        return await ProvisionAsync(async (connection, tx) =>
        {
            await using var command = new NpgsqlCommand(
                "INSERT INTO customers (name, email, phone, address) VALUES (@name, @email, @phone, @address) RETURNING customer_id, name, email, phone, address, created_at, updated_at",
                connection, tx);
            command.Parameters.Add(new NpgsqlParameter<string>("name", name));
            command.Parameters.Add(new NpgsqlParameter<string>("email", email));
            command.Parameters.Add(NullableText("phone", phone));
            command.Parameters.Add(NullableText("address", address));
            var customer = await SingleAsync(command, r => OssReadModels.ReadCustomer(r), ct);
            LogCustomerCreated(customer!.CustomerId, customer.Email);
            return (customer, RadiusChange.None);
        }, ct);
    }

    public async Task<CustomerRow> UpdateCustomerAsync(long id, CustomerUpdate update, CancellationToken ct)
    {
        var sets = new List<string>();
        var parameters = new List<NpgsqlParameter>();
        if (update.Name.IsSet)
        {
            sets.Add("name = @name");
            parameters.Add(new NpgsqlParameter<string>("name", RequiredText(update.Name.Value, "name")));
        }

        if (update.Email.IsSet)
        {
            sets.Add("email = @email");
            parameters.Add(new NpgsqlParameter<string>("email", Email(update.Email.Value)));
        }

        if (update.Phone.IsSet)
        {
            sets.Add("phone = @phone");
            parameters.Add(NullableText("phone", OptionalText(update.Phone.Value, "phone", 64)));
        }

        if (update.Address.IsSet)
        {
            sets.Add("address = @address");
            parameters.Add(NullableText("address", OptionalText(update.Address.Value, "address", 500)));
        }

        sets.Add("updated_at = now()");
        return await ProvisionAsync(async (connection, tx) =>
        {
            await using var command = new NpgsqlCommand(
                $"UPDATE customers SET {string.Join(", ", sets)} WHERE customer_id = @id RETURNING customer_id, name, email, phone, address, created_at, updated_at",
                connection, tx);
            foreach (var parameter in parameters)
            {
                command.Parameters.Add(parameter);
            }

            command.Parameters.Add(new NpgsqlParameter<long>("id", id));
            var customer = await SingleAsync(command, r => OssReadModels.ReadCustomer(r), ct)
                ?? throw ErrorCodes.NotFoundError($"Customer {id} does not exist.");
            return (customer, RadiusChange.None);
        }, ct);
    }

    /// <summary>Deletes the customer with its services, and the RADIUS rows of those services.</summary>
    public async Task DeleteCustomerAsync(long id, CancellationToken ct)
    {
        await ProvisionAsync(async (connection, tx) =>
        {
            var removed = await ListAsync(connection, tx, "DELETE FROM services WHERE customer_id = @id RETURNING username",
                p => p.Add(new NpgsqlParameter<long>("id", id)), r => OssReadModels.Text(r, 0), ct);
            await using var command = new NpgsqlCommand("DELETE FROM customers WHERE customer_id = @id", connection, tx);
            command.Parameters.Add(new NpgsqlParameter<long>("id", id));
            if (await command.ExecuteNonQueryAsync(ct) == 0)
            {
                throw ErrorCodes.NotFoundError($"Customer {id} does not exist.");
            }

            LogCustomerDeleted(id, removed.Count);
            return (true, new RadiusChange([], [.. removed.OfType<string>()]));
        }, ct);
    }

    // ---- plans ----

    public async Task<PlanRow> CreatePlanAsync(PlanInput input, CancellationToken ct)
    {
        var name = RequiredText(input.Name, "name");
        Rate(input.DownloadKbps, "downloadKbps");
        Rate(input.UploadKbps, "uploadKbps");
        if (input.BurstKbps is { } burst)
        {
            Rate(burst, "burstKbps");
        }

        return await ProvisionAsync(async (connection, tx) =>
        {
            await using var command = new NpgsqlCommand(
                "INSERT INTO plans (name, download_kbps, upload_kbps, burst_kbps) VALUES (@name, @down, @up, @burst) RETURNING plan_id, name, download_kbps, upload_kbps, burst_kbps, created_at",
                connection, tx);
            command.Parameters.Add(new NpgsqlParameter<string>("name", name));
            command.Parameters.Add(new NpgsqlParameter<long>("down", input.DownloadKbps));
            command.Parameters.Add(new NpgsqlParameter<long>("up", input.UploadKbps));
            command.Parameters.Add(new NpgsqlParameter<long?>("burst", NpgsqlDbType.Bigint) { TypedValue = input.BurstKbps });
            var plan = (await SingleAsync(command, r => OssReadModels.ReadPlan(r), ct))!;
            LogPlanCreated(plan.PlanId, plan.Name, plan.DownloadKbps, plan.UploadKbps);
            return (plan, RadiusChange.None);
        }, ct);
    }

    /// <summary>
    /// Changes a plan. Its subscribers' RADIUS rows are rewritten (rates, and the group when renamed) and their live
    /// sessions whose rates differ are reshaped.
    /// </summary>
    public async Task<PlanUpdateResult> UpdatePlanAsync(long id, PlanUpdate update, CancellationToken ct)
    {
        var sets = new List<string>();
        var parameters = new List<NpgsqlParameter>();
        if (update.Name.IsSet)
        {
            sets.Add("name = @name");
            parameters.Add(new NpgsqlParameter<string>("name", RequiredText(update.Name.Value, "name")));
        }

        if (update.DownloadKbps.IsSet)
        {
            sets.Add("download_kbps = @down");
            parameters.Add(new NpgsqlParameter<long>("down", Rate(update.DownloadKbps.Value ?? throw ErrorCodes.BadInput("downloadKbps cannot be null."), "downloadKbps")));
        }

        if (update.UploadKbps.IsSet)
        {
            sets.Add("upload_kbps = @up");
            parameters.Add(new NpgsqlParameter<long>("up", Rate(update.UploadKbps.Value ?? throw ErrorCodes.BadInput("uploadKbps cannot be null."), "uploadKbps")));
        }

        if (update.BurstKbps.IsSet)
        {
            sets.Add("burst_kbps = @burst");
            parameters.Add(new NpgsqlParameter<long?>("burst", NpgsqlDbType.Bigint)
            {
                TypedValue = update.BurstKbps.Value is { } b ? Rate(b, "burstKbps") : null,
            });
        }

        if (sets.Count == 0)
        {
            throw ErrorCodes.BadInput("The input changes nothing: give at least one of name, downloadKbps, uploadKbps, burstKbps.");
        }

        var (plan, change) = await ProvisionAsync(async (connection, tx) =>
        {
            await using var command = new NpgsqlCommand(
                $"UPDATE plans p SET {string.Join(", ", sets)} WHERE p.plan_id = @id RETURNING p.plan_id, p.name, p.download_kbps, p.upload_kbps, p.burst_kbps, p.created_at",
                connection, tx);
            foreach (var parameter in parameters)
            {
                command.Parameters.Add(parameter);
            }

            command.Parameters.Add(new NpgsqlParameter<long>("id", id));
            var plan = await SingleAsync(command, r => OssReadModels.ReadPlan(r), ct)
                ?? throw ErrorCodes.NotFoundError($"Plan {id} does not exist.");
            var change = await DesiredRadiusAsync(connection, tx, "s.plan_id = @plan", p => p.Add(new NpgsqlParameter<long>("plan", id)), ct);
            LogPlanUpdated(plan.PlanId, plan.Name, plan.DownloadKbps, plan.UploadKbps, change.Write.Count);
            return ((plan, change), change);
        }, ct);

        var rates = await ReshapeAsync(change.Write, ct);
        return new PlanUpdateResult(plan, change.Write.Count, rates);
    }

    public async Task DeletePlanAsync(long id, CancellationToken ct)
    {
        await ProvisionAsync(async (connection, tx) =>
        {
            await using (var used = new NpgsqlCommand("SELECT count(*) FROM services WHERE plan_id = @id", connection, tx))
            {
                used.Parameters.Add(new NpgsqlParameter<long>("id", id));
                var count = (long)(await used.ExecuteScalarAsync(ct))!;
                if (count > 0)
                {
                    throw ErrorCodes.ConflictError($"Plan {id} is used by {count} service(s); move them to another plan first.");
                }
            }

            await using var command = new NpgsqlCommand("DELETE FROM plans WHERE plan_id = @id", connection, tx);
            command.Parameters.Add(new NpgsqlParameter<long>("id", id));
            if (await command.ExecuteNonQueryAsync(ct) == 0)
            {
                throw ErrorCodes.NotFoundError($"Plan {id} does not exist.");
            }

            LogPlanDeleted(id);
            return (true, RadiusChange.None);
        }, ct);
    }

    // ---- services ----

    public async Task<ServiceRow> CreateServiceAsync(ServiceInput input, CancellationToken ct)
    {
        var username = Username(input.Identity);
        var status = Status(input.Status);
        var (service, change) = await ProvisionAsync(async (connection, tx) =>
        {
            var service = await InsertServiceAsync(connection, tx, input.CustomerId, input.PlanId, input.Identity, username, status, ct);
            var change = await DesiredRadiusAsync(connection, tx, "s.service_id = @id", p => p.Add(new NpgsqlParameter<long>("id", service.ServiceId)), ct);
            LogServiceCreated(service.ServiceId, service.CustomerId, service.PlanId, username);
            return ((service, change), change);
        }, ct);
        await ReshapeAsync(change.Write, ct);
        return service;
    }

    public async Task<ServiceRow> UpdateServiceAsync(long id, ServiceUpdate update, CancellationToken ct)
    {
        var sets = new List<string>();
        var parameters = new List<NpgsqlParameter>();
        string? username = null;
        if (update.PlanId.IsSet)
        {
            sets.Add("plan_id = @plan");
            parameters.Add(new NpgsqlParameter<long>("plan", update.PlanId.Value ?? throw ErrorCodes.BadInput("planId cannot be null.")));
        }

        if (update.Identity is { } identity)
        {
            username = Username(identity);
            sets.Add("username = @username, circuit_id = @circuit, remote_id = @remote");
            parameters.Add(new NpgsqlParameter<string>("username", username));
            parameters.Add(NullableText("circuit", identity.CircuitId));
            parameters.Add(NullableText("remote", identity.RemoteId));
        }

        if (update.Status.IsSet)
        {
            sets.Add("status = @status");
            parameters.Add(new NpgsqlParameter<string>("status", Status(update.Status.Value)));
        }

        if (sets.Count == 0)
        {
            throw ErrorCodes.BadInput("The input changes nothing: give planId, status, or an identity (username, or bngId, remoteId and circuitId).");
        }

        sets.Add("updated_at = now()");
        var (service, change) = await ProvisionAsync(async (connection, tx) =>
        {
            var before = await LockServiceAsync(connection, tx, id, ct) ?? throw ErrorCodes.NotFoundError($"Service {id} does not exist.");
            await using var command = new NpgsqlCommand(
                $"UPDATE services s SET {string.Join(", ", sets)} WHERE s.service_id = @id RETURNING s.service_id, s.customer_id, s.plan_id, s.circuit_id, s.remote_id, s.username, s.status, s.created_at, s.updated_at",
                connection, tx);
            foreach (var parameter in parameters)
            {
                command.Parameters.Add(parameter);
            }

            command.Parameters.Add(new NpgsqlParameter<long>("id", id));
            var service = (await SingleAsync(command, r => OssReadModels.ReadService(r), ct))!;
            var desired = await DesiredRadiusAsync(connection, tx, "s.service_id = @id", p => p.Add(new NpgsqlParameter<long>("id", id)), ct);
            var remove = desired.Remove.ToList();
            if (before.Username is { } old && old != service.Username)
            {
                remove.Add(old);
            }

            LogServiceUpdated(service.ServiceId, service.PlanId, service.Username ?? "", service.Status);
            var change = new RadiusChange(desired.Write, remove);
            return ((service, change), change);
        }, ct);
        await ReshapeAsync(change.Write, ct);
        return service;
    }

    public async Task DeleteServiceAsync(long id, CancellationToken ct)
    {
        await ProvisionAsync(async (connection, tx) =>
        {
            var removed = await ListAsync(connection, tx, "DELETE FROM services WHERE service_id = @id RETURNING username",
                p => p.Add(new NpgsqlParameter<long>("id", id)), r => OssReadModels.Text(r, 0), ct);
            if (removed.Count == 0)
            {
                throw ErrorCodes.NotFoundError($"Service {id} does not exist.");
            }

            LogServiceDeleted(id, removed[0] ?? "");
            return (true, new RadiusChange([], [.. removed.OfType<string>()]));
        }, ct);
    }

    /// <summary>
    /// Binds the customer to the plan for the identity: the service with that User-Name is moved to the plan (and made
    /// ACTIVE), or created; RADIUS is written in the same operation, and a live session gets the plan's rates.
    /// </summary>
    public async Task<PlanAssignmentResult> AssignPlanAsync(long customerId, long planId, SubscriberIdentity identity, CancellationToken ct)
    {
        var username = Username(identity);
        var (service, created, change) = await ProvisionAsync(async (connection, tx) =>
        {
            ServiceRow service;
            bool created;
            // Serialise assignments of one identity, so two at once cannot both insert.
            await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtextextended('aether-service:' || @u, 0))", connection, tx))
            {
                lockCommand.Parameters.Add(new NpgsqlParameter<string>("u", username));
                await lockCommand.ExecuteNonQueryAsync(ct);
            }

            var existing = await FindServiceByUsernameAsync(connection, tx, username, ct);
            if (existing is null)
            {
                service = await InsertServiceAsync(connection, tx, customerId, planId, identity, username, ServiceStatus.Active, ct);
                created = true;
            }
            else if (existing.CustomerId != customerId)
            {
                throw ErrorCodes.ConflictError(
                    $"The subscriber identity '{username}' belongs to service {existing.ServiceId} of customer {existing.CustomerId}; delete or change that service first.");
            }
            else
            {
                await using var command = new NpgsqlCommand(
                    """
                    UPDATE services s SET plan_id = @plan, status = 'ACTIVE', circuit_id = coalesce(@circuit, s.circuit_id),
                        remote_id = coalesce(@remote, s.remote_id), updated_at = now()
                    WHERE s.service_id = @id
                    RETURNING s.service_id, s.customer_id, s.plan_id, s.circuit_id, s.remote_id, s.username, s.status, s.created_at, s.updated_at
                    """, connection, tx);
                command.Parameters.Add(new NpgsqlParameter<long>("plan", planId));
                command.Parameters.Add(NullableText("circuit", identity.CircuitId));
                command.Parameters.Add(NullableText("remote", identity.RemoteId));
                command.Parameters.Add(new NpgsqlParameter<long>("id", existing.ServiceId));
                service = (await SingleAsync(command, r => OssReadModels.ReadService(r), ct))!;
                created = false;
            }

            var change = await DesiredRadiusAsync(connection, tx, "s.service_id = @id", p => p.Add(new NpgsqlParameter<long>("id", service.ServiceId)), ct);
            LogPlanAssigned(service.ServiceId, customerId, planId, username, created);
            return ((service, created, change), change);
        }, ct);

        var rates = await ReshapeAsync(change.Write, ct);
        return new PlanAssignmentResult(service, created, rates);
    }

    /// <summary>Rewrites the RADIUS rows of one customer's services, or of every service, from the OSS tables.</summary>
    public async Task<RadiusSyncResult> SyncRadiusAsync(long? customerId, CancellationToken ct)
    {
        var change = await ProvisionAsync(async (connection, tx) =>
        {
            if (customerId is { } id)
            {
                await using var exists = new NpgsqlCommand("SELECT 1 FROM customers WHERE customer_id = @id", connection, tx);
                exists.Parameters.Add(new NpgsqlParameter<long>("id", id));
                if (await exists.ExecuteScalarAsync(ct) is null)
                {
                    throw ErrorCodes.NotFoundError($"Customer {id} does not exist.");
                }
            }

            var change = customerId is { } c
                ? await DesiredRadiusAsync(connection, tx, "s.customer_id = @customer", p => p.Add(new NpgsqlParameter<long>("customer", c)), ct)
                : await DesiredRadiusAsync(connection, tx, "TRUE", _ => { }, ct);
            return (change, change);
        }, ct);
        LogRadiusSynced(customerId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "all", change.Write.Count, change.Remove.Count);
        return new RadiusSyncResult(change.Write.Count, change.Remove.Count);
    }

    // ---- live sessions ----

    public async Task<SessionCommandResult> DisconnectAsync(string sessionId, string? cause, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(sessionId))
        {
            throw ErrorCodes.BadInput("id must not be empty.");
        }

        if (cause is not null && (cause.Length is 0 or > 64 || cause.Any(char.IsControl)))
        {
            throw ErrorCodes.BadInput("cause must be 1 to 64 printable characters, e.g. Admin-Reset.");
        }

        var control = _services.GetService<ISessionControl>()
            ?? throw ErrorCodes.UnavailableError("This server has no connection to BNG agents: sessions cannot be disconnected here.");
        try
        {
            return await control.DisconnectAsync(sessionId, cause, ct);
        }
        catch (SessionControlException ex)
        {
            throw SessionError(ex);
        }
    }

    private static ExecutionError SessionError(SessionControlException ex) => ex.Error == SessionControlError.SessionNotFound
        ? ErrorCodes.NotFoundError($"No active session {ex.SessionId}.")
        : ErrorCodes.UnavailableError($"The BNG agent of session {ex.SessionId} is not connected to any controller.");

    /// <summary>Sends the new rates to the live sessions of <paramref name="subscribers"/> whose rates differ.</summary>
    private async Task<RateChangeReport> ReshapeAsync(IReadOnlyCollection<RadiusSubscriber> subscribers, CancellationToken ct)
    {
        if (subscribers.Count == 0)
        {
            return RateChangeReport.None;
        }

        var byName = subscribers.ToDictionary(s => s.Username, StringComparer.Ordinal);
        var live = await _oss.LiveSessionsOfAsync(byName.Keys, ct);
        var targets = live.Where(l => byName[l.Username].DownloadKbps != l.DownloadKbps || byName[l.Username].UploadKbps != l.UploadKbps).ToList();
        if (targets.Count == 0)
        {
            return RateChangeReport.None;
        }

        var control = _services.GetService<ISessionControl>();
        if (control is null)
        {
            return new RateChangeReport(0, [.. targets.Select(t => new SessionFailure(t.SessionId, "This server has no connection to BNG agents."))]);
        }

        var failures = new System.Collections.Concurrent.ConcurrentBag<SessionFailure>();
        var updated = 0;
        await Parallel.ForEachAsync(targets, new ParallelOptions { MaxDegreeOfParallelism = _options.RateChangeParallelism, CancellationToken = ct },
            async (target, token) =>
            {
                var rate = byName[target.Username];
                try
                {
                    await control.ChangeRateAsync(target.SessionId, rate.DownloadKbps, rate.UploadKbps, token);
                    Interlocked.Increment(ref updated);
                }
                catch (SessionControlException ex)
                {
                    failures.Add(new SessionFailure(target.SessionId, SessionError(ex).Message));
                    LogRateChangeFailed(target.SessionId, target.Username, ex.Error.ToString());
                }
            });
        LogSessionsReshaped(updated, failures.Count);
        return new RateChangeReport(updated, [.. failures.OrderBy(f => f.SessionId, StringComparer.Ordinal)]);
    }
}
