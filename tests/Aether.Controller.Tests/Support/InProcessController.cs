using System.Globalization;
using Aether.TestUtilities;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Npgsql;

namespace Aether.Controller.Tests.Support;

/// <summary>
/// The controller as the executable builds it (<see cref="ControllerApplication"/>), in process on free loopback ports,
/// with its own database, JetStream stream and subject prefix on the collection's PostgreSQL, nats-server and FreeRADIUS.
/// </summary>
internal sealed class InProcessController : IAsyncDisposable
{
    private static int s_counter;
    private readonly WebApplication _app;
    private readonly string _contentRoot;

    private InProcessController(WebApplication app, string contentRoot, string connectionString, string name, int grpcPort, string natsUrl)
    {
        _app = app;
        _contentRoot = contentRoot;
        ConnectionString = connectionString;
        Name = name;
        GrpcPort = grpcPort;
        NatsUrl = natsUrl;
    }

    public string ConnectionString { get; }

    public string Name { get; }

    public int GrpcPort { get; }

    public string GrpcUrl => $"http://127.0.0.1:{GrpcPort}";

    public string NatsUrl { get; }

    public string StreamName => Name.ToUpperInvariant();

    public string SubjectPrefix => $"{Name}.events";

    public IServiceProvider Services => _app.Services;

    /// <summary>A name for this test's database, stream and prefix, unique in the process.</summary>
    public static string NewName() => $"c{Environment.ProcessId}_{Interlocked.Increment(ref s_counter)}";

    public static async Task<InProcessController> StartAsync(PostgresServer postgres, NatsServer nats, FreeRadiusServer radius, TestLog log,
        IReadOnlyDictionary<string, string?>? settings = null, string? restartOf = null)
    {
        // A restart is another controller process on the same database and stream, with nothing in memory.
        var name = restartOf ?? NewName();
        var connectionString = restartOf is null ? await postgres.CreateDatabaseAsync(name).WaitAsync(TestTimeouts.Await) : postgres.ConnectionString(name);
        var grpcPort = PortAllocator.GetFreeTcpPort();
        var httpPort = PortAllocator.GetFreeTcpPort();
        // An empty content root: no appsettings.json with the lab's ports is read.
        var contentRoot = Directory.CreateTempSubdirectory("aether-controller-test-").FullName;
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], ContentRootPath = contentRoot, EnvironmentName = Environments.Production });
        var configuration = new Dictionary<string, string?>
        {
            ["Kestrel:Endpoints:Grpc:Url"] = $"http://127.0.0.1:{grpcPort}",
            ["Kestrel:Endpoints:Grpc:Protocols"] = "Http2",
            ["Kestrel:Endpoints:Http:Url"] = $"http://127.0.0.1:{httpPort}",
            ["ConnectionStrings:Aether"] = connectionString,
            ["Controller:ControllerId"] = "controller-test",
            // FreeRADIUS's test users file accepts alice with this password.
            ["Controller:UserNameTemplate"] = "alice",
            ["Controller:SubscriberPassword"] = "pw",
            ["GraphQL:UserNameTemplate"] = "{bng_id}/{remote_id}/{circuit_id}",
            ["Radius:Servers:0:Host"] = "127.0.0.1",
            ["Radius:Servers:0:AuthPort"] = radius.AuthPort.ToString(CultureInfo.InvariantCulture),
            ["Radius:Servers:0:AcctPort"] = radius.AcctPort.ToString(CultureInfo.InvariantCulture),
            ["Radius:Servers:0:Secret"] = FreeRadiusServer.Secret,
            ["Events:Url"] = nats.Url,
            ["Events:StreamName"] = name.ToUpperInvariant(),
            ["Events:SubjectPrefix"] = $"{name}.events",
            ["Events:MaxRetryDelay"] = "00:00:01",
            ["Ingestor:Enabled"] = "true",
            ["Ingestor:Durable"] = "ingestor",
            ["Ingestor:MaxWait"] = "00:00:00.100",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            configuration[key] = value;
        }
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(log);
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("Grpc", LogLevel.Warning);
        builder.Logging.AddFilter("Npgsql", LogLevel.Warning);
        builder.Logging.AddFilter("NATS", LogLevel.Warning);
        builder.AddAetherController();
        var app = builder.Build();
        app.MapAetherController();
        await app.StartAsync().WaitAsync(TestTimeouts.Await);
        return new InProcessController(app, contentRoot, connectionString, name, grpcPort, nats.Url);
    }

    public async Task<long> ScalarAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        var result = await command.ExecuteScalarAsync();
        return result is null or DBNull ? 0 : Convert.ToInt64(result, CultureInfo.InvariantCulture);
    }

    public async Task<object?[]?> RowAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync())
        {
            return null;
        }
        var row = new object?[reader.FieldCount];
        for (var i = 0; i < row.Length; i++)
        {
            row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
        }
        return row;
    }

    /// <summary>How many messages the event stream holds on <c>{prefix}.{bngId}.{type}</c>.</summary>
    public async Task<long> StreamCountAsync(string bngId, string type)
    {
        await using var nats = new NatsConnection(NatsOpts.Default with { Url = NatsUrl });
        var js = new NatsJSContext(nats);
        var subject = $"{SubjectPrefix}.{bngId}.{type.ToLowerInvariant()}";
        var stream = await js.GetStreamAsync(StreamName, new StreamInfoRequest { SubjectsFilter = subject }, TestTimeouts.Token());
        return stream.Info.State.Subjects is { } subjects && subjects.TryGetValue(subject, out var count) ? count : 0;
    }

    public async ValueTask DisposeAsync()
    {
        using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            await _app.StopAsync(stop.Token);
        }
        await _app.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        try
        {
            Directory.Delete(_contentRoot, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
