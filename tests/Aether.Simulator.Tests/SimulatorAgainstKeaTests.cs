using System.Globalization;
using System.Text.Json;
using Aether.Simulator.Tests.Support;
using Aether.TestUtilities;
using Xunit.Abstractions;

namespace Aether.Simulator.Tests;

/// <summary>aether-sim, the built executable, against real Kea servers in the simulator's own namespaces.</summary>
[Collection(KeaNetworkCollection.Name)]
[Trait("Category", "Namespaces")]
public sealed class SimulatorAgainstKeaTests(KeaNetwork network, ITestOutputHelper output)
{
    private static readonly TimeSpan s_runTimeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task Relay_mode_gets_a_lease_for_every_subscriber()
    {
        var report = Path.Combine(network.Directory, "relay.json");
        var leasesCsv = Path.Combine(network.Directory, "relay-leases.csv");

        var run = await KeaNetwork.RunSimulatorAsync(network.ClientNamespace,
            ["load", "--mode", "relay", "--server", KeaNetwork.RelayServer, "--giaddr", KeaNetwork.Giaddr,
             "--count", "500", "--first", "0", "--rate", "2000", "--timeout", "1s", "--release", "none",
             "--json", report, "--leases", leasesCsv, "--histogram", Path.Combine(network.Directory, "relay.html")],
            s_runTimeout);

        output.WriteLine(run.StandardOutput);
        Assert.True(run.ExitCode == 0, run.StandardOutput + run.StandardError);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(report));
        Assert.Equal(500, json.RootElement.GetProperty("subscribers").GetProperty("bound").GetInt64());
        var expected = ReadLeases(leasesCsv);
        var held = (await KeaNetwork.GetLeasesAsync(network.UdpKeaSocket)).ToDictionary(l => l.HardwareAddress);
        Assert.Equal(500, expected.Count);
        Assert.All(expected, e =>
        {
            Assert.True(held.TryGetValue(e.Mac, out var lease), $"Kea holds no lease for {e.Mac}");
            Assert.Equal(e.Ip, lease.IpAddress);
            Assert.StartsWith(KeaNetwork.RelaySubnetPrefix, lease.IpAddress, StringComparison.Ordinal);
        });
        // Kea stored the Option 82 it received (store-extended-info): circuit-id "1/0/0" is 0x01 0x05 "1/0/0".
        Assert.Contains("0105312F302F30", held[expected[0].Mac].UserContext ?? "", StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Relay_mode_releases_every_lease_at_the_end()
    {
        var leasesCsv = Path.Combine(network.Directory, "release-leases.csv");

        var run = await KeaNetwork.RunSimulatorAsync(network.ClientNamespace,
            ["load", "--mode", "relay", "--server", KeaNetwork.RelayServer, "--giaddr", KeaNetwork.Giaddr,
             "--count", "200", "--first", "100000", "--concurrency", "32", "--timeout", "1s", "--release", "end",
             "--leases", leasesCsv, "--quiet"],
            s_runTimeout);

        Assert.True(run.ExitCode == 0, run.StandardOutput + run.StandardError);
        var released = ReadLeases(leasesCsv).Select(l => l.Mac).ToHashSet();
        Assert.Equal(200, released.Count);
        var held = await KeaNetwork.GetLeasesAsync(network.UdpKeaSocket);
        Assert.DoesNotContain(held, l => released.Contains(l.HardwareAddress));
    }

    [Fact]
    public async Task Leases_are_listed_while_held_and_released_once_the_hold_until_file_appears()
    {
        var leasesCsv = Path.Combine(network.Directory, "hold-leases.csv");
        var go = Path.Combine(network.Directory, "hold-go");

        var simulator = KeaNetwork.RunSimulatorAsync(network.ClientNamespace,
            ["load", "--mode", "relay", "--server", KeaNetwork.RelayServer, "--giaddr", KeaNetwork.Giaddr,
             "--count", "200", "--first", "400000", "--concurrency", "32", "--timeout", "1s", "--release", "end",
             "--hold", "60s", "--hold-until", go, "--leases", leasesCsv, "--quiet"],
            s_runTimeout);

        // The check the lab's load script makes: every lease the simulator lists is held by the server, now.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!File.Exists(leasesCsv) && !simulator.IsCompleted && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.True(File.Exists(leasesCsv), "no leases file during the hold");
        var listed = File.ReadAllLines(leasesCsv).Skip(1).Select(line => line.Split(',')).ToList();
        var held = (await KeaNetwork.GetLeasesAsync(network.UdpKeaSocket)).ToDictionary(l => l.HardwareAddress);
        Assert.Equal(200, listed.Count);
        Assert.All(listed, f =>
        {
            Assert.Equal("bound", f[4]);
            Assert.True(held.TryGetValue(f[0], out var lease), $"Kea holds no lease for {f[0]}");
            Assert.Equal(f[3], lease.IpAddress);
        });
        Assert.False(simulator.IsCompleted, "the run ended before its hold-until file appeared");

        await File.WriteAllTextAsync(go, "");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var run = await simulator;

        Assert.True(run.ExitCode == 0, run.StandardOutput + run.StandardError);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"the run went on {clock.Elapsed} after the file appeared, with a 60 s hold");
        Assert.Contains("200 released", run.StandardOutput, StringComparison.Ordinal);
        var final = ReadLeases(leasesCsv).Select(l => l.Mac).ToHashSet();
        Assert.Equal(200, final.Count);
        Assert.All(File.ReadAllLines(leasesCsv).Skip(1), line => Assert.EndsWith(",released", line, StringComparison.Ordinal));
        // RELEASE has no answer; give the single-threaded server a moment for the last ones.
        for (int attempt = 0; attempt < 50 && (await KeaNetwork.GetLeasesAsync(network.UdpKeaSocket)).Any(l => final.Contains(l.HardwareAddress)); attempt++)
        {
            await Task.Delay(100);
        }

        Assert.DoesNotContain(await KeaNetwork.GetLeasesAsync(network.UdpKeaSocket), l => final.Contains(l.HardwareAddress));
    }

    [Fact]
    public async Task Layer2_mode_gets_a_lease_for_every_subscriber_from_a_raw_socket_server()
    {
        var report = Path.Combine(network.Directory, "l2.json");
        var leasesCsv = Path.Combine(network.Directory, "l2-leases.csv");

        var run = await KeaNetwork.RunSimulatorAsync(network.ClientNamespace,
            ["load", "--mode", "l2", "--interface", "eth1", "--count", "500", "--first", "200000",
             "--rate", "2000", "--timeout", "1s", "--release", "none", "--json", report, "--leases", leasesCsv],
            s_runTimeout);

        output.WriteLine(run.StandardOutput);
        Assert.True(run.ExitCode == 0, run.StandardOutput + run.StandardError);
        var expected = ReadLeases(leasesCsv);
        var held = (await KeaNetwork.GetLeasesAsync(network.RawKeaSocket)).ToDictionary(l => l.HardwareAddress);
        Assert.Equal(500, expected.Count);
        Assert.All(expected, e =>
        {
            Assert.True(held.TryGetValue(e.Mac, out var lease), $"Kea holds no lease for {e.Mac}");
            Assert.Equal(e.Ip, lease.IpAddress);
            Assert.StartsWith(KeaNetwork.DirectSubnetPrefix, lease.IpAddress, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Layer2_release_is_unicast_to_the_server_and_frees_the_lease()
    {
        var leasesCsv = Path.Combine(network.Directory, "l2-release.csv");

        var run = await KeaNetwork.RunSimulatorAsync(network.ClientNamespace,
            ["load", "--interface", "eth1", "--count", "100", "--first", "250000", "--release", "immediate",
             "--timeout", "1s", "--leases", leasesCsv, "--quiet"],
            s_runTimeout);

        Assert.True(run.ExitCode == 0, run.StandardOutput + run.StandardError);
        var released = ReadLeases(leasesCsv).Select(l => l.Mac).ToHashSet();
        Assert.Equal(100, released.Count);
        // RELEASE has no answer; give the single-threaded server a moment to process the last ones.
        await Task.Delay(500);
        var held = await KeaNetwork.GetLeasesAsync(network.RawKeaSocket);
        Assert.DoesNotContain(held, l => released.Contains(l.HardwareAddress));
    }

    [Fact]
    public async Task Churn_joins_and_leaves_for_its_duration_and_ends_with_nothing_held()
    {
        var report = Path.Combine(network.Directory, "churn.json");

        var run = await KeaNetwork.RunSimulatorAsync(network.ClientNamespace,
            ["churn", "--interface", "eth1", "--pool", "40", "--first", "300000", "--rate", "100", "--duration", "2s",
             "--hold-min", "100ms", "--hold-max", "400ms", "--timeout", "1s", "--json", report, "--quiet"],
            s_runTimeout);

        output.WriteLine(run.StandardOutput);
        Assert.True(run.ExitCode == 0, run.StandardOutput + run.StandardError);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(report));
        var subscribers = json.RootElement.GetProperty("subscribers");
        Assert.True(subscribers.GetProperty("bound").GetInt64() > 40, "subscribers should have joined more than once");
        Assert.Equal(subscribers.GetProperty("bound").GetInt64(), subscribers.GetProperty("released").GetInt64());
        await Task.Delay(500);
        var held = await KeaNetwork.GetLeasesAsync(network.RawKeaSocket);
        var pool = Enumerable.Range(300_000, 40).Select(Mac).ToHashSet();
        Assert.DoesNotContain(held, l => pool.Contains(l.HardwareAddress));
    }

    [Fact]
    public async Task Online_brings_a_host_up_with_dhclient()
    {
        var state = Path.Combine(network.Directory, "dhclient");

        var run = await KeaNetwork.RunSimulatorHereAsync(
            ["online", "--host", network.HostNamespace, "--interface", "eth0", "--attempts", "3", "--timeout", "20s", "--state-dir", state],
            s_runTimeout);

        output.WriteLine(run.StandardOutput);
        Assert.True(run.ExitCode == 0, run.StandardOutput + run.StandardError);
        Assert.Contains($"online {KeaNetwork.HostSubnetPrefix}", run.StandardOutput, StringComparison.Ordinal);
        var address = await ProcessRunner.RunAsync("ip", ["-n", network.HostNamespace, "-4", "-o", "addr", "show", "dev", "eth0"], TimeSpan.FromSeconds(10));
        Assert.Contains($"inet {KeaNetwork.HostSubnetPrefix}", address.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Traffic_runs_weighted_actions_in_the_host_for_a_bounded_time()
    {
        var config = Path.Combine(network.Directory, "traffic.json");
        await File.WriteAllTextAsync(config, $$"""
            {
              "duration": "3s",
              "hosts": [ "{{network.ClientNamespace}}" ],
              "sleep": { "min": "50ms", "max": "150ms" },
              "actions": [
                { "name": "web", "weight": 3, "timeout": "5s", "command": [ "curl", "-sf", "-o", "/dev/null", "{{KeaNetwork.HttpUrl}}" ] },
                { "name": "ping", "weight": 1, "timeout": "5s", "command": [ "ping", "-c", "1", "-W", "1", "{{KeaNetwork.RelayServer}}" ] }
              ]
            }
            """);
        var report = Path.Combine(network.Directory, "traffic-report.json");

        var run = await KeaNetwork.RunSimulatorHereAsync(["traffic", "--config", config, "--seed", "3", "--json", report], TimeSpan.FromMinutes(1));

        output.WriteLine(run.StandardOutput);
        Assert.True(run.ExitCode == 0, run.StandardOutput + run.StandardError);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(report));
        var actions = json.RootElement.GetProperty("actions").EnumerateArray().ToList();
        var web = actions.Single(a => a.GetProperty("action").GetString() == "web");
        Assert.True(web.GetProperty("succeeded").GetInt32() > 0);
        Assert.Equal(0, actions.Sum(a => a.GetProperty("failed").GetInt32()));
        Assert.InRange(json.RootElement.GetProperty("durationSeconds").GetDouble(), 2.5, 10);
    }

    private static string Mac(int number) =>
        string.Create(CultureInfo.InvariantCulture, $"02:5a:{(number >> 24) & 0xff:x2}:{(number >> 16) & 0xff:x2}:{(number >> 8) & 0xff:x2}:{number & 0xff:x2}");

    private static List<(string Mac, string Ip)> ReadLeases(string csv) =>
        [.. File.ReadAllLines(csv).Skip(1).Select(line => line.Split(',')).Select(f => (f[0], f[3]))];
}
