using Aether.GraphQL.Internal.Data;
using Aether.GraphQL.Internal.Security;

namespace Aether.GraphQL.Internal;

internal enum RequestTransport
{
    HttpPost,
    HttpGet,
    WebSocket,
}

/// <summary>Per-request state: the caller, how the request came, and the request's batch loaders.</summary>
internal sealed class AetherUserContext : Dictionary<string, object?>
{
    public AetherUserContext(ApiIdentity identity, RequestTransport transport, DataLoaders loaders)
    {
        Identity = identity;
        Transport = transport;
        Loaders = loaders;
    }

    public ApiIdentity Identity { get; }

    public RequestTransport Transport { get; }

    public DataLoaders Loaders { get; }
}
