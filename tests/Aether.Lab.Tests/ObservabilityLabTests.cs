using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Aether.Lab.Tests;

/// <summary>
/// What an operator's Prometheus and trace viewer see: /metrics on the controller, the agent and the ingestor after a
/// subscriber comes online and a request is dropped for policy; one subscriber's setup as one trace in three processes.
/// </summary>
[Collection(LabCollection.Name)]
[Trait("Category", "Lab")]
public sealed partial class ObservabilityLabTests
{
    private static readonly TimeSpan HopTimeout = TimeSpan.FromSeconds(45);
    private readonly LabFixture _lab;

    public ObservabilityLabTests(LabFixture lab) => _lab = lab;

    [Fact]
    public async Task Metrics_of_controller_agent_and_ingestor_show_a_subscriber_online_and_a_policy_drop()
    {
        const string Host = "ae-h02-2";
        var agentBefore = await ScrapeAgentAsync("ae-bng1");
        var ingestorBefore = await ScrapeAsync("http://127.0.0.1:9465/metrics");

        var (dhclient, ip) = await _lab.BringOnlineAsync(Host);
        Assert.True(dhclient.ExitCode == 0, dhclient.Describe());
        await Poll.UntilAsync(() => LabProbes.QueryRowAsync(_lab.AetherConnectionString,
            "SELECT session_id FROM sessions_active WHERE ip = @ip::inet", ("ip", ip)), HopTimeout, "the session in PostgreSQL");

        // A DHCP client straight on the load harness's port of bng-01 (trusted Option 82, none present): every
        // DISCOVER it sends is dropped by the agent as no-option-82.
        var pid = Path.Combine(_lab.LabDir, "dhclient", "observability-ld0.pid");
        var rogue = await Shell.InNamespace("ae-load", TimeSpan.FromSeconds(20), "timeout", "6", "dhclient", "-1", "-v", "-pf", pid,
            "-lf", Path.Combine(_lab.LabDir, "dhclient", "observability-ld0.leases"), "ld0");
        var discovers = DiscoverLine().Matches(rogue.Error + rogue.Output).Count;
        Assert.True(discovers > 0, "dhclient sent no DISCOVER: " + rogue.Describe());

        var sessions = (await LabProbes.QueryRowAsync(_lab.AetherConnectionString,
            "SELECT count(*) AS n FROM sessions_active WHERE bng_id = 'bng-01'"))!.Long("n");
        var agent = await ScrapeAgentAsync("ae-bng1");
        Assert.Equal(discovers, agent.Sum("aether_agent_dhcp_dropped_total", ("interface", "load0"), ("reason", "no-option-82"))
            - agentBefore.Sum("aether_agent_dhcp_dropped_total", ("interface", "load0"), ("reason", "no-option-82")));
        Assert.True(agent.Sum("aether_agent_dhcp_relayed_total", ("direction", "to-server")) - agentBefore.Sum("aether_agent_dhcp_relayed_total", ("direction", "to-server")) >= 2,
            "DISCOVER and REQUEST relayed to Kea");
        Assert.True(agent.Sum("aether_agent_dhcp_relayed_total", ("direction", "to-client")) - agentBefore.Sum("aether_agent_dhcp_relayed_total", ("direction", "to-client")) >= 2,
            "OFFER and ACK relayed to the client");
        Assert.Equal(sessions, agent.Sum("aether_agent_sessions"));
        Assert.Equal(1, agent.Sum("aether_agent_controller_connected"));
        Assert.True(agent.Sum("aether_agent_session_setup_duration_seconds_count") > agentBefore.Sum("aether_agent_session_setup_duration_seconds_count"));
        Assert.True(agent.Sum("aether_agent_kernel_batch_size_count") > 0 && agent.Sum("aether_agent_memory_usage_bytes") > 10_000_000);

        var controller = await ScrapeAsync("http://127.0.0.1:8080/metrics");
        Assert.Equal(sessions, controller.Sum("aether_sessions", ("bng_id", "bng-01"), ("state", "active")));
        Assert.Equal(2, controller.Sum("aether_agent_streams"));
        Assert.Equal(1, controller.Sum("aether_agent_connected", ("bng_id", "bng-01")));
        Assert.True(controller.Sum("aether_authorizations_total", ("result", "accept")) >= 1);
        Assert.True(controller.Sum("aether_radius_requests_total", ("kind", "auth"), ("result", "answered")) >= 1);
        Assert.Equal(1, controller.Sum("aether_radius_server_up"));
        Assert.True(controller.Sum("aether_events_publish_duration_seconds_count", ("type", "SESSION_START")) >= 1);

        var ingestor = await ScrapeAsync("http://127.0.0.1:9465/metrics");
        Assert.True(ingestor.Sum("aether_ingestor_batch_size_count") > ingestorBefore.Sum("aether_ingestor_batch_size_count"));
        Assert.True(ingestor.Sum("aether_session_setup_duration_seconds_count", ("bng_id", "bng-01")) > ingestorBefore.Sum("aether_session_setup_duration_seconds_count", ("bng_id", "bng-01")));
        Assert.True(ingestor.Has("aether_ingestor_consumer_lag"));
    }

    [Fact]
    public async Task One_subscriber_setup_is_one_trace_across_agent_controller_and_ingestor()
    {
        // A MAC the agent has no cached decision for, so that the setup includes the controller's authorization.
        const string Host = "ae-h02-3";
        const string Mac = "02:00:00:ef:00:0a";
        var original = (await Shell.InNamespace(Host, TimeSpan.FromSeconds(10), "cat", "/sys/class/net/eth0/address")).Output.Trim();
        await _lab.ReleaseAsync(Host);
        await LabProbes.SetMacAsync(Host, Mac);
        try
        {
            await FollowTraceAsync(Host, Mac);
        }
        finally
        {
            await LabProbes.KillHostProcessesAsync(Host);
            await LabProbes.SetMacAsync(Host, original);
            await Shell.InNamespace(Host, TimeSpan.FromSeconds(10), "ip", "-4", "addr", "flush", "dev", "eth0");
            File.Delete(Path.Combine(_lab.LabDir, "dhclient", Host + ".leases"));
        }
    }

    private async Task FollowTraceAsync(string host, string mac)
    {
        var (dhclient, ip) = await _lab.BringOnlineAsync(host);
        Assert.True(dhclient.ExitCode == 0, dhclient.Describe());
        var session = await Poll.UntilAsync(() => LabProbes.QueryRowAsync(_lab.AetherConnectionString,
            "SELECT session_id FROM sessions_active WHERE ip = @ip::inet AND mac = @mac", ("ip", ip), ("mac", mac)), HopTimeout, "the session in PostgreSQL");

        // The agent's setup span for this subscriber (the newest: the host may have come online before).
        var setup = await Poll.UntilAsync(async () => Spans("traces-agent-bng-01.jsonl")
            .LastOrDefault(s => s.Name == "dhcp.setup" && s.Tags.TryGetValue("aether.mac", out var tagged) && tagged == mac), HopTimeout, "the agent's dhcp.setup span");
        var traceId = setup.TraceId;

        // Each process writes its spans in batches, within half a second of their end: read until every hop is there.
        string[] expected = ["dhcp.relay DISCOVER", "dhcp.relay REQUEST", "controller.authorize", "radius.access-request",
            "controller.report SessionStarted", "events.publish SESSION_START", "ingestor.commit"];
        var deadline = DateTime.UtcNow + HopTimeout;
        List<Span> spans;
        while (true)
        {
            spans = [.. Spans("traces-agent-bng-01.jsonl").Concat(Spans("traces-controller.jsonl")).Concat(Spans("traces-ingestor.jsonl"))
                .Where(s => s.TraceId == traceId)];
            if (Array.TrueForAll(expected, name => spans.Exists(s => s.Name.StartsWith(name, StringComparison.Ordinal))) || DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(200);
        }

        foreach (var name in expected)
        {
            Assert.True(spans.Exists(s => s.Name.StartsWith(name, StringComparison.Ordinal)),
                $"no span {name} in trace {traceId}: " + string.Join(", ", spans.Select(s => $"{s.Service}:{s.Name}")));
        }
        var services = spans.Select(s => s.Service.Split('/')[0]).Distinct().Order().ToList();
        Assert.Equal(["aether-agent", "aether-controller", "aether-ingestor"], services);

        // Every span hangs off another span of the same trace, up to the agent's root.
        var ids = spans.Select(s => s.SpanId).ToHashSet(StringComparer.Ordinal);
        Assert.All(spans.Where(s => s.SpanId != setup.SpanId), s => Assert.Contains(s.ParentSpanId, ids));
        var commit = spans.First(s => s.Name == "ingestor.commit");
        // A batch's commit continues the trace of its first event (SESSION_START, or the ROUTER_UPDATE of the same setup).
        Assert.StartsWith("events.publish ", spans.Single(s => s.SpanId == commit.ParentSpanId).Name, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(session.Text("session_id")));
    }

    private sealed record Span(string TraceId, string SpanId, string ParentSpanId, string Name, string Service, Dictionary<string, string> Tags);

    private List<Span> Spans(string file)
    {
        var path = Path.Combine(_lab.LabDir, "log", file);
        if (!File.Exists(path))
        {
            return [];
        }
        var spans = new List<Span>();
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }
            try
            {
                using var doc = JsonDocument.Parse(line);
                var r = doc.RootElement;
                var tags = new Dictionary<string, string>(StringComparer.Ordinal);
                if (r.TryGetProperty("tags", out var t) && t.ValueKind == JsonValueKind.Object)
                {
                    foreach (var p in t.EnumerateObject())
                    {
                        tags[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
                    }
                }
                spans.Add(new Span(r.GetProperty("traceId").GetString()!, r.GetProperty("spanId").GetString()!,
                    r.TryGetProperty("parentSpanId", out var parent) ? parent.GetString() ?? "" : "", r.GetProperty("name").GetString()!,
                    r.GetProperty("service").GetString()!, tags));
            }
            catch (JsonException)
            {
                // A line being written right now.
            }
        }
        return spans;
    }

    private static async Task<Scrape> ScrapeAgentAsync(string bng)
    {
        var r = await Shell.InNamespace(bng, TimeSpan.FromSeconds(15), "curl", "-sf", "http://127.0.0.1:9464/metrics");
        Assert.True(r.ExitCode == 0, $"scrape of the agent in {bng}: " + r.Describe());
        return new Scrape(r.Output);
    }

    private static async Task<Scrape> ScrapeAsync(string url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        return new Scrape(await http.GetStringAsync(url));
    }

    /// <summary>Prometheus text exposition: series name, labels, value.</summary>
    private sealed partial class Scrape
    {
        private readonly List<(string Name, Dictionary<string, string> Labels, double Value)> _series = [];

        public Scrape(string text)
        {
            foreach (var line in text.Split('\n'))
            {
                if (line.Length == 0 || line[0] == '#')
                {
                    continue;
                }
                var m = SeriesLine().Match(line);
                if (!m.Success)
                {
                    continue;
                }
                var labels = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (Match l in LabelPair().Matches(m.Groups["labels"].Value))
                {
                    labels[l.Groups[1].Value] = l.Groups[2].Value;
                }
                if (double.TryParse(m.Groups["value"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                {
                    _series.Add((m.Groups["name"].Value, labels, value));
                }
            }
        }

        public bool Has(string name) => _series.Exists(s => s.Name == name);

        /// <summary>Sum of every series of that name whose labels include the ones given (0 when there is none).</summary>
        public double Sum(string name, params (string Label, string Value)[] labels) =>
            _series.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Label, out var v) && v == l.Value)).Sum(s => s.Value);

        [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})?\s+(?<value>[^\s]+)")]
        private static partial Regex SeriesLine();

        [GeneratedRegex("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"")]
        private static partial Regex LabelPair();
    }

    [GeneratedRegex("DHCPDISCOVER on ld0")]
    private static partial Regex DiscoverLine();
}
