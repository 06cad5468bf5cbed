using Aether.Contracts.Agent.V1;
using Aether.Controller.Tests.Support;
using Aether.TestUtilities;

namespace Aether.Controller.Tests.Agents;

/// <summary>The real controller with its own nats-server, stopped while a report waits to be published.</summary>
[Collection(ControllerCollection.Name)]
public sealed class ReportsOffTheReaderTests(PostgresServer postgres, FreeRadiusServer radius)
{
    private static Task SendStartedAsync(RawAgentStream stream, ulong seq, string sessionId, string ip) =>
        stream.SendAsync(seq, m => m.SessionStarted = new SessionStarted { Session = RawAgentStream.Session(sessionId, ip), LeaseSeconds = 3600 });

    [Fact]
    public async Task An_authorization_is_answered_while_an_earlier_report_waits_for_jetstream_and_the_report_is_acked_once_stored()
    {
        await using var nats = new NatsServer();
        await nats.InitializeAsync();
        await using var controller = await ControllerHost.StartAsync(postgres, nats.Url, radius);
        await using var stream = await RawAgentStream.ConnectAsync(controller.GrpcUrl, "bng-offreader", Guid.NewGuid().ToString("N"));
        await SendStartedAsync(stream, 2, "s-before", "100.64.9.1");
        await stream.WaitForAckAsync(2);

        await nats.KillAsync();
        await SendStartedAsync(stream, 3, "s-while-down", "100.64.9.2");
        // The fixture's FreeRADIUS accepts alice; the User-Name is the circuit-id here.
        await stream.SendAsync(4, m => m.Authorize = new AuthorizeRequest
        {
            RequestId = 77,
            Subscriber = new SubscriberIdentity { Mac = "02:00:00:00:09:03", CircuitId = "alice", RemoteId = "relay-01", Interface = "sub0" },
        });
        await TestTimeouts.WaitUntilAsync(() => stream.Received.Any(m => m.AuthorizeResult?.RequestId == 77), "the answer to the authorization");
        var answer = stream.Received.First(m => m.AuthorizeResult?.RequestId == 77).AuthorizeResult;
        var ackedWhileDown = stream.Received.Any(m => m.Ack?.Seq == 3);

        await nats.StartAsync(TestTimeouts.Token());
        await stream.WaitForAckAsync(3);

        Assert.True(answer.Accepted, answer.Reason);
        Assert.False(ackedWhileDown);
        Assert.Equal([2UL, 3UL], stream.Received.Where(m => m.BodyCase == ControllerMessage.BodyOneofCase.Ack).Select(m => m.Ack.Seq));
    }
}
