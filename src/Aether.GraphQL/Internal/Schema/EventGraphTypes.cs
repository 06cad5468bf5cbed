using Aether.Events;
using Aether.GraphQL.Internal.Data;
using Aether.GraphQL.Internal.Events;
using GraphQL.Types;

namespace Aether.GraphQL.Internal.Schema;

internal sealed class EventGraphType : ObjectGraphType<AetherEvent>
{
    public EventGraphType()
    {
        Name = "Event";
        Description = "A lifecycle event as published on the event stream; (bngId, instanceId, seq) identifies it.";
        Field(x => x.Type).Description("SESSION_START, SESSION_UPDATE, SESSION_STOP, POLICY_APPLY, ROUTER_UPDATE or BNG_HEALTH_UPDATE");
        Field(x => x.BngId);
        Field(x => x.InstanceId).Description("the reporting process instance; seq restarts with it");
        Field<NonNullGraphType<LongGraphType>>("seq").Resolve(ctx => (long)ctx.Source.Seq);
        Field<NonNullGraphType<DateTimeGraphType>>("time").Resolve(ctx => Resolve.Utc(ctx.Source.Time));
        Field<IdGraphType>("sessionId").Resolve(ctx => ctx.Source.SessionId);
        Field<EventSessionGraphType>("session").Resolve(ctx => ctx.Source.Session);
        Field<CountersGraphType>("counters").Resolve(ctx => ctx.Source.Counters);
        Field(x => x.Cause, nullable: true).Description("SESSION_STOP: RFC 2866 terminate cause");
        Field<BngHealthGraphType>("health").Resolve(ctx => ctx.Source.Health);
        Field<AccessRouterReportGraphType>("router").Resolve(ctx => ctx.Source.Router);
    }
}

internal sealed class EventConnectionGraphType : ConnectionGraphType<EventGraphType, AetherEvent>
{
    public EventConnectionGraphType()
        : base("EventConnection", withTotalCount: false)
    {
    }
}

internal sealed class EventSessionGraphType : ObjectGraphType<SessionInfo>
{
    public EventSessionGraphType()
    {
        Name = "EventSession";
        Field(x => x.Mac);
        Field(x => x.Ip);
        Field(x => x.CircuitId);
        Field(x => x.RemoteId);
        Field(x => x.RelayId, nullable: true);
        Field(x => x.Username, nullable: true);
        Field(x => x.Interface, nullable: true);
        Field(x => x.DownloadKbps);
        Field(x => x.UploadKbps);
        Field<NonNullGraphType<DateTimeGraphType>>("started").Resolve(ctx => Resolve.Utc(ctx.Source.Started));
        Field<DateTimeGraphType>("leaseExpires").Resolve(ctx => ctx.Source.LeaseExpires is { } t ? Resolve.Utc(t) : null);
    }
}

internal sealed class CountersGraphType : ObjectGraphType<TrafficCounters>
{
    public CountersGraphType()
    {
        Name = "Counters";
        Description = "Cumulative counters since the session started.";
        Field(x => x.BytesUp);
        Field(x => x.BytesDown);
        Field(x => x.PacketsUp);
        Field(x => x.PacketsDown);
    }
}

internal sealed class BngHealthGraphType : ObjectGraphType<BngHealth>
{
    public BngHealthGraphType()
    {
        Name = "BngHealth";
        Field(x => x.CpuPercent);
        Field(x => x.MemoryBytes);
        Field(x => x.MemoryLimitBytes);
        Field(x => x.SessionCount);
    }
}

internal sealed class AccessRouterReportGraphType : ObjectGraphType<AccessRouter>
{
    public AccessRouterReportGraphType()
    {
        Name = "AccessRouterReport";
        Field(x => x.RouterId);
        Field(x => x.Giaddr, nullable: true);
        Field(x => x.BngId);
        Field(x => x.State);
    }
}

internal sealed class EventFilterInputGraphType : InputObjectGraphType
{
    public EventFilterInputGraphType()
    {
        Name = "EventFilter";
        Field<IdGraphType>("sessionId");
        Field<StringGraphType>("bngId");
        Field<ListGraphType<NonNullGraphType<StringGraphType>>>("types");
        Field<DateTimeGraphType>("from");
        Field<DateTimeGraphType>("to");
    }
}

internal sealed class TrafficUpdateGraphType : ObjectGraphType<TrafficUpdate>
{
    public TrafficUpdateGraphType()
    {
        Name = "TrafficUpdate";
        Field<NonNullGraphType<IdGraphType>>("sessionId").Resolve(ctx => ctx.Source.SessionId);
        Field(x => x.BngId);
        Field<NonNullGraphType<DateTimeGraphType>>("time").Resolve(ctx => Resolve.Utc(ctx.Source.Time));
        Field(x => x.BytesUp).Description("cumulative");
        Field(x => x.BytesDown).Description("cumulative");
        Field(x => x.PacketsUp).Description("cumulative");
        Field(x => x.PacketsDown).Description("cumulative");
        Field(x => x.UpBps, nullable: true).Description("bit/s since the previous report this server saw for the session; null for the first");
        Field(x => x.DownBps, nullable: true).Description("bit/s since the previous report this server saw for the session; null for the first");
        Field(x => x.Final).Description("true for the final counters of a stopped session");
    }
}

internal sealed class BngHealthReportGraphType : ObjectGraphType<BngHealthReport>
{
    public BngHealthReportGraphType()
    {
        Name = "BngHealthReport";
        Field(x => x.BngId);
        Field(x => x.InstanceId);
        Field<NonNullGraphType<DateTimeGraphType>>("time").Resolve(ctx => Resolve.Utc(ctx.Source.Time));
        Field(x => x.CpuPercent);
        Field(x => x.MemoryBytes);
        Field(x => x.MemoryLimitBytes);
        Field(x => x.SessionCount);
    }
}
