using Aether.GraphQL.Internal.Data;
using Aether.Storage;
using GraphQL.Types;

namespace Aether.GraphQL.Internal.Schema;

internal sealed class SessionGraphType : ObjectGraphType<ActiveSession>
{
    public SessionGraphType()
    {
        Name = "Session";
        Description = "A live subscriber session (sessions_active).";
        Field<NonNullGraphType<IdGraphType>>("id").Resolve(ctx => ctx.Source.SessionId);
        Field(x => x.BngId);
        Field(x => x.InstanceId);
        Field(x => x.Mac);
        Field(x => x.Ip).Description("IPv4 address");
        Field(x => x.CircuitId).Description("Option 82 circuit-id");
        Field(x => x.RemoteId).Description("Option 82 remote-id");
        Field(x => x.RelayId, nullable: true).Description("Option 82 relay-id (RFC 6925)");
        Field(x => x.Username, nullable: true).Description("RADIUS User-Name");
        Field(x => x.DownloadKbps).Description("shaped download rate, kbit/s");
        Field(x => x.UploadKbps).Description("shaped upload rate, kbit/s");
        Field(x => x.BytesUp);
        Field(x => x.BytesDown);
        Field(x => x.PacketsUp);
        Field(x => x.PacketsDown);
        Field<NonNullGraphType<DateTimeGraphType>>("started").Resolve(ctx => Resolve.Utc(ctx.Source.Started));
        Field<NonNullGraphType<DateTimeGraphType>>("updatedAt").Resolve(ctx => Resolve.Utc(ctx.Source.UpdatedAt));
        Field(x => x.State).Description("ACTIVE, or STOPPED between a stop's final counters and its move to history");
        Field<ServiceGraphType>("service")
            .Description("the service whose User-Name the session authenticated with")
            .Resolve(ctx => ctx.Source.Username is { } u ? ctx.Loaders().ServiceByUsername.Load(u) : null);
        Field<CustomerGraphType>("customer")
            .Description("the customer of that service")
            .Resolve(ctx => ctx.Source.Username is { } u ? ctx.Loaders().CustomerByUsername.Load(u) : null);
        Field<NonNullGraphType<TrafficRateGraphType>>("traffic")
            .Description("rates over the last 5 minutes")
            .Resolve(ctx => ctx.Loaders().TrafficBySession.Load(ctx.Source.SessionId));
    }
}

internal sealed class SessionConnectionGraphType : ConnectionGraphType<SessionGraphType, ActiveSession>
{
    public SessionConnectionGraphType()
        : base("SessionConnection", withTotalCount: true)
    {
    }
}

internal sealed class HistoricSessionGraphType : ObjectGraphType<HistoricSessionRow>
{
    public HistoricSessionGraphType()
    {
        Name = "HistoricSession";
        Description = "A finished session (sessions_history) with its final counters.";
        Field<NonNullGraphType<IdGraphType>>("id").Resolve(ctx => ctx.Source.SessionId);
        Field(x => x.BngId);
        Field(x => x.Mac);
        Field(x => x.Ip);
        Field(x => x.CircuitId);
        Field(x => x.RemoteId);
        Field(x => x.RelayId, nullable: true);
        Field(x => x.Username, nullable: true);
        Field(x => x.DownloadKbps);
        Field(x => x.UploadKbps);
        Field(x => x.BytesUp);
        Field(x => x.BytesDown);
        Field(x => x.PacketsUp);
        Field(x => x.PacketsDown);
        Field<NonNullGraphType<DateTimeGraphType>>("started").Resolve(ctx => Resolve.Utc(ctx.Source.Started));
        Field<NonNullGraphType<DateTimeGraphType>>("stopped").Resolve(ctx => Resolve.Utc(ctx.Source.Stopped));
        Field(x => x.Cause, nullable: true).Description("RFC 2866 Acct-Terminate-Cause, e.g. User-Request, Admin-Reset, Lost-Carrier");
        Field<CustomerGraphType>("customer")
            .Resolve(ctx => ctx.Source.Username is { } u ? ctx.Loaders().CustomerByUsername.Load(u) : null);
    }
}

internal sealed class HistoricSessionConnectionGraphType : ConnectionGraphType<HistoricSessionGraphType, HistoricSessionRow>
{
    public HistoricSessionConnectionGraphType()
        : base("HistoricSessionConnection", withTotalCount: true)
    {
    }
}

internal sealed class SessionSortFieldGraphType : EnumerationGraphType<SessionSortField>
{
    public SessionSortFieldGraphType() => Name = "SessionSortField";
}

internal sealed class SortDirectionGraphType : EnumerationGraphType<SortDirection>
{
    public SortDirectionGraphType() => Name = "SortDirection";
}

internal sealed class SessionFilterInputGraphType : InputObjectGraphType
{
    public SessionFilterInputGraphType()
    {
        Name = "SessionFilter";
        Field<StringGraphType>("bngId");
        Field<IdGraphType>("customerId").Description("sessions of this customer's services (matched on the RADIUS User-Name)");
        Field<StringGraphType>("state").Description("ACTIVE or STOPPED");
        Field<StringGraphType>("ip").Description("substring of the IPv4 address");
        Field<StringGraphType>("mac").Description("substring of the MAC address, any case");
    }
}

internal sealed class SessionOrderInputGraphType : InputObjectGraphType
{
    public SessionOrderInputGraphType()
    {
        Name = "SessionOrder";
        Field<NonNullGraphType<SessionSortFieldGraphType>>("field").DefaultValue(SessionSortField.Started);
        Field<NonNullGraphType<SortDirectionGraphType>>("direction").DefaultValue(SortDirection.Asc);
    }
}

internal sealed class SessionHistoryFilterInputGraphType : InputObjectGraphType
{
    public SessionHistoryFilterInputGraphType()
    {
        Name = "SessionHistoryFilter";
        Field<StringGraphType>("bngId");
        Field<IdGraphType>("customerId");
        Field<StringGraphType>("ip").Description("substring of the IPv4 address");
        Field<StringGraphType>("mac").Description("substring of the MAC address, any case");
        Field<DateTimeGraphType>("from").Description("sessions that stopped at or after this time");
        Field<DateTimeGraphType>("to").Description("sessions that stopped before this time");
    }
}
