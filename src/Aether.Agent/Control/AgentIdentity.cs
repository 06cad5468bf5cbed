using System.Net.NetworkInformation;
using Aether.Contracts.Agent.V1;
using Microsoft.Extensions.Options;

namespace Aether.Agent.Control;

/// <summary>Who this agent is: its BNG id, a per-process instance id, and its interfaces.</summary>
internal sealed class AgentIdentity
{
    private readonly AgentOptions _options;

    public AgentIdentity(IOptions<AgentOptions> options)
    {
        _options = options.Value;
        InstanceId = Guid.NewGuid().ToString("N")[..12];
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
            if (nic.NetworkInterfaceType == NetworkInterfaceType.Loopback)
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
}
