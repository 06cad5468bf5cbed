namespace Aether.GraphQL;

/// <summary>The BNG agents whose streams end at this server (the <c>agents</c> query). Optional.</summary>
public interface IAgentDirectory
{
    IReadOnlyList<ConnectedAgent> ConnectedAgents { get; }
}

/// <summary>One agent stream: its BNG, the agent process instance, the peer address and when it connected.</summary>
public sealed record ConnectedAgent(string BngId, string InstanceId, string Peer, DateTimeOffset Connected, int SessionCount);
