using Aether.Contracts.Agent.V1;
using Aether.Controller.Tests.Support;
using Aether.TestUtilities;

namespace Aether.Controller.Tests.Sessions;

/// <summary>
/// SESSION_UPDATE from the agent's counter sweeps, through the real JetStream stream and ingestor into PostgreSQL:
/// published when a session's counters moved or its interim accounting went out, not for every sweep of an idle one.
/// </summary>
[Collection(ControllerServers.Name)]
public sealed class SessionUpdateTests(PostgresServer postgres, NatsServer nats, FreeRadiusServer radius) : IAsyncLifetime
{
    private readonly TestLog _log = new();
    private InProcessController _controller = null!;

    public async Task InitializeAsync() => _controller = await InProcessController.StartAsync(postgres, nats, radius, _log,
        new Dictionary<string, string?> { ["Controller:AcctInterimIntervalSeconds"] = "10" });

    public async Task DisposeAsync() => await _controller.DisposeAsync();

    [Fact]
    public async Task Sweeps_that_find_the_counters_unchanged_publish_nothing()
    {
        await using var stream = await RawAgentStream.ConnectAsync(_controller.GrpcUrl, "bng-test", "instance-upd");
        await stream.SendAsync(10, m => m.SessionStarted = new SessionStarted { Session = RawAgentStream.Session("s-upd", "100.64.0.30") });
        await stream.WaitForAckAsync(10);

        // No traffic yet: the read model already says so (SESSION_START).
        await SweepAsync(stream, 11, "s-upd", bytesDown: 0);
        await SweepAsync(stream, 12, "s-upd", bytesDown: 1_000);
        await SweepAsync(stream, 13, "s-upd", bytesDown: 1_000);
        await SweepAsync(stream, 14, "s-upd", bytesDown: 5_000);
        await SweepAsync(stream, 15, "s-upd", bytesDown: 5_000);
        await SweepAsync(stream, 16, "s-upd", bytesDown: 5_000);
        await stream.SendAsync(17, m => m.SessionStopped = new SessionStopped { SessionId = "s-upd", Ip = "100.64.0.30", Cause = "User-Request", Detail = "DHCPRELEASE" });
        await stream.WaitForAckAsync(17);
        await TestTimeouts.WaitUntilAsync(async () => await _controller.ScalarAsync(
            "SELECT count(*) FROM session_events WHERE session_id = 's-upd' AND type = 'SESSION_STOP'") == 1, "the stop in the log");

        // Reports are handled in order, so the stop in the log means every sweep before it was handled.
        Assert.Equal(2, await _controller.ScalarAsync("SELECT count(*) FROM session_events WHERE session_id = 's-upd' AND type = 'SESSION_UPDATE'"));
        Assert.Equal(1, await _controller.ScalarAsync(
            "SELECT count(*) FROM session_events WHERE session_id = 's-upd' AND type = 'SESSION_UPDATE' AND (payload -> 'counters' ->> 'bytes_down')::bigint = 1000"));
        Assert.Equal(1, await _controller.ScalarAsync(
            "SELECT count(*) FROM session_events WHERE session_id = 's-upd' AND type = 'SESSION_UPDATE' AND (payload -> 'counters' ->> 'bytes_down')::bigint = 5000"));
        _log.AssertNoErrors();
    }

    [Fact]
    public async Task An_idle_session_still_gets_an_update_with_each_interim()
    {
        await using var stream = await RawAgentStream.ConnectAsync(_controller.GrpcUrl, "bng-test", "instance-idle");
        await stream.SendAsync(10, m => m.SessionStarted = new SessionStarted { Session = RawAgentStream.Session("s-idle", "100.64.0.31") });
        await stream.WaitForAckAsync(10);

        await SweepAsync(stream, 11, "s-idle", bytesDown: 0);
        await SweepAsync(stream, 12, "s-idle", bytesDown: 0);
        // Past the interim interval (10 s here) the unchanged counters go out with the Interim-Update.
        await Task.Delay(TimeSpan.FromSeconds(10.5));
        await SweepAsync(stream, 13, "s-idle", bytesDown: 0);
        await stream.SendAsync(14, m => m.SessionStopped = new SessionStopped { SessionId = "s-idle", Ip = "100.64.0.31", Cause = "User-Request", Detail = "DHCPRELEASE" });
        await stream.WaitForAckAsync(14);
        await TestTimeouts.WaitUntilAsync(async () => await _controller.ScalarAsync(
            "SELECT count(*) FROM session_events WHERE session_id = 's-idle' AND type = 'SESSION_STOP'") == 1, "the stop in the log");

        Assert.Equal(1, await _controller.ScalarAsync("SELECT count(*) FROM session_events WHERE session_id = 's-idle' AND type = 'SESSION_UPDATE'"));
        _log.AssertNoErrors();
    }

    private static Task SweepAsync(RawAgentStream stream, ulong seq, string sessionId, ulong bytesDown) =>
        stream.SendAsync(seq, m => m.Counters = new CounterReport
        {
            Sessions = { new SessionCounters { SessionId = sessionId, Seq = seq, Total = new Counters { BytesDown = bytesDown, PacketsDown = bytesDown / 100 } } },
        });
}
