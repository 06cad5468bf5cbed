using Aether.Storage;

namespace Aether.GraphQL.Internal.Data;

/// <summary>The batch loaders of one request (one GraphQL execution); each fetches its keys with one query.</summary>
internal sealed class DataLoaders
{
    public DataLoaders(OssReadModels oss, RadiusDatabase radius)
    {
        CustomerById = new(oss.CustomersByIdAsync);
        CustomerByUsername = new(oss.CustomersByUsernameAsync);
        PlanById = new(oss.PlansByIdAsync);
        ServiceById = new(oss.ServicesByIdAsync);
        ServiceByUsername = new(oss.ServicesByUsernameAsync);
        ServicesByCustomer = new(oss.ServicesByCustomerAsync, static () => []);
        ServiceCountByPlan = new(oss.ServiceCountsByPlanAsync);
        SessionByUsername = new(oss.SessionsByUsernameAsync);
        SessionsByCustomer = new(oss.SessionsByCustomerAsync, static () => []);
        TrafficBySession = new(oss.TrafficBySessionAsync, static () => TrafficRateRow.Idle);
        AccessRoutersByBng = new(oss.AccessRoutersByBngAsync, static () => []);
        HealthSeries = new(oss.HealthSeriesAsync, static () => []);
        RadiusProfileByCustomer = new(async (ids, ct) =>
        {
            // The customer's User-Names from the services (one query), then their rows in RADIUS (one round trip).
            var services = await oss.ServicesByCustomerAsync(ids, ct);
            var usernames = services.Values.SelectMany(l => l).Select(s => s.Username).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
            var (check, reply, groups) = await radius.ReadAsync(usernames, ct);
            var profiles = new Dictionary<long, RadiusProfile>();
            foreach (var id in ids)
            {
                var names = services.TryGetValue(id, out var list)
                    ? list.Select(s => s.Username).OfType<string>().ToHashSet(StringComparer.Ordinal)
                    : [];
                profiles[id] = new RadiusProfile(id, [.. names.Order(StringComparer.Ordinal)],
                    [.. check.Where(r => names.Contains(r.Username))],
                    [.. reply.Where(r => names.Contains(r.Username))],
                    [.. groups.Where(r => names.Contains(r.Username))]);
            }

            return profiles;
        });
    }

    public BatchLoader<long, CustomerRow> CustomerById { get; }

    public BatchLoader<string, CustomerRow> CustomerByUsername { get; }

    public BatchLoader<long, PlanRow> PlanById { get; }

    public BatchLoader<long, ServiceRow> ServiceById { get; }

    public BatchLoader<string, ServiceRow> ServiceByUsername { get; }

    public BatchLoader<long, IReadOnlyList<ServiceRow>> ServicesByCustomer { get; }

    public BatchLoader<long, int> ServiceCountByPlan { get; }

    public BatchLoader<string, ActiveSession> SessionByUsername { get; }

    public BatchLoader<long, IReadOnlyList<ActiveSession>> SessionsByCustomer { get; }

    public BatchLoader<string, TrafficRateRow> TrafficBySession { get; }

    public BatchLoader<string, IReadOnlyList<AccessRouterRow>> AccessRoutersByBng { get; }

    public BatchLoader<HealthSeriesKey, IReadOnlyList<BngHealthSampleRow>> HealthSeries { get; }

    public BatchLoader<long, RadiusProfile> RadiusProfileByCustomer { get; }
}
