using Aether.Agent.Control;
using Aether.Agent.Tests.Support;

namespace Aether.Agent.Tests.Sessions;

public sealed class HeadlessTests
{
    [Fact]
    public async Task An_existing_subscriber_keeps_renewing_while_the_controller_is_away()
    {
        using var h = new SessionHarness();
        var key = SessionHarness.Key();
        await h.OnlineAsync(key, "100.64.0.10");
        h.Controller.IsConnected = false;
        h.Time.Advance(TimeSpan.FromHours(1));

        var decision = await h.Manager.AuthorizeAsync(key, SessionHarness.Identity(key), 9, TestTimeouts.Token());

        Assert.True(decision.Accepted);
    }

    [Fact]
    public async Task A_new_subscriber_gets_nothing_when_headless_is_fail_closed()
    {
        using var h = new SessionHarness();
        h.Controller.IsConnected = false;
        var key = SessionHarness.Key();

        await Assert.ThrowsAsync<ControllerUnavailableException>(() => h.Manager.AuthorizeAsync(key, SessionHarness.Identity(key), 1, TestTimeouts.Token()));
    }

    [Fact]
    public async Task A_new_subscriber_gets_the_default_plan_and_a_provisional_session_when_fail_open()
    {
        using var h = new SessionHarness(o =>
        {
            o.Headless.NewSubscribers = HeadlessPolicy.FailOpen;
            o.Headless.DownloadKbps = 1_000;
            o.Headless.UploadKbps = 500;
        });
        h.Controller.IsConnected = false;

        var session = await h.OnlineAsync(SessionHarness.Key(), "100.64.0.10");

        Assert.True(session.Provisional);
        Assert.Equal(1_000UL, session.Policy.DownloadKbps);
        Assert.True(Assert.Single(h.Controller.Starts).Provisional);
        Assert.True(Assert.Single(h.Store.Load()).Provisional);
    }
}
