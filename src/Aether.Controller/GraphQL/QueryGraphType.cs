using Aether.Controller.Agents;
using Aether.Storage;
using GraphQL;
using GraphQL.Types;

namespace Aether.Controller.GraphQL;

internal sealed class QueryGraphType : ObjectGraphType
{
    public const int MaxPageSize = 500;

    public QueryGraphType()
    {
        Name = "Query";
        Field<NonNullGraphType<SessionConnectionGraphType>>("sessions")
            .Description("Live sessions, newest last, paged with first/after.")
            .Argument<IntGraphType>("first", "page size (default 50, at most 500)")
            .Argument<StringGraphType>("after", "the endCursor of the previous page")
            .Argument<StringGraphType>("bngId")
            .Argument<StringGraphType>("ip", "substring of the IP address")
            .Argument<StringGraphType>("mac", "substring of the MAC address")
            .Argument<StringGraphType>("state")
            .ResolveAsync(async ctx =>
            {
                var first = ctx.GetArgument<int?>("first") ?? 50;
                if (first is < 1 or > MaxPageSize)
                {
                    throw new ExecutionError($"first must be between 1 and {MaxPageSize}") { Code = "BAD_USER_INPUT" };
                }
                var filter = new SessionFilter(ctx.GetArgument<string?>("bngId"), ctx.GetArgument<string?>("ip"),
                    ctx.GetArgument<string?>("mac"), ctx.GetArgument<string?>("state"));
                var readModel = ctx.RequestServices!.GetRequiredService<SessionReadModel>();
                return await readModel.ListActiveAsync(filter, first, ctx.GetArgument<string?>("after"), ctx.CancellationToken);
            });
        Field<SessionGraphType>("session")
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .ResolveAsync(async ctx =>
            {
                var readModel = ctx.RequestServices!.GetRequiredService<SessionReadModel>();
                return await readModel.GetActiveAsync(ctx.GetArgument<string>("id"), ctx.CancellationToken);
            });
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<AgentGraphType>>>>("agents")
            .Description("BNG agents connected to this controller.")
            .Resolve(ctx => ctx.RequestServices!.GetRequiredService<AgentRegistry>().Agents);
    }
}

internal sealed class AgentGraphType : ObjectGraphType<AgentConnection>
{
    public AgentGraphType()
    {
        Name = "Agent";
        Field("bngId", x => x.BngId);
        Field("instanceId", x => x.InstanceId);
        Field("peer", x => x.Peer);
        Field("connected", x => x.Connected);
        Field("sessionCount", x => x.SessionCount);
    }
}

internal sealed class AetherSchema : Schema
{
    public AetherSchema(IServiceProvider services, QueryGraphType query)
        : base(services)
    {
        Query = query;
    }
}
