using Aether.GraphQL.Internal.Data;
using GraphQL;
using GraphQL.Types;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Aether.GraphQL.Internal.Schema;

internal sealed class QueryGraphType : ObjectGraphType
{
    public QueryGraphType(IOptions<AetherGraphQLOptions> options)
    {
        Name = "Query";
        var maxPage = options.Value.MaxPageSize;

        Field<NonNullGraphType<SessionConnectionGraphType>>("sessions")
            .Description("Live sessions (sessions_active), filtered, sorted and paged with first/after.")
            .Argument<IntGraphType>("first", $"page size (default 50, at most {maxPage})", a => a.DefaultValue = 50)
            .Argument<StringGraphType>("after", "the endCursor of the previous page (valid with the same orderBy only)")
            .Argument<SessionFilterInputGraphType>("filter")
            .Argument<SessionOrderInputGraphType>("orderBy", "default: by start time, oldest first")
            .ResolveAsync(async ctx =>
            {
                var filter = InputFields.Of(ctx, "filter");
                var order = InputFields.Of(ctx, "orderBy");
                var query = new SessionQuery(
                    filter.String("bngId"), Resolve.OptionalId(filter.String("customerId"), "customerId"), filter.String("state"),
                    filter.String("ip"), filter.String("mac"),
                    order.Enum("field", SessionSortField.Started), order.Enum("direction", SortDirection.Asc));
                return await Oss(ctx).ListSessionsAsync(query, ctx.First(maxPage), ctx.GetArgument<string?>("after"),
                    ctx.Selects("totalCount"), ctx.CancellationToken);
            });

        Field<SessionGraphType>("session")
            .Description("One live session, or null when it is not active.")
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .ResolveAsync(async ctx => await Oss(ctx).GetSessionAsync(ctx.GetArgument<string>("id"), ctx.CancellationToken));

        Field<NonNullGraphType<HistoricSessionConnectionGraphType>>("sessionHistory")
            .Description("Finished sessions (sessions_history), most recently stopped first.")
            .Argument<IntGraphType>("first", $"page size (default 50, at most {maxPage})", a => a.DefaultValue = 50)
            .Argument<StringGraphType>("after")
            .Argument<SessionHistoryFilterInputGraphType>("filter")
            .ResolveAsync(async ctx =>
            {
                var filter = InputFields.Of(ctx, "filter");
                var query = new HistoryQuery(filter.String("bngId"), Resolve.OptionalId(filter.String("customerId"), "customerId"),
                    filter.String("ip"), filter.String("mac"), filter.Time("from"), filter.Time("to"));
                return await Oss(ctx).ListHistoryAsync(query, ctx.First(maxPage), ctx.GetArgument<string?>("after"),
                    ctx.Selects("totalCount"), ctx.CancellationToken);
            });

        Field<NonNullGraphType<EventConnectionGraphType>>("events")
            .Description("The event log (session_events), newest first.")
            .Argument<IntGraphType>("first", $"page size (default 50, at most {maxPage})", a => a.DefaultValue = 50)
            .Argument<StringGraphType>("after")
            .Argument<EventFilterInputGraphType>("filter")
            .ResolveAsync(async ctx =>
            {
                var filter = InputFields.Of(ctx, "filter");
                var query = new EventQuery(filter.String("sessionId"), filter.String("bngId"), filter.Strings("types"),
                    filter.Time("from"), filter.Time("to"));
                return await Oss(ctx).ListEventsAsync(query, ctx.First(maxPage), ctx.GetArgument<string?>("after"), ctx.CancellationToken);
            });

        Field<NonNullGraphType<ListGraphType<NonNullGraphType<BngGraphType>>>>("bngs")
            .Description("Every BNG that has reported, with its latest health.")
            .ResolveAsync(async ctx => await Oss(ctx).ListBngsAsync(null, ctx.CancellationToken));

        Field<BngGraphType>("bng")
            .Argument<NonNullGraphType<StringGraphType>>("id")
            .ResolveAsync(async ctx => (await Oss(ctx).ListBngsAsync(ctx.GetArgument<string>("id"), ctx.CancellationToken)).SingleOrDefault());

        Field<NonNullGraphType<ListGraphType<NonNullGraphType<AccessRouterGraphType>>>>("accessRouters")
            .Description("Access routers (relays) as the BNGs last reported them.")
            .Argument<StringGraphType>("bngId")
            .ResolveAsync(async ctx => await Oss(ctx).ListAccessRoutersAsync(ctx.GetArgument<string?>("bngId"), ctx.CancellationToken));

        Field<NonNullGraphType<ListGraphType<NonNullGraphType<AgentGraphType>>>>("agents")
            .Description("BNG agents connected to this controller.")
            .Resolve(ctx => ctx.RequestServices!.GetService<IAgentDirectory>()?.ConnectedAgents
                .OrderBy(a => a.BngId, StringComparer.Ordinal).ToList() ?? []);

        Field<NonNullGraphType<CustomerConnectionGraphType>>("customers")
            .Argument<IntGraphType>("first", $"page size (default 50, at most {maxPage})", a => a.DefaultValue = 50)
            .Argument<StringGraphType>("after")
            .Argument<StringGraphType>("search", "substring of the name or email, any case")
            .ResolveAsync(async ctx => await Oss(ctx).ListCustomersAsync(ctx.GetArgument<string?>("search"), ctx.First(maxPage),
                ctx.GetArgument<string?>("after"), ctx.Selects("totalCount"), ctx.CancellationToken));

        Field<CustomerGraphType>("customer")
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .Resolve(ctx => ctx.Loaders().CustomerById.Load(Resolve.Id(ctx.GetArgument<string>("id"), "id")));

        Field<NonNullGraphType<ListGraphType<NonNullGraphType<PlanGraphType>>>>("plans")
            .Description("Every plan, by name.")
            .ResolveAsync(async ctx => await Oss(ctx).ListPlansAsync(ctx.CancellationToken));

        Field<PlanGraphType>("plan")
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .Resolve(ctx => ctx.Loaders().PlanById.Load(Resolve.Id(ctx.GetArgument<string>("id"), "id")));

        Field<NonNullGraphType<ServiceConnectionGraphType>>("services")
            .Argument<IntGraphType>("first", $"page size (default 50, at most {maxPage})", a => a.DefaultValue = 50)
            .Argument<StringGraphType>("after")
            .Argument<IdGraphType>("customerId")
            .Argument<IdGraphType>("planId")
            .ResolveAsync(async ctx => await Oss(ctx).ListServicesAsync(
                Resolve.OptionalId(ctx.GetArgument<string?>("customerId"), "customerId"), Resolve.OptionalId(ctx.GetArgument<string?>("planId"), "planId"),
                ctx.First(maxPage), ctx.GetArgument<string?>("after"), ctx.Selects("totalCount"), ctx.CancellationToken));

        Field<ServiceGraphType>("service")
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .Resolve(ctx => ctx.Loaders().ServiceById.Load(Resolve.Id(ctx.GetArgument<string>("id"), "id")));

        Field<NonNullGraphType<ListGraphType<NonNullGraphType<TrafficPointGraphType>>>>("trafficSeries")
            .Description(
                "Traffic per time bucket for one session (sessionId), one BNG (bngId) or every session (neither), with the mean rate over the " +
                "5 minutes up to the end of each bucket. Default range: the last hour. At most 2000 buckets.")
            .Argument<IdGraphType>("sessionId")
            .Argument<StringGraphType>("bngId")
            .Argument<DateTimeGraphType>("from")
            .Argument<DateTimeGraphType>("to")
            .Argument<IntGraphType>("stepSeconds", "bucket length, 10 to 86400 seconds", a => a.DefaultValue = 60)
            .ResolveAsync(async ctx =>
            {
                var step = ctx.GetArgument("stepSeconds", 60);
                if (step is < 10 or > 86_400)
                {
                    throw ErrorCodes.BadInput("stepSeconds must be between 10 and 86400.");
                }

                var to = ctx.GetArgument<DateTime?>("to") is { } t ? Resolve.Utc(t) : DateTime.UtcNow;
                var from = ctx.GetArgument<DateTime?>("from") is { } f ? Resolve.Utc(f) : to.AddHours(-1);
                if (from >= to)
                {
                    throw ErrorCodes.BadInput("from must be before to.");
                }

                var buckets = (to - from).Ticks / TimeSpan.FromSeconds(step).Ticks + 1;
                if (buckets > OssReadModels.MaxTrafficPoints)
                {
                    throw ErrorCodes.BadInput($"The range holds {buckets} buckets of {step} s; at most {OssReadModels.MaxTrafficPoints}: raise stepSeconds or shorten the range.");
                }

                return await Oss(ctx).TrafficSeriesAsync(ctx.GetArgument<string?>("sessionId"), ctx.GetArgument<string?>("bngId"),
                    from, to, TimeSpan.FromSeconds(step), ctx.CancellationToken);
            });

        Field<NonNullGraphType<TrafficRateGraphType>>("traffic")
            .Description("Aggregate rates over the last 5 minutes: every session, or one BNG's.")
            .Argument<StringGraphType>("bngId")
            .ResolveAsync(async ctx => await Oss(ctx).TrafficTotalAsync(ctx.GetArgument<string?>("bngId"), ctx.CancellationToken));

        Field<NonNullGraphType<RadiusProfileGraphType>>("radiusProfile")
            .Description("The rows FreeRADIUS reads for a customer's subscriber identities (radcheck, radreply, radusergroup).")
            .Argument<NonNullGraphType<IdGraphType>>("customerId")
            .ResolveAsync(async ctx =>
            {
                var id = Resolve.Id(ctx.GetArgument<string>("customerId"), "customerId");
                var loaders = ctx.Loaders();
                _ = await loaders.CustomerById.Load(id).GetResultAsync(ctx.CancellationToken)
                    ?? throw ErrorCodes.NotFoundError($"Customer {id} does not exist.");
                return await loaders.RadiusProfileByCustomer.Load(id).GetResultAsync(ctx.CancellationToken);
            });
    }

    private static OssReadModels Oss(IResolveFieldContext context) => context.RequestServices!.GetRequiredService<OssReadModels>();
}
