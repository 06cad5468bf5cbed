using Aether.Contracts.Agent.V1;
using Aether.Controller.Tests.Support;
using Aether.TestUtilities;

namespace Aether.Controller.Tests.Sessions;

/// <summary>
/// An agent that lost its state reconnects to a controller that restarted meanwhile: the sessions only
/// sessions_active still holds are ended, and each gets its Accounting-Stop at the real FreeRADIUS.
/// </summary>
[Collection(ControllerServers.Name)]
public sealed class ResyncAccountingTests(PostgresServer postgres, NatsServer nats, FreeRadiusServer radius) : IAsyncLifetime
{
    private readonly TestLog _log = new();
    private InProcessController _controller = null!;

    public async Task InitializeAsync() => _controller = await InProcessController.StartAsync(postgres, nats, radius, _log);

    public async Task DisposeAsync() => await _controller.DisposeAsync();

    [Fact]
    public async Task Sessions_known_only_to_the_read_model_get_their_Accounting_Stop()
    {
        var sessionId = "resync-acct-" + Guid.NewGuid().ToString("N")[..12];
        await using (var before = await RawAgentStream.ConnectAsync(_controller.GrpcUrl, "bng-resync", "instance-old"))
        {
            await before.SendAsync(1, m => m.SessionStarted = new SessionStarted { Session = RawAgentStream.Session(sessionId, "100.64.9.21") });
            await before.WaitForAckAsync(1);
        }
        await TestTimeouts.WaitUntilAsync(async () => await _controller.ScalarAsync(
            "SELECT count(*) FROM sessions_active WHERE session_id = @s", ("s", sessionId)) == 1, "the session in sessions_active");
        List<string> Records() => [.. radius.ReadDetail().Split("\n\n").Where(r => r.Contains(sessionId, StringComparison.Ordinal))];
        await TestTimeouts.WaitUntilAsync(() => Records().Any(r => r.Contains("Acct-Status-Type = Start", StringComparison.Ordinal)), "the Start");

        // A new controller process (nothing in memory), then the agent back as a new instance holding nothing.
        var name = _controller.Name;
        await _controller.DisposeAsync();
        _controller = await InProcessController.StartAsync(postgres, nats, radius, _log, restartOf: name);
        await using var after = await RawAgentStream.ConnectAsync(_controller.GrpcUrl, "bng-resync", "instance-new");

        await TestTimeouts.WaitUntilAsync(() => Records().Any(r => r.Contains("Acct-Status-Type = Stop", StringComparison.Ordinal)), "the Stop");
        var stop = Assert.Single(Records(), r => r.Contains("Acct-Status-Type = Stop", StringComparison.Ordinal));
        Assert.Contains("Acct-Terminate-Cause = NAS-Reboot", stop, StringComparison.Ordinal);
        Assert.Contains("Framed-IP-Address = 100.64.9.21", stop, StringComparison.Ordinal);
        await TestTimeouts.WaitUntilAsync(async () => await _controller.ScalarAsync(
            "SELECT count(*) FROM sessions_active WHERE session_id = @s", ("s", sessionId)) == 0, "the session gone from sessions_active");
        _log.AssertNoErrors();
    }
}
