namespace Aether.GraphQL.Internal.Security;

/// <summary>Who is calling: an API key's name and role, or anonymous (a viewer when anonymous reads are allowed).</summary>
internal sealed record ApiIdentity(string Name, ApiRole? Role)
{
    public static readonly ApiIdentity Anonymous = new("anonymous", null);

    public bool IsAnonymous => Role is null;

    public bool CanRead(bool allowAnonymousRead) => Role is not null || allowAnonymousRead;

    public bool CanMutate => Role == ApiRole.Operator;
}

/// <summary>The outcome of looking at a request's credentials.</summary>
internal enum CredentialStatus
{
    /// <summary>No key was presented.</summary>
    None,

    /// <summary>A known key.</summary>
    Valid,

    /// <summary>A key was presented and is not known, or the header is malformed.</summary>
    Invalid,
}
