using GraphQL;
using GraphQL.Transport;
using GraphQL.Types;

namespace Aether.Controller.GraphQL;

/// <summary>GraphQL over HTTP: POST application/json {query, variables, operationName}.</summary>
internal static class GraphQLEndpoint
{
    public static IEndpointRouteBuilder MapAetherGraphQL(this IEndpointRouteBuilder endpoints, string path = "/graphql")
    {
        endpoints.MapPost(path, async (HttpContext http, IDocumentExecuter<ISchema> executer, IGraphQLTextSerializer serializer) =>
        {
            var ct = http.RequestAborted;
            GraphQLRequest? request;
            try
            {
                request = await serializer.ReadAsync<GraphQLRequest>(http.Request.Body, ct);
            }
            catch (Exception ex) when (ex is System.Text.Json.JsonException or NotSupportedException)
            {
                http.Response.StatusCode = StatusCodes.Status400BadRequest;
                await serializer.WriteAsync(http.Response.Body, new ExecutionResult { Errors = [new ExecutionError("the body is not a GraphQL request: " + ex.Message)] }, ct);
                return;
            }
            if (request is null || string.IsNullOrWhiteSpace(request.Query))
            {
                http.Response.StatusCode = StatusCodes.Status400BadRequest;
                await serializer.WriteAsync(http.Response.Body, new ExecutionResult { Errors = [new ExecutionError("the request has no query")] }, ct);
                return;
            }
            var result = await executer.ExecuteAsync(new ExecutionOptions
            {
                Query = request.Query,
                Variables = request.Variables,
                OperationName = request.OperationName,
                RequestServices = http.RequestServices,
                CancellationToken = ct,
            });
            http.Response.ContentType = "application/json";
            await serializer.WriteAsync(http.Response.Body, result, ct);
        });
        return endpoints;
    }
}
