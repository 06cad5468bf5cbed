using Aether.Agent.Tests.Kernel;
using Aether.Agent.Tests.Support;
using Aether.Contracts.Agent.V1;

namespace Aether.Agent.Tests.EndToEnd;

/// <summary>The agent binary with real dhclient and Kea, against a test controller.</summary>
[Collection(KernelCollection.Name)]
public sealed class AgentEndToEndTests : IAsyncLifetime
{
    private readonly EndToEndLab _lab = new();

    public Task InitializeAsync() => _lab.InitializeAsync();

    public Task DisposeAsync() => _lab.DisposeAsync();

    private IEnumerable<SessionCounters> CountersOf(string sessionId) =>
        _lab.Controller.Of(AgentMessage.BodyOneofCase.Counters).SelectMany(m => m.Counters.Sessions).Where(s => s.SessionId == sessionId);

    [Fact]
    public async Task A_subscriber_gets_a_lease_forwards_is_counted_and_its_release_ends_the_session_with_final_counters()
    {
        await _lab.StartAgentAsync();

        var ip = await _lab.LeaseAsync(_lab.Net.Client);

        var session = await _lab.StartedSessionAsync(ip);
        Assert.Equal(EndToEndLab.Sub0Circuit, session.Subscriber.CircuitId);
        Assert.Equal("sub0", session.Subscriber.Interface);
        // Each subscriber interface is read by a thread of its own, never a thread-pool worker held for the agent's life.
        Assert.Contains("capture sub0", ThreadNames.Of(_lab.Agent!.Id));
        Assert.Contains("capture sub1", ThreadNames.Of(_lab.Agent.Id));
        Assert.True(await _lab.Net.PingAsync(_lab.Net.Client, _lab.Net.ServerIp, count: 5));
        await TestTimeouts.WaitUntilAsync(() => CountersOf(session.SessionId).Any(c => c.Total.BytesUp >= 5_000 && c.Total.BytesDown >= 5_000), "counters of the pings");
        Assert.Contains(CountersOf(session.SessionId), c => c.Delta.BytesDown > 0);

        await _lab.ReleaseAsync(_lab.Net.Client);
        await TestTimeouts.WaitUntilAsync(() => _lab.Stops.Any(s => s.SessionId == session.SessionId), "the session's stop");

        var stop = _lab.Stops.Single(s => s.SessionId == session.SessionId);
        Assert.Equal("User-Request", stop.Cause);
        Assert.True(stop.FinalCounters.BytesUp >= 5_000);
        Assert.True(stop.FinalCounters.BytesDown >= 5_000);
        Assert.False(await _lab.Net.PingAsync(_lab.Net.Server, ip, count: 1));
        _lab.AssertAgentLoggedNoErrors();
    }

    [Fact]
    public async Task A_disconnect_from_the_controller_walls_the_subscriber_off_at_once()
    {
        await _lab.StartAgentAsync();
        var ip = await _lab.LeaseAsync(_lab.Net.Client);
        var session = await _lab.StartedSessionAsync(ip);
        Assert.True(await _lab.Net.PingAsync(_lab.Net.Client, _lab.Net.ServerIp, count: 1));

        _lab.Controller.Push(new ControllerMessage { PolicyRemove = new PolicyRemove { SessionId = session.SessionId, Cause = "Admin-Reset" } });
        await TestTimeouts.WaitUntilAsync(() => _lab.Stops.Any(s => s.SessionId == session.SessionId), "the session's stop");

        Assert.Equal("Admin-Reset", _lab.Stops.Single(s => s.SessionId == session.SessionId).Cause);
        Assert.False(await _lab.Net.PingAsync(_lab.Net.Client, _lab.Net.ServerIp, count: 1));
        _lab.AssertAgentLoggedNoErrors();
    }

    [Fact]
    public async Task A_policy_update_changes_the_rate_without_ending_the_session()
    {
        await _lab.StartAgentAsync();
        var ip = await _lab.LeaseAsync(_lab.Net.Client);
        var session = await _lab.StartedSessionAsync(ip);

        _lab.Controller.Push(new ControllerMessage { PolicyApply = new PolicyApply { SessionId = session.SessionId, Policy = new ShapingPolicy { PolicyId = "plan-50", DownloadKbps = 50_000, UploadKbps = 25_000 } } });
        await TestTimeouts.WaitUntilAsync(() => _lab.Controller.Of(AgentMessage.BodyOneofCase.PolicyApplied).Any(m => m.PolicyApplied.Policy.PolicyId == "plan-50"), "the new policy");

        var applied = _lab.Controller.Of(AgentMessage.BodyOneofCase.PolicyApplied).Last().PolicyApplied;
        var download = applied.DownloadClass.Split(' ');
        var tc = await NetworkLab.In(_lab.Net.Bng, "tc", "class", "show", "dev", download[0], "classid", download[1]);
        Assert.Contains("rate 50Mbit", tc.StandardOutput, StringComparison.Ordinal);
        Assert.Empty(_lab.Stops);
        Assert.True(await _lab.Net.PingAsync(_lab.Net.Client, _lab.Net.ServerIp, count: 1));
    }

    [Fact]
    public async Task A_restarted_agent_keeps_subscribers_forwarding_and_reports_its_sessions_in_its_hello()
    {
        await _lab.StartAgentAsync();
        var ip = await _lab.LeaseAsync(_lab.Net.Client);
        var session = await _lab.StartedSessionAsync(ip);
        var hello = _lab.Controller.Of(AgentMessage.BodyOneofCase.Hello).Single().Hello;
        Assert.True(await _lab.Net.PingAsync(_lab.Net.Client, _lab.Net.ServerIp, count: 3));
        await TestTimeouts.WaitUntilAsync(() => CountersOf(session.SessionId).Any(c => c.Total.BytesUp >= 3_000), "counters before the crash");

        await _lab.Agent!.KillAsync();
        Assert.True(await _lab.Net.PingAsync(_lab.Net.Client, _lab.Net.ServerIp, count: 2));
        await _lab.StartAgentAsync();
        await TestTimeouts.WaitUntilAsync(() => _lab.Controller.Of(AgentMessage.BodyOneofCase.Hello).Count() == 2, "the second hello");

        var second = _lab.Controller.Of(AgentMessage.BodyOneofCase.Hello).Last().Hello;
        Assert.Equal(hello.InstanceId, second.InstanceId);
        var held = Assert.Single(second.Sessions);
        Assert.Equal(session.SessionId, held.SessionId);
        Assert.True(held.Counters.BytesUp >= 5_000, $"counters kept across the restart: {held.Counters}");
        Assert.True(await _lab.Net.PingAsync(_lab.Net.Client, _lab.Net.ServerIp, count: 1));
        Assert.Empty(_lab.Stops);
        _lab.AssertAgentLoggedNoErrors();
    }

    [Fact]
    public async Task Headless_the_subscriber_keeps_forwarding_and_renewing_and_the_journal_is_replayed_on_reconnect()
    {
        await _lab.StartAgentAsync();
        var ip = await _lab.LeaseAsync(_lab.Net.Client);
        var session = await _lab.StartedSessionAsync(ip);
        var startSeq = _lab.Controller.Of(AgentMessage.BodyOneofCase.SessionStarted).Last().Seq;

        await _lab.Controller.StopAsync();
        await _lab.Agent!.WaitForAsync("Stream to controller");
        var renewals = _lab.Agent.Lines.Count(l => l.Contains($"Session {session.SessionId} renewed", StringComparison.Ordinal));
        await TestTimeouts.WaitUntilAsync(() => _lab.Agent.Lines.Count(l => l.Contains($"Session {session.SessionId} renewed", StringComparison.Ordinal)) > renewals, "a renewal while headless");
        Assert.True(await _lab.Net.PingAsync(_lab.Net.Client, _lab.Net.ServerIp, count: 2));
        await _lab.ReleaseAsync(_lab.Net.Client);
        await _lab.Agent.WaitForAsync($"Session {session.SessionId} stopped");
        Assert.Empty(_lab.Stops);

        await _lab.Controller.StartAsync();
        await TestTimeouts.WaitUntilAsync(() => _lab.Stops.Any(s => s.SessionId == session.SessionId), "the journaled stop");

        var stop = _lab.Controller.Of(AgentMessage.BodyOneofCase.SessionStopped).Single();
        Assert.True(stop.Seq > startSeq);
        Assert.True(stop.SessionStopped.FinalCounters.BytesUp >= 2_000);
        Assert.Equal(2, _lab.Controller.Of(AgentMessage.BodyOneofCase.Hello).Select(m => m.Hello.InstanceId).Count());
        _lab.AssertAgentLoggedNoErrors();
    }

    [Fact]
    public async Task Health_reports_cover_cgroup_interfaces_relay_and_journal()
    {
        await _lab.StartAgentAsync();
        await _lab.LeaseAsync(_lab.Net.Client2);

        await TestTimeouts.WaitUntilAsync(() => _lab.Controller.Of(AgentMessage.BodyOneofCase.Health).Any(h => h.Health.SessionCount == 1), "a health report");

        var health = _lab.Controller.Of(AgentMessage.BodyOneofCase.Health).Last(h => h.Health.SessionCount == 1).Health;
        Assert.True(health.MemoryBytes > 0);
        Assert.NotEqual("", health.Cgroup);
        Assert.Equal("up", health.Interfaces.Single(i => i.Name == "sub1").OperState);
        // Healthy shaping shards are not listed, only subscriber interfaces.
        Assert.DoesNotContain(health.Interfaces, i => i.Role == "ifb");
        Assert.True(health.Relay.RelayedToServer >= 2);
        Assert.True(health.Relay.RelayedToClient >= 2);
        Assert.False(health.SystemdAvailable);
        // sub1 is untrusted: the agent inserted its own Option 82, with the interface name as circuit-id.
        Assert.Equal("sub1", _lab.Controller.Of(AgentMessage.BodyOneofCase.SessionStarted).Single().SessionStarted.Session.Subscriber.CircuitId);
    }

    [Fact]
    public async Task Requests_that_break_an_interfaces_option_82_policy_are_dropped_and_counted_by_reason()
    {
        await _lab.StartAgentAsync();
        await _lab.LeaseAsync(_lab.Net.Client);
        await _lab.LeaseAsync(_lab.Net.Client2);
        var authorizations = _lab.Controller.Of(AgentMessage.BodyOneofCase.Authorize).Count();

        await _lab.BroadcastAsync(_lab.Net.Client, Support.Dhcp.Request(circuitId: null, giaddr: "198.18.200.1"));
        await _lab.BroadcastAsync(_lab.Net.Client, Support.Dhcp.Request(circuitId: null, hops: 17));
        await _lab.BroadcastAsync(_lab.Net.Client, [1, 2, 3, 4, 5]);
        await _lab.BroadcastAsync(_lab.Net.Client2, Support.Dhcp.Request(circuitId: "forged"));

        static bool Has(HealthReport h, string iface, string reason) => h.Relay.Drops.Any(d => d.Interface == iface && d.Reason == reason && d.Count == 1);
        await TestTimeouts.WaitUntilAsync(
            () => _lab.Controller.Of(AgentMessage.BodyOneofCase.Health).Any(m => Has(m.Health, "sub0", "spoofed-giaddr") && Has(m.Health, "sub0", "hop-limit")
                && Has(m.Health, "sub0", "malformed") && Has(m.Health, "sub1", "untrusted-option-82")),
            "the drops in a health report");
        Assert.Equal(authorizations, _lab.Controller.Of(AgentMessage.BodyOneofCase.Authorize).Count());
    }
}
