using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Aether.GraphQL.Internal.Security;

/// <summary>
/// The configured API keys, held as SHA-256 digests so a lookup compares digests (never the keys themselves
/// character by character) and no key stays in memory in clear beyond the options. Keys come from
/// "Authorization: Bearer &lt;key&gt;" or "X-Api-Key: &lt;key&gt;", or for a WebSocket from connection_init's payload.
/// </summary>
internal sealed class ApiKeyStore
{
    public const string ApiKeyHeader = "X-Api-Key";
    private const string BearerPrefix = "Bearer ";

    private readonly Dictionary<string, ApiIdentity> _byDigest = new(StringComparer.Ordinal);

    public ApiKeyStore(IOptions<AetherGraphQLOptions> options)
    {
        var o = options.Value;
        foreach (var key in o.ApiKeys)
        {
            Add(key);
        }

        if (o.ApiKeysFile is not null && File.Exists(o.ApiKeysFile))
        {
            foreach (var (_, key) in ApiKeyFile.Read(o.ApiKeysFile).Keys)
            {
                Add(key);
            }
        }
    }

    public int Count => _byDigest.Count;

    public int OperatorCount => _byDigest.Values.Count(i => i.Role == ApiRole.Operator);

    public (CredentialStatus Status, ApiIdentity Identity) Authenticate(string? key)
    {
        if (key is null)
        {
            return (CredentialStatus.None, ApiIdentity.Anonymous);
        }

        return _byDigest.TryGetValue(Digest(key), out var identity)
            ? (CredentialStatus.Valid, identity)
            : (CredentialStatus.Invalid, ApiIdentity.Anonymous);
    }

    /// <summary>The key from the Authorization (Bearer) or X-Api-Key header; a malformed header counts as an invalid key.</summary>
    public (CredentialStatus Status, ApiIdentity Identity) Authenticate(IHeaderDictionary headers)
    {
        if (!TryGetKey(headers.Authorization, headers[ApiKeyHeader], out var key))
        {
            return (CredentialStatus.Invalid, ApiIdentity.Anonymous);
        }

        return Authenticate(key);
    }

    /// <summary>False when a header is present but not of a form this API reads.</summary>
    public static bool TryGetKey(StringValues authorization, StringValues apiKey, out string? key)
    {
        key = null;
        if (authorization.Count > 0)
        {
            var value = authorization.ToString();
            if (authorization.Count > 1 || !value.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }

            key = value[BearerPrefix.Length..].Trim();
            return key.Length > 0;
        }

        if (apiKey.Count > 0)
        {
            key = apiKey.ToString().Trim();
            return apiKey.Count == 1 && key.Length > 0;
        }

        return true;
    }

    private void Add(ApiKeyOptions key) => _byDigest[Digest(key.Key)] = new ApiIdentity(key.Name, key.Role);

    private static string Digest(string key) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
