using Aether.GraphQL.Internal.Data;
using GraphQL;
using GraphQL.Types;

namespace Aether.GraphQL.Internal.Schema;

internal sealed class BngGraphType : ObjectGraphType<BngRow>
{
    public BngGraphType()
    {
        Name = "Bng";
        Description = "A BNG that has reported, with its latest health.";
        Field<NonNullGraphType<StringGraphType>>("id").Resolve(ctx => ctx.Source.BngId);
        Field(x => x.InstanceId).Description("the agent process instance that reported last");
        Field<NonNullGraphType<DateTimeGraphType>>("firstSeen").Resolve(ctx => Resolve.Utc(ctx.Source.FirstSeen));
        Field<NonNullGraphType<DateTimeGraphType>>("lastSeen").Resolve(ctx => Resolve.Utc(ctx.Source.LastSeen));
        Field<BngHealthSampleGraphType>("health").Description("the latest health report, null before the first").Resolve(ctx => ctx.Source.Health);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<BngHealthSampleGraphType>>>>("healthSeries")
            .Description($"health reports from 'from' (default: an hour ago) to 'to' (default: now), oldest first, the latest {OssReadModels.MaxHealthSamples} at most")
            .Argument<DateTimeGraphType>("from")
            .Argument<DateTimeGraphType>("to")
            .Resolve(ctx =>
            {
                var to = ctx.GetArgument<DateTime?>("to") is { } t ? Resolve.Utc(t) : DateTime.UtcNow;
                var from = ctx.GetArgument<DateTime?>("from") is { } f ? Resolve.Utc(f) : to.AddHours(-1);
                if (from >= to)
                {
                    throw ErrorCodes.BadInput("from must be before to.");
                }

                return ctx.Loaders().HealthSeries.Load(new HealthSeriesKey(ctx.Source.BngId, from, to));
            });
        Field(x => x.ActiveSessions).Description("sessions in sessions_active");
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<AccessRouterGraphType>>>>("accessRouters")
            .Resolve(ctx => ctx.Loaders().AccessRoutersByBng.Load(ctx.Source.BngId));
    }
}

internal sealed class BngHealthSampleGraphType : ObjectGraphType<BngHealthSampleRow>
{
    public BngHealthSampleGraphType()
    {
        Name = "BngHealthSample";
        Field<NonNullGraphType<DateTimeGraphType>>("time").Resolve(ctx => Resolve.Utc(ctx.Source.Time));
        Field(x => x.CpuPercent);
        Field(x => x.MemoryBytes);
        Field(x => x.MemoryLimitBytes);
        Field(x => x.SessionCount);
    }
}

internal sealed class AccessRouterGraphType : ObjectGraphType<AccessRouterRow>
{
    public AccessRouterGraphType()
    {
        Name = "AccessRouter";
        Description = "An access router (relay) as its BNG last reported it; the id is the relay-id, or the giaddr without one.";
        Field<NonNullGraphType<StringGraphType>>("id").Resolve(ctx => ctx.Source.RouterId);
        Field(x => x.Giaddr, nullable: true);
        Field(x => x.BngId);
        Field(x => x.State);
        Field<NonNullGraphType<DateTimeGraphType>>("updatedAt").Resolve(ctx => Resolve.Utc(ctx.Source.UpdatedAt));
    }
}

internal sealed class AgentGraphType : ObjectGraphType<ConnectedAgent>
{
    public AgentGraphType()
    {
        Name = "Agent";
        Description = "A BNG agent's stream to this controller.";
        Field(x => x.BngId);
        Field(x => x.InstanceId);
        Field(x => x.Peer);
        Field<NonNullGraphType<DateTimeGraphType>>("connected").Resolve(ctx => Resolve.Utc(ctx.Source.Connected));
        Field(x => x.SessionCount);
    }
}

internal sealed class TrafficPointGraphType : ObjectGraphType<TrafficPointRow>
{
    public TrafficPointGraphType()
    {
        Name = "TrafficPoint";
        Field<NonNullGraphType<DateTimeGraphType>>("time").Description("start of the bucket").Resolve(ctx => Resolve.Utc(ctx.Source.Time));
        Field(x => x.BytesUp);
        Field(x => x.BytesDown);
        Field(x => x.UpBps).Description("mean rate within the bucket, bit/s");
        Field(x => x.DownBps).Description("mean rate within the bucket, bit/s");
        Field(x => x.UpBpsAvg5m).Description("mean rate over the 5 minutes up to the end of the bucket, bit/s");
        Field(x => x.DownBpsAvg5m).Description("mean rate over the 5 minutes up to the end of the bucket, bit/s");
    }
}

internal sealed class TrafficRateGraphType : ObjectGraphType<TrafficRateRow>
{
    public TrafficRateGraphType()
    {
        Name = "TrafficRate";
        Description = "Mean rates over the last 5 minutes.";
        Field(x => x.UpBps);
        Field(x => x.DownBps);
        Field(x => x.UpPps);
        Field(x => x.DownPps);
        Field<DateTimeGraphType>("lastSample").Resolve(ctx => ctx.Source.LastSample is { } t ? Resolve.Utc(t) : null);
    }
}
