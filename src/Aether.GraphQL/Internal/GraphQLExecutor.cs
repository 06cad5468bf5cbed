using System.Net.Sockets;
using Aether.GraphQL.Internal.Data;
using Aether.GraphQL.Internal.Schema;
using Aether.GraphQL.Internal.Security;
using GraphQL;
using GraphQL.Execution;
using GraphQL.Transport;
using GraphQLParser.AST;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Aether.GraphQL.Internal;

/// <summary>Runs one GraphQL request for any transport: the caller's identity, fresh batch loaders, safe error messages.</summary>
internal sealed class GraphQLExecutor
{
    private readonly IDocumentExecuter<AetherSchema> _executer;
    private readonly OssReadModels _oss;
    private readonly RadiusDatabase _radius;
    private readonly ILogger<GraphQLExecutor> _logger;

    public GraphQLExecutor(IDocumentExecuter<AetherSchema> executer, OssReadModels oss, RadiusDatabase radius, ILogger<GraphQLExecutor> logger)
    {
        _executer = executer;
        _oss = oss;
        _radius = radius;
        _logger = logger;
    }

    public Task<ExecutionResult> ExecuteAsync(GraphQLRequest request, ApiIdentity identity, RequestTransport transport,
        IServiceProvider services, CancellationToken cancellationToken) =>
        _executer.ExecuteAsync(new ExecutionOptions
        {
            Query = request.Query,
            Variables = request.Variables,
            Extensions = request.Extensions,
            OperationName = request.OperationName,
            RequestServices = services,
            CancellationToken = cancellationToken,
            UserContext = new AetherUserContext(identity, transport, new DataLoaders(_oss, _radius)),
            UnhandledExceptionDelegate = HandleAsync,
            Listeners = { new MutationAudit(_logger, identity) },
        });

    /// <summary>
    /// An exception no resolver turned into a user error: logged in full here, answered with a message that says what
    /// happened without internals.
    /// </summary>
    private Task HandleAsync(UnhandledExceptionContext context)
    {
        var path = context.FieldContext is { } field ? string.Join('.', field.Path) : "(request)";
        var exception = context.OriginalException;
        if (exception is OperationCanceledException)
        {
            context.ErrorMessage = "The request was cancelled.";
        }
        else if (IsUnavailable(exception))
        {
            GraphQLLog.DatabaseUnavailable(_logger, path, exception);
            context.Exception = new ExecutionError("A database this API reads is unavailable; try again shortly.") { Code = ErrorCodes.Unavailable };
            context.ErrorMessage = context.Exception.Message;
        }
        else
        {
            GraphQLLog.FieldFailed(_logger, path, exception);
            context.Exception = new ExecutionError("Internal error; the server log has the details.") { Code = ErrorCodes.Internal };
            context.ErrorMessage = context.Exception.Message;
        }

        return Task.CompletedTask;
    }

    private static bool IsUnavailable(Exception exception) => exception switch
    {
        PostgresException => false,
        NpgsqlException or SocketException or TimeoutException => true,
        _ => exception.InnerException is { } inner && IsUnavailable(inner),
    };

    /// <summary>Logs which key ran which mutation (never the key).</summary>
    private sealed class MutationAudit(ILogger logger, ApiIdentity identity) : DocumentExecutionListenerBase
    {
        public override Task BeforeExecutionAsync(IExecutionContext context)
        {
            if (context.Operation.Operation == OperationType.Mutation)
            {
                GraphQLLog.Mutation(logger, context.Operation.Name?.StringValue ?? "(anonymous)", identity.Name);
            }

            return Task.CompletedTask;
        }
    }
}
