using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Aether.Contracts.Agent.V1;
using Aether.Controller.Tests.Support;
using Aether.TestUtilities;
using Google.Protobuf.WellKnownTypes;

namespace Aether.Controller.Tests;

/// <summary>
/// One subscriber's setup through the real controller (authorization over FreeRADIUS, SESSION_START on JetStream,
/// the ingestor's commit to PostgreSQL), from a test agent that carries the setup's traceparent as the agent does.
/// </summary>
[Collection(ControllerCollection.Name)]
public sealed class SetupTraceTests(PostgresServer postgres, NatsServer nats, FreeRadiusServer radius) : IDisposable
{
    private readonly string _traceFile = Path.Combine(Path.GetTempPath(), $"aether-traces-{Guid.NewGuid():N}.jsonl");

    public void Dispose() => File.Delete(_traceFile);

    [Fact]
    public async Task One_setup_is_one_trace_in_the_trace_file_from_authorization_to_the_ingestor_commit()
    {
        await using var controller = await ControllerHost.StartAsync(postgres, nats.Url, radius, $"--Telemetry:TraceFile={_traceFile}");
        var setup = ActivityContext.Parse("00-" + ActivityTraceId.CreateRandom().ToHexString() + "-" + ActivitySpanId.CreateRandom().ToHexString() + "-01", null);
        var traceId = setup.TraceId.ToHexString();

        await using (var agent = await controller.ConnectAgentAsync("bng-trace"))
        {
            await RunSetupAsync(agent, Traceparent(setup), "02:00:00:00:00:01", 0.05);
        }
        var spans = await SpansAsync(traceId, "ingestor.commit");

        var authorize = Single(spans, "controller.authorize");
        var accessRequest = Single(spans, "radius.access-request");
        var report = Single(spans, "controller.report SessionStarted");
        var publish = Single(spans, "events.publish SESSION_START");
        var accounting = Single(spans, "radius.accounting-request Start");
        var commit = spans.First(s => Name(s) == "ingestor.commit");
        Assert.Equal(setup.SpanId.ToHexString(), Parent(authorize));
        Assert.Equal(Id(authorize), Parent(accessRequest));
        Assert.Equal(setup.SpanId.ToHexString(), Parent(report));
        Assert.Equal(Id(report), Parent(publish));
        Assert.Equal(Id(report), Parent(accounting));
        // A batch's commit continues the trace of its first event: SESSION_START, or the ROUTER_UPDATE the same setup announced.
        Assert.Contains(Parent(commit), spans.Where(s => Name(s).StartsWith("events.publish ", StringComparison.Ordinal)).Select(Id));
        Assert.All(spans, s => Assert.Equal("aether-controller", s.GetProperty("service").GetString()));
        Assert.Equal("alice", accessRequest.GetProperty("tags").GetProperty("aether.user_name").GetString());
        Assert.Equal("Producer", publish.GetProperty("kind").GetString());
    }

    [Fact]
    public async Task One_setup_records_the_controller_and_ingestor_instruments()
    {
        var recorded = new List<(string Name, double Value, Dictionary<string, string?> Tags)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name.StartsWith("Aether.", StringComparison.Ordinal))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var copy = new Dictionary<string, string?>();
            foreach (var tag in tags)
            {
                copy[tag.Key] = tag.Value?.ToString();
            }

            lock (recorded)
            {
                recorded.Add((instrument.Name, value, copy));
            }
        }
        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<int>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        listener.Start();
        await using var controller = await ControllerHost.StartAsync(postgres, nats.Url, radius);

        await using var agent = await controller.ConnectAgentAsync("bng-metrics");
        await RunSetupAsync(agent, traceparent: "", "02:00:00:00:00:02", setupSeconds: 0.25);
        await EventuallyAsync(() => Has(recorded, "aether.session.setup.duration"));
        listener.RecordObservableInstruments();

        List<(string Name, double Value, Dictionary<string, string?> Tags)> all;
        lock (recorded)
        {
            all = [.. recorded];
        }
        var bng = (Func<Dictionary<string, string?>, bool>)(t => t.GetValueOrDefault("bng_id") == "bng-metrics");
        Assert.Contains(all, m => m.Name == "aether.authorizations" && m.Tags["result"] == "accept");
        Assert.Contains(all, m => m.Name == "aether.radius.requests" && m.Tags["kind"] == "auth" && m.Tags["result"] == "answered" && m.Tags["server"] == "127.0.0.1");
        Assert.Contains(all, m => m.Name == "aether.radius.request.duration" && m.Tags["kind"] == "auth");
        Assert.Contains(all, m => m.Name == "aether.events.publish.duration" && m.Tags["type"] == "SESSION_START");
        Assert.Contains(all, m => m.Name == "aether.ingestor.batch.size" && m.Value >= 1);
        Assert.Contains(all, m => m.Name == "aether.ingestor.commit.duration");
        Assert.Contains(all, m => m.Name == "aether.session.start.commit.delay" && bng(m.Tags));
        Assert.Contains(all, m => m.Name == "aether.session.setup.duration" && bng(m.Tags) && m.Value >= 0.25);
        Assert.Contains(all, m => m.Name == "aether.sessions" && bng(m.Tags) && m.Tags["state"] == "active" && m.Value == 1);
        Assert.Contains(all, m => m.Name == "aether.agent.connected" && bng(m.Tags) && m.Value == 1);
        Assert.Contains(all, m => m.Name == "aether.agent.stream.queue.depth" && bng(m.Tags));
        Assert.Contains(all, m => m.Name == "aether.agent.streams" && m.Value >= 1);
        Assert.Contains(all, m => m.Name == "aether.radius.server.up" && m.Value == 1);
        Assert.Contains(all, m => m.Name == "aether.ingestor.consumer.lag");
    }

    /// <summary>What the agent sends for one DISCOVER-to-ACK: Authorize, then SessionStarted once Kea acked; waits for the controller's Ack.</summary>
    internal static async Task RunSetupAsync(FakeAgent agent, string traceparent, string mac, double setupSeconds)
    {
        var subscriber = new SubscriberIdentity { Mac = mac, CircuitId = "alice", RemoteId = "relay-01", RelayId = agent.BngId, Interface = "eth1", Giaddr = "100.64.0.1" };
        await agent.SendAsync(new AgentMessage { Traceparent = traceparent, Authorize = new AuthorizeRequest { RequestId = 1, Subscriber = subscriber, Xid = 42 } });
        var decision = await agent.NextAsync(ControllerMessage.BodyOneofCase.AuthorizeResult);
        Assert.True(decision.AuthorizeResult.Accepted, decision.AuthorizeResult.Reason);
        var now = DateTimeOffset.UtcNow;
        var seq = await agent.SendAsync(new AgentMessage
        {
            Traceparent = traceparent,
            Time = Timestamp.FromDateTimeOffset(now),
            SessionStarted = new SessionStarted
            {
                Session = new SessionState
                {
                    SessionId = Guid.NewGuid().ToString("N"),
                    Subscriber = subscriber,
                    Ip = "100.64.0.10",
                    Policy = decision.AuthorizeResult.Policy,
                    Started = Timestamp.FromDateTimeOffset(now),
                    LeaseExpires = Timestamp.FromDateTimeOffset(now.AddMinutes(10)),
                },
                LeaseSeconds = 600,
                SetupSeconds = setupSeconds,
            },
        });
        ControllerMessage ack;
        do
        {
            ack = await agent.NextAsync(ControllerMessage.BodyOneofCase.Ack);
        }
        while (ack.Ack.Seq != seq);
    }

    private static string Traceparent(ActivityContext c) => $"00-{c.TraceId.ToHexString()}-{c.SpanId.ToHexString()}-01";

    private async Task<List<JsonElement>> SpansAsync(string traceId, string last)
    {
        List<JsonElement> spans = [];
        await EventuallyAsync(() =>
        {
            spans = [.. ReadSpans().Where(s => s.GetProperty("traceId").GetString() == traceId)];
            return spans.Exists(s => Name(s) == last) && spans.Exists(s => Name(s).StartsWith("radius.accounting-request", StringComparison.Ordinal));
        });
        return spans;
    }

    private IEnumerable<JsonElement> ReadSpans()
    {
        if (!File.Exists(_traceFile))
        {
            return [];
        }

        using var stream = new FileStream(_traceFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var lines = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return [.. lines.Select(l => JsonDocument.Parse(l).RootElement.Clone())];
    }

    private static async Task EventuallyAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + ControllerHost.Timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(100);
        }
    }

    private static bool Has(List<(string Name, double Value, Dictionary<string, string?> Tags)> recorded, string name)
    {
        lock (recorded)
        {
            return recorded.Exists(r => r.Name == name);
        }
    }

    private static JsonElement Single(List<JsonElement> spans, string name) => Assert.Single(spans, s => Name(s) == name);

    private static string Name(JsonElement span) => span.GetProperty("name").GetString()!;

    private static string Id(JsonElement span) => span.GetProperty("spanId").GetString()!;

    private static string Parent(JsonElement span) => span.GetProperty("parentSpanId").GetString()!;
}
