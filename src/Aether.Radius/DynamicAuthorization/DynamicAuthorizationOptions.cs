using System.Net;

namespace Aether.Radius.DynamicAuthorization;

/// <summary>A party allowed to send CoA-Request and Disconnect-Request, known by its source address.</summary>
public sealed record DynamicAuthorizationClient
{
    public required string Address { get; init; }

    public required string Secret { get; init; }

    /// <summary>A name for logs; the address when empty.</summary>
    public string? Name { get; init; }
}

public sealed class DynamicAuthorizationOptions
{
    /// <summary>The RFC 5176 port.</summary>
    public const int DefaultPort = 3799;

    public string Address { get; set; } = "0.0.0.0";

    public int Port { get; set; } = DefaultPort;

    public List<DynamicAuthorizationClient> Clients { get; set; } = [];

    /// <summary>A retransmission (same source, Identifier and authenticator) within this window gets the cached answer (RFC 5080 2.2.2).</summary>
    public TimeSpan DuplicateWindow { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Drop requests without Message-Authenticator; a present one is always checked.</summary>
    public bool RequireMessageAuthenticator { get; set; }

    /// <summary>Requests handled at once; beyond it datagrams wait in the socket buffer.</summary>
    public int MaxConcurrentRequests { get; set; } = 64;

    /// <summary>Returns every error at once; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!IPAddress.TryParse(Address, out _))
        {
            errors.Add($"Address: '{Address}' is not an IP address.");
        }

        if (Port is < 0 or > 65535)
        {
            errors.Add($"Port: {Port} is not a port (0-65535).");
        }

        if (Clients is null || Clients.Count == 0)
        {
            errors.Add("Clients: at least one client (address and secret) is required.");
        }
        else
        {
            var seen = new HashSet<IPAddress>();
            for (var i = 0; i < Clients.Count; i++)
            {
                var client = Clients[i];
                if (client is null)
                {
                    errors.Add($"Clients[{i}]: missing.");
                    continue;
                }

                if (!IPAddress.TryParse(client.Address, out var address))
                {
                    errors.Add($"Clients[{i}].Address: '{client.Address}' is not an IP address.");
                }
                else if (!seen.Add(Normalize(address)))
                {
                    errors.Add($"Clients[{i}].Address: {client.Address} is listed twice.");
                }

                if (string.IsNullOrEmpty(client.Secret))
                {
                    errors.Add($"Clients[{i}].Secret: required.");
                }
            }
        }

        if (DuplicateWindow < TimeSpan.Zero)
        {
            errors.Add($"DuplicateWindow: {DuplicateWindow} must not be negative.");
        }

        if (MaxConcurrentRequests < 1)
        {
            errors.Add($"MaxConcurrentRequests: {MaxConcurrentRequests} must be at least 1.");
        }

        return errors;
    }

    internal static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
