namespace Aether.Radius;

/// <summary>A RADIUS server; servers are tried in the order listed.</summary>
public sealed record RadiusServerEndpoint
{
    public required string Host { get; init; }

    public int AuthPort { get; init; } = 1812;

    public int AcctPort { get; init; } = 1813;

    public required string Secret { get; init; }

    public override string ToString() => $"{Host} auth {AuthPort} acct {AcctPort}";
}

public sealed class RadiusClientOptions
{
    public const int MaxSocketCount = 64;
    public const int MaxRetries = 10;

    public List<RadiusServerEndpoint> Servers { get; set; } = [];

    /// <summary>Wait for the first transmission; each retransmission doubles it up to <see cref="MaxRetransmitTimeout"/> (RFC 5080 2.2.1).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Retransmissions to one server before failing over to the next.</summary>
    public int Retries { get; set; } = 3;

    /// <summary>UDP source ports; each carries 256 Identifiers, so at most 256 × SocketCount requests are in flight.</summary>
    public int SocketCount { get; set; } = 4;

    public TimeSpan MaxRetransmitTimeout { get; set; } = TimeSpan.FromSeconds(8);

    /// <summary>How long a server that did not answer is skipped, unless every server is down.</summary>
    public TimeSpan DeadServerHoldDown { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Returns every error at once; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Servers is null || Servers.Count == 0)
        {
            errors.Add("Servers: at least one RADIUS server is required.");
        }
        else
        {
            for (var i = 0; i < Servers.Count; i++)
            {
                var server = Servers[i];
                if (server is null)
                {
                    errors.Add($"Servers[{i}]: missing.");
                    continue;
                }

                if (string.IsNullOrWhiteSpace(server.Host))
                {
                    errors.Add($"Servers[{i}].Host: required.");
                }

                if (server.AuthPort is < 1 or > 65535)
                {
                    errors.Add($"Servers[{i}].AuthPort: {server.AuthPort} is not a port (1-65535).");
                }

                if (server.AcctPort is < 1 or > 65535)
                {
                    errors.Add($"Servers[{i}].AcctPort: {server.AcctPort} is not a port (1-65535).");
                }

                if (string.IsNullOrEmpty(server.Secret))
                {
                    errors.Add($"Servers[{i}].Secret: required.");
                }
            }
        }

        if (Timeout <= TimeSpan.Zero)
        {
            errors.Add($"Timeout: {Timeout} must be positive.");
        }

        if (MaxRetransmitTimeout < Timeout)
        {
            errors.Add($"MaxRetransmitTimeout: {MaxRetransmitTimeout} must be at least Timeout ({Timeout}).");
        }

        if (Retries is < 0 or > MaxRetries)
        {
            errors.Add($"Retries: {Retries} must be between 0 and {MaxRetries}.");
        }

        if (SocketCount is < 1 or > MaxSocketCount)
        {
            errors.Add($"SocketCount: {SocketCount} must be between 1 and {MaxSocketCount}.");
        }

        if (DeadServerHoldDown < TimeSpan.Zero)
        {
            errors.Add($"DeadServerHoldDown: {DeadServerHoldDown} must not be negative.");
        }

        return errors;
    }
}
