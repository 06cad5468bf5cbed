using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Aether.Events;
using Aether.GraphQL.Internal.Events;
using Aether.Storage;
using Aether.TestUtilities;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Aether.GraphQL.Tests.Support;

/// <summary>
/// The GraphQL API in process on Kestrel at 127.0.0.1:0 over a fresh OSS database, a fresh FreeRADIUS database (its real
/// PostgreSQL schema) and its own NATS subjects, with a fake <see cref="ISessionControl"/>.
/// </summary>
public sealed class GraphQLHost : IAsyncDisposable
{
    public const string OperatorKey = "op-key-0123456789abcdef";
    public const string ViewerKey = "viewer-key-0123456789abcdef";
    public const string FreeRadiusSchema = "/etc/freeradius/3.0/mods-config/sql/main/postgresql/schema.sql";

    private readonly WebApplication _app;

    private GraphQLHost(WebApplication app, Uri baseAddress, string ossDatabase, string ossConnectionString, string radiusConnectionString,
        string subjectPrefix, TestLog log, FakeSessionControl sessions)
    {
        _app = app;
        BaseAddress = baseAddress;
        OssDatabase = ossDatabase;
        OssConnectionString = ossConnectionString;
        RadiusConnectionString = radiusConnectionString;
        SubjectPrefix = subjectPrefix;
        Log = log;
        Sessions = sessions;
        Http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(20) };
    }

    public Uri BaseAddress { get; }

    public Uri WebSocketUri => new($"ws://{BaseAddress.Authority}/graphql");

    public string OssDatabase { get; }

    public string OssConnectionString { get; }

    public string RadiusConnectionString { get; }

    public string SubjectPrefix { get; }

    public TestLog Log { get; }

    public FakeSessionControl Sessions { get; }

    public HttpClient Http { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<GraphQLHost> StartAsync(PostgresServer postgres, NatsServer nats, IDictionary<string, string?>? settings = null, bool withKeys = true)
    {
        var unique = "g" + Guid.NewGuid().ToString("N")[..10];
        var oss = await postgres.CreateDatabaseAsync(unique);
        var radius = await postgres.CreateDatabaseAsync(unique + "_radius");
        await using (var connection = new NpgsqlConnection(radius))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(await File.ReadAllTextAsync(FreeRadiusSchema), connection);
            await command.ExecuteNonQueryAsync();
        }

        var prefix = unique + ".events";
        var config = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Radius"] = radius,
            ["Events:Url"] = nats.Url,
            ["Events:StreamName"] = unique.ToUpperInvariant(),
            ["Events:SubjectPrefix"] = prefix,
            ["GraphQL:ApiKeys:0:Name"] = "ops",
            ["GraphQL:ApiKeys:0:Key"] = OperatorKey,
            ["GraphQL:ApiKeys:0:Role"] = "Operator",
            ["GraphQL:ApiKeys:1:Name"] = "noc-wall",
            ["GraphQL:ApiKeys:1:Key"] = ViewerKey,
            ["GraphQL:ApiKeys:1:Role"] = "Viewer",
        };
        if (!withKeys)
        {
            foreach (var key in config.Keys.Where(k => k.StartsWith("GraphQL:ApiKeys:", StringComparison.Ordinal)).ToList())
            {
                config.Remove(key);
            }
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            config[key] = value;
        }

        var log = new TestLog();
        var sessions = new FakeSessionControl();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(config);
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Logging.AddProvider(log);
        builder.Services.AddAetherStorage(oss);
        builder.Services.AddAetherEvents(builder.Configuration.GetSection("Events"));
        builder.Services.AddAetherGraphQL(builder.Configuration.GetSection("GraphQL"));
        builder.Services.AddSingleton<ISessionControl>(sessions);
        var app = builder.Build();
        app.MapAetherGraphQL();
        await app.StartAsync();
        await app.Services.GetRequiredService<SchemaMigrator>().Ready.WaitAsync(TimeSpan.FromSeconds(60));
        await app.Services.GetRequiredService<EventHub>().Subscribed.WaitAsync(TimeSpan.FromSeconds(30));

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new GraphQLHost(app, new Uri(address), unique, oss, radius, prefix, log, sessions);
    }

    /// <summary>Publishes an event on this host's stream, as a controller would.</summary>
    public async Task PublishAsync(AetherEvent e) =>
        await Services.GetRequiredService<IEventPublisher>().PublishAsync(e, TestTimeouts.Token());

    public Task<GraphQLResponse> QueryAsync(string query, object? variables = null, string? key = null) =>
        PostAsync(new { query, variables }, key);

    public Task<GraphQLResponse> MutateAsync(string query, object? variables = null) => PostAsync(new { query, variables }, OperatorKey);

    public async Task<GraphQLResponse> PostAsync(object body, string? key = null, IDictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/graphql") { Content = JsonContent.Create(body) };
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await Http.SendAsync(request, TestTimeouts.Token());
        return await GraphQLResponse.ReadAsync(response);
    }

    public async Task ExecuteSqlAsync(string connectionString, string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(TestTimeouts.Token());
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync(TestTimeouts.Token());
    }

    public async Task<List<string>> ReadRowsAsync(string connectionString, string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(TestTimeouts.Token());
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        var rows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(TestTimeouts.Token());
        while (await reader.ReadAsync(TestTimeouts.Token()))
        {
            var fields = new string[reader.FieldCount];
            for (var i = 0; i < fields.Length; i++)
            {
                fields[i] = reader.IsDBNull(i) ? "NULL" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)!;
            }

            rows.Add(string.Join("|", fields));
        }

        return rows;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            await _app.StopAsync(stop.Token);
        }

        await _app.DisposeAsync();
    }
}

/// <summary>An HTTP GraphQL response: status and JSON body.</summary>
public sealed record GraphQLResponse(HttpStatusCode Status, JsonElement Body, string ContentType)
{
    public static async Task<GraphQLResponse> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync(TestTimeouts.Token());
        using var document = JsonDocument.Parse(text.Length == 0 ? "{}" : text);
        return new GraphQLResponse(response.StatusCode, document.RootElement.Clone(), response.Content.Headers.ContentType?.ToString() ?? "");
    }

    public JsonElement Data => Body.GetProperty("data");

    public bool HasErrors => Body.TryGetProperty("errors", out var e) && e.GetArrayLength() > 0;

    public JsonElement FirstError => Body.GetProperty("errors")[0];

    public string? FirstErrorCode => HasErrors && FirstError.TryGetProperty("extensions", out var x) && x.TryGetProperty("code", out var c) ? c.GetString() : null;

    /// <summary>Fails with the errors when there are any.</summary>
    public GraphQLResponse Ok()
    {
        Assert.True(Status == HttpStatusCode.OK && !HasErrors, $"{(int)Status}: {Body}");
        return this;
    }
}

public static class TestTimeouts
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(20);

    public static CancellationToken Token() => new CancellationTokenSource(Default).Token;
}
