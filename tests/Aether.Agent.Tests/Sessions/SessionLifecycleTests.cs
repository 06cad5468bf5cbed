using Aether.Agent.Kernel;
using Aether.Agent.Sessions;
using Aether.Agent.Tests.Support;
using Aether.Contracts.Agent.V1;
using Aether.Dhcp;

namespace Aether.Agent.Tests.Sessions;

public sealed class SessionLifecycleTests : IDisposable
{
    private readonly SessionHarness _h = new();

    [Fact]
    public async Task An_ack_installs_the_session_and_reports_it()
    {
        var session = await _h.OnlineAsync(SessionHarness.Key(), "100.64.0.10");

        var install = Assert.IsType<InstallSession>(Assert.Single(_h.Kernel.Applied));
        Assert.Equal(session.ClassId, install.ClassId);
        Assert.Equal("100.64.0.10", Assert.Single(_h.Controller.Starts).Session.Ip);
        Assert.Contains(_h.Controller.Reports, r => r.BodyCase == AgentMessage.BodyOneofCase.PolicyApplied);
        Assert.Single(_h.Store.Load());
    }

    [Fact]
    public async Task A_renewal_extends_the_lease_without_touching_the_kernel()
    {
        var key = SessionHarness.Key();
        var session = await _h.OnlineAsync(key, "100.64.0.10", leaseSeconds: 60);
        _h.Time.Advance(TimeSpan.FromSeconds(30));

        Assert.True(await _h.Manager.OnAckAsync("sub0", key, SessionHarness.Identity(key), Ipv4Address.Parse("100.64.0.10"), 60, TestTimeouts.Token()));

        Assert.Single(_h.Kernel.Applied);
        Assert.Equal(_h.Time.GetUtcNow().AddSeconds(60), session.LeaseExpires);
    }

    [Fact]
    public async Task A_renewal_needs_no_round_trip_to_the_controller()
    {
        var key = SessionHarness.Key();
        await _h.OnlineAsync(key, "100.64.0.10");
        var calls = _h.Controller.AuthorizeCalls;
        _h.Time.Advance(TimeSpan.FromHours(2));

        var decision = await _h.Manager.AuthorizeAsync(key, SessionHarness.Identity(key), 2, TestTimeouts.Token());

        Assert.True(decision.Accepted);
        Assert.Equal(calls, _h.Controller.AuthorizeCalls);
    }

    [Fact]
    public async Task A_release_ends_the_session_with_its_final_counters()
    {
        var key = SessionHarness.Key();
        var session = await _h.OnlineAsync(key, "100.64.0.10");
        _h.Kernel.Count(session.Ip, 1_000, 9_000);

        await _h.Manager.OnClientEndAsync(key, session.Ip, DhcpMessageType.Release, TestTimeouts.Token());

        var stop = Assert.Single(_h.Controller.Stops);
        Assert.Equal("User-Request", stop.Cause);
        Assert.Equal("DHCPRELEASE", stop.Detail);
        Assert.Equal(1_000UL, stop.FinalCounters.BytesUp);
        Assert.Equal(9_000UL, stop.FinalCounters.BytesDown);
        Assert.IsType<RemoveSession>(_h.Kernel.Applied.Last());
        Assert.False(_h.Kernel.Elements.ContainsKey(session.Ip.Value));
        Assert.Empty(_h.Store.Load());
    }

    [Fact]
    public async Task A_decline_ends_the_session()
    {
        var key = SessionHarness.Key();
        var session = await _h.OnlineAsync(key, "100.64.0.10");

        await _h.Manager.OnClientEndAsync(key, session.Ip, DhcpMessageType.Decline, TestTimeouts.Token());

        Assert.Equal("DHCPDECLINE", Assert.Single(_h.Controller.Stops).Detail);
    }

    [Fact]
    public async Task A_release_from_another_line_with_the_same_mac_is_ignored()
    {
        var key = SessionHarness.Key();
        var session = await _h.OnlineAsync(key, "100.64.0.10");

        await _h.Manager.OnClientEndAsync(SessionHarness.Key(circuit: "1/0/9"), session.Ip, DhcpMessageType.Release, TestTimeouts.Token());

        Assert.Empty(_h.Controller.Stops);
        Assert.Equal(1, _h.Manager.Count);
    }

    [Fact]
    public async Task A_lease_that_is_not_renewed_expires()
    {
        var session = await _h.OnlineAsync(SessionHarness.Key(), "100.64.0.10", leaseSeconds: 60);
        _h.Time.Advance(TimeSpan.FromSeconds(59));
        await _h.Manager.ExpireAsync(TestTimeouts.Token());
        Assert.Empty(_h.Controller.Stops);

        _h.Time.Advance(TimeSpan.FromSeconds(2));
        await _h.Manager.ExpireAsync(TestTimeouts.Token());

        var stop = Assert.Single(_h.Controller.Stops);
        Assert.Equal("Session-Timeout", stop.Cause);
        Assert.Equal(session.SessionId, stop.SessionId);
    }

    [Fact]
    public async Task Expired_sessions_go_to_the_kernel_together_rather_than_one_after_another()
    {
        for (var i = 1; i <= 4; i++)
        {
            await _h.OnlineAsync(SessionHarness.Key($"02:00:00:00:00:0{i}", $"1/0/{i}"), $"100.64.0.{10 + i}", leaseSeconds: 60);
        }
        _h.Kernel.RemovalGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _h.Time.Advance(TimeSpan.FromSeconds(61));

        var expiry = _h.Manager.ExpireAsync(TestTimeouts.Token());
        // Queued while none has completed: they can share a kernel batch. (Two subscribers may share a lock stripe.)
        var queued = _h.Kernel.Applied.OfType<RemoveSession>().Count();
        _h.Kernel.RemovalGate.SetResult();
        await expiry.WaitAsync(TestTimeouts.Await);

        Assert.True(queued >= 2, $"{queued} removal(s) queued before the first completed");
        Assert.Equal(4, _h.Controller.Stops.Count(s => s.Cause == "Session-Timeout"));
        Assert.Equal(0, _h.Manager.Count);
    }

    [Fact]
    public async Task A_session_carries_its_decision_and_long_expired_ones_are_forgotten()
    {
        var online = SessionHarness.Key("02:00:00:00:00:01", "1/0/1");
        await _h.OnlineAsync(online, "100.64.0.10", leaseSeconds: 86_400);
        var gone = SessionHarness.Key("02:00:00:00:00:02", "1/0/2");
        await _h.Manager.AuthorizeAsync(gone, SessionHarness.Identity(gone), 1, TestTimeouts.Token()).WaitAsync(TestTimeouts.Await);
        // The session answers for its subscriber: only the one without a session is cached.
        Assert.Equal(1, _h.Manager.CachedDecisions);
        var asked = Volatile.Read(ref _h.Controller.AuthorizeCalls);

        _h.Time.Advance(TimeSpan.FromMinutes(10));
        await _h.Manager.ExpireAsync(TestTimeouts.Token());

        Assert.Equal(0, _h.Manager.CachedDecisions);
        // The subscriber on the line is still authorized from its session, and a new address starts a session with
        // its policy, without asking the controller again.
        Assert.True((await _h.Manager.AuthorizeAsync(online, SessionHarness.Identity(online), 2, TestTimeouts.Token())).Accepted);
        Assert.True(await _h.Manager.OnAckAsync("sub0", online, SessionHarness.Identity(online), Ipv4Address.Parse("100.64.0.11"), 3600, TestTimeouts.Token()));
        Assert.Equal("100.64.0.11", _h.Manager.FindByMac(online.Mac)!.Ip.ToString());
        Assert.Equal(asked, Volatile.Read(ref _h.Controller.AuthorizeCalls));
        Assert.Equal(0, _h.Manager.CachedDecisions);
    }

    [Fact]
    public async Task A_new_address_for_the_same_client_ends_its_old_session()
    {
        var key = SessionHarness.Key();
        var first = await _h.OnlineAsync(key, "100.64.0.10");

        Assert.True(await _h.Manager.OnAckAsync("sub0", key, SessionHarness.Identity(key), Ipv4Address.Parse("100.64.0.11"), 3600, TestTimeouts.Token()));

        var stop = Assert.Single(_h.Controller.Stops);
        Assert.Equal(first.SessionId, stop.SessionId);
        Assert.Equal("address changed", stop.Detail);
        Assert.Equal("100.64.0.11", _h.Manager.FindByMac(key.Mac)!.Ip.ToString());
        Assert.Equal(2, _h.Controller.Starts.Count);
    }

    [Fact]
    public async Task An_address_handed_to_another_client_ends_the_previous_holders_session()
    {
        var first = await _h.OnlineAsync(SessionHarness.Key("02:00:00:00:00:01", "1/0/1"), "100.64.0.10");

        await _h.OnlineAsync(SessionHarness.Key("02:00:00:00:00:02", "1/0/2"), "100.64.0.10");

        Assert.Equal(first.SessionId, Assert.Single(_h.Controller.Stops).SessionId);
        Assert.Equal(1, _h.Manager.Count);
    }

    [Fact]
    public async Task A_disconnect_from_the_controller_ends_the_session_and_its_decision()
    {
        var key = SessionHarness.Key();
        var session = await _h.OnlineAsync(key, "100.64.0.10");

        _h.Manager.OnPolicyRemove(new PolicyRemove { SessionId = session.SessionId, Cause = "Admin-Reset" });
        await TestTimeouts.WaitUntilAsync(() => _h.Controller.Stops.Count == 1, "the stop");

        Assert.Equal("Admin-Reset", _h.Controller.Stops[0].Cause);
        Assert.False(_h.Kernel.Elements.ContainsKey(session.Ip.Value));
        var calls = _h.Controller.AuthorizeCalls;
        await _h.Manager.AuthorizeAsync(key, SessionHarness.Identity(key), 3, TestTimeouts.Token());
        Assert.Equal(calls + 1, _h.Controller.AuthorizeCalls);
    }

    [Fact]
    public async Task A_policy_update_changes_the_rate_in_place_without_ending_the_session()
    {
        var session = await _h.OnlineAsync(SessionHarness.Key(), "100.64.0.10");
        var policy = new ShapingPolicy { PolicyId = "plan-50", DownloadKbps = 50_000, UploadKbps = 10_000 };

        Assert.True(await _h.Manager.ApplyPolicyAsync(new PolicyApply { SessionId = session.SessionId, Policy = policy }, TestTimeouts.Token()));

        var change = Assert.IsType<ChangeRate>(_h.Kernel.Applied.Last());
        Assert.Equal(session.ClassId, change.ClassId);
        Assert.Empty(_h.Controller.Stops);
        Assert.Equal(50_000UL, _h.Manager.FindById(session.SessionId)!.Policy.DownloadKbps);
        Assert.Equal(50_000UL, Assert.Single(_h.Store.Load()).State.Policy.DownloadKbps);
    }

    [Fact]
    public async Task A_rejected_subscriber_gets_no_session()
    {
        _h.Controller.Decide = _ => new AuthorizeResult { Accepted = false, Reason = "unknown circuit" };
        var key = SessionHarness.Key();

        var decision = await _h.Manager.AuthorizeAsync(key, SessionHarness.Identity(key), 1, TestTimeouts.Token());

        Assert.False(decision.Accepted);
        Assert.False(await _h.Manager.OnAckAsync("sub0", key, SessionHarness.Identity(key), Ipv4Address.Parse("100.64.0.10"), 60, TestTimeouts.Token()));
        Assert.Empty(_h.Kernel.Applied);
    }

    [Fact]
    public async Task A_kernel_refusal_leaves_no_session_behind()
    {
        _h.Kernel.FailInstalls = true;
        var key = SessionHarness.Key();
        await _h.Manager.AuthorizeAsync(key, SessionHarness.Identity(key), 1, TestTimeouts.Token());

        Assert.False(await _h.Manager.OnAckAsync("sub0", key, SessionHarness.Identity(key), Ipv4Address.Parse("100.64.0.10"), 60, TestTimeouts.Token()));

        Assert.Equal(0, _h.Manager.Count);
        Assert.Empty(_h.Controller.Starts);
    }

    [Fact]
    public async Task A_lease_the_reconciler_found_is_adopted_as_a_session()
    {
        var key = SessionHarness.Key();
        var adopt = new SessionAdopt
        {
            Subscriber = SessionHarness.Identity(key),
            Ip = "100.64.0.30",
            Policy = new ShapingPolicy { PolicyId = "plan-5", DownloadKbps = 5_000, UploadKbps = 1_000 },
            LeaseExpires = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(_h.Time.GetUtcNow().AddMinutes(30)),
        };

        Assert.True(await _h.Manager.AdoptAsync(adopt, TestTimeouts.Token()));

        var session = _h.Manager.FindByMac(key.Mac)!;
        Assert.Equal("100.64.0.30", session.Ip.ToString());
        Assert.Equal(_h.Time.GetUtcNow().AddMinutes(30), session.LeaseExpires);
        Assert.IsType<InstallSession>(Assert.Single(_h.Kernel.Applied));
        Assert.Equal(1_800U, Assert.Single(_h.Controller.Starts).LeaseSeconds);
    }

    [Fact]
    public async Task A_client_that_already_has_a_session_is_not_adopted_again()
    {
        var key = SessionHarness.Key();
        await _h.OnlineAsync(key, "100.64.0.10");
        var adopt = new SessionAdopt
        {
            Subscriber = SessionHarness.Identity(key),
            Ip = "100.64.0.31",
            Policy = new ShapingPolicy { DownloadKbps = 5_000, UploadKbps = 1_000 },
            LeaseExpires = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(_h.Time.GetUtcNow().AddMinutes(30)),
        };

        Assert.False(await _h.Manager.AdoptAsync(adopt, TestTimeouts.Token()));

        Assert.Single(_h.Controller.Starts);
        Assert.Equal("100.64.0.10", _h.Manager.FindByMac(key.Mac)!.Ip.ToString());
    }

    public void Dispose() => _h.Dispose();
}
