using Aether.Contracts.Agent.V1;
using Aether.Controller.Tests.Support;
using Aether.Events;
using Aether.TestUtilities;

namespace Aether.Controller.Tests.Sessions;

[Collection(ControllerServers.Name)]
public sealed class AccessRouterTests(PostgresServer postgres, NatsServer nats, FreeRadiusServer radius) : IAsyncLifetime
{
    private readonly TestLog _log = new();
    private InProcessController _controller = null!;

    public async Task InitializeAsync() => _controller = await InProcessController.StartAsync(postgres, nats, radius, _log);

    public async Task DisposeAsync() => await _controller.DisposeAsync();

    private Task<object?[]?> RouterAsync(string routerId) =>
        _controller.RowAsync("SELECT host(giaddr), bng_id, state FROM access_routers WHERE router_id = @r", ("r", routerId));

    private Task WaitForRouterAsync(string routerId, string giaddr) =>
        TestTimeouts.WaitUntilAsync(async () => (await RouterAsync(routerId))?[0] as string == giaddr, $"router {routerId} at {giaddr} in access_routers");

    [Fact]
    public async Task A_router_seen_by_its_relay_id_is_published_once_and_lands_in_access_routers()
    {
        await using var agent = await RawAgentStream.ConnectAsync(_controller.GrpcUrl, "bng-test", "instance-r1");

        await agent.SendAsync(10, m => m.SessionStarted = new SessionStarted { Session = RawAgentStream.Session("s-1", "100.64.0.11", accessRelayId: "relay-01") });
        await agent.SendAsync(11, m => m.SessionStarted = new SessionStarted { Session = RawAgentStream.Session("s-2", "100.64.0.12", accessRelayId: "relay-01") });
        await agent.SendAsync(12, m => m.Authorize = new AuthorizeRequest { RequestId = 1, Subscriber = RawAgentStream.Session("s-3", "100.64.0.13", accessRelayId: "relay-01").Subscriber });
        await agent.WaitForAckAsync(11);
        await TestTimeouts.WaitUntilAsync(() => agent.Received.Any(m => m.BodyCase == ControllerMessage.BodyOneofCase.AuthorizeResult), "the authorization");

        await WaitForRouterAsync("relay-01", "100.64.0.1");
        Assert.Equal(["100.64.0.1", "bng-test", "UP"], await RouterAsync("relay-01"));
        Assert.Equal(1, await _controller.StreamCountAsync("bng-test", EventTypes.RouterUpdate));
        Assert.Equal(1, await _controller.ScalarAsync("SELECT count(*) FROM session_events WHERE type = 'ROUTER_UPDATE'"));
        _log.AssertNoErrors();
    }

    [Fact]
    public async Task A_change_of_the_routers_attributes_is_published_again()
    {
        await using var agent = await RawAgentStream.ConnectAsync(_controller.GrpcUrl, "bng-test", "instance-r2");
        await agent.SendAsync(20, m => m.SessionStarted = new SessionStarted { Session = RawAgentStream.Session("s-20", "100.64.0.20", accessRelayId: "relay-02") });
        await WaitForRouterAsync("relay-02", "100.64.0.1");

        await agent.SendAsync(21, m => m.SessionStarted = new SessionStarted { Session = RawAgentStream.Session("s-21", "100.64.1.21", accessRelayId: "relay-02", giaddr: "100.64.1.1") });
        await agent.SendAsync(22, m => m.SessionStarted = new SessionStarted { Session = RawAgentStream.Session("s-22", "100.64.1.22", accessRelayId: "relay-02", giaddr: "100.64.1.1") });
        await agent.WaitForAckAsync(22);

        await WaitForRouterAsync("relay-02", "100.64.1.1");
        Assert.Equal(2, await _controller.StreamCountAsync("bng-test", EventTypes.RouterUpdate));
        _log.AssertNoErrors();
    }

    [Fact]
    public async Task Without_a_relay_id_the_giaddr_names_the_router()
    {
        await using var agent = await RawAgentStream.ConnectAsync(_controller.GrpcUrl, "bng-test", "instance-r3");

        await agent.SendAsync(30, m => m.SessionStarted = new SessionStarted { Session = RawAgentStream.Session("s-30", "100.64.2.30", giaddr: "100.64.2.1") });
        await agent.WaitForAckAsync(30);

        await WaitForRouterAsync("100.64.2.1", "100.64.2.1");
        Assert.Equal(1, await _controller.StreamCountAsync("bng-test", EventTypes.RouterUpdate));
    }

    [Fact]
    public async Task A_replayed_report_does_not_publish_the_router_twice()
    {
        var report = RawAgentStream.Session("s-40", "100.64.0.40", accessRelayId: "relay-04");
        await using (var first = await RawAgentStream.ConnectAsync(_controller.GrpcUrl, "bng-test", "instance-r4"))
        {
            await first.SendAsync(40, m => m.SessionStarted = new SessionStarted { Session = report });
            await first.WaitForAckAsync(40);
        }
        await WaitForRouterAsync("relay-04", "100.64.0.1");
        var name = _controller.Name;
        await _controller.DisposeAsync();
        _controller = await InProcessController.StartAsync(postgres, nats, radius, _log, restartOf: name);

        // A restarted controller knows the router from the read model; the same report again is a JetStream duplicate anyway.
        await using var second = await RawAgentStream.ConnectAsync(_controller.GrpcUrl, "bng-test", "instance-r4");
        await second.SendAsync(40, m => m.SessionStarted = new SessionStarted { Session = report });
        await second.SendAsync(41, m => m.SessionStarted = new SessionStarted { Session = RawAgentStream.Session("s-41", "100.64.0.41", accessRelayId: "relay-04") });
        await second.WaitForAckAsync(41);

        Assert.Equal(1, await _controller.StreamCountAsync("bng-test", EventTypes.RouterUpdate));
    }
}
