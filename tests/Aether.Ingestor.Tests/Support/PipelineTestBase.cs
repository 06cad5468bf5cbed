using Aether.Events;
using Aether.Storage;
using Aether.TestUtilities;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Aether.Ingestor.Tests.Support;

/// <summary>
/// Gives each test its own database, stream, subject prefix and durable on the collection's servers, and hosts built
/// the way the controller and the standalone ingestor build theirs.
/// </summary>
public abstract class PipelineTestBase : IAsyncLifetime
{
    protected static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static int s_counter;
    private readonly List<IHost> _hosts = [];

    protected PipelineTestBase(PostgresServer postgres, NatsServer nats)
    {
        Postgres = postgres;
        Nats = nats;
        var n = Interlocked.Increment(ref s_counter);
        Name = $"t{Environment.ProcessId}_{n}";
    }

    protected PostgresServer Postgres { get; }

    protected NatsServer Nats { get; }

    protected string Name { get; }

    protected string ConnectionString { get; private set; } = "";

    protected TestLog Log { get; } = new();

    protected string StreamName => Name.ToUpperInvariant();

    protected string SubjectPrefix => $"{Name}.events";

    public virtual async Task InitializeAsync() =>
        ConnectionString = await Postgres.CreateDatabaseAsync(Name).WaitAsync(Timeout);

    public virtual async Task DisposeAsync()
    {
        foreach (var host in _hosts.ToArray())
        {
            await StopAsync(host);
        }

        NpgsqlConnection.ClearAllPools();
    }

    protected Dictionary<string, string?> Configuration(int batchSize = 500, TimeSpan? ackWait = null, bool ingest = true) => new()
    {
        ["Events:Url"] = Nats.Url,
        ["Events:StreamName"] = StreamName,
        ["Events:SubjectPrefix"] = SubjectPrefix,
        ["Events:MaxRetryDelay"] = "00:00:01",
        ["Ingestor:Enabled"] = ingest ? "true" : "false",
        ["Ingestor:Durable"] = "ingestor",
        ["Ingestor:BatchSize"] = batchSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Ingestor:MaxWait"] = "00:00:00.100",
        ["Ingestor:AckWait"] = (ackWait ?? TimeSpan.FromSeconds(30)).ToString("c", System.Globalization.CultureInfo.InvariantCulture),
        ["Ingestor:MaxRetryDelay"] = "00:00:01",
    };

    /// <summary>Starts a host with events, storage and (unless <paramref name="ingest"/> is false) the ingestor.</summary>
    protected async Task<IHost> StartHostAsync(int batchSize = 500, TimeSpan? ackWait = null, bool ingest = true)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(Configuration(batchSize, ackWait, ingest));
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(Log);
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Npgsql", LogLevel.Warning);
        builder.Logging.AddFilter("NATS", LogLevel.Warning);
        builder.Services.AddAetherEvents(builder.Configuration.GetSection("Events"));
        builder.Services.AddAetherStorage(ConnectionString);
        builder.Services.AddAetherIngestor(builder.Configuration.GetSection("Ingestor"));
        var host = builder.Build();
        _hosts.Add(host);
        await host.StartAsync().WaitAsync(Timeout);
        return host;
    }

    protected async Task StopAsync(IHost host)
    {
        if (_hosts.Remove(host))
        {
            using var cts = new CancellationTokenSource(Timeout);
            await host.StopAsync(cts.Token);
            host.Dispose();
        }
    }

    protected static async Task PublishAllAsync(IHost host, IEnumerable<AetherEvent> events)
    {
        var publisher = host.Services.GetRequiredService<IEventPublisher>();
        using var cts = new CancellationTokenSource(Timeout);
        foreach (var e in events)
        {
            await publisher.PublishAsync(e, cts.Token);
        }
    }

    protected async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    protected async Task<List<object?[]>> RowsAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    /// <summary>Polls until <paramref name="sql"/> returns <paramref name="expected"/>, failing after <see cref="Timeout"/>.</summary>
    protected async Task WaitForAsync(string sql, long expected, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Timeout);
        long actual = -1;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                actual = await ScalarAsync(sql);
                if (actual == expected)
                {
                    return;
                }
            }
            catch (NpgsqlException)
            {
                // The server may be restarting in a fault test.
            }

            await Task.Delay(100);
        }

        Assert.Fail($"'{sql}' was {actual}, expected {expected}. Log:\n{string.Join("\n", Log.Entries)}");
    }

    /// <summary>Every read model's rows as JSON text, in a stable order.</summary>
    protected async Task<Dictionary<string, List<string>>> SnapshotReadModelsAsync()
    {
        var snapshot = new Dictionary<string, List<string>>();
        foreach (var table in ReadModelRebuilder.ReadModels)
        {
            var rows = await RowsAsync($"SELECT to_jsonb(t)::text AS j FROM {table} t ORDER BY j");
            snapshot[table] = rows.Select(r => (string)r[0]!).ToList();
        }

        return snapshot;
    }

    /// <summary>Waits until the durable has nothing pending or unacknowledged.</summary>
    protected async Task WaitForConsumerDrainedAsync(IHost host, string durable = "ingestor")
    {
        var js = host.Services.GetRequiredService<NATS.Client.JetStream.INatsJSContext>();
        var deadline = DateTime.UtcNow + Timeout;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                var consumer = await js.GetConsumerAsync(StreamName, durable);
                if (consumer.Info.NumPending == 0 && consumer.Info.NumAckPending == 0)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is NATS.Client.Core.NatsException)
            {
                // NATS may be restarting in a fault test.
            }

            await Task.Delay(100);
        }

        Assert.Fail("The consumer did not drain. Log:\n" + string.Join("\n", Log.Entries));
    }

    protected static SchemaMigrator Migrator(IHost host) => host.Services.GetRequiredService<SchemaMigrator>();
}
