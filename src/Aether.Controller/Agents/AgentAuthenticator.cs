using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Aether.Controller.Agents;

/// <summary>
/// Per-agent bearer tokens: an agent's stream is accepted only with the token configured for its bng_id.
/// With no token configured at all, authentication is off (the lab on loopback) and a warning says so.
/// </summary>
internal sealed partial class AgentAuthenticator
{
    private readonly Dictionary<string, byte[]> _tokens = new(StringComparer.Ordinal);

    public AgentAuthenticator(IOptions<ControllerOptions> options, ILogger<AgentAuthenticator> logger)
    {
        foreach (var (bngId, token) in options.Value.AgentTokens)
        {
            _tokens[bngId] = Encoding.UTF8.GetBytes(token);
        }
        if (options.Value.AgentTokensFile is { } file)
        {
            foreach (var raw in File.ReadAllLines(file))
            {
                var line = raw.Trim();
                if (line.Length == 0 || line.StartsWith('#'))
                {
                    continue;
                }
                var parts = line.Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length == 2)
                {
                    _tokens[parts[0]] = Encoding.UTF8.GetBytes(parts[1]);
                }
            }
        }
        if (_tokens.Count == 0)
        {
            LogAuthenticationOff(logger);
        }
    }

    public bool Enabled => _tokens.Count > 0;

    public bool IsAllowed(string bngId, string? authorization)
    {
        if (!Enabled)
        {
            return true;
        }
        const string Prefix = "Bearer ";
        if (authorization is null || !authorization.StartsWith(Prefix, StringComparison.Ordinal) || !_tokens.TryGetValue(bngId, out var expected))
        {
            return false;
        }
        var presented = Encoding.UTF8.GetBytes(authorization[Prefix.Length..].Trim());
        return CryptographicOperations.FixedTimeEquals(presented, expected);
    }

    [LoggerMessage(EventId = 2010, Level = LogLevel.Warning, Message = "No agent tokens configured (Controller:AgentTokens / AgentTokensFile): any agent that reaches the gRPC port is accepted")]
    private static partial void LogAuthenticationOff(ILogger logger);
}
