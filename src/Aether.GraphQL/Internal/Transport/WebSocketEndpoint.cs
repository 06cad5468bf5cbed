using Aether.GraphQL.Internal.Security;
using GraphQL;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Aether.GraphQL.Internal.Transport;

/// <summary>
/// Accepts WebSocket upgrades on the GraphQL path with the sub-protocol "graphql-transport-ws" (the GraphQL over
/// WebSocket protocol of enisdenjo/graphql-ws, which graphql-ws clients speak) and runs one
/// <see cref="GraphQLWebSocketConnection"/> per socket until the client or the host goes away.
/// </summary>
internal sealed class WebSocketEndpoint
{
    public const string SubProtocol = "graphql-transport-ws";

    private readonly GraphQLExecutor _executor;
    private readonly ApiKeyStore _keys;
    private readonly AetherGraphQLOptions _options;
    private readonly IGraphQLTextSerializer _serializer;
    private readonly TimeProvider _time;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger<GraphQLWebSocketConnection> _logger;

    public WebSocketEndpoint(GraphQLExecutor executor, ApiKeyStore keys, IOptions<AetherGraphQLOptions> options, IGraphQLTextSerializer serializer,
        TimeProvider time, IHostApplicationLifetime lifetime, ILogger<GraphQLWebSocketConnection> logger)
    {
        _executor = executor;
        _keys = keys;
        _options = options.Value;
        _serializer = serializer;
        _time = time;
        _lifetime = lifetime;
        _logger = logger;
    }

    public async Task HandleAsync(HttpContext http)
    {
        using var lifetime = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, _lifetime.ApplicationStopping);
        if (!http.WebSockets.WebSocketRequestedProtocols.Contains(SubProtocol, StringComparer.Ordinal))
        {
            // As graphql-ws servers do: accept, then say why with 4406.
            using var refused = await http.WebSockets.AcceptWebSocketAsync();
            await GraphQLWebSocketConnection.CloseQuietlyAsync(refused, CloseCodes.SubprotocolNotAcceptable, "Subprotocol not acceptable", lifetime.Token);
            return;
        }

        using var socket = await http.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            SubProtocol = SubProtocol,
            KeepAliveInterval = _options.KeepAliveInterval,
        });
        var connection = new GraphQLWebSocketConnection(socket, http, _executor, _keys, _options, _serializer, _time, _logger);
        await connection.RunAsync(lifetime.Token);
    }
}

/// <summary>The close codes of graphql-transport-ws (PROTOCOL.md), plus the WebSocket ones this server uses.</summary>
internal static class CloseCodes
{
    public const int Normal = 1000;
    public const int GoingAway = 1001;
    public const int MessageTooBig = 1009;
    public const int InternalError = 1011;
    public const int TryAgainLater = 1013;
    public const int BadRequest = 4400;
    public const int Unauthorized = 4401;
    public const int Forbidden = 4403;
    public const int SubprotocolNotAcceptable = 4406;
    public const int ConnectionInitialisationTimeout = 4408;
    public const int SubscriberAlreadyExists = 4409;
    public const int TooManyInitialisationRequests = 4429;
}
