using Aether.Contracts.Agent.V1;
using Aether.Controller.Agents;
using Aether.GraphQL;

namespace Aether.Controller.Sessions;

/// <summary>
/// What the GraphQL API needs of this controller: session commands (disconnect, plan rate changes as CoA) through
/// <see cref="SessionCommands"/>, which reach the agent wherever it is connected, and the agent streams ending here.
/// </summary>
internal sealed class GraphQLSessionControl : ISessionControl, IAgentDirectory
{
    private readonly SessionCommands _commands;
    private readonly AgentRegistry _agents;

    public GraphQLSessionControl(SessionCommands commands, AgentRegistry agents)
    {
        _commands = commands;
        _agents = agents;
    }

    public IReadOnlyList<ConnectedAgent> ConnectedAgents =>
        [.. _agents.Agents.Select(a => new ConnectedAgent(a.BngId, a.InstanceId, a.Peer, a.Connected, a.SessionCount))];

    public Task<SessionCommandResult> DisconnectAsync(string sessionId, string? cause, CancellationToken cancellationToken) =>
        RunAsync(sessionId, () => _commands.DisconnectAsync(sessionId, cause, cancellationToken));

    public Task<SessionCommandResult> ChangeRateAsync(string sessionId, long downloadKbps, long uploadKbps, CancellationToken cancellationToken)
    {
        var policy = new ShapingPolicy
        {
            PolicyId = $"plan:{downloadKbps}/{uploadKbps}",
            DownloadKbps = (ulong)downloadKbps,
            UploadKbps = (ulong)uploadKbps,
        };
        return RunAsync(sessionId, () => _commands.ChangeRateAsync(sessionId, policy, cancellationToken));
    }

    private static async Task<SessionCommandResult> RunAsync(string sessionId, Func<Task<SessionLocation>> command)
    {
        try
        {
            var location = await command();
            return new SessionCommandResult(location.SessionId, location.BngId);
        }
        catch (SessionNotFoundException ex)
        {
            throw new SessionControlException(SessionControlError.SessionNotFound, sessionId, ex.Message, ex);
        }
        catch (AgentUnavailableException ex)
        {
            throw new SessionControlException(SessionControlError.AgentUnavailable, sessionId, ex.Message, ex);
        }
    }
}
