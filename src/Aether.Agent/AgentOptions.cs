using System.ComponentModel.DataAnnotations;
using System.Net;
using Aether.Dhcp;
using Microsoft.Extensions.Options;

namespace Aether.Agent;

/// <summary>Configuration of one BNG agent (section "Agent").</summary>
internal sealed class AgentOptions
{
    public const string SectionName = "Agent";

    /// <summary>This BNG's identity; it is the relay-id (Option 82 sub-option 12) the agent writes.</summary>
    public string BngId { get; set; } = "";

    /// <summary>The controller's gRPC address, e.g. http://198.18.0.1:50051.</summary>
    public string Controller { get; set; } = "http://127.0.0.1:50051";

    /// <summary>The DHCP server (Kea) the agent relays to.</summary>
    public string DhcpServer { get; set; } = "";

    public int DhcpServerPort { get; set; } = 67;

    public List<SubscriberInterfaceOptions> SubscriberInterfaces { get; set; } = [];

    /// <summary>Where the agent keeps its journal and state.</summary>
    public string StateDirectory { get; set; } = "/var/lib/aether-agent";

    /// <summary>How long a DISCOVER waits for the controller's authorization before it is dropped.</summary>
    public TimeSpan AuthorizeTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often per-session counters are read from the kernel and reported.</summary>
    public TimeSpan CounterInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Name of the agent's nftables table (family inet).</summary>
    public string NftTable { get; set; } = "aether";

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(BngId))
        {
            errors.Add("Agent:BngId is required (this BNG's name, e.g. bng-01).");
        }
        if (!Uri.TryCreate(Controller, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
        {
            errors.Add($"Agent:Controller '{Controller}' is not an http(s) URL.");
        }
        if (!IPAddress.TryParse(DhcpServer, out _))
        {
            errors.Add($"Agent:DhcpServer '{DhcpServer}' is not an IPv4 address.");
        }
        if (SubscriberInterfaces.Count == 0)
        {
            errors.Add("Agent:SubscriberInterfaces needs at least one interface.");
        }
        for (var i = 0; i < SubscriberInterfaces.Count; i++)
        {
            var s = SubscriberInterfaces[i];
            if (string.IsNullOrWhiteSpace(s.Name))
            {
                errors.Add($"Agent:SubscriberInterfaces:{i}:Name is required.");
            }
            if (!Ipv4Address.TryParse(s.GatewayIp, out _))
            {
                errors.Add($"Agent:SubscriberInterfaces:{i}:GatewayIp '{s.GatewayIp}' is not an IPv4 address (it becomes giaddr).");
            }
        }
        if (AuthorizeTimeout <= TimeSpan.Zero)
        {
            errors.Add("Agent:AuthorizeTimeout must be positive.");
        }
        if (CounterInterval < TimeSpan.FromSeconds(1))
        {
            errors.Add("Agent:CounterInterval must be at least 1 second.");
        }
        return errors;
    }
}

internal sealed class SubscriberInterfaceOptions
{
    public string Name { get; set; } = "";

    /// <summary>The BNG's address on this interface: giaddr of relayed requests, subscribers' default gateway.</summary>
    public string GatewayIp { get; set; } = "";

    /// <summary>What to do with Option 82 from the access network.</summary>
    public Option82Policy Option82 { get; set; } = Option82Policy.Keep;
}

internal sealed class AgentOptionsValidator : IValidateOptions<AgentOptions>
{
    public ValidateOptionsResult Validate(string? name, AgentOptions options)
    {
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
