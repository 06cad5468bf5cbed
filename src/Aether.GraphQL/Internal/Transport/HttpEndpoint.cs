using Aether.GraphQL.Internal.Security;
using GraphQL;
using GraphQL.Transport;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Aether.GraphQL.Internal.Transport;

/// <summary>
/// GraphQL over HTTP: POST with application/json {query, variables, operationName, extensions}, or GET with the same
/// as query-string parameters (queries only). A WebSocket upgrade on the same path goes to <see cref="WebSocketEndpoint"/>.
/// Responses are application/json (or application/graphql-response+json when the client asks for it); a request whose
/// credentials are wrong gets 401, one whose key lacks the role 403, a mutation over GET 405.
/// </summary>
internal static class HttpEndpoint
{
    private const string GraphQLResponseJson = "application/graphql-response+json";

    public static async Task HandleAsync(HttpContext http)
    {
        if (http.WebSockets.IsWebSocketRequest)
        {
            await http.RequestServices.GetRequiredService<WebSocketEndpoint>().HandleAsync(http);
            return;
        }

        var options = http.RequestServices.GetRequiredService<IOptions<AetherGraphQLOptions>>().Value;
        var serializer = http.RequestServices.GetRequiredService<IGraphQLTextSerializer>();
        var logger = http.RequestServices.GetRequiredService<ILogger<GraphQLExecutor>>();
        var ct = http.RequestAborted;
        http.Response.Headers.CacheControl = "no-store";

        var isGet = HttpMethods.IsGet(http.Request.Method);
        if (!isGet && !HttpMethods.IsPost(http.Request.Method))
        {
            http.Response.Headers.Allow = "GET, POST";
            await ErrorAsync(http, serializer, StatusCodes.Status405MethodNotAllowed, ErrorCodes.MethodNotAllowed, "Use POST (or GET for queries).", ct);
            return;
        }

        if (isGet && !http.Request.Query.ContainsKey("query"))
        {
            if (options.EnableGraphiQL && http.Request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase))
            {
                http.Response.Redirect(GraphiQLEndpoint.Path);
                return;
            }

            await ErrorAsync(http, serializer, StatusCodes.Status400BadRequest, ErrorCodes.BadRequest, "The request has no query.", ct);
            return;
        }

        var (status, identity) = http.RequestServices.GetRequiredService<ApiKeyStore>().Authenticate(http.Request.Headers);
        if (status == CredentialStatus.Invalid || (status == CredentialStatus.None && !options.AllowAnonymousRead))
        {
            var reason = status == CredentialStatus.Invalid ? "the API key is not valid" : "this API needs an API key";
            GraphQLLog.Refused(logger, http.Connection.RemoteIpAddress?.ToString() ?? "?", reason);
            http.Response.Headers.WWWAuthenticate = "Bearer";
            await ErrorAsync(http, serializer, StatusCodes.Status401Unauthorized, ErrorCodes.Unauthenticated,
                status == CredentialStatus.Invalid
                    ? "The API key is not valid."
                    : "This API needs an API key (header \"Authorization: Bearer <key>\" or \"X-Api-Key\").", ct);
            return;
        }

        GraphQLRequest? request;
        try
        {
            request = isGet ? FromQueryString(http.Request.Query, serializer) : await FromBodyAsync(http, serializer, options, ct);
        }
        catch (BadRequestException ex)
        {
            await ErrorAsync(http, serializer, ex.StatusCode, ErrorCodes.BadRequest, ex.Message, ct);
            return;
        }

        if (request is null || string.IsNullOrWhiteSpace(request.Query))
        {
            await ErrorAsync(http, serializer, StatusCodes.Status400BadRequest, ErrorCodes.BadRequest, "The request has no query.", ct);
            return;
        }

        if (request.Query.Length > options.MaxQueryLength)
        {
            await ErrorAsync(http, serializer, StatusCodes.Status400BadRequest, ErrorCodes.BadRequest,
                $"The query is longer than {options.MaxQueryLength} characters.", ct);
            return;
        }

        var executor = http.RequestServices.GetRequiredService<GraphQLExecutor>();
        var result = await executor.ExecuteAsync(request, identity, isGet ? RequestTransport.HttpGet : RequestTransport.HttpPost,
            http.RequestServices, ct);

        http.Response.StatusCode = result.Executed ? StatusCodes.Status200OK : StatusFor(result);
        http.Response.ContentType = ResponseContentType(http);
        await serializer.WriteAsync(http.Response.Body, result, ct);
    }

    /// <summary>Refusals found before execution carry their HTTP meaning; other errors are answered 200 with errors, as the spec has it.</summary>
    private static int StatusFor(ExecutionResult result)
    {
        foreach (var error in result.Errors ?? [])
        {
            switch (error.Code)
            {
                case ErrorCodes.Unauthenticated:
                    return StatusCodes.Status401Unauthorized;
                case ErrorCodes.Forbidden:
                    return StatusCodes.Status403Forbidden;
                case ErrorCodes.MethodNotAllowed:
                    return StatusCodes.Status405MethodNotAllowed;
            }
        }

        return StatusCodes.Status200OK;
    }

    private static string ResponseContentType(HttpContext http) =>
        http.Request.Headers.Accept.ToString().Contains(GraphQLResponseJson, StringComparison.OrdinalIgnoreCase)
            ? GraphQLResponseJson + "; charset=utf-8"
            : "application/json; charset=utf-8";

    private static GraphQLRequest FromQueryString(IQueryCollection query, IGraphQLTextSerializer serializer)
    {
        try
        {
            return new GraphQLRequest
            {
                Query = query["query"].ToString(),
                OperationName = query.TryGetValue("operationName", out var name) && name.Count > 0 ? name.ToString() : null,
                Variables = query.TryGetValue("variables", out var v) && v.Count > 0 ? serializer.Deserialize<Inputs>(v.ToString()) : null,
                Extensions = query.TryGetValue("extensions", out var e) && e.Count > 0 ? serializer.Deserialize<Inputs>(e.ToString()) : null,
            };
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or NotSupportedException or InvalidOperationException)
        {
            throw new BadRequestException(StatusCodes.Status400BadRequest, "variables and extensions must be JSON objects.");
        }
    }

    private static async Task<GraphQLRequest?> FromBodyAsync(HttpContext http, IGraphQLTextSerializer serializer, AetherGraphQLOptions options, CancellationToken ct)
    {
        var contentType = http.Request.ContentType ?? "";
        if (!contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
            && !contentType.StartsWith("application/graphql+json", StringComparison.OrdinalIgnoreCase))
        {
            throw new BadRequestException(StatusCodes.Status415UnsupportedMediaType, "Send the request as application/json.");
        }

        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = options.MaxRequestBytes;
        }

        try
        {
            return await serializer.ReadAsync<GraphQLRequest>(http.Request.Body, ct);
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or NotSupportedException or InvalidOperationException)
        {
            throw new BadRequestException(StatusCodes.Status400BadRequest,
                "The body is not a GraphQL request: a JSON object with query, and optionally variables, operationName and extensions.");
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw new BadRequestException(StatusCodes.Status413PayloadTooLarge, $"The body is larger than {options.MaxRequestBytes} bytes.");
        }
    }

    internal static async Task ErrorAsync(HttpContext http, IGraphQLTextSerializer serializer, int status, string code, string message, CancellationToken ct)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = ResponseContentType(http);
        await serializer.WriteAsync(http.Response.Body, new ExecutionResult { Errors = [new ExecutionError(message) { Code = code }] }, ct);
    }

    private sealed class BadRequestException(int statusCode, string message) : Exception(message)
    {
        public int StatusCode { get; } = statusCode;
    }
}
