using System.Buffers;
using System.Text.Json;
using Aether.GraphQL.Internal.Security;
using GraphQL;
using GraphQL.Transport;
using Microsoft.Extensions.Primitives;

namespace Aether.GraphQL.Internal.Transport;

internal sealed partial class GraphQLWebSocketConnection
{
    private const string ConnectionInit = "connection_init";
    private const string ConnectionAck = "connection_ack";
    private const string Ping = "ping";
    private const string Pong = "pong";
    private const string Subscribe = "subscribe";
    private const string Next = "next";
    private const string Error = "error";
    private const string Complete = "complete";

    private async Task HandleAsync(ReadOnlyMemory<byte> utf8, CancellationToken ct)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8);
        }
        catch (JsonException)
        {
            await CloseAsync(CloseCodes.BadRequest, "Invalid message received");
            return;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("type", out var typeElement) || typeElement.ValueKind != JsonValueKind.String)
            {
                await CloseAsync(CloseCodes.BadRequest, "Invalid message received");
                return;
            }

            var payload = root.TryGetProperty("payload", out var p) && p.ValueKind != JsonValueKind.Null ? p : (JsonElement?)null;
            switch (typeElement.GetString())
            {
                case ConnectionInit:
                    await OnConnectionInitAsync(payload);
                    break;
                case Ping:
                    Send(Message(Pong, id: null, payload is { ValueKind: JsonValueKind.Object } echo ? w => echo.WriteTo(w) : (Action<Utf8JsonWriter>?)null));
                    break;
                case Pong:
                    break;
                case Subscribe:
                    await OnSubscribeAsync(root, payload, ct);
                    break;
                case Complete:
                    if (root.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String)
                    {
                        if (_operations.TryRemove(id.GetString()!, out var operation))
                        {
                            operation.Dispose();
                        }
                    }
                    else
                    {
                        await CloseAsync(CloseCodes.BadRequest, "Invalid message received");
                    }

                    break;
                default:
                    await CloseAsync(CloseCodes.BadRequest, $"Unexpected message of type {Truncate(typeElement.GetString()!, 40)} received");
                    break;
            }
        }
    }

    private static string Truncate(string value, int length) => value.Length <= length ? value : value[..length];

    /// <summary>
    /// connection_init: the API key comes from the payload ("authorization": "Bearer &lt;key&gt;", or "apiKey" / "x-api-key"),
    /// else from the upgrade request's headers. A wrong key, or none where anonymous reads are off, closes with 4403.
    /// </summary>
    private async Task OnConnectionInitAsync(JsonElement? payload)
    {
        if (Interlocked.Exchange(ref _initReceived, 1) != 0)
        {
            await CloseAsync(CloseCodes.TooManyInitialisationRequests, "Too many initialisation requests");
            return;
        }

        if (payload is { ValueKind: not JsonValueKind.Object })
        {
            await CloseAsync(CloseCodes.BadRequest, "Invalid message received");
            return;
        }

        var (status, identity) = payload is { } p && HasCredentials(p)
            ? Authenticate(p)
            : _keys.Authenticate(_http.Request.Headers);
        if (status == CredentialStatus.Invalid || (status == CredentialStatus.None && !_options.AllowAnonymousRead))
        {
            GraphQLLog.Refused(_logger, _remote, status == CredentialStatus.Invalid ? "the API key is not valid" : "this API needs an API key");
            await CloseAsync(CloseCodes.Forbidden, "Forbidden");
            return;
        }

        _identity = identity;
        _acknowledged = true;
        Send(Message(ConnectionAck, id: null, payload: null));
    }

    private static readonly string[] s_authorizationNames = ["authorization", "Authorization"];
    private static readonly string[] s_keyNames = ["apiKey", "x-api-key", "X-Api-Key"];

    private static bool HasCredentials(JsonElement payload) =>
        s_authorizationNames.Concat(s_keyNames).Any(name => payload.TryGetProperty(name, out _));

    private (CredentialStatus, ApiIdentity) Authenticate(JsonElement payload)
    {
        var authorization = Find(payload, s_authorizationNames);
        var key = Find(payload, s_keyNames);
        if (authorization is { ValueKind: not JsonValueKind.String } || key is { ValueKind: not JsonValueKind.String })
        {
            return (CredentialStatus.Invalid, ApiIdentity.Anonymous);
        }

        return ApiKeyStore.TryGetKey(
            authorization is { } a ? new StringValues(a.GetString()) : StringValues.Empty,
            key is { } k ? new StringValues(k.GetString()) : StringValues.Empty,
            out var value)
            ? _keys.Authenticate(value)
            : (CredentialStatus.Invalid, ApiIdentity.Anonymous);
    }

    private static JsonElement? Find(JsonElement payload, string[] names)
    {
        foreach (var name in names)
        {
            if (payload.TryGetProperty(name, out var value))
            {
                return value;
            }
        }

        return null;
    }

    private async Task OnSubscribeAsync(JsonElement root, JsonElement? payload, CancellationToken ct)
    {
        if (!_acknowledged)
        {
            await CloseAsync(CloseCodes.Unauthorized, "Unauthorized");
            return;
        }

        if (!root.TryGetProperty("id", out var idElement) || idElement.ValueKind != JsonValueKind.String || idElement.GetString() is not { Length: > 0 } id
            || payload is not { ValueKind: JsonValueKind.Object } body
            || !body.TryGetProperty("query", out var query) || query.ValueKind != JsonValueKind.String)
        {
            await CloseAsync(CloseCodes.BadRequest, "Invalid message received");
            return;
        }

        GraphQLRequest request;
        try
        {
            request = _serializer.Deserialize<GraphQLRequest>(body.GetRawText())!;
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException)
        {
            await CloseAsync(CloseCodes.BadRequest, "Invalid message received");
            return;
        }

        var operation = new Operation();
        if (!_operations.TryAdd(id, operation))
        {
            operation.Dispose();
            await CloseAsync(CloseCodes.SubscriberAlreadyExists, $"Subscriber for {Truncate(id, 64)} already exists");
            return;
        }

        if (_operations.Count > _options.MaxOperationsPerConnection)
        {
            Forget(id, operation);
            SendErrors(id, [new ExecutionError($"At most {_options.MaxOperationsPerConnection} operations may run at once on one connection.") { Code = ErrorCodes.BadRequest }]);
            return;
        }

        if (request.Query!.Length > _options.MaxQueryLength)
        {
            Forget(id, operation);
            SendErrors(id, [new ExecutionError($"The query is longer than {_options.MaxQueryLength} characters.") { Code = ErrorCodes.BadRequest }]);
            return;
        }

        var token = operation.Cancellation.Token;
        if (IsSubscription(request))
        {
            // Setting up a stream is quick: doing it before the next message is read means a client that subscribes, then
            // pings and gets its pong, knows the subscription is live.
            await ExecuteAsync(id, operation, request, token);
        }
        else
        {
            _ = ExecuteAsync(id, operation, request, token);
        }
    }

    private static bool IsSubscription(GraphQLRequest request)
    {
        try
        {
            var document = GraphQLParser.Parser.Parse(request.Query!);
            var operations = document.Definitions.OfType<GraphQLParser.AST.GraphQLOperationDefinition>().ToList();
            var operation = request.OperationName is { } name
                ? operations.FirstOrDefault(o => o.Name?.StringValue == name)
                : operations.Count == 1 ? operations[0] : null;
            return operation?.Operation == GraphQLParser.AST.OperationType.Subscription;
        }
        catch (GraphQLParser.Exceptions.GraphQLSyntaxErrorException)
        {
            return false;
        }
    }

    private async Task ExecuteAsync(string id, Operation operation, GraphQLRequest request, CancellationToken ct)
    {
        try
        {
            var result = await _executor.ExecuteAsync(request, _identity, RequestTransport.WebSocket, _http.RequestServices, ct);
            if (ct.IsCancellationRequested)
            {
                return;
            }

            if (result.Streams is { Count: > 0 } streams)
            {
                operation.Attach(streams.Values.First().Subscribe(new StreamObserver(this, id, operation)));
                return;
            }

            if (!result.Executed)
            {
                Forget(id, operation);
                SendErrors(id, result.Errors ?? []);
                return;
            }

            SendNext(id, result);
            Forget(id, operation);
            Send(Message(Complete, id, payload: null));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            GraphQLLog.OperationFailed(_logger, _name, id, ex);
            Forget(id, operation);
            SendErrors(id, [new ExecutionError("Internal error; the server log has the details.") { Code = ErrorCodes.Internal }]);
        }
    }

    /// <summary>Removes the operation if it is still the one registered under the id (the id may be reused after).</summary>
    private void Forget(string id, Operation operation)
    {
        if (_operations.TryRemove(new KeyValuePair<string, Operation>(id, operation)))
        {
            operation.Dispose();
        }
    }

    private void SendNext(string id, ExecutionResult result)
    {
        var json = _serializer.Serialize(result);
        Send(Message(Next, id, w => w.WriteRawValue(json, skipInputValidation: true)));
    }

    /// <summary>"error": the operation failed before it ran (validation, authorization); the payload is the list of errors.</summary>
    private void SendErrors(string id, ExecutionErrors errors)
    {
        var json = _serializer.Serialize(new ExecutionResult { Errors = errors });
        using var document = JsonDocument.Parse(json);
        var list = document.RootElement.GetProperty("errors").Clone();
        Send(Message(Error, id, w => list.WriteTo(w)));
    }

    private static byte[] Message(string type, string? id, Action<Utf8JsonWriter>? payload)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (id is not null)
            {
                writer.WriteString("id", id);
            }

            writer.WriteString("type", type);
            if (payload is not null)
            {
                writer.WritePropertyName("payload");
                payload(writer);
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private sealed class StreamObserver(GraphQLWebSocketConnection connection, string id, Operation operation) : IObserver<ExecutionResult>
    {
        public void OnNext(ExecutionResult value) => connection.SendNext(id, value);

        public void OnError(Exception error)
        {
            GraphQLLog.OperationFailed(connection._logger, connection._name, id, error);
            connection.SendNext(id, new ExecutionResult { Errors = [new ExecutionError("The event stream failed.") { Code = ErrorCodes.Internal }] });
            OnCompleted();
        }

        public void OnCompleted()
        {
            connection.Forget(id, operation);
            connection.Send(Message(Complete, id, payload: null));
        }
    }
}
