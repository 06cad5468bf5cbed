namespace Aether.Agent.Control;

/// <summary>
/// The token this agent presents to the controller, as the controller's AgentAuthenticator reads it: gRPC metadata
/// "authorization: Bearer &lt;token&gt;" on the Connect call. Agent:TokenFile wins over Agent:Token; both are trimmed.
/// </summary>
internal static class AgentToken
{
    public const string MetadataKey = "authorization";
    public const string Scheme = "Bearer ";

    /// <summary>The token to send now, or null for none. The file is read on every call so a rotated token is picked up at the next connect.</summary>
    /// <exception cref="IOException">The token file cannot be read.</exception>
    public static string? Resolve(AgentOptions options)
    {
        var token = string.IsNullOrEmpty(options.TokenFile) ? options.Token.Trim() : Read(options.TokenFile);
        return token.Length == 0 ? null : token;
    }

    public static string Read(string path) => File.ReadAllText(path).Trim();
}
