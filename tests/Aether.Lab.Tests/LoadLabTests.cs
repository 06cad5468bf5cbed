using System.Text.Json;
using Xunit.Abstractions;

namespace Aether.Lab.Tests;

/// <summary>
/// The load and churn scripts themselves, small, against the running lab: the load test brings every synthetic
/// subscriber up through the agent and checks each end to end while the leases are held, beside Kea alone in the
/// same run, then releases them and checks that every session ended; the churn test finds no growth once settled.
/// </summary>
[Collection(LabCollection.Name)]
[Trait("Category", "Lab")]
public sealed class LoadLabTests(LabFixture lab, ITestOutputHelper output)
{
    private static string Script(string name) => Path.Combine(LabFixture.RepoRoot, "lab", name);

    [Fact]
    public async Task Load_test_checks_every_subscriber_end_to_end_and_reports_against_Kea_alone()
    {
        _ = lab;
        var dir = Directory.CreateTempSubdirectory("aether-load-");
        var run = await Shell.RunAsync(Script("load.sh"), ["--count", "300", "--warmup", "50", "--concurrency", "32", "--out", dir.FullName], TimeSpan.FromMinutes(8));
        output.WriteLine(run.Describe());

        Assert.True(run.ExitCode == 0, run.Describe());
        var report = await File.ReadAllTextAsync(Path.Combine(dir.FullName, "report.txt"));
        Assert.Contains("every subscriber became a session end to end, and every session ended with its RELEASE", report, StringComparison.Ordinal);
        Assert.Matches(@"ratio    Aether / Kea alone = \d+\.\d\d \(Kea's postgresql lease backend", report);
        Assert.Contains("check    300 bound: 300 sessions_active rows of the run (300 with the lease's address and MAC), 300 in both nftables sets", report, StringComparison.Ordinal);
        Assert.Contains("release  300 released: 0 sessions of the run still active, 0 addresses still in the kernel", report, StringComparison.Ordinal);

        foreach (var path in new[] { "kea", "aether" })
        {
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(dir.FullName, path + ".json")));
            var root = json.RootElement;
            Assert.Equal(300, root.GetProperty("subscribers").GetProperty("bound").GetInt64());
            Assert.True(root.GetProperty("sessionsPerSecond").GetDouble() > 0);
            var latency = root.GetProperty("latencyMs");
            Assert.True(latency.GetProperty("p50").GetDouble() <= latency.GetProperty("p99").GetDouble());
            Assert.True(File.Exists(Path.Combine(dir.FullName, path + ".html")));
        }
        // RADIUS alone, in the same run: every subscriber accepted, started and stopped, and what it cost FreeRADIUS and
        // its PostgreSQL per setup; with Kea alone's cost (Kea's PostgreSQL connection sampled), the budget line.
        Assert.Matches(@"radius\s+300 accepted\s+0 failed\s+\d+\.\d setups/s", report);
        Assert.Matches(@"cpu      RADIUS alone: FreeRADIUS \d+\.\d\d \+ its PostgreSQL \d+\.\d\d = \d+\.\d\d ms per setup", report);
        Assert.Matches(@"cpu      Kea alone: Kea and its PostgreSQL \d+\.\d\d ms per DORA", report);
        Assert.Matches(@"cpu      Aether's PostgreSQL sessions: kea \d+\.\d\d \+ radius \d+\.\d\d \+ aether \d+\.\d\d = \d+\.\d\d ms per setup; the machine \d+\.\d\d ms per setup in all", report);
        Assert.Matches(@"budget   at 80% of Kea alone \(\d+/s\) \d+ cores give \d+\.\d\d ms of CPU per setup", report);
        using (var radius = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(dir.FullName, "radius.json"))))
        {
            var r = radius.RootElement;
            Assert.Equal((300, 300, 0), (r.GetProperty("accepted").GetInt32(), r.GetProperty("stopped").GetInt32(), r.GetProperty("failed").GetInt32()));
            var cpu = r.GetProperty("cpu").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("setupMsPerSubscriber").GetDouble());
            Assert.True(cpu["freeradius"] > 0 && cpu["postgres"] > 0 && cpu["machine"] > 0, radius.RootElement.ToString());
        }

        using (var kea = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(dir.FullName, "kea.json"))))
        {
            Assert.Contains(kea.RootElement.GetProperty("processes").EnumerateArray(), p => p.GetProperty("name").GetString() == "kea-postgres");
        }

        // The Aether run sampled the processes of the path.
        using var aether = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(dir.FullName, "aether.json")));
        var sampled = aether.RootElement.GetProperty("processes").EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToList();
        Assert.Contains("agent", sampled);
        Assert.Contains("controller", sampled);
    }

    [Fact]
    public async Task Churn_test_finds_no_growth_once_settled_and_every_session_ended()
    {
        var dir = Directory.CreateTempSubdirectory("aether-churn-");
        var run = await Shell.RunAsync(Script("churn.sh"),
            ["--pool", "400", "--rate", "15", "--duration", "80", "--hold-min", "2s", "--hold-max", "8s", "--sample", "5", "--settle", "20", "--out", dir.FullName],
            TimeSpan.FromMinutes(6));
        output.WriteLine(run.Describe());

        Assert.True(run.ExitCode == 0, run.Describe());
        var report = await File.ReadAllTextAsync(Path.Combine(dir.FullName, "report.txt"));
        Assert.Contains("no growth once settled, and every session of the run ended", report, StringComparison.Ordinal);
        // The run churned: many more joins than the population held at once.
        using var churn = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(dir.FullName, "churn.json")));
        var subscribers = churn.RootElement.GetProperty("subscribers");
        Assert.True(subscribers.GetProperty("started").GetInt64() > 3 * subscribers.GetProperty("peakBound").GetInt64(), report);
        Assert.Equal(subscribers.GetProperty("bound").GetInt64(), subscribers.GetProperty("released").GetInt64());
    }
}
