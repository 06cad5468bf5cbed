using Aether.Storage;
using GraphQL.Types;

namespace Aether.Controller.GraphQL;

internal sealed class SessionGraphType : ObjectGraphType<ActiveSession>
{
    public SessionGraphType()
    {
        Name = "Session";
        Description = "A live subscriber session (from the sessions_active read model).";
        Field("id", x => x.SessionId, type: typeof(NonNullGraphType<IdGraphType>));
        Field("bngId", x => x.BngId);
        Field("mac", x => x.Mac);
        Field("ip", x => x.Ip);
        Field("circuitId", x => x.CircuitId);
        Field("remoteId", x => x.RemoteId);
        Field("relayId", x => x.RelayId, nullable: true);
        Field("username", x => x.Username, nullable: true);
        Field("downloadKbps", x => x.DownloadKbps);
        Field("uploadKbps", x => x.UploadKbps);
        Field("bytesUp", x => x.BytesUp);
        Field("bytesDown", x => x.BytesDown);
        Field("packetsUp", x => x.PacketsUp);
        Field("packetsDown", x => x.PacketsDown);
        Field("started", x => x.Started);
        Field("updatedAt", x => x.UpdatedAt);
        Field("state", x => x.State);
    }
}

internal sealed class PageInfoGraphType : ObjectGraphType<Page<ActiveSession>>
{
    public PageInfoGraphType()
    {
        Name = "PageInfo";
        Field<NonNullGraphType<BooleanGraphType>>("hasNextPage").Resolve(ctx => ctx.Source.HasNextPage);
        Field<StringGraphType>("endCursor").Resolve(ctx => ctx.Source.EndCursor);
    }
}

internal sealed class SessionConnectionGraphType : ObjectGraphType<Page<ActiveSession>>
{
    public SessionConnectionGraphType()
    {
        Name = "SessionConnection";
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<SessionGraphType>>>>("nodes").Resolve(ctx => ctx.Source.Items);
        Field<NonNullGraphType<PageInfoGraphType>>("pageInfo").Resolve(ctx => ctx.Source);
        Field<NonNullGraphType<IntGraphType>>("totalCount").Resolve(ctx => ctx.Source.TotalCount);
    }
}
