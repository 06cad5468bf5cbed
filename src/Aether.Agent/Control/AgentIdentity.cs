using System.Net.NetworkInformation;
using Aether.Agent.State;
using Aether.Contracts.Agent.V1;
using Microsoft.Extensions.Options;

namespace Aether.Agent.Control;

/// <summary>Who this agent is: its BNG id, the instance id of its state directory, and its interfaces.</summary>
internal sealed class AgentIdentity
{
    private readonly AgentOptions _options;

    public AgentIdentity(IOptions<AgentOptions> options, AgentStateDirectory state)
    {
        _options = options.Value;
        InstanceId = state.InstanceId;
    }

    public string BngId => _options.BngId;

    public string InstanceId { get; }

    public Hello CreateHello(IReadOnlyList<SessionState> sessions)
    {
        var hello = new Hello
        {
            BngId = _options.BngId,
            InstanceId = InstanceId,
            Version = typeof(AgentIdentity).Assembly.GetName().Version?.ToString() ?? "0",
        };
        var subscriberNames = _options.SubscriberInterfaces.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            // The shaping IFB shards are the agent's own plumbing, not interfaces of the BNG.
            if (nic.NetworkInterfaceType == NetworkInterfaceType.Loopback || IsShard(nic.Name, subscriberNames))
            {
                continue;
            }
            var item = new Interface
            {
                Name = nic.Name,
                Role = subscriberNames.Contains(nic.Name) ? "subscriber" : "core",
                Mac = string.Join(':', nic.GetPhysicalAddress().GetAddressBytes().Select(b => b.ToString("x2"))),
            };
            item.Addresses.AddRange(nic.GetIPProperties().UnicastAddresses.Select(a => $"{a.Address}/{a.PrefixLength}"));
            hello.Interfaces.Add(item);
        }
        hello.Sessions.AddRange(sessions);
        return hello;
    }

    private static bool IsShard(string name, HashSet<string> subscriberInterfaces) =>
        name.Length > 4 && name[^4] == '-' && (name[^3] == 'd' || name[^3] == 'u')
        && subscriberInterfaces.Contains(name[..^4]) && Uri.IsHexDigit(name[^2]) && Uri.IsHexDigit(name[^1]);
}
