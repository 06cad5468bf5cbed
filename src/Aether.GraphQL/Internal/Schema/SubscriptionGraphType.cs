using Aether.Events;
using Aether.GraphQL.Internal.Events;
using GraphQL;
using GraphQL.Types;
using Microsoft.Extensions.DependencyInjection;

namespace Aether.GraphQL.Internal.Schema;

/// <summary>Live events from NATS, as they are published by any controller. Served over WebSocket (graphql-transport-ws).</summary>
internal sealed class SubscriptionGraphType : ObjectGraphType
{
    public SubscriptionGraphType()
    {
        Name = "Subscription";

        Field<NonNullGraphType<EventGraphType>>("sessionEvents")
            .Description("Lifecycle events as they are published (SESSION_START, SESSION_UPDATE, SESSION_STOP, POLICY_APPLY, ROUTER_UPDATE, BNG_HEALTH_UPDATE), optionally filtered.")
            .Argument<StringGraphType>("bngId")
            .Argument<IdGraphType>("sessionId")
            .Argument<ListGraphType<NonNullGraphType<StringGraphType>>>("types", "event types, e.g. [\"SESSION_START\", \"SESSION_STOP\"]")
            .ResolveStream(ctx =>
            {
                var bngId = ctx.GetArgument<string?>("bngId");
                var sessionId = ctx.GetArgument<string?>("sessionId");
                var types = ctx.GetArgument<List<string>?>("types")?.ToHashSet(StringComparer.Ordinal);
                return Hub(ctx).Observe<AetherEvent>(live =>
                {
                    var e = live.Event;
                    return (bngId is null || e.BngId == bngId) && (sessionId is null || e.SessionId == sessionId)
                        && (types is null || types.Contains(e.Type)) ? e : null;
                });
            });

        Field<NonNullGraphType<TrafficUpdateGraphType>>("trafficUpdated")
            .Description("Counter reports of sessions (SESSION_UPDATE, and the final counters of SESSION_STOP).")
            .Argument<IdGraphType>("sessionId")
            .Argument<StringGraphType>("bngId")
            .ResolveStream(ctx =>
            {
                var sessionId = ctx.GetArgument<string?>("sessionId");
                var bngId = ctx.GetArgument<string?>("bngId");
                return Hub(ctx).Observe<TrafficUpdate>(live => live.Traffic is { } t
                    && (sessionId is null || t.SessionId == sessionId) && (bngId is null || t.BngId == bngId) ? t : null);
            });

        Field<NonNullGraphType<BngHealthReportGraphType>>("bngHealth")
            .Description("Health reports of BNG agents.")
            .Argument<StringGraphType>("bngId")
            .ResolveStream(ctx =>
            {
                var bngId = ctx.GetArgument<string?>("bngId");
                return Hub(ctx).Observe<BngHealthReport>(live => live.Health is { } h && (bngId is null || h.BngId == bngId) ? h : null);
            });
    }

    private static EventHub Hub(IResolveFieldContext context) => context.RequestServices!.GetRequiredService<EventHub>();
}

internal sealed class AetherSchema : global::GraphQL.Types.Schema
{
    public AetherSchema(IServiceProvider services, QueryGraphType query, MutationGraphType mutation, SubscriptionGraphType subscription)
        : base(services)
    {
        Description = "Aether broadband subscriber management: sessions, events, BNGs, provisioning.";
        Query = query;
        Mutation = mutation;
        Subscription = subscription;
    }
}
