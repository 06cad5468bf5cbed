using GraphQL.Validation;
using GraphQLParser.AST;
using Microsoft.Extensions.Options;

namespace Aether.GraphQL.Internal.Security;

/// <summary>
/// Role enforcement at validation, before anything runs: mutations need an operator key (and POST or WebSocket),
/// reads need a key unless anonymous reads are allowed, subscriptions need a WebSocket.
/// </summary>
internal sealed class AuthorizationRule : ValidationRuleBase
{
    private readonly bool _allowAnonymousRead;

    public AuthorizationRule(IOptions<AetherGraphQLOptions> options) => _allowAnonymousRead = options.Value.AllowAnonymousRead;

    public override ValueTask<INodeVisitor?> GetPreNodeVisitorAsync(ValidationContext context)
    {
        if (context.UserContext is not AetherUserContext user || context.Operation is not { } operation)
        {
            return default;
        }

        var identity = user.Identity;
        var error = operation.Operation switch
        {
            OperationType.Mutation when user.Transport == RequestTransport.HttpGet =>
                Error(context, operation, ErrorCodes.MethodNotAllowed, "Mutations are accepted over POST or WebSocket, not GET."),
            OperationType.Mutation when identity.IsAnonymous =>
                Error(context, operation, ErrorCodes.Unauthenticated,
                    "Mutations need an API key with the operator role (header \"Authorization: Bearer <key>\" or \"X-Api-Key\")."),
            OperationType.Mutation when !identity.CanMutate =>
                Error(context, operation, ErrorCodes.Forbidden,
                    $"The API key '{identity.Name}' has the viewer role; mutations need the operator role."),
            OperationType.Subscription when user.Transport != RequestTransport.WebSocket =>
                Error(context, operation, ErrorCodes.BadRequest,
                    "Subscriptions are served over WebSocket (sub-protocol graphql-transport-ws) at this endpoint."),
            _ when !identity.CanRead(_allowAnonymousRead) =>
                Error(context, operation, ErrorCodes.Unauthenticated,
                    "This API needs an API key (header \"Authorization: Bearer <key>\" or \"X-Api-Key\")."),
            _ => null,
        };
        if (error is not null)
        {
            context.ReportError(error);
        }

        return default;
    }

    private static ValidationError Error(ValidationContext context, GraphQLOperationDefinition operation, string code, string message) =>
        new(context.Document.Source, null, message, operation) { Code = code };
}
