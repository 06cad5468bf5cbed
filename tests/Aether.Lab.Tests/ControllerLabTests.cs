using System.Text.Json;

namespace Aether.Lab.Tests;

/// <summary>
/// The controller's operator-facing paths in the lab: RFC 5176 Disconnect and CoA from the real radclient,
/// and the Operations API through gRPC server reflection (buf curl, as grpcurl would).
/// </summary>
[Collection(LabCollection.Name)]
[Trait("Category", "Lab")]
public sealed class ControllerLabTests
{
    private const string Bng = "ae-bng1";
    private const string Host = "ae-h01-1";
    private const string CoaSecret = "aether-coa-secret";
    private static readonly TimeSpan HopTimeout = TimeSpan.FromSeconds(30);
    private readonly LabFixture _lab;

    public ControllerLabTests(LabFixture lab) => _lab = lab;

    [Fact]
    public async Task Disconnect_Request_from_radclient_ends_the_session_everywhere()
    {
        var (sessionId, ip) = await OnlineSessionAsync();

        var reply = await RadclientAsync("disconnect", $"Acct-Session-Id = \"{sessionId}\"");
        Assert.Contains("Received Disconnect-ACK", reply.Output, StringComparison.Ordinal);

        // The agent removed the address from the walled garden at once: no more forwarding.
        await Poll.UntilAsync(async () => (await LabProbes.NftCountersAsync(Bng, ip)).BytesUp < 0 ? "gone" : null, HopTimeout, "nft element removed");
        var ping = await Shell.InNamespace(Host, TimeSpan.FromSeconds(10), "ping", "-c", "1", "-W", "1", "203.0.113.10");
        Assert.NotEqual(0, ping.ExitCode);
        Assert.Null(await WalkingSkeletonTests.SessionClassRateAsync(Bng, "eth1", ip, upload: false));
        Assert.Null(await WalkingSkeletonTests.SessionClassRateAsync(Bng, "eth1", ip, upload: true));

        // Two-phase stop in the read models, and accounting Stop in FreeRADIUS's radacct.
        var cause = await Poll.UntilAsync(() => WalkingSkeletonTests.QueryScalarAsync(_lab.AetherConnectionString,
            "SELECT cause FROM sessions_history WHERE session_id = @s", ("s", sessionId)), HopTimeout, "sessions_history row");
        Assert.Equal("Admin-Reset", cause);
        Assert.Null(await WalkingSkeletonTests.QueryScalarAsync(_lab.AetherConnectionString,
            "SELECT session_id FROM sessions_active WHERE session_id = @s", ("s", sessionId)));
        var acct = await Poll.UntilAsync(() => WalkingSkeletonTests.QueryScalarAsync(_lab.RadiusConnectionString,
            "SELECT acctterminatecause FROM radacct WHERE acctsessionid = @s AND acctstoptime IS NOT NULL", ("s", sessionId)), HopTimeout, "radacct stop");
        Assert.Equal("Admin-Reset", acct);
    }

    [Fact]
    public async Task A_session_disconnected_before_a_controller_restart_is_not_brought_back_from_the_lease_Kea_keeps()
    {
        var (sessionId, ip) = await OnlineSessionAsync();
        var reply = await RadclientAsync("disconnect", $"Acct-Session-Id = \"{sessionId}\"");
        Assert.Contains("Received Disconnect-ACK", reply.Output, StringComparison.Ordinal);
        var cause = await Poll.UntilAsync(() => WalkingSkeletonTests.QueryScalarAsync(_lab.AetherConnectionString,
            "SELECT cause FROM sessions_history WHERE session_id = @s", ("s", sessionId)), HopTimeout, "sessions_history row");
        Assert.Equal("Admin-Reset", cause);

        // The controller that saw the Disconnect goes, and its memory of it with it; Kea still holds the host's lease
        // (its client renews at half of 600 s). The new controller's reconciler (every 5 s here, leases younger than
        // 10 s left alone) finds the lease without a session and must not adopt it: the subscriber was cut off.
        var logStart = _lab.ReadLog("controller").Length;
        await Shell.RunChecked(_lab.LabScript, ["kill", "controller"], TimeSpan.FromSeconds(20));
        await Shell.RunChecked(_lab.LabScript, ["start-controller"], TimeSpan.FromSeconds(120));
        var outcome = await Poll.UntilAsync(() => Task.FromResult(_lab.ReadLog("controller")[logStart..].Split('\n')
                .FirstOrDefault(l => l.Contains($"ip={ip} relayed by bng-01", StringComparison.Ordinal))),
            TimeSpan.FromSeconds(60), "the new controller's reconciler to decide on the lease");
        Assert.Contains($"not adopted: its session {sessionId} ended (Admin-Reset)", outcome, StringComparison.Ordinal);
        // Two passes later, still no session for the address, and the host still cannot forward.
        await Task.Delay(TimeSpan.FromSeconds(11));
        Assert.Null(await WalkingSkeletonTests.QueryScalarAsync(_lab.AetherConnectionString,
            "SELECT session_id FROM sessions_active WHERE host(ip) = @ip", ("ip", ip)));
        Assert.DoesNotContain(_lab.ReadLog("controller")[logStart..].Split('\n'),
            line => line.Contains($"ip={ip} ", StringComparison.Ordinal) && line.Contains("had no session: adopted", StringComparison.Ordinal));
        var ping = await Shell.InNamespace(Host, TimeSpan.FromSeconds(10), "ping", "-c", "1", "-W", "1", "203.0.113.10");
        Assert.NotEqual(0, ping.ExitCode);
        await _lab.ReleaseAsync(Host);
    }

    [Fact]
    public async Task CoA_Request_with_Filter_Id_changes_the_rate_without_ending_the_session()
    {
        var (sessionId, ip) = await OnlineSessionAsync();

        var reply = await RadclientAsync("coa", $"Acct-Session-Id = \"{sessionId}\", Filter-Id = \"5M/2M\"");
        Assert.Contains("Received CoA-ACK", reply.Output, StringComparison.Ordinal);

        await Poll.UntilAsync(async () => await WalkingSkeletonTests.SessionClassRateAsync(Bng, "eth1", ip, upload: false) == 5000 ? "ok" : null, HopTimeout, "download class at 5 Mbit/s");
        Assert.Equal(2000, await WalkingSkeletonTests.SessionClassRateAsync(Bng, "eth1", ip, upload: true));
        var ping = await Shell.InNamespace(Host, TimeSpan.FromSeconds(10), "ping", "-c", "1", "-W", "2", "203.0.113.10");
        Assert.True(ping.ExitCode == 0, "the session must keep forwarding: " + ping.Describe());
        var rate = await Poll.UntilAsync(() => WalkingSkeletonTests.QueryScalarAsync(_lab.AetherConnectionString,
            "SELECT download_kbps::text FROM sessions_active WHERE session_id = @s AND download_kbps = 5000", ("s", sessionId)), HopTimeout, "read model at the new rate");
        Assert.Equal("5000", rate);
        Assert.Equal(ip, await LabFixture.HostAddressAsync(Host));
    }

    [Fact]
    public async Task CoA_Request_for_an_unknown_session_is_answered_NAK_Session_Context_Not_Found()
    {
        var reply = await RadclientAsync("coa", "Acct-Session-Id = \"no-such-session\", Filter-Id = \"5M/2M\"");
        Assert.Contains("Received CoA-NAK", reply.Output, StringComparison.Ordinal);
        Assert.Contains("Session-Context-Not-Found", reply.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Disconnect_Request_with_a_wrong_secret_gets_no_answer()
    {
        var reply = await Shell.RunAsync("bash", ["-c",
            "echo 'Acct-Session-Id = \"x\"' | radclient -r 1 -t 2 -x 127.0.0.1:3799 disconnect wrong-secret"], TimeSpan.FromSeconds(20));
        Assert.NotEqual(0, reply.ExitCode);
        Assert.DoesNotContain("Received Disconnect", reply.Output, StringComparison.Ordinal);

        // The listener is up and answers the same request with the right secret: the silence was the refusal.
        var valid = await RadclientAsync("disconnect", "Acct-Session-Id = \"x\"");
        Assert.Contains("Received Disconnect-NAK", valid.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Operations_API_answers_through_server_reflection()
    {
        var (sessionId, ip) = await OnlineSessionAsync();

        var agents = await BufCurlAsync("ListAgents", "{}");
        using (var doc = JsonDocument.Parse(agents.Output))
        {
            var bngs = doc.RootElement.GetProperty("agents").EnumerateArray().Select(a => a.GetProperty("bngId").GetString()).ToList();
            Assert.Equal(["bng-01", "bng-02"], bngs);
        }

        var session = await Poll.UntilAsync(async () =>
        {
            var r = await BufCurlAsync("GetSession", $"{{\"session_id\":\"{sessionId}\"}}");
            return r.ExitCode == 0 ? r.Output : null;
        }, HopTimeout, "GetSession");
        using (var doc = JsonDocument.Parse(session))
        {
            Assert.Equal(ip, doc.RootElement.GetProperty("session").GetProperty("ip").GetString());
        }

        var missing = await BufCurlAsync("GetSession", "{\"session_id\":\"nope\"}");
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("not_found", missing.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reconciler_ends_a_session_whose_lease_Kea_no_longer_has()
    {
        var (sessionId, ip) = await OnlineSessionAsync();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("aether:aether-kea")));
        using var body = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(
            $"{{\"command\":\"lease4-del\",\"service\":[\"dhcp4\"],\"arguments\":{{\"ip-address\":\"{ip}\"}}}}"));
        body.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        var deleted = await http.PostAsync("http://127.0.0.1:8000/", body);
        Assert.Contains("\"result\": 0", await deleted.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var cause = await Poll.UntilAsync(() => WalkingSkeletonTests.QueryScalarAsync(_lab.AetherConnectionString,
            "SELECT cause FROM sessions_history WHERE session_id = @s", ("s", sessionId)), TimeSpan.FromSeconds(60), "the reconciler to end the session");
        Assert.Equal("Lost-Service", cause);
        Assert.Null(await WalkingSkeletonTests.QueryScalarAsync(_lab.AetherConnectionString,
            "SELECT session_id FROM sessions_active WHERE session_id = @s", ("s", sessionId)));
        // Kea may now give the freed address to someone else: take the host off it.
        await _lab.ReleaseAsync(Host);
    }

    [Fact]
    public async Task After_a_controller_restart_the_reconciler_recovers_sessions_a_BNG_lost_meanwhile()
    {
        // ae-h12-4 is online on bng-02; then the controller goes down and bng-02 loses everything (agent state and
        // kernel, as after a reboot) while the subscriber keeps its lease in Kea.
        const string RecoveredHost = "ae-h12-4";
        var since = DateTime.UtcNow.AddSeconds(-1);
        var (dhclient, ip) = await _lab.BringOnlineAsync(RecoveredHost);
        Assert.True(dhclient.ExitCode == 0, dhclient.Describe());
        var before = await LabProbes.SessionOfAsync(_lab.AetherConnectionString, ip, since, HopTimeout);

        await Shell.RunChecked(_lab.LabScript, ["kill", "controller"], TimeSpan.FromSeconds(20));
        await Shell.RunChecked(_lab.LabScript, ["kill", "agent-bng-02"], TimeSpan.FromSeconds(20));
        var wipe = await Shell.RunAsync("bash", ["-c",
            "ip netns exec ae-bng2 nft delete table inet aether; ip netns exec ae-bng2 tc qdisc del dev eth1 clsact; " +
            "for d in $(ip netns exec ae-bng2 ip -o link show | grep -o -E 'eth1-[du][0-9a-f]{2}' | sort -u); do ip netns exec ae-bng2 ip link del $d; done; " +
            $"rm -rf {_lab.LabDir}/agent-bng-02"], TimeSpan.FromSeconds(30));
        Assert.True(wipe.ExitCode == 0, wipe.Describe());
        await Shell.RunChecked(_lab.LabScript, ["start-agent", "bng-02"], TimeSpan.FromSeconds(30));
        await Shell.RunChecked(_lab.LabScript, ["start-controller"], TimeSpan.FromSeconds(120));

        // The new agent instance reports no sessions: the old one is stopped (NAS-Reboot), and the reconciler
        // adopts Kea's lease into a new session on bng-02 with the subscriber's plan.
        var recovered = await Poll.UntilAsync(() => WalkingSkeletonTests.QueryScalarAsync(_lab.AetherConnectionString,
            "SELECT session_id FROM sessions_active WHERE host(ip) = @ip AND session_id <> @old AND bng_id = 'bng-02'", ("ip", ip), ("old", before)),
            TimeSpan.FromSeconds(90), "the lease adopted into a new session after the restart\n" + _lab.ReadLog("controller")[^Math.Min(3000, _lab.ReadLog("controller").Length)..]);
        Assert.NotEqual(before, recovered);
        Assert.Equal("NAS-Reboot", await WalkingSkeletonTests.QueryScalarAsync(_lab.AetherConnectionString,
            "SELECT payload->>'cause' FROM session_events WHERE session_id = @s AND type = 'SESSION_STOP'", ("s", before)));
        Assert.Equal(100_000, await WalkingSkeletonTests.SessionClassRateAsync("ae-bng2", "eth1", ip, upload: false));
        var curl = await Shell.InNamespace(RecoveredHost, TimeSpan.FromSeconds(20), "curl", "-sS", "-m", "10", "http://203.0.113.10/");
        Assert.True(curl.ExitCode == 0, "the recovered subscriber forwards again: " + curl.Describe());
    }

    private async Task<(string SessionId, string Ip)> OnlineSessionAsync()
    {
        // The session this DHCP exchange creates, not the one the release before it ends.
        var since = DateTime.UtcNow.AddSeconds(-1);
        var (dhclient, ip) = await _lab.BringOnlineAsync(Host);
        Assert.True(dhclient.ExitCode == 0, "dhclient got no lease: " + dhclient.Describe());
        // Wait until the read model has settled on one session for the host (a release just before, or an
        // address conflict, can leave a row that is about to be stopped).
        string? previous = null;
        var sessionId = await Poll.UntilAsync(async () =>
        {
            var row = await WalkingSkeletonTests.QueryScalarAsync(_lab.AetherConnectionString,
                "SELECT CASE WHEN count(*) = 1 THEN min(session_id) END FROM sessions_active WHERE host(ip) = @ip AND started >= @since",
                ("ip", ip), ("since", since));
            var settled = row is not null && row == previous ? row : null;
            previous = row;
            await Task.Delay(settled is null ? 750 : 0);
            return settled;
        }, HopTimeout, "one settled sessions_active row");
        return (sessionId, ip);
    }

    private static Task<ShellResult> RadclientAsync(string kind, string attributes) =>
        Shell.RunAsync("bash", ["-c", $"echo '{attributes}' | radclient -r 2 -t 3 -x 127.0.0.1:3799 {kind} {CoaSecret}"], TimeSpan.FromSeconds(30));

    private static Task<ShellResult> BufCurlAsync(string method, string body) =>
        Shell.RunAsync(Path.Combine(LabFixture.RepoRoot, "node_modules", ".bin", "buf"),
            ["curl", "--protocol", "grpc", "--http2-prior-knowledge", "-d", body, $"http://127.0.0.1:50051/aether.ops.v1.OperationsService/{method}"],
            TimeSpan.FromSeconds(30));
}
