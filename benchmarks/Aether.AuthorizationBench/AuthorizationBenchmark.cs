using System.Diagnostics;
using System.Globalization;
using System.Net;
using Aether.Contracts.Agent.V1;
using Aether.Controller;
using Aether.Radius;
using Aether.TestUtilities;
using Google.Protobuf.WellKnownTypes;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Aether.AuthorizationBench;

/// <summary>
/// The controller's subscriber setup path in process (AuthorizeRequest → Access-Request → AuthorizeResult, then
/// SessionStarted → SESSION_START in JetStream → Ack, Accounting-Start behind it) driven by one agent stream, beside
/// the same Access-Requests sent by the same RADIUS client straight to the same FreeRADIUS at the same concurrency.
/// </summary>
internal sealed class AuthorizationBenchmark : IAsyncDisposable
{
    private const string Password = "pw";
    private const string BngId = "bench-01";
    private const uint NasPortTypeEthernet = 15;
    private const uint ServiceTypeFramed = 2;
    private static readonly TimeSpan OperationTimeout = TimeSpan.FromSeconds(30);

    // Every User-Name is accepted with the password "pw", with a plan in the reply as the lab's subscribers have.
    private const string AcceptEveryone = """
        DEFAULT	Cleartext-Password := "pw"
        	Filter-Id = "20M/10M",
        	OSS-Download-Speed = 20000,
        	OSS-Upload-Speed = 10000,
        	OSS-Download-Burst = 25000,
        	OSS-Upload-Burst = 12500

        """;

    private readonly BenchSettings _settings;
    private readonly TextWriter _out;
    private readonly PostgresServer _postgres;
    private readonly NatsServer _nats = new();
    private FreeRadiusServer _radius = new() { Users = AcceptEveryone };
    private readonly string _contentRoot = Directory.CreateTempSubdirectory("aether-authbench-").FullName;
    private WebApplication? _app;
    private GrpcChannel? _channel;
    private RadiusClient? _controllerRadius;
    private int _batch;

    public AuthorizationBenchmark(BenchSettings settings, TextWriter output)
    {
        _settings = settings;
        _out = output;
        _postgres = settings.Fsync ? new PostgresServer { Settings = new Dictionary<string, string> { ["fsync"] = "on" } } : new PostgresServer();
    }

    /// <summary>Where the controller's own log (Information, as it runs in the lab) is written.</summary>
    public string LogFile => Path.Combine(_contentRoot, "controller.log");

    public async Task<List<BenchResult>> RunAsync(CancellationToken ct)
    {
        await Task.WhenAll(_postgres.InitializeAsync(), _nats.InitializeAsync()).WaitAsync(ct);
        if (_settings.RadiusSql)
        {
            _radius = new FreeRadiusServer { Users = AcceptEveryone, Modules = new Dictionary<string, string> { ["sql"] = await RadiusDatabaseAsync(ct) } };
        }

        await _radius.InitializeAsync().WaitAsync(ct);
        await StartControllerAsync(ct);
        _out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"PostgreSQL 127.0.0.1:{_postgres.Port} (fsync {(_settings.Fsync ? "on" : "off")}), {_nats.Url}, FreeRADIUS 127.0.0.1:{_radius.AuthPort}/{_radius.AcctPort} ({(_settings.RadiusSql ? "files + rlm_sql on PostgreSQL, as in the lab" : "files")}), ingestor {(_settings.Ingestor ? "in process" : "off")}, {Environment.ProcessorCount} cores"));
        _out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{_settings.Count} subscribers per case, up to {_settings.Concurrency} in flight, {(_settings.Rate > 0 ? $"started at {_settings.Rate}/s" : "as fast as they complete")}, {_settings.Rounds} round(s); controller log ({_settings.LogLevel}): {LogFile}"));

        var radius = new RadiusClient(RadiusOptions(), NullLogger<RadiusClient>.Instance);
        await using var _ = radius;
        await using var agent = await BenchAgent.ConnectAsync(_channel!, BngId, ct);

        if (_settings.Warmup > 0)
        {
            // JIT, tiered compilation, connection pools, FreeRADIUS's threads; not reported.
            await RadiusAloneAsync(radius, _settings.Warmup, ct, paced: false);
            await ControllerAsync(agent, _settings.Warmup, ct, paced: false);
            _out.WriteLine("-- warm-up done --");
        }

        var results = new List<BenchResult>();
        for (var round = 1; round <= _settings.Rounds; round++)
        {
            results.Add(await RadiusAloneAsync(radius, _settings.Count, ct));
            results.AddRange(await ControllerAsync(agent, _settings.Count, ct));
        }

        ReportRadiusProblems();
        return results;
    }

    /// <summary>What FreeRADIUS complained about (pool exhaustion, SQL errors): why requests were rejected or dropped.</summary>
    private void ReportRadiusProblems()
    {
        var problems = _radius.Output.Split('\n')
            .Where(l => l.Contains("ERROR", StringComparison.Ordinal) || l.Contains("WARN", StringComparison.Ordinal) || l.Contains("rror:", StringComparison.Ordinal))
            .Select(l => l.Length > 40 ? l[(l.IndexOf(':', 20) + 1)..].Trim() : l)
            .GroupBy(l => System.Text.RegularExpressions.Regex.Replace(l, "[0-9]+", "N"), StringComparer.Ordinal)
            .OrderByDescending(g => g.Count())
            .Take(5)
            .ToList();
        foreach (var problem in problems)
        {
            _out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"FreeRADIUS ({problem.Count()}x): {problem.First()}"));
        }
    }

    /// <summary>
    /// A radius database with FreeRADIUS's own schema, and the lab's rlm_sql module (lab/radius/sql) pointed at it: user
    /// lookups in authorize, a radpostauth row per answer, a radacct row per accounting record, the lab's pool.
    /// </summary>
    private async Task<string> RadiusDatabaseAsync(CancellationToken ct)
    {
        var module = await File.ReadAllTextAsync(LabFile("lab/radius/sql"), ct);
        var connectionString = await _postgres.CreateDatabaseAsync("radius", ct);
        await using (var connection = new Npgsql.NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync(ct);
            var schema = await File.ReadAllTextAsync("/etc/freeradius/3.0/mods-config/sql/main/postgresql/schema.sql", ct);
            await using var command = new Npgsql.NpgsqlCommand(schema + """
                ;
                CREATE ROLE radius LOGIN PASSWORD 'radius';
                GRANT ALL ON ALL TABLES IN SCHEMA public TO radius;
                GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO radius;
                """, connection);
            await command.ExecuteNonQueryAsync(ct);
        }

        return module.Replace("${PG_PORT}", _postgres.Port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    /// <summary>A file of the repository, found above the working directory or this program.</summary>
    private static string LabFile(string relative)
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, relative);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new FileNotFoundException($"{relative} not found above {Directory.GetCurrentDirectory()} or {AppContext.BaseDirectory}");
    }

    private RadiusClientOptions RadiusOptions() => new()
    {
        Servers = [new RadiusServerEndpoint { Host = "127.0.0.1", AuthPort = _radius.AuthPort, AcctPort = _radius.AcctPort, Secret = FreeRadiusServer.Secret }],
    };

    private async Task StartControllerAsync(CancellationToken ct)
    {
        var connectionString = await _postgres.CreateDatabaseAsync("aether", ct);
        var grpcPort = PortAllocator.GetFreeTcpPort();
        var httpPort = PortAllocator.GetFreeTcpPort();
        string[] args =
        [
            $"--Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:{grpcPort}",
            "--Kestrel:Endpoints:Grpc:Protocols=Http2",
            $"--Kestrel:Endpoints:Http:Url=http://127.0.0.1:{httpPort}",
            "--Kestrel:Endpoints:Http:Protocols=Http1AndHttp2",
            $"--ConnectionStrings:Aether={connectionString}",
            "--Controller:ControllerId=bench",
            $"--Controller:SubscriberPassword={Password}",
            $"--Events:Url={_nats.Url}",
            $"--Ingestor:Enabled={(_settings.Ingestor ? "true" : "false")}",
            "--Radius:Servers:0:Host=127.0.0.1",
            $"--Radius:Servers:0:AuthPort={_radius.AuthPort.ToString(CultureInfo.InvariantCulture)}",
            $"--Radius:Servers:0:AcctPort={_radius.AcctPort.ToString(CultureInfo.InvariantCulture)}",
            $"--Radius:Servers:0:Secret={FreeRadiusServer.Secret}",
            // The levels of the controller's appsettings.json, which the lab runs with.
            $"--Logging:LogLevel:Default={_settings.LogLevel}",
            "--Logging:LogLevel:Microsoft.AspNetCore=Warning",
            "--Logging:LogLevel:Grpc=Warning",
            "--Logging:LogLevel:NATS=Warning",
        ];
        _app = ControllerApplication.Build(args, _contentRoot);
        await _app.StartAsync(ct);
        _controllerRadius = _app.Services.GetRequiredService<RadiusClient>();
        _channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
    }

    /// <summary>The baseline: the Authorizer's Access-Request, from a RADIUS client of its own, nothing else.</summary>
    private async Task<BenchResult> RadiusAloneAsync(RadiusClient radius, int count, CancellationToken ct, bool paced = true)
    {
        var batch = ++_batch;
        var latency = new LatencyRecorder(count);
        var accepted = 0;
        var nasIp = IPAddress.Loopback;
        var cpu = ProcessCpuMeter.Start("bench+controller", "freeradius", "nats-server", "postgres");
        var elapsed = await RunConcurrentAsync(count, _settings.Concurrency, paced ? _settings.Rate : 0, async (i, token) =>
        {
            var subscriber = Subscriber(batch, i);
            var started = Stopwatch.GetTimestamp();
            var request = RadiusRequest.AccessRequest($"{BngId}/{subscriber.RemoteId}/{subscriber.CircuitId}", Password)
                .Add(RadiusAttribute.FromIpv4(RadiusAttributeType.NasIpAddress, nasIp))
                .Add(RadiusAttribute.FromString(RadiusAttributeType.NasIdentifier, BngId))
                .Add(RadiusAttribute.FromString(RadiusAttributeType.NasPortId, subscriber.Interface))
                .Add(RadiusAttribute.FromUInt32(RadiusAttributeType.NasPortType, NasPortTypeEthernet))
                .Add(RadiusAttribute.FromUInt32(RadiusAttributeType.ServiceType, ServiceTypeFramed))
                .Add(RadiusAttribute.FromString(RadiusAttributeType.CallingStationId, subscriber.Mac))
                .Add(RadiusAttribute.FromString(RadiusAttributeType.CalledStationId, BngId));
            var response = await radius.AuthenticateAsync(request, token).WaitAsync(OperationTimeout, token);
            latency.Add(Stopwatch.GetElapsedTime(started));
            if (response.Code == RadiusCode.AccessAccept)
            {
                Interlocked.Increment(ref accepted);
            }
        }, ct);
        var used = ProcessCpuMeter.Format(cpu.Stop(), count, "operation");
        var result = new BenchResult("RADIUS Access-Request alone", count, accepted, elapsed, latency.Summarize(), used);
        Report(result);
        return result;
    }

    /// <summary>
    /// Subscribers through the controller: AuthorizeRequest → AuthorizeResult, then SessionStarted → Ack. Then waits
    /// for the controller's Accounting-Starts to be answered, so the next case starts on idle servers.
    /// </summary>
    private async Task<List<BenchResult>> ControllerAsync(BenchAgent agent, int count, CancellationToken ct, bool paced = true)
    {
        var batch = ++_batch;
        var authorize = new LatencyRecorder(count);
        var setup = new LatencyRecorder(count);
        var accepted = 0;
        var acked = 0;
        var radiusBefore = _controllerRadius!.Statistics.Requests;
        var cpu = ProcessCpuMeter.Start("bench+controller", "freeradius", "nats-server", "postgres");
        var elapsed = await RunConcurrentAsync(count, _settings.Concurrency, paced ? _settings.Rate : 0, async (i, token) =>
        {
            var subscriber = Subscriber(batch, i);
            var started = Stopwatch.GetTimestamp();
            var result = await agent.AuthorizeAsync(new AuthorizeRequest { RequestId = (ulong)(batch * 1_000_000L + i), Subscriber = subscriber, Xid = (uint)i })
                .WaitAsync(OperationTimeout, token);
            authorize.Add(Stopwatch.GetElapsedTime(started));
            if (!result.Accepted)
            {
                return;
            }

            Interlocked.Increment(ref accepted);
            var now = DateTimeOffset.UtcNow;
            await agent.ReportAsync(new AgentMessage
            {
                SessionStarted = new SessionStarted
                {
                    Session = new SessionState
                    {
                        SessionId = $"bench-{batch}-{i}",
                        Subscriber = subscriber,
                        Ip = Address(i),
                        Policy = result.Policy,
                        Started = Timestamp.FromDateTimeOffset(now),
                        LeaseExpires = Timestamp.FromDateTimeOffset(now.AddHours(1)),
                        Counters = new Counters(),
                    },
                    LeaseSeconds = 3600,
                    SetupSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds,
                },
            }).WaitAsync(OperationTimeout, token);
            setup.Add(Stopwatch.GetElapsedTime(started));
            Interlocked.Increment(ref acked);
        }, ct);

        // One Access-Request per subscriber and one Accounting-Start per session started.
        var drain = Stopwatch.StartNew();
        var expected = radiusBefore + count + acked;
        while (_controllerRadius.Statistics.Requests < expected && drain.Elapsed < OperationTimeout)
        {
            await Task.Delay(20, ct);
        }

        var drained = elapsed + drain.Elapsed;
        var used = ProcessCpuMeter.Format(cpu.Stop(), count, "operation");
        _out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"controller: accounting started for every session {drained.TotalSeconds:F2}s after the first request ({drain.Elapsed.TotalSeconds:F2}s after the last ack); RADIUS requests {_controllerRadius.Statistics.Requests - radiusBefore}, retransmissions {_controllerRadius.Statistics.Retransmissions}"));
        var results = new List<BenchResult>
        {
            new("controller: authorize round trip", count, accepted, elapsed, authorize.Summarize()),
            new("controller: full setup (+ SessionStarted ack)", count, acked, elapsed, setup.Summarize(), used),
        };
        foreach (var result in results)
        {
            Report(result);
        }

        return results;
    }

    private void Report(BenchResult result)
    {
        _out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{result.Name}: {result.Succeeded}/{result.Count} in {result.Elapsed.TotalSeconds:F2}s = {result.PerSecond:F0}/s; p50 {result.Latency.P50:F1} p95 {result.Latency.P95:F1} p99 {result.Latency.P99:F1} max {result.Latency.Max:F1} ms"));
        if (result.Cpu is not null)
        {
            _out.WriteLine("  " + result.Cpu);
        }
    }

    private static SubscriberIdentity Subscriber(int batch, int i) => new()
    {
        Mac = string.Create(CultureInfo.InvariantCulture, $"02:{batch & 0xff:x2}:{(i >> 16) & 0xff:x2}:{(i >> 8) & 0xff:x2}:{i & 0xff:x2}:01"),
        CircuitId = string.Create(CultureInfo.InvariantCulture, $"eth1/{batch}/{i}"),
        RemoteId = "relay-01",
        RelayId = BngId,
        Interface = "eth1",
        // One access router for all: ROUTER_UPDATE once, then the known-router check on every request.
        Giaddr = "10.1.0.1",
    };

    private static string Address(int i) => string.Create(CultureInfo.InvariantCulture, $"100.{64 + ((i >> 16) & 63)}.{(i >> 8) & 0xff}.{i & 0xff}");

    /// <summary>
    /// Runs <paramref name="count"/> operations with at most <paramref name="concurrency"/> at a time; with a
    /// <paramref name="rate"/>, operation i starts no earlier than i / rate seconds after the first.
    /// </summary>
    private static async Task<TimeSpan> RunConcurrentAsync(int count, int concurrency, double rate, Func<int, CancellationToken, Task> work, CancellationToken ct)
    {
        var next = -1;
        var stopwatch = Stopwatch.StartNew();
        var workers = new Task[Math.Min(concurrency, count)];
        for (var w = 0; w < workers.Length; w++)
        {
            workers[w] = Task.Run(async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < count)
                {
                    if (rate > 0 && TimeSpan.FromSeconds(i / rate) - stopwatch.Elapsed is { Ticks: > 0 } wait)
                    {
                        await Task.Delay(wait, ct);
                    }

                    await work(i, ct);
                }
            }, ct);
        }

        await Task.WhenAll(workers);
        return stopwatch.Elapsed;
    }

    public async ValueTask DisposeAsync()
    {
        _channel?.Dispose();
        if (_app is not null)
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await _app.StopAsync(stop.Token);
            await _app.DisposeAsync();
        }

        await _radius.DisposeAsync();
        await _nats.DisposeAsync();
        await _postgres.DisposeAsync();
        Npgsql.NpgsqlConnection.ClearAllPools();
    }
}
