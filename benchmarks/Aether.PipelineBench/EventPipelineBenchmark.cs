using System.Diagnostics;
using System.Globalization;
using Aether.Events;
using Aether.Ingestor;
using Aether.Storage;
using Aether.TestUtilities;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Npgsql;

namespace Aether.PipelineBench;

internal sealed class EventPipelineBenchmark : IAsyncDisposable
{
    private const int EventsPerSession = 10;

    private readonly BenchSettings _settings;
    private readonly NatsServer _nats = new();
    private readonly CommitCounter _commits = new();
    private readonly PostgresServer _postgres;

    public EventPipelineBenchmark(BenchSettings settings)
    {
        _settings = settings;
        _postgres = new PostgresServer
        {
            Settings = settings.Fsync
                ? new Dictionary<string, string> { ["shared_buffers"] = "512MB", ["max_wal_size"] = "4GB", ["log_min_duration_statement"] = Environment.GetEnvironmentVariable("BENCH_LOG_STATEMENTS") ?? "-1" }
                : new Dictionary<string, string> { ["shared_buffers"] = "512MB", ["max_wal_size"] = "4GB", ["fsync"] = "off", ["synchronous_commit"] = "off" },
        };
    }

    public async Task<List<BenchResult>> RunAsync(CancellationToken ct)
    {
        await _nats.InitializeAsync();
        await _postgres.InitializeAsync();
        Console.WriteLine($"nats-server {_nats.Url}, PostgreSQL 127.0.0.1:{_postgres.Port} (fsync {(_settings.Fsync ? "on" : "off")}), {_settings.InFlight} publishes in flight, {Environment.ProcessorCount} cores");

        var results = new List<BenchResult>();
        if (_settings.WriterOnly)
        {
            results.Add(await WriterOnlyAsync(_settings.Events, ct));
            return results;
        }

        // Warm-up: JIT and tiered compilation of both paths, prepared statements; not reported.
        await RawJetStreamAsync(Math.Min(_settings.Events, 20_000), ct, "WARMRAW");
        await PipelineAsync(1000, Math.Min(_settings.Events, 20_000), ct, "bench_warmup");
        Console.WriteLine("-- warm-up done --");

        results.Add(await RawJetStreamAsync(_settings.Events, ct));
        foreach (var batchSize in _settings.BatchSizes)
        {
            var events = batchSize < 100 ? _settings.SmallBatchEvents : _settings.Events;
            results.Add(await PipelineAsync(batchSize, events, ct));
            if (_settings.Drain)
            {
                results.Add(await DrainAsync(batchSize, events, ct));
            }
        }

        return results;
    }

    /// <summary>
    /// The same events published with message ids to a file-backed stream and consumed by a durable pull consumer with
    /// explicit acks, nothing else: the ceiling the pipeline is measured against.
    /// </summary>
    private async Task<BenchResult> RawJetStreamAsync(int count, CancellationToken ct, string name = "RAW")
    {
        var options = new EventStreamOptions { Url = _nats.Url, StreamName = name, SubjectPrefix = $"{name.ToLowerInvariant()}.events" };
        await using var connection = new NatsConnection(NatsOpts.Default with { Url = _nats.Url });
        var js = new NatsJSContext(connection);
        await EventStreamTopology.EnsureStreamAsync(js, options, ct);
        var consumer = await js.CreateOrUpdateConsumerAsync(name, new ConsumerConfig("raw")
        {
            AckPolicy = ConsumerConfigAckPolicy.Explicit,
            MaxAckPending = 20_000,
            FilterSubject = EventSubjects.All(options.SubjectPrefix),
        }, ct);

        var sessions = Workload(count);
        var cpu = ProcessCpuMeter.Start("bench+ingestor", "postgres", "nats-server");
        var stopwatch = Stopwatch.StartNew();
        var consuming = Task.Run(async () =>
        {
            var consumed = 0;
            while (consumed < count)
            {
                var before = consumed;
                await foreach (var msg in consumer.FetchNoWaitAsync<byte[]>(new NatsJSFetchOpts { MaxMsgs = 1000 }, cancellationToken: ct))
                {
                    await msg.AckAsync(cancellationToken: ct);
                    consumed++;
                }

                if (consumed == before)
                {
                    await Task.Delay(1, ct);
                }
            }
        }, ct);

        await ForEachSessionAsync(sessions, async (e, token) =>
        {
            var ack = await js.PublishAsync(EventSubjects.For(options, e), AetherEventJson.Serialize(e), opts: new NatsJSPubOpts { MsgId = e.MessageId }, cancellationToken: token);
            ack.EnsureSuccess();
        }, ct);
        var published = stopwatch.Elapsed;
        await consuming;
        var elapsed = stopwatch.Elapsed;
        Console.WriteLine($"raw JetStream: {ProcessCpuMeter.Format(cpu.Stop(), count, "event")}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"raw JetStream: published {count} in {published.TotalSeconds:F2}s, consumed and acked by {elapsed.TotalSeconds:F2}s"));
        return new BenchResult("raw JetStream publish+consume", count, elapsed, true);
    }

    /// <summary>The storage write path alone: events appended in batches of 1000 straight to PostgreSQL.</summary>
    private async Task<BenchResult> WriterOnlyAsync(int count, CancellationToken ct)
    {
        var connectionString = await _postgres.CreateDatabaseAsync("bench_writer", ct);
        await using var dataSource = new NpgsqlDataSourceBuilder(connectionString) { ConnectionStringBuilder = { MaxAutoPrepare = 64 } }.Build();
        await new SchemaMigrator(dataSource, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<SchemaMigrator>.Instance).MigrateAsync(ct);
        var writer = new EventLogWriter(dataSource);
        var records = Workload(count).SelectMany(s => s).Select(e => new EventRecord(
            e.BngId, e.InstanceId, (long)e.Seq, e.Type, e.Time, e.SessionId, System.Text.Encoding.UTF8.GetString(AetherEventJson.Serialize(e)))).ToList();
        var cpu = ProcessCpuMeter.Start("bench+ingestor", "postgres", "nats-server");
        var stopwatch = Stopwatch.StartNew();
        foreach (var chunk in records.Chunk(1000))
        {
            await writer.AppendAsync(chunk, ct);
        }

        var elapsed = stopwatch.Elapsed;
        Console.WriteLine($"writer only: {ProcessCpuMeter.Format(cpu.Stop(), count, "event")}");
        return new BenchResult("writer only, batches of 1000", count, elapsed, await VerifyAsync(dataSource, count, count / EventsPerSession, ct));
    }

    /// <summary>Publish through <see cref="IEventPublisher"/>, measured until the last event is committed.</summary>
    private async Task<BenchResult> PipelineAsync(int batchSize, int count, CancellationToken ct, string? name = null)
    {
        name ??= $"bench_b{batchSize}";
        var connectionString = await _postgres.CreateDatabaseAsync(name, ct);
        using var host = BuildHost(name, connectionString, batchSize, ingest: true);
        await host.StartAsync(ct);
        var committed = _commits.WhenCommittedAsync(_commits.Committed + count);
        var publisher = host.Services.GetRequiredService<JetStreamEventPublisher>();
        await publisher.EnsureStreamAsync(ct);

        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var sessions = Workload(count);
        var cpu = ProcessCpuMeter.Start("bench+ingestor", "postgres", "nats-server");
        var stopwatch = Stopwatch.StartNew();
        var publishedAt = TimeSpan.Zero;
        var publishing = ForEachSessionAsync(sessions, (e, token) => publisher.PublishAsync(e, token), ct)
            .ContinueWith(_ => publishedAt = stopwatch.Elapsed, ct, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
        await committed.WaitAsync(ct);
        var elapsed = stopwatch.Elapsed;
        var used = cpu.Stop();
        await publishing;
        var verified = await VerifyAsync(dataSource, count, sessions.Count, ct);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"pipeline batch {batchSize}: {count} events published in {publishedAt.TotalSeconds:F2}s, committed in {elapsed.TotalSeconds:F2}s, read models {(verified ? "verified" : "WRONG")}"));
        Console.WriteLine($"  {ProcessCpuMeter.Format(used, count, "event")}");
        await host.StopAsync(ct);
        return new BenchResult($"pipeline, ingestor batch {batchSize}", count, elapsed, verified);
    }

    /// <summary>The ingestor alone draining a backlog: everything published first, then the ingestor started.</summary>
    private async Task<BenchResult> DrainAsync(int batchSize, int count, CancellationToken ct)
    {
        var name = $"bench_drain{batchSize}";
        var connectionString = await _postgres.CreateDatabaseAsync(name, ct);
        var sessions = Workload(count);
        using (var publishing = BuildHost(name, connectionString, batchSize, ingest: false))
        {
            await publishing.StartAsync(ct);
            var publisher = publishing.Services.GetRequiredService<IEventPublisher>();
            await ForEachSessionAsync(sessions, (e, token) => publisher.PublishAsync(e, token), ct);
            await publishing.StopAsync(ct);
        }

        using var host = BuildHost(name, connectionString, batchSize, ingest: true);
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var committed = _commits.WhenCommittedAsync(_commits.Committed + count);
        var cpu = ProcessCpuMeter.Start("bench+ingestor", "postgres", "nats-server");
        await host.StartAsync(ct);
        var stopwatch = Stopwatch.StartNew();
        await committed.WaitAsync(ct);
        var elapsed = stopwatch.Elapsed;
        Console.WriteLine($"drain batch {batchSize}: {ProcessCpuMeter.Format(cpu.Stop(), count, "event")}");
        var verified = await VerifyAsync(dataSource, count, sessions.Count, ct);
        await host.StopAsync(ct);
        return new BenchResult($"drain backlog, ingestor batch {batchSize}", count, elapsed, verified);
    }

    private IHost BuildHost(string name, string connectionString, int batchSize, bool ingest)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Events:Url"] = _nats.Url,
            ["Events:StreamName"] = name.ToUpperInvariant(),
            ["Events:SubjectPrefix"] = $"{name}.events",
            ["Ingestor:Enabled"] = ingest ? "true" : "false",
            ["Ingestor:BatchSize"] = batchSize.ToString(CultureInfo.InvariantCulture),
            ["Ingestor:MaxAckPending"] = Math.Max(batchSize * 2, 20_000).ToString(CultureInfo.InvariantCulture),
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddSimpleConsole();
        builder.Logging.AddProvider(_commits);
        builder.Logging.AddFilter<CommitCounter>("Aether.Ingestor", LogLevel.Debug);
        builder.Services.AddAetherEvents(builder.Configuration.GetSection("Events"));
        builder.Services.AddAetherStorage(connectionString);
        builder.Services.AddAetherIngestor(builder.Configuration.GetSection("Ingestor"));
        return builder.Build();
    }

    private static async Task<bool> VerifyAsync(NpgsqlDataSource dataSource, int events, int sessions, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT (SELECT count(*) FROM session_events) = @events
               AND (SELECT count(*) FROM sessions_history) = @sessions
               AND (SELECT count(*) FROM sessions_active) = 0
               AND (SELECT count(*) FROM traffic_samples) = @sessions * 8
               AND NOT EXISTS (SELECT 1 FROM sessions_history WHERE bytes_up <> 8000)
            """);
        command.Parameters.AddWithValue("sessions", (long)sessions);
        command.Parameters.AddWithValue("events", (long)events);
        return (bool)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Sessions of START, POLICY_APPLY, 7 × SESSION_UPDATE and SESSION_STOP across 4 BNGs.</summary>
    private static List<List<AetherEvent>> Workload(int count)
    {
        var sessions = new List<List<AetherEvent>>();
        var seqs = new ulong[4];
        var t0 = DateTimeOffset.UtcNow;
        for (var n = 0; n < count / EventsPerSession; n++)
        {
            var bng = n % 4;
            var events = new List<AetherEvent>(EventsPerSession);
            var id = $"bng-{bng}-s{n}";
            var info = new SessionInfo
            {
                Mac = $"02:00:{n >> 24 & 0xff:x2}:{n >> 16 & 0xff:x2}:{n >> 8 & 0xff:x2}:{n & 0xff:x2}",
                Ip = $"100.{64 + (n >> 16 & 0x3f)}.{n >> 8 & 0xff}.{n & 0xff}",
                CircuitId = $"eth0/{bng}/{n}",
                RemoteId = $"cpe-{n}",
                DownloadKbps = 20_000,
                UploadKbps = 10_000,
                Started = t0,
            };

            AetherEvent Next(string type, int step) => new()
            {
                Type = type,
                BngId = $"bng-{bng}",
                InstanceId = "bench",
                Seq = ++seqs[bng],
                Time = t0.AddMilliseconds(n).AddSeconds(step),
                SessionId = id,
            };

            events.Add(Next(EventTypes.SessionStart, 0) with { Session = info });
            events.Add(Next(EventTypes.PolicyApply, 1) with { Session = info with { DownloadKbps = 50_000 } });
            for (var u = 1; u <= 7; u++)
            {
                events.Add(Next(EventTypes.SessionUpdate, 1 + u) with { Counters = new TrafficCounters(u * 1000, u * 4000, u * 10, u * 40) });
            }

            events.Add(Next(EventTypes.SessionStop, 9) with { Counters = new TrafficCounters(8000, 32000, 80, 320), Cause = "User-Request" });
            sessions.Add(events);
        }

        return sessions;
    }

    /// <summary>Publishes every session's events in order, <see cref="BenchSettings.InFlight"/> sessions at once.</summary>
    private Task ForEachSessionAsync(List<List<AetherEvent>> sessions, Func<AetherEvent, CancellationToken, ValueTask> publish, CancellationToken ct) =>
        Parallel.ForEachAsync(sessions, new ParallelOptions { MaxDegreeOfParallelism = _settings.InFlight, CancellationToken = ct }, async (session, token) =>
        {
            foreach (var e in session)
            {
                await publish(e, token);
            }
        });

    public async ValueTask DisposeAsync()
    {
        if (Environment.GetEnvironmentVariable("BENCH_KEEP_LOG") is { } keep)
        {
            File.Copy(_postgres.LogFile, keep, overwrite: true);
        }

        NpgsqlConnection.ClearAllPools();
        await _postgres.DisposeAsync();
        await _nats.DisposeAsync();
    }
}
