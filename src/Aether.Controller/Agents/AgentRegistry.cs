using System.Collections.Concurrent;

namespace Aether.Controller.Agents;

/// <summary>The agents connected to this controller, by BNG id (a newer stream replaces an older one).</summary>
internal sealed class AgentRegistry
{
    private readonly ConcurrentDictionary<string, AgentConnection> _agents = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _draining = new(StringComparer.Ordinal);

    public bool IsDraining(string bngId) => _draining.ContainsKey(bngId);

    public void SetDraining(string bngId, bool draining)
    {
        if (draining)
        {
            _draining[bngId] = true;
        }
        else
        {
            _draining.TryRemove(bngId, out _);
        }
    }

    public IReadOnlyCollection<AgentConnection> Agents => [.. _agents.Values];

    public AgentConnection? Find(string bngId) => _agents.GetValueOrDefault(bngId);

    public AgentConnection? Register(AgentConnection connection)
    {
        AgentConnection? previous = null;
        _agents.AddOrUpdate(connection.BngId, connection, (_, old) =>
        {
            previous = old;
            return connection;
        });
        return previous;
    }

    public void Unregister(AgentConnection connection) =>
        _agents.TryRemove(new KeyValuePair<string, AgentConnection>(connection.BngId, connection));
}
