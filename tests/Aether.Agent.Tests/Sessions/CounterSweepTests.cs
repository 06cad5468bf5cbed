using Aether.Agent.Tests.Support;
using Aether.Contracts.Agent.V1;

namespace Aether.Agent.Tests.Sessions;

public sealed class CounterSweepTests
{
    [Fact]
    public async Task A_sweep_reports_totals_and_deltas_for_every_session_in_one_read()
    {
        using var h = new SessionHarness();
        var a = await h.OnlineAsync(SessionHarness.Key("02:00:00:00:00:01", "1/0/1"), "100.64.0.10");
        var b = await h.OnlineAsync(SessionHarness.Key("02:00:00:00:00:02", "1/0/2"), "100.64.0.11");
        h.Kernel.Count(a.Ip, 100, 1_000);
        await h.Manager.SweepCountersAsync(TestTimeouts.Token());
        h.Kernel.Count(a.Ip, 50, 500);
        h.Kernel.Count(b.Ip, 7, 70);

        await h.Manager.SweepCountersAsync(TestTimeouts.Token());

        var reports = h.Controller.Sent.Where(m => m.BodyCase == AgentMessage.BodyOneofCase.Counters).ToList();
        Assert.Equal(2, reports.Count);
        var second = reports[1].Counters.Sessions.Single(s => s.SessionId == a.SessionId);
        Assert.Equal(1_500UL, second.Total.BytesDown);
        Assert.Equal(500UL, second.Delta.BytesDown);
        Assert.Equal(50UL, second.Delta.BytesUp);
        Assert.Equal(70UL, reports[1].Counters.Sessions.Single(s => s.SessionId == b.SessionId).Delta.BytesDown);
        Assert.NotEqual(reports[1].Counters.Sessions[0].Seq, reports[1].Counters.Sessions[1].Seq);
    }

    [Fact]
    public async Task The_idle_timeout_is_off_by_default()
    {
        using var h = new SessionHarness();
        await h.OnlineAsync(SessionHarness.Key(), "100.64.0.10");
        h.Time.Advance(TimeSpan.FromDays(1));

        await h.Manager.SweepCountersAsync(TestTimeouts.Token());

        Assert.Empty(h.Controller.Stops);
    }

    [Fact]
    public async Task A_session_whose_counters_stand_still_past_the_idle_timeout_ends()
    {
        using var h = new SessionHarness(o => o.IdleTimeout = TimeSpan.FromMinutes(10));
        var idle = await h.OnlineAsync(SessionHarness.Key("02:00:00:00:00:01", "1/0/1"), "100.64.0.10");
        var busy = await h.OnlineAsync(SessionHarness.Key("02:00:00:00:00:02", "1/0/2"), "100.64.0.11");
        for (var minute = 0; minute < 11; minute++)
        {
            h.Time.Advance(TimeSpan.FromMinutes(1));
            h.Kernel.Count(busy.Ip, 10, 10);
            await h.Manager.SweepCountersAsync(TestTimeouts.Token());
        }

        var stop = Assert.Single(h.Controller.Stops);
        Assert.Equal(idle.SessionId, stop.SessionId);
        Assert.Equal("Idle-Timeout", stop.Cause);
        Assert.NotNull(h.Manager.FindById(busy.SessionId));
    }

    [Fact]
    public async Task A_session_with_its_own_Idle_Timeout_from_RADIUS_ends_after_it_even_when_the_agent_has_none()
    {
        using var h = new SessionHarness();
        h.Controller.Decide = _ => new AuthorizeResult
        {
            Accepted = true,
            Policy = new ShapingPolicy { PolicyId = "oss:1000/1000", DownloadKbps = 1000, UploadKbps = 1000, IdleTimeoutSeconds = 120 },
        };
        var session = await h.OnlineAsync(SessionHarness.Key(), "100.64.0.10");
        h.Time.Advance(TimeSpan.FromSeconds(60));
        await h.Manager.SweepCountersAsync(TestTimeouts.Token());
        Assert.Empty(h.Controller.Stops);

        h.Time.Advance(TimeSpan.FromSeconds(61));
        await h.Manager.SweepCountersAsync(TestTimeouts.Token());

        var stop = Assert.Single(h.Controller.Stops);
        Assert.Equal(session.SessionId, stop.SessionId);
        Assert.Equal("Idle-Timeout", stop.Cause);
    }

    [Fact]
    public async Task Counters_are_not_sent_while_the_controller_is_away()
    {
        using var h = new SessionHarness();
        await h.OnlineAsync(SessionHarness.Key(), "100.64.0.10");
        h.Controller.IsConnected = false;

        await h.Manager.SweepCountersAsync(TestTimeouts.Token());

        Assert.DoesNotContain(h.Controller.Sent, m => m.BodyCase == AgentMessage.BodyOneofCase.Counters);
    }
}
