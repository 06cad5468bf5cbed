using Aether.Controller.Agents;
using Aether.Controller.Tests.Support;
using Aether.TestUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace Aether.Controller.Tests.Agents;

[Collection(ControllerServers.Name)]
public sealed class AgentTokenTests(PostgresServer postgres, NatsServer nats, FreeRadiusServer radius) : IAsyncLifetime
{
    private const string Token = "s3cret-bng-test-token";
    private readonly TestLog _controllerLog = new();
    private readonly TestLog _agentLog = new();
    private InProcessController _controller = null!;

    public async Task InitializeAsync() =>
        _controller = await InProcessController.StartAsync(postgres, nats, radius, _controllerLog, new Dictionary<string, string?>
        {
            ["Controller:AgentTokens:bng-test"] = Token,
        });

    public async Task DisposeAsync() => await _controller.DisposeAsync();

    private bool Registered => _controller.Services.GetRequiredService<AgentRegistry>().Find("bng-test") is not null;

    [Fact]
    public async Task An_agent_with_its_token_connects()
    {
        await using var agent = await AgentLink.StartAsync(_controller.GrpcUrl, _agentLog, o => o.Token = Token);

        await TestTimeouts.WaitUntilAsync(() => agent.Link.IsConnected && Registered, "the agent's stream");

        _agentLog.AssertNoErrors();
        _controllerLog.AssertNoErrors();
        Assert.DoesNotContain(Token, _agentLog.Text + _controllerLog.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_token_file_wins_over_the_token_and_is_trimmed()
    {
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, "  " + Token + "\n");
        try
        {
            await using var agent = await AgentLink.StartAsync(_controller.GrpcUrl, _agentLog, o =>
            {
                o.Token = "not-the-token";
                o.TokenFile = file;
            });

            await TestTimeouts.WaitUntilAsync(() => agent.Link.IsConnected && Registered, "the agent's stream");

            _agentLog.AssertNoErrors();
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task An_agent_with_a_wrong_token_is_refused_and_both_sides_say_so()
    {
        await using var agent = await AgentLink.StartAsync(_controller.GrpcUrl, _agentLog, o => o.Token = "wrong-token");

        await TestTimeouts.WaitUntilAsync(() => _agentLog.Logged(1104) && _controllerLog.Logged(2006), "the refusal on both sides");

        Assert.False(agent.Link.IsConnected);
        Assert.False(Registered);
        var agentLine = _agentLog.Entries.First(e => e.EventId.Id == 1104).Message;
        Assert.Contains("Unauthenticated", agentLine, StringComparison.Ordinal);
        Assert.Contains("Agent:Token", agentLine, StringComparison.Ordinal);
        Assert.Contains("wrong token", _controllerLog.Entries.First(e => e.EventId.Id == 2006).Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-token", _agentLog.Text + _controllerLog.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_agent_without_a_token_is_refused_and_both_sides_say_so()
    {
        await using var agent = await AgentLink.StartAsync(_controller.GrpcUrl, _agentLog);

        await TestTimeouts.WaitUntilAsync(() => _agentLog.Logged(1104) && _controllerLog.Logged(2006), "the refusal on both sides");

        Assert.False(agent.Link.IsConnected);
        Assert.Contains("no token configured", _agentLog.Entries.First(e => e.EventId.Id == 1104).Message, StringComparison.Ordinal);
        Assert.Contains("no token", _controllerLog.Entries.First(e => e.EventId.Id == 2006).Message, StringComparison.Ordinal);
    }
}
