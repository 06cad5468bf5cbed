using System.Globalization;
using System.Text.Json;
using Xunit.Abstractions;

namespace Aether.Lab.Tests;

/// <summary>
/// The BNG data plane with real subscribers: shaping measured with iperf3, counters against the hosts' own
/// interface statistics, and every way a session ends (release, lease expiry, idle timeout, address change),
/// each with its final counters in the event log and in FreeRADIUS's radacct.
/// </summary>
[Collection(LabCollection.Name)]
[Trait("Category", "Lab")]
public sealed class DataPlaneLabTests
{
    private const int EthernetHeader = 14;
    private static readonly TimeSpan HopTimeout = TimeSpan.FromSeconds(45);
    private readonly LabFixture _lab;
    private readonly ITestOutputHelper _output;
    private DateTime _onlineSince;

    public DataPlaneLabTests(LabFixture lab, ITestOutputHelper output)
    {
        _lab = lab;
        _output = output;
    }

    [Fact]
    public async Task Iperf3_measures_each_direction_within_10_percent_of_the_RADIUS_rate()
    {
        // ae-h01-2 is on relay-01: plan residential-20, 20 Mbit/s down and 10 Mbit/s up.
        const string Host = "ae-h01-2";
        var ip = await OnlineAsync(Host);

        // TCP goodput: HTB counts whole frames, so the payload rate sits a few percent under the class rate.
        var down = await IperfAsync(Host, reverse: true, seconds: 6);
        var up = await IperfAsync(Host, reverse: false, seconds: 6);

        _output.WriteLine($"iperf3 {Host}: download {down / 1e6:0.00} Mbit/s (RADIUS 20), upload {up / 1e6:0.00} Mbit/s (RADIUS 10)");
        AssertWithin(20_000_000, down, 0.10, $"download of {Host} ({ip})");
        AssertWithin(10_000_000, up, 0.10, $"upload of {Host} ({ip})");
    }

    [Fact]
    public async Task Session_counters_match_the_bytes_of_a_test_flow_within_1_percent()
    {
        const string Host = "ae-h01-3";
        var ip = await OnlineAsync(Host);
        var session = await ActiveSessionAsync(ip);
        var before = await LabProbes.InterfaceStatsAsync(Host);
        var nftBefore = await LabProbes.NftCountersAsync("ae-bng1", ip);

        await IperfAsync(Host, reverse: false, seconds: 0, bytes: "6M");
        await IperfAsync(Host, reverse: true, seconds: 0, bytes: "12M");

        // iperf3 is done when its data is written: the shaped upload is still leaving the socket buffer.
        var after = await LabProbes.QuietInterfaceStatsAsync(Host);
        // What left and reached the host as IP packets (the BNG counts IP lengths; the host counts frames).
        var hostUp = after.TxBytes - before.TxBytes - EthernetHeader * (after.TxPackets - before.TxPackets);
        var hostDown = after.RxBytes - before.RxBytes - EthernetHeader * (after.RxPackets - before.RxPackets);
        // iperf3 -n ends when the sender has written its bytes; what was still queued is dropped at close, so the
        // host's own interface counters, not the iperf3 byte count, are the reference.
        Assert.True(hostUp > 3_000_000 && hostDown > 10_000_000, $"the flow itself: up {hostUp}, down {hostDown}");

        var nft = await LabProbes.NftCountersAsync("ae-bng1", ip);
        AssertWithin(hostUp, nft.BytesUp - nftBefore.BytesUp, 0.01, "nftables upload counter");
        AssertWithin(hostDown, nft.BytesDown - nftBefore.BytesDown, 0.01, "nftables download counter");

        // The agent's next counter sweep carries them to the controller and the read model (SESSION_UPDATE).
        var reported = await Poll.UntilAsync(() => LabProbes.QueryRowAsync(_lab.AetherConnectionString,
            "SELECT bytes_up, bytes_down FROM sessions_active WHERE session_id = @s AND bytes_down >= @d",
            ("s", session), ("d", nft.BytesDown)), HopTimeout, "a counter sweep with the flow in it");
        _output.WriteLine($"flow {Host}: host up {hostUp} down {hostDown} B; nftables up {nft.BytesUp - nftBefore.BytesUp} down {nft.BytesDown - nftBefore.BytesDown} B; " +
            $"reported up {reported.Long("bytes_up") - nftBefore.BytesUp} down {reported.Long("bytes_down") - nftBefore.BytesDown} B");
        AssertWithin(hostUp, reported.Long("bytes_up") - nftBefore.BytesUp, 0.01, "reported upload");
        AssertWithin(hostDown, reported.Long("bytes_down") - nftBefore.BytesDown, 0.01, "reported download");
    }

    [Fact]
    public async Task Release_ends_the_session_with_its_final_counters_in_the_event_log_and_radacct()
    {
        const string Host = "ae-h01-4";
        var ip = await OnlineAsync(Host);
        var session = await ActiveSessionAsync(ip);
        await CurlAsync(Host);
        var nft = await LabProbes.NftCountersAsync("ae-bng1", ip);

        await _lab.ReleaseAsync(Host);

        var stop = await StopEventAsync(session);
        Assert.Equal("User-Request", stop.Cause);
        Assert.True(stop.BytesUp >= nft.BytesUp && stop.BytesDown >= nft.BytesDown && nft.BytesDown > 0,
            $"final counters {stop.BytesUp}/{stop.BytesDown} against nftables {nft.BytesUp}/{nft.BytesDown}");
        await AssertKernelStateGoneAsync("ae-bng1", ip);
        var radacct = await RadacctStopAsync(session);
        Assert.Equal("User-Request", radacct.Text("acctterminatecause"));
        Assert.Equal(stop.BytesUp, radacct.Long("acctinputoctets"));
        Assert.Equal(stop.BytesDown, radacct.Long("acctoutputoctets"));
    }

    [Fact]
    public async Task Lease_expiry_ends_the_session_when_the_client_stops_renewing()
    {
        // Kea gives MACs under 02:00:00:ee short leases (lab.env SHORT_LEASE_SECONDS, 20 s).
        const string Host = "ae-h11-4";
        const string Mac = "02:00:00:ee:00:01";
        await using var _ = await TestMacAsync(Host, Mac);
        var ip = await OnlineAsync(Host);
        var session = await ActiveSessionAsync(ip);
        await CurlAsync(Host);

        // The client vanishes without a DHCPRELEASE: nothing renews the lease.
        await LabProbes.KillHostProcessesAsync(Host);

        var stop = await StopEventAsync(session, TimeSpan.FromSeconds(60));
        Assert.Equal("Session-Timeout", stop.Cause);
        Assert.True(stop.BytesUp > 0 && stop.BytesDown > 0, $"final counters {stop.BytesUp}/{stop.BytesDown}");
        await AssertKernelStateGoneAsync("ae-bng2", ip);
        Assert.Equal("Session-Timeout", (await RadacctStopAsync(session)).Text("acctterminatecause"));
    }

    [Fact]
    public async Task Idle_Timeout_from_RADIUS_ends_a_session_without_traffic()
    {
        const string Host = "ae-h11-3";
        const string User = "bng-02/relay-11/1/0/3";
        const string Mac = "02:00:00:ef:00:02";
        await LabProbes.ExecuteAsync(_lab.RadiusConnectionString,
            "INSERT INTO radreply (username, attribute, op, value) VALUES (@u, 'Idle-Timeout', ':=', '12')", ("u", User));
        try
        {
            // A MAC the agent has no cached decision for: the Access-Request sees the Idle-Timeout.
            await using var _ = await TestMacAsync(Host, Mac);
            var ip = await OnlineAsync(Host);
            var session = await ActiveSessionAsync(ip);

            var stop = await StopEventAsync(session, TimeSpan.FromSeconds(60));
            Assert.Equal("Idle-Timeout", stop.Cause);
            await AssertKernelStateGoneAsync("ae-bng2", ip);
            Assert.Equal("Idle-Timeout", (await RadacctStopAsync(session)).Text("acctterminatecause"));
        }
        finally
        {
            await LabProbes.ExecuteAsync(_lab.RadiusConnectionString,
                "DELETE FROM radreply WHERE username = @u AND attribute = 'Idle-Timeout'", ("u", User));
        }
    }

    [Fact]
    public async Task A_new_address_for_the_same_subscriber_ends_the_old_session_and_starts_a_new_one()
    {
        const string Host = "ae-h11-2";
        const string Mac = "02:00:00:ef:00:03";
        const string NewIp = "100.64.1.240";
        await using var _ = await TestMacAsync(Host, Mac);
        var oldIp = await OnlineAsync(Host);
        var oldSession = await ActiveSessionAsync(oldIp);
        await CurlAsync(Host);

        // Kea moves the client: its lease is now for another address, and the client starts over without one.
        await LabProbes.KillHostProcessesAsync(Host);
        await Shell.InNamespace(Host, TimeSpan.FromSeconds(10), "ip", "-4", "addr", "flush", "dev", "eth0");
        File.Delete(Path.Combine(_lab.LabDir, "dhclient", Host + ".leases"));
        Assert.Equal(0, (await LabProbes.KeaCommandAsync("lease4-del", new Dictionary<string, object> { ["ip-address"] = oldIp })).GetProperty("result").GetInt32());
        var add = await LabProbes.KeaCommandAsync("lease4-add", new Dictionary<string, object> { ["ip-address"] = NewIp, ["hw-address"] = Mac, ["subnet-id"] = 2 });
        Assert.True(add.GetProperty("result").GetInt32() == 0, add.GetRawText());
        var newIp = await OnlineAsync(Host);

        Assert.Equal(NewIp, newIp);
        var stop = await StopEventAsync(oldSession);
        Assert.Equal("NAS-Request", stop.Cause);
        Assert.True(stop.BytesDown > 0, "final counters of the old session");
        var newSession = await ActiveSessionAsync(newIp);
        Assert.NotEqual(oldSession, newSession);
        await AssertKernelStateGoneAsync("ae-bng2", oldIp);
        Assert.True((await LabProbes.NftCountersAsync("ae-bng2", newIp)).BytesUp >= 0, "the new address is in the kernel");
    }

    private async Task<string> OnlineAsync(string host)
    {
        // Sessions of this DHCP exchange, not one that a release just before is ending (Kea may give the same address).
        _onlineSince = DateTime.UtcNow.AddSeconds(-1);
        var (dhclient, ip) = await _lab.BringOnlineAsync(host);
        Assert.True(dhclient.ExitCode == 0 && ip.Length > 0, $"{host} got no lease: " + dhclient.Describe());
        return ip;
    }

    /// <summary>The active session for the address that the last <see cref="OnlineAsync"/> started.</summary>
    private Task<string> ActiveSessionAsync(string ip) => LabProbes.SessionOfAsync(_lab.AetherConnectionString, ip, _onlineSince, HopTimeout);

    private async Task<(string Cause, long BytesUp, long BytesDown)> StopEventAsync(string session, TimeSpan? timeout = null)
    {
        var row = await Poll.UntilAsync(() => LabProbes.QueryRowAsync(_lab.AetherConnectionString,
            """
            SELECT payload->>'cause' AS cause,
                   coalesce((payload->'counters'->>'bytes_up')::bigint, 0) AS bytes_up,
                   coalesce((payload->'counters'->>'bytes_down')::bigint, 0) AS bytes_down,
                   (SELECT count(*) FROM session_events e WHERE e.session_id = @s AND e.type = 'SESSION_STOP') AS stops
            FROM session_events WHERE session_id = @s AND type = 'SESSION_STOP'
            """, ("s", session)), timeout ?? HopTimeout, $"SESSION_STOP of {session}\nagent logs:\n" + Tail(_lab.ReadLog("agent-bng-01")) + Tail(_lab.ReadLog("agent-bng-02")));
        Assert.Equal(1L, row.Long("stops"));
        Assert.Null(await LabProbes.QueryRowAsync(_lab.AetherConnectionString, "SELECT 1 FROM sessions_active WHERE session_id = @s", ("s", session)));
        return (row.Text("cause"), row.Long("bytes_up"), row.Long("bytes_down"));
    }

    private Task<Dictionary<string, object?>> RadacctStopAsync(string session) =>
        Poll.UntilAsync(() => LabProbes.QueryRowAsync(_lab.RadiusConnectionString,
            "SELECT acctterminatecause, acctinputoctets, acctoutputoctets FROM radacct WHERE acctsessionid = @s AND acctstoptime IS NOT NULL",
            ("s", session)), HopTimeout, $"the accounting Stop of {session} in radacct");

    private static async Task AssertKernelStateGoneAsync(string bng, string ip)
    {
        var counters = await LabProbes.NftCountersAsync(bng, ip);
        Assert.True(counters.BytesUp == -1 && counters.BytesDown == -1, $"{ip} is still in the nftables sets of {bng}");
    }

    private static async Task CurlAsync(string host)
    {
        var curl = await Shell.InNamespace(host, TimeSpan.FromSeconds(20), "curl", "-sS", "-m", "10", $"http://{LabProbes.Upstream}/");
        Assert.True(curl.ExitCode == 0, $"{host} cannot reach the upstream host: " + curl.Describe());
    }

    internal static async Task<double> IperfAsync(string host, bool reverse, int seconds, string? bytes = null)
    {
        List<string> args = ["iperf3", "-c", LabProbes.Upstream, "-p", "5201", "-J"];
        args.AddRange(bytes is null ? ["-t", seconds.ToString(CultureInfo.InvariantCulture), "-O", "1"] : ["-n", bytes]);
        if (reverse)
        {
            args.Add("-R");
        }
        var r = await Shell.InNamespace(host, TimeSpan.FromSeconds(60), [.. args]);
        Assert.True(r.ExitCode == 0, $"iperf3 from {host}: " + r.Describe());
        return LabProbes.IperfReceivedBitsPerSecond(r.Output);
    }

    private static void AssertWithin(double expected, double actual, double tolerance, string what) =>
        Assert.True(Math.Abs(actual - expected) <= expected * tolerance,
            $"{what}: {actual.ToString("N0", CultureInfo.InvariantCulture)} against {expected.ToString("N0", CultureInfo.InvariantCulture)} (±{tolerance:P0})");

    /// <summary>Gives the host a test MAC (a subscriber the lab has not seen); the host's own MAC comes back afterwards.</summary>
    private async Task<IAsyncDisposable> TestMacAsync(string host, string mac)
    {
        var link = await Shell.InNamespace(host, TimeSpan.FromSeconds(10), "cat", "/sys/class/net/eth0/address");
        var original = link.Output.Trim();
        await _lab.ReleaseAsync(host);
        await LabProbes.SetMacAsync(host, mac);
        return new Restore(async () =>
        {
            await LabProbes.KillHostProcessesAsync(host);
            await LabProbes.SetMacAsync(host, original);
            await Shell.InNamespace(host, TimeSpan.FromSeconds(10), "ip", "-4", "addr", "flush", "dev", "eth0");
            File.Delete(Path.Combine(_lab.LabDir, "dhclient", host + ".leases"));
        });
    }

    private static string Tail(string log) => log.Length > 3000 ? log[^3000..] : log;

    private sealed class Restore(Func<Task> action) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await action();
    }
}
