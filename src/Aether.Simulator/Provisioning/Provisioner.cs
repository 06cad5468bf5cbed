using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Bogus;

namespace Aether.Simulator.Provisioning;

/// <summary>A plan to create: rates in kbit/s, as the plans table holds them.</summary>
internal sealed record PlanSpec(string Name, long DownloadKbps, long UploadKbps, long? BurstKbps);

/// <summary>A customer and the service that ties them to a subscriber line (Option 82 circuit-id and remote-id).</summary>
internal sealed record CustomerSpec(string Name, string Email, string Phone, string Address, string Plan, string BngId, string CircuitId, string RemoteId);

/// <summary>What provisioning will create (or created).</summary>
internal sealed record ProvisioningData(IReadOnlyList<PlanSpec> Plans, IReadOnlyList<CustomerSpec> Customers);

/// <summary>
/// Generates customers with Bogus and creates plans, customers and services through the GraphQL API, which
/// writes RADIUS radcheck/radreply in the same operation. Services are keyed to lines as the access nodes label
/// them: circuit-id "1/0/&lt;n&gt;", the relay's remote-id and the BNG id, from which the API derives the RADIUS
/// User-Name "&lt;bng&gt;/&lt;remote-id&gt;/&lt;circuit-id&gt;".
/// </summary>
internal sealed partial class Provisioner(HttpClient http, Uri endpoint, string? token, ILogger logger)
{
    /// <summary>The mutations used, as web/src/graphql/schema.graphql declares them.</summary>
    internal const string CreatePlanMutation =
        "mutation CreatePlan($input: CreatePlanInput!) { createPlan(input: $input) { id name } }";

    internal const string CreateCustomerMutation =
        "mutation CreateCustomer($input: CreateCustomerInput!) { createCustomer(input: $input) { id email } }";

    internal const string CreateServiceMutation =
        "mutation CreateService($input: CreateServiceInput!) { createService(input: $input) { id } }";

    public static readonly IReadOnlyList<PlanSpec> DefaultPlans =
    [
        new("Basic 25/5", 25_000, 5_000, null),
        new("Standard 100/20", 100_000, 20_000, 120_000),
        new("Premium 500/100", 500_000, 100_000, 600_000),
    ];

    /// <summary>Deterministic for a seed: the same customers, emails and plan choices every time.</summary>
    public static ProvisioningData Generate(int customers, int seed, string bngId, string remoteId, int firstCircuit) =>
        Generate(Enumerable.Range(firstCircuit, customers).Select(n => string.Create(CultureInfo.InvariantCulture, $"1/0/{n}")).ToList(),
            seed, bngId, remoteId, DefaultPlans);

    /// <summary>
    /// One customer per circuit-id, each on a plan picked from <paramref name="plans"/> (deterministic for a seed).
    /// Emails carry the remote-id, so runs for several access nodes never collide.
    /// </summary>
    public static ProvisioningData Generate(IReadOnlyList<string> circuits, int seed, string bngId, string remoteId, IReadOnlyList<PlanSpec> plans)
    {
        var faker = new Faker("en") { Random = new Randomizer(seed) };
        var list = new List<CustomerSpec>(circuits.Count);
        for (int i = 0; i < circuits.Count; i++)
        {
            var first = faker.Name.FirstName();
            var last = faker.Name.LastName();
            list.Add(new CustomerSpec(
                $"{first} {last}",
                faker.Internet.Email(first, last, provider: "example.net", uniqueSuffix: string.Create(CultureInfo.InvariantCulture, $".{remoteId}.{i}")).ToLowerInvariant(),
                faker.Phone.PhoneNumber("+1-555-###-####"),
                faker.Address.FullAddress(),
                faker.PickRandom(plans.Select(p => p.Name)),
                bngId,
                circuits[i],
                remoteId));
        }

        return new ProvisioningData(plans, list);
    }

    /// <summary>Parses "NAME=DOWN/UP" (kbit/s), e.g. residential-20=20000/10000.</summary>
    public static bool TryParsePlan(string text, out PlanSpec plan)
    {
        plan = new PlanSpec("", 0, 0, null);
        var eq = text.LastIndexOf('=');
        if (eq <= 0)
        {
            return false;
        }
        var rates = text[(eq + 1)..].Split('/');
        if (rates.Length != 2 || !long.TryParse(rates[0], NumberStyles.None, CultureInfo.InvariantCulture, out var down)
            || !long.TryParse(rates[1], NumberStyles.None, CultureInfo.InvariantCulture, out var up) || down <= 0 || up <= 0)
        {
            return false;
        }
        plan = new PlanSpec(text[..eq].Trim(), down, up, null);
        return plan.Name.Length > 0;
    }

    internal const string PlansQuery = "{ plans { id name } }";

    public async Task<int> ProvisionAsync(ProvisioningData data, CancellationToken cancellationToken)
    {
        // Plans that exist already (an earlier run, another access node) are used as they are.
        var planIds = await ExistingPlansAsync(cancellationToken);
        foreach (var plan in data.Plans.Where(p => !planIds.ContainsKey(p.Name)))
        {
            var created = await MutateAsync(CreatePlanMutation, "createPlan", new JsonObject
            {
                ["name"] = plan.Name,
                ["downloadKbps"] = plan.DownloadKbps,
                ["uploadKbps"] = plan.UploadKbps,
                ["burstKbps"] = plan.BurstKbps,
            }, cancellationToken);
            planIds[plan.Name] = created;
        }

        int services = 0;
        foreach (var customer in data.Customers)
        {
            var customerId = await MutateAsync(CreateCustomerMutation, "createCustomer", new JsonObject
            {
                ["name"] = customer.Name,
                ["email"] = customer.Email,
                ["phone"] = customer.Phone,
                ["address"] = customer.Address,
            }, cancellationToken);
            _ = await MutateAsync(CreateServiceMutation, "createService", new JsonObject
            {
                ["customerId"] = customerId,
                ["planId"] = planIds[customer.Plan],
                ["bngId"] = customer.BngId,
                ["circuitId"] = customer.CircuitId,
                ["remoteId"] = customer.RemoteId,
            }, cancellationToken);
            services++;
            LogProvisioned(customer.Email, customer.CircuitId, customer.RemoteId, customer.Plan);
        }

        return services;
    }

    private async Task<Dictionary<string, string>> ExistingPlansAsync(CancellationToken cancellationToken)
    {
        var json = await PostAsync(new JsonObject { ["query"] = PlansQuery }, "plans", cancellationToken);
        var plans = new Dictionary<string, string>(StringComparer.Ordinal);
        if (json?["data"]?["plans"] is JsonArray list)
        {
            foreach (var plan in list)
            {
                if (plan?["name"]?.ToString() is { } name && plan["id"]?.ToString() is { } id)
                {
                    plans[name] = id;
                }
            }
        }
        return plans;
    }

    /// <summary>Posts one mutation and returns the created object's id; GraphQL errors become exceptions.</summary>
    private async Task<string> MutateAsync(string query, string field, JsonObject input, CancellationToken cancellationToken)
    {
        var json = await PostAsync(new JsonObject { ["query"] = query, ["variables"] = new JsonObject { ["input"] = input } }, field, cancellationToken);
        return json?["data"]?[field]?["id"]?.ToString()
            ?? throw new InvalidOperationException($"{field}: the response has no id: {Truncate(json?.ToJsonString() ?? "")}");
    }

    private async Task<JsonNode?> PostAsync(JsonObject body, string field, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
        {
            Content = JsonContent.Create(body, ProvisioningJsonContext.Default.JsonObject),
        };
        if (!string.IsNullOrEmpty(token))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{field}: HTTP {(int)response.StatusCode}: {Truncate(text)}");
        }

        var json = JsonNode.Parse(text);
        if (json?["errors"] is JsonArray { Count: > 0 } errors)
        {
            throw new InvalidOperationException($"{field}: {errors[0]?["message"]}");
        }

        return json;
    }

    private static string Truncate(string text) => text.Length <= 300 ? text : text[..300] + "...";

    [LoggerMessage(EventId = 500, Level = LogLevel.Information, Message = "Provisioned {Email}: circuit-id {CircuitId}, remote-id {RemoteId}, plan {Plan}")]
    private partial void LogProvisioned(string email, string circuitId, string remoteId, string plan);
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(JsonObject))]
[JsonSerializable(typeof(ProvisioningData))]
internal sealed partial class ProvisioningJsonContext : JsonSerializerContext;
