using System.Text.Json;

namespace Aether.Lab.Tests;

/// <summary>
/// The agent is the part that must never drop a subscriber: killed under traffic it comes back with its sessions
/// and counters, and with the controller gone the subscribers it has keep forwarding and renewing while what it
/// sees is journaled and replayed.
/// </summary>
[Collection(LabCollection.Name)]
[Trait("Category", "Lab")]
public sealed class AgentResilienceLabTests
{
    private static readonly TimeSpan HopTimeout = TimeSpan.FromSeconds(45);
    private readonly LabFixture _lab;

    public AgentResilienceLabTests(LabFixture lab) => _lab = lab;

    [Fact]
    public async Task An_agent_killed_under_traffic_restarts_with_its_sessions_and_counters_and_traffic_never_stops()
    {
        const string Host = "ae-h02-1";
        var since = DateTime.UtcNow.AddSeconds(-1);
        var (dhclient, ip) = await _lab.BringOnlineAsync(Host);
        Assert.True(dhclient.ExitCode == 0, dhclient.Describe());
        var session = await SettledSessionAsync(ip, since);

        // 14 s of download at 5 Mbit/s with a report per second; the agent is killed and started again in the middle.
        var iperf = Shell.InNamespace(Host, TimeSpan.FromSeconds(60),
            "iperf3", "-c", LabProbes.Upstream, "-p", "5201", "-R", "-t", "14", "-i", "1", "-b", "5M", "-J");
        await Task.Delay(TimeSpan.FromSeconds(4));
        var nftBefore = await LabProbes.NftCountersAsync("ae-bng1", ip);
        var reportedBefore = (await LabProbes.QueryRowAsync(_lab.AetherConnectionString,
            "SELECT bytes_down FROM sessions_active WHERE session_id = @s", ("s", session)))!.Long("bytes_down");
        await Shell.RunChecked(_lab.LabScript, ["kill", "agent-bng-01"], TimeSpan.FromSeconds(20));
        await Task.Delay(TimeSpan.FromSeconds(1));
        await Shell.RunChecked(_lab.LabScript, ["start"], TimeSpan.FromSeconds(120));
        var result = await iperf;

        Assert.True(result.ExitCode == 0, "iperf3 through the restart: " + result.Describe());
        using (var doc = JsonDocument.Parse(result.Output))
        {
            var intervals = doc.RootElement.GetProperty("intervals").EnumerateArray()
                .Select(i => i.GetProperty("sum").GetProperty("bytes").GetInt64()).ToList();
            Assert.True(intervals.Count >= 13, $"{intervals.Count} one-second intervals");
            Assert.All(intervals, bytes => Assert.True(bytes > 0, "a second without traffic: " + string.Join(", ", intervals)));
        }

        // Same session, counters carried on from the kernel, not reset.
        Assert.Contains("recovered", _lab.ReadLog("agent-bng-01"), StringComparison.OrdinalIgnoreCase);
        var nftAfter = await LabProbes.NftCountersAsync("ae-bng1", ip);
        Assert.True(nftAfter.BytesDown > nftBefore.BytesDown, $"nftables counter went from {nftBefore.BytesDown} to {nftAfter.BytesDown}");
        var reported = await Poll.UntilAsync(() => LabProbes.QueryRowAsync(_lab.AetherConnectionString,
            "SELECT bytes_down FROM sessions_active WHERE session_id = @s AND bytes_down >= @b", ("s", session), ("b", nftAfter.BytesDown)),
            HopTimeout, "a counter report after the restart that continues the session's totals");
        Assert.True(reported.Long("bytes_down") > reportedBefore);
        Assert.Null(await LabProbes.QueryRowAsync(_lab.AetherConnectionString,
            "SELECT 1 FROM session_events WHERE session_id = @s AND type = 'SESSION_STOP'", ("s", session)));
    }

    [Fact]
    public async Task Without_the_controller_subscribers_keep_forwarding_and_renewing_new_ones_wait_and_the_journal_is_replayed()
    {
        // ae-h12-1 renews every ~10 s (a short-lease MAC); ae-h12-2 leaves while the controller is away; ae-h12-3
        // arrives then as a subscriber the agent has never seen (fail-closed by default: no lease).
        const string Renewing = "ae-h12-1";
        const string RenewingMac = "02:00:00:ee:00:04";
        const string Leaving = "ae-h12-2";
        const string Arriving = "ae-h12-3";
        const string ArrivingMac = "02:00:00:ef:00:06";
        var originals = new Dictionary<string, string>();
        foreach (var host in new[] { Renewing, Arriving })
        {
            originals[host] = (await Shell.InNamespace(host, TimeSpan.FromSeconds(10), "cat", "/sys/class/net/eth0/address")).Output.Trim();
            await _lab.ReleaseAsync(host);
        }
        await LabProbes.SetMacAsync(Renewing, RenewingMac);
        await LabProbes.SetMacAsync(Arriving, ArrivingMac);
        try
        {
            var since = DateTime.UtcNow.AddSeconds(-1);
            var (online, renewingIp) = await _lab.BringOnlineAsync(Renewing);
            Assert.True(online.ExitCode == 0, online.Describe());
            var renewingSession = await SettledSessionAsync(renewingIp, since);
            since = DateTime.UtcNow.AddSeconds(-1);
            var (online2, leavingIp) = await _lab.BringOnlineAsync(Leaving);
            Assert.True(online2.ExitCode == 0, online2.Describe());
            var leavingSession = await SettledSessionAsync(leavingIp, since);

            await Shell.RunChecked(_lab.LabScript, ["kill", "controller"], TimeSpan.FromSeconds(20));
            var outageStarted = DateTimeOffset.UtcNow;

            await _lab.ReleaseAsync(Leaving);
            var leftAt = DateTimeOffset.UtcNow;
            var (refused, _) = await _lab.BringOnlineAsync(Arriving, timeoutSeconds: 12);
            Assert.NotEqual(0, refused.ExitCode);
            Assert.Equal("", await LabFixture.HostAddressAsync(Arriving));

            // 25 s without a controller: the short lease renews at least twice through the agent, traffic flows.
            for (var i = 0; i < 5; i++)
            {
                var curl = await Shell.InNamespace(Renewing, TimeSpan.FromSeconds(15), "curl", "-sS", "-m", "5", $"http://{LabProbes.Upstream}/");
                Assert.True(curl.ExitCode == 0, "an existing subscriber stopped forwarding while the controller was away: " + curl.Describe());
                await Task.Delay(TimeSpan.FromSeconds(5));
            }
            var lease = await LabProbes.QueryRowAsync(_lab.KeaConnectionString,
                "SELECT expire FROM lease4 WHERE hwaddr = @mac", ("mac", Convert.FromHexString(RenewingMac.Replace(":", "", StringComparison.Ordinal))));
            Assert.NotNull(lease);
            Assert.True((DateTime)lease["expire"]! > outageStarted.UtcDateTime.AddSeconds(20),
                $"Kea's lease of {Renewing} was not renewed during the outage (expires {lease["expire"]}, outage from {outageStarted:O})");

            var restarted = DateTimeOffset.UtcNow;
            await Shell.RunChecked(_lab.LabScript, ["start-controller"], TimeSpan.FromSeconds(120));

            // The journaled SESSION_STOP arrives once, with the time it happened (not the time of the replay).
            var stop = await Poll.UntilAsync(() => LabProbes.QueryRowAsync(_lab.AetherConnectionString,
                "SELECT time, payload->>'cause' AS cause, (SELECT count(*) FROM session_events e WHERE e.session_id = @s AND e.type = 'SESSION_STOP') AS stops FROM session_events WHERE session_id = @s AND type = 'SESSION_STOP'",
                ("s", leavingSession)), HopTimeout, "the journaled SESSION_STOP after the controller came back");
            Assert.Equal("User-Request", stop.Text("cause"));
            Assert.Equal(1L, stop.Long("stops"));
            var stoppedAt = new DateTimeOffset((DateTime)stop["time"]!);
            Assert.True(stoppedAt < restarted && stoppedAt >= leftAt.AddSeconds(-15), $"stop recorded at {stoppedAt:O}; left at {leftAt:O}, controller back at {restarted:O}");
            await Poll.UntilAsync(async () => await LabProbes.QueryRowAsync(_lab.AetherConnectionString,
                "SELECT 1 FROM sessions_active WHERE session_id = @s", ("s", leavingSession)) is null ? "gone" : null, HopTimeout, "the left session out of sessions_active");
            Assert.NotNull(await LabProbes.QueryRowAsync(_lab.AetherConnectionString,
                "SELECT 1 FROM sessions_active WHERE session_id = @s", ("s", renewingSession)));

            // And the newcomer gets its lease once the controller decides again.
            var (later, laterIp) = await _lab.BringOnlineAsync(Arriving);
            Assert.True(later.ExitCode == 0 && laterIp.Length > 0, later.Describe());
        }
        finally
        {
            foreach (var (host, mac) in originals)
            {
                await LabProbes.KillHostProcessesAsync(host);
                await LabProbes.SetMacAsync(host, mac);
                await Shell.InNamespace(host, TimeSpan.FromSeconds(10), "ip", "-4", "addr", "flush", "dev", "eth0");
                File.Delete(Path.Combine(_lab.LabDir, "dhclient", host + ".leases"));
            }
            await Shell.RunAsync(_lab.LabScript, ["start-controller"], TimeSpan.FromSeconds(120));
        }
    }

    private Task<string> SettledSessionAsync(string ip, DateTime since) => LabProbes.SessionOfAsync(_lab.AetherConnectionString, ip, since, HopTimeout);
}
