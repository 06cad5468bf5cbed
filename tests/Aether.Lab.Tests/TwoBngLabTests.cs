using System.Net.Http.Json;
using System.Text.Json;

namespace Aether.Lab.Tests;

/// <summary>The reference two-BNG lab: every provisioned host comes online through its own BNG and forwards.</summary>
[Collection(LabCollection.Name)]
[Trait("Category", "Lab")]
public sealed class TwoBngLabTests
{
    private static readonly TimeSpan HopTimeout = TimeSpan.FromSeconds(45);
    private readonly LabFixture _lab;

    public TwoBngLabTests(LabFixture lab) => _lab = lab;

    [Fact]
    public async Task Every_provisioned_host_gets_a_session_on_its_own_BNG_and_its_counters_grow()
    {
        using var topology = JsonDocument.Parse((await Shell.RunChecked(_lab.LabScript, ["topology"], TimeSpan.FromSeconds(30))).Output);
        var hosts = topology.RootElement.GetProperty("nodes").EnumerateArray()
            .Where(n => n.GetProperty("kind").GetString() == "host")
            .Select(n => (Name: n.GetProperty("name").GetString()!, Mac: n.GetProperty("mac").GetString()!, Bng: n.GetProperty("bngId").GetString()!))
            .ToList();
        const string Unprovisioned = "ae-h02-5";
        Assert.True(hosts.Count >= 17, "at least 8 provisioned hosts per BNG plus one without a subscription");

        await Shell.RunAsync(_lab.LabScript, ["online"], TimeSpan.FromSeconds(120));

        // The simulator's weighted random traffic (web and iperf3) from every provisioned host, for a bounded time.
        var provisioned = hosts.Where(h => h.Name != Unprovisioned).Select(h => h.Name).ToList();
        var config = Path.Combine(_lab.LabDir, "traffic-test.json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new
        {
            duration = "12s",
            hosts = provisioned,
            sleep = new { min = "200ms", max = "1s" },
            maxActionsPerHost = 50,
            actions = new object[]
            {
                new { name = "web", weight = 4, timeout = "10s", command = new[] { "curl", "-sS", "-o", "/dev/null", "--max-time", "8", "http://203.0.113.10/" } },
                new { name = "bulk", weight = 1, timeout = "10s", command = new[] { "iperf3", "-c", "203.0.113.10", "-p", "5201", "-t", "2", "-b", "5M" } },
            },
        }));
        var simulator = Path.Combine(LabFixture.RepoRoot, "src", "Aether.Simulator", "bin", "Release", "net10.0", "aether-sim.dll");
        var traffic = await Shell.RunAsync("dotnet", [simulator, "traffic", "--config", config], TimeSpan.FromSeconds(90));
        Assert.True(traffic.ExitCode == 0, "every host should get traffic through: " + traffic.Describe());

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        const string Query = "{ sessions(first: 100) { totalCount nodes { id bngId mac ip bytesUp bytesDown } } agents { bngId } bngs { id health { cpuPercent memoryBytes sessionCount } } }";
        var sessions = await Poll.UntilAsync(async () =>
        {
            var response = await http.PostAsJsonAsync(_lab.GraphQLUrl, new { query = Query });
            var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var nodes = doc.RootElement.GetProperty("data").GetProperty("sessions").GetProperty("nodes").EnumerateArray().ToList();
            // Counters arrive with the agents' counter sweep (every 10 s).
            var grown = hosts.Where(h => h.Name != Unprovisioned).All(h => nodes.Any(n =>
                n.GetProperty("mac").GetString() == h.Mac && n.GetProperty("bngId").GetString() == h.Bng
                && n.GetProperty("bytesUp").GetInt64() > 0 && n.GetProperty("bytesDown").GetInt64() > 0));
            // Both BNGs report health (every 5 s in the lab) and it reaches the read models.
            var healthy = doc.RootElement.GetProperty("data").GetProperty("bngs").EnumerateArray()
                .Count(b => b.GetProperty("health").ValueKind == JsonValueKind.Object && b.GetProperty("health").GetProperty("memoryBytes").GetInt64() > 0);
            return grown && healthy >= 2 ? doc : null;
        }, HopTimeout, "a session with growing counters for every provisioned host, and health from both BNGs");
        using (sessions)
        {
            var nodes = sessions.RootElement.GetProperty("data").GetProperty("sessions").GetProperty("nodes").EnumerateArray().ToList();
            var unprovisionedMac = hosts.Single(h => h.Name == Unprovisioned).Mac;
            Assert.DoesNotContain(nodes, n => n.GetProperty("mac").GetString() == unprovisionedMac);
            Assert.Contains(nodes, n => n.GetProperty("bngId").GetString() == "bng-01");
            Assert.Contains(nodes, n => n.GetProperty("bngId").GetString() == "bng-02");
            var agents = sessions.RootElement.GetProperty("data").GetProperty("agents").EnumerateArray().Select(a => a.GetProperty("bngId").GetString()).Order().ToList();
            Assert.Equal(["bng-01", "bng-02"], agents);
        }
    }
}
