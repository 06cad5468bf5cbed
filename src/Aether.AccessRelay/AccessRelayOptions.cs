using Microsoft.Extensions.Options;

namespace Aether.AccessRelay;

internal sealed class AccessRelayOptions
{
    /// <summary>Option 82 remote-id (sub-option 2): the access node's name.</summary>
    public string RemoteId { get; set; } = "";

    /// <summary>The interface towards the BNG.</summary>
    public string Uplink { get; set; } = "";

    public List<AccessPortOptions> Ports { get; set; } = [];
}

internal sealed class AccessPortOptions
{
    public string Interface { get; set; } = "";

    /// <summary>Option 82 circuit-id (sub-option 1) for this port, e.g. 1/0/3.</summary>
    public string CircuitId { get; set; } = "";
}

internal sealed class AccessRelayOptionsValidator : IValidateOptions<AccessRelayOptions>
{
    public ValidateOptionsResult Validate(string? name, AccessRelayOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.RemoteId))
        {
            errors.Add("Relay:RemoteId is required.");
        }
        if (string.IsNullOrWhiteSpace(options.Uplink))
        {
            errors.Add("Relay:Uplink is required.");
        }
        if (options.Ports.Count == 0)
        {
            errors.Add("Relay:Ports needs at least one access port.");
        }
        foreach (var (port, i) in options.Ports.Select((p, i) => (p, i)))
        {
            if (string.IsNullOrWhiteSpace(port.Interface) || string.IsNullOrWhiteSpace(port.CircuitId))
            {
                errors.Add($"Relay:Ports:{i} needs Interface and CircuitId.");
            }
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
