using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Aether.Events;
using Aether.GraphQL;
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
using NpgsqlTypes;

namespace Aether.GraphQLBench;

internal sealed record CaseResult(
    string Name, double P50, double P95, double P99, double Max, double RequestsPerSecond, double SqlPerRequest,
    bool IsBaseline = false, bool SameAsBaseline = false);

internal sealed record GraphQLCase(string Name, string Filter, string Field, string Direction, bool SameAsBaseline = false);

internal sealed class SessionPageBenchmark : IAsyncDisposable
{
    private const string Database = "aether_bench";
    private const int PageSize = 50;

    private const string PageQuery =
        """
        query Page($filter: SessionFilter, $order: SessionOrder) {
          sessions(first: 50, filter: $filter, orderBy: $order) {
            totalCount
            pageInfo { hasNextPage endCursor }
            nodes {
              id bngId mac ip circuitId remoteId username state downloadKbps uploadKbps bytesDown bytesUp started updatedAt
              customer { id name email }
              service { id plan { id name downloadKbps uploadKbps } }
            }
          }
        }
        """;

    private static readonly GraphQLCase[] s_cases =
    [
        new("GraphQL bngId, STARTED ASC", """{ "bngId": "bng-01" }""", "STARTED", "ASC", SameAsBaseline: true),
        new("GraphQL bngId, BYTES_DOWN DESC", """{ "bngId": "bng-01" }""", "BYTES_DOWN", "DESC"),
        new("GraphQL bngId + ip \"100.65.1\", IP ASC", """{ "bngId": "bng-01", "ip": "100.65.1" }""", "IP", "ASC"),
        new("GraphQL bngId + mac \"A1:\", UPDATED_AT DESC", """{ "bngId": "bng-02", "mac": "A1:" }""", "UPDATED_AT", "DESC"),
    ];

    private readonly BenchSettings _settings;
    private readonly PostgresServer _postgres = new();
    private readonly NatsServer _nats = new();
    private WebApplication? _app;
    private HttpClient? _http;

    public SessionPageBenchmark(BenchSettings settings) => _settings = settings;

    public async Task<IReadOnlyList<CaseResult>> RunAsync(CancellationToken ct)
    {
        Console.WriteLine($"load average at the start: {(await File.ReadAllTextAsync("/proc/loadavg", ct)).Trim()}");
        await _postgres.InitializeAsync();
        await _nats.InitializeAsync();
        var connectionString = await _postgres.CreateDatabaseAsync(Database, ct);
        _app = await StartApiAsync(connectionString, _nats.Url, ct);
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _http = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(30) };

        var seeding = Stopwatch.StartNew();
        await using (var dataSource = NpgsqlDataSource.Create(connectionString))
        {
            await SeedAsync(dataSource, _settings.Sessions, ct);
            await ExplainAsync(dataSource, ct);
        }

        Console.WriteLine($"seeded {_settings.Sessions:N0} sessions in {seeding.Elapsed.TotalSeconds:F1} s; API at {address}");

        using var counter = new SqlCommandCounter(Database);
        var results = new List<CaseResult>();
        var readModel = _app.Services.GetRequiredService<SessionReadModel>();
        results.Add(await MeasureAsync("SessionReadModel bngId, started (baseline)", counter, async token =>
        {
            var page = await readModel.ListActiveAsync(new SessionFilter(BngId: "bng-01"), PageSize, null, token);
            return page.Items.Count == PageSize ? null : $"{page.Items.Count} rows";
        }, ct) with { IsBaseline = true });

        foreach (var c in s_cases)
        {
            var body = JsonSerializer.Serialize(new
            {
                query = PageQuery,
                variables = new { filter = JsonNode.Parse(c.Filter), order = new { field = c.Field, direction = c.Direction } },
            });
            var bytes = Encoding.UTF8.GetBytes(body);
            results.Add(await MeasureAsync(c.Name, counter, token => PostAsync(bytes, token), ct) with { SameAsBaseline = c.SameAsBaseline });
        }

        return results;
    }

    private async Task<CaseResult> MeasureAsync(string name, SqlCommandCounter counter, Func<CancellationToken, Task<string?>> request, CancellationToken ct)
    {
        for (var i = 0; i < _settings.Warmup; i++)
        {
            if (await request(ct) is { } problem)
            {
                throw new InvalidOperationException($"{name}: {problem}");
            }
        }

        counter.Reset();
        var latencies = new double[_settings.Requests];
        var next = -1;
        var wall = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, _settings.Concurrency).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < latencies.Length)
            {
                var start = Stopwatch.GetTimestamp();
                var problem = await request(ct);
                latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                if (problem is not null)
                {
                    throw new InvalidOperationException($"{name}: {problem}");
                }
            }
        }, ct));
        await Task.WhenAll(workers);
        wall.Stop();
        var sql = counter.Count;

        Array.Sort(latencies);
        var result = new CaseResult(name, Percentile(latencies, 0.50), Percentile(latencies, 0.95), Percentile(latencies, 0.99),
            latencies[^1], latencies.Length / wall.Elapsed.TotalSeconds, (double)sql / latencies.Length);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name}: p50 {result.P50:F2} ms, p99 {result.P99:F2} ms, {result.RequestsPerSecond:F0} req/s, {result.SqlPerRequest:F2} SQL/req"));
        return result;
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    private async Task<string?> PostAsync(byte[] body, CancellationToken ct)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await _http!.PostAsync("/graphql", content, ct);
        var payload = await response.Content.ReadAsByteArrayAsync(ct);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return $"HTTP {(int)response.StatusCode}";
        }

        using var json = JsonDocument.Parse(payload);
        if (json.RootElement.TryGetProperty("errors", out var errors))
        {
            return errors.ToString();
        }

        var nodes = json.RootElement.GetProperty("data").GetProperty("sessions").GetProperty("nodes");
        return nodes.GetArrayLength() == PageSize ? null : $"{nodes.GetArrayLength()} rows";
    }

    private static async Task<WebApplication> StartApiAsync(string connectionString, string natsUrl, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Events:Url"] = natsUrl,
            ["Events:StreamName"] = "AETHER_BENCH",
            ["Events:SubjectPrefix"] = "bench.events",
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Error);
        builder.Services.AddAetherStorage(connectionString);
        builder.Services.AddAetherEvents(builder.Configuration.GetSection("Events"));
        builder.Services.AddAetherGraphQL(builder.Configuration.GetSection("GraphQL"));
        var app = builder.Build();
        app.MapAetherGraphQL();
        await app.StartAsync(ct);
        await app.Services.GetRequiredService<SchemaMigrator>().Ready.WaitAsync(TimeSpan.FromSeconds(60), ct);
        return app;
    }

    private static async Task SeedAsync(NpgsqlDataSource dataSource, int sessions, CancellationToken ct)
    {
        var now = DateTime.UtcNow;
        var random = new Random(7);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using (var plans = new NpgsqlCommand(
            """
            INSERT INTO plans (name, download_kbps, upload_kbps, burst_kbps) VALUES
                ('Home 50', 50000, 10000, NULL), ('Home 200', 200000, 20000, 250000),
                ('Fibre 500', 500000, 100000, NULL), ('Business 1000', 1000000, 1000000, 1200000)
            """, connection))
        {
            await plans.ExecuteNonQueryAsync(ct);
        }

        long[] down = [50000, 200000, 500000, 1000000];
        long[] up = [10000, 20000, 100000, 1000000];
        await using (var copy = await connection.BeginBinaryImportAsync(
            """
            COPY sessions_active (session_id, bng_id, instance_id, mac, ip, circuit_id, remote_id, relay_id, username, interface,
                download_kbps, upload_kbps, bytes_up, bytes_down, packets_up, packets_down, started, lease_expires, updated_at,
                state, last_seq, last_time, policy_time) FROM STDIN (FORMAT BINARY)
            """, ct))
        {
            var mac = new byte[6];
            for (var i = 0; i < sessions; i++)
            {
                var bng = i % 2 == 0 ? "bng-01" : "bng-02";
                var n = i / 2;
                // Distinct addresses spread over 100.64.0.0/10 (41 is coprime with the 2^22 - 2 usable offsets).
                var offset = 1 + (uint)((long)i * 41 % 4_194_302);
                var ip = new IPAddress(BitConverter.GetBytes(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(0x6440_0000u + offset)));
                random.NextBytes(mac);
                mac[0] = (byte)((mac[0] & 0xFC) | 0x02);
                var macText = Convert.ToHexStringLower(mac).Chunk(2).Select(c => new string(c)).Aggregate((a, b) => a + ":" + b);
                var relay = $"olt-{n / 4096 + 1:D2}";
                var circuit = string.Create(CultureInfo.InvariantCulture, $"{relay} xpon 0/{n / 512 % 8}/{n / 64 % 8}:{n % 64 + 1}");
                var remote = string.Create(CultureInfo.InvariantCulture, $"cpe-{i:D7}");
                var tier = i % 4;
                var hasService = i % 10 < 4;
                var started = now.AddSeconds(-random.Next(60, 7 * 86400));
                var updated = now.AddSeconds(-random.Next(0, 60));
                var bytesDown = (long)(random.NextDouble() * 50e9);

                await copy.StartRowAsync(ct);
                await copy.WriteAsync($"{bng}-s{n:D7}", NpgsqlDbType.Text, ct);
                await copy.WriteAsync(bng, NpgsqlDbType.Text, ct);
                await copy.WriteAsync($"{bng}-i1", NpgsqlDbType.Text, ct);
                await copy.WriteAsync(macText, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(ip, NpgsqlDbType.Inet, ct);
                await copy.WriteAsync(circuit, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(remote, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(relay, NpgsqlDbType.Text, ct);
                if (hasService)
                {
                    await copy.WriteAsync($"{bng}/{remote}/{circuit}", NpgsqlDbType.Text, ct);
                }
                else
                {
                    await copy.WriteNullAsync(ct);
                }

                await copy.WriteAsync("eth1", NpgsqlDbType.Text, ct);
                await copy.WriteAsync(down[tier], NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(up[tier], NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(bytesDown / 8, NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(bytesDown, NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(bytesDown / 8 / 900, NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(bytesDown / 1200, NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(started, NpgsqlDbType.TimestampTz, ct);
                await copy.WriteAsync(updated.AddHours(12), NpgsqlDbType.TimestampTz, ct);
                await copy.WriteAsync(updated, NpgsqlDbType.TimestampTz, ct);
                await copy.WriteAsync("ACTIVE", NpgsqlDbType.Text, ct);
                await copy.WriteAsync((long)n + 1, NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(updated, NpgsqlDbType.TimestampTz, ct);
                await copy.WriteAsync(started, NpgsqlDbType.TimestampTz, ct);
            }

            await copy.CompleteAsync(ct);
        }

        // One customer and one service per session that has a User-Name (40%), on the plan matching its rates.
        await using (var provisioning = new NpgsqlCommand(
            """
            INSERT INTO customers (name, email, phone, address)
            SELECT 'Customer ' || g, 'customer' || g || '@example.net', '+44 20 7946 ' || lpad((g % 10000)::text, 4, '0'),
                   g || ' High Street'
            FROM generate_series(1, (SELECT count(*) FROM sessions_active WHERE username IS NOT NULL)) g;

            INSERT INTO services (customer_id, plan_id, circuit_id, remote_id, username)
            SELECT row_number() OVER (ORDER BY a.session_id), p.plan_id, a.circuit_id, a.remote_id, a.username
            FROM sessions_active a JOIN plans p ON p.download_kbps = a.download_kbps
            WHERE a.username IS NOT NULL;

            """, connection))
        {
            provisioning.CommandTimeout = 300;
            await provisioning.ExecuteNonQueryAsync(ct);
        }

        // As autovacuum would leave a table loaded once: statistics and the visibility map (index-only counts).
        await using (var vacuum = new NpgsqlCommand("VACUUM (ANALYZE)", connection) { CommandTimeout = 300 })
        {
            await vacuum.ExecuteNonQueryAsync(ct);
        }
    }

    // The plans PostgreSQL picks for the page queries, so a sequential scan shows in the output.
    private static async Task ExplainAsync(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        string[] queries =
        [
            "SELECT * FROM sessions_active a WHERE a.bng_id = 'bng-01' ORDER BY a.started, a.session_id LIMIT 51",
            "SELECT count(*) FROM sessions_active a WHERE a.bng_id = 'bng-01'",
            "SELECT * FROM sessions_active a WHERE a.bng_id = 'bng-01' ORDER BY a.bytes_down DESC, a.session_id DESC LIMIT 51",
            @"SELECT * FROM sessions_active a WHERE a.bng_id = 'bng-01' AND host(a.ip) LIKE '%100.65.1%' ESCAPE '\' ORDER BY a.ip, a.session_id LIMIT 51",
            @"SELECT * FROM sessions_active a WHERE a.bng_id = 'bng-02' AND a.mac ILIKE '%A1:%' ESCAPE '\' ORDER BY a.updated_at DESC, a.session_id DESC LIMIT 51",
            @"SELECT count(*) FROM sessions_active a WHERE a.bng_id = 'bng-02' AND a.mac ILIKE '%A1:%' ESCAPE '\'",
        ];
        foreach (var query in queries)
        {
            await using var command = dataSource.CreateCommand("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) " + query);
            await using var reader = await command.ExecuteReaderAsync(ct);
            Console.WriteLine(query);
            while (await reader.ReadAsync(ct))
            {
                Console.WriteLine("    " + reader.GetString(0));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _http?.Dispose();
        if (_app is not null)
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _app.StopAsync(stop.Token);
            await _app.DisposeAsync();
        }

        await _nats.DisposeAsync();
        await _postgres.DisposeAsync();
    }
}

/// <summary>Counts the round trips Npgsql makes to one database (its tracing activities; a batch is one).</summary>
internal sealed class SqlCommandCounter : IDisposable
{
    private readonly ActivityListener _listener;
    private int _count;

    public SqlCommandCounter(string database)
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = activity =>
            {
                if (activity.OperationName != "connect" && activity.TagObjects.Any(t => t.Value as string == database))
                {
                    Interlocked.Increment(ref _count);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public int Count => Volatile.Read(ref _count);

    public void Reset() => Interlocked.Exchange(ref _count, 0);

    public void Dispose() => _listener.Dispose();
}
