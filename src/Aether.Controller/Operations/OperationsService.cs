using Aether.Contracts.Ops.V1;
using Aether.Controller.Agents;
using Aether.Controller.Sessions;
using Aether.Storage;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using OperationsBase = Aether.Contracts.Ops.V1.OperationsService.OperationsServiceBase;

namespace Aether.Controller.Operations;

/// <summary>The Operations API for network engineers (grpcurl with server reflection).</summary>
internal sealed class OperationsService : OperationsBase
{
    private const int DefaultPageSize = 100;
    private const int MaxPageSize = 1000;
    private readonly SessionReadModel _readModel;
    private readonly AgentRegistry _agents;
    private readonly SessionCommands _commands;

    public OperationsService(SessionReadModel readModel, AgentRegistry agents, SessionCommands commands)
    {
        _readModel = readModel;
        _agents = agents;
        _commands = commands;
    }

    public override async Task<DisconnectSessionResponse> DisconnectSession(DisconnectSessionRequest request, ServerCallContext context)
    {
        RequireSessionId(request.SessionId);
        var location = await Run(() => _commands.DisconnectAsync(request.SessionId, request.Cause, context.CancellationToken));
        return new DisconnectSessionResponse { SessionId = location.SessionId, BngId = location.BngId };
    }

    public override async Task<ChangeRateResponse> ChangeRate(ChangeRateRequest request, ServerCallContext context)
    {
        RequireSessionId(request.SessionId);
        if (request.DownloadKbps < 8 || request.UploadKbps < 8)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "download_kbps and upload_kbps must be at least 8"));
        }
        var policy = new Aether.Contracts.Agent.V1.ShapingPolicy
        {
            PolicyId = $"operator:{request.DownloadKbps}/{request.UploadKbps}",
            DownloadKbps = request.DownloadKbps,
            UploadKbps = request.UploadKbps,
        };
        var location = await Run(() => _commands.ChangeRateAsync(request.SessionId, policy, context.CancellationToken));
        return new ChangeRateResponse { SessionId = location.SessionId, BngId = location.BngId };
    }

    public override Task<DrainAgentResponse> DrainAgent(DrainAgentRequest request, ServerCallContext context)
    {
        if (string.IsNullOrWhiteSpace(request.BngId))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "bng_id is required"));
        }
        _agents.SetDraining(request.BngId, request.Drain);
        return Task.FromResult(new DrainAgentResponse { BngId = request.BngId, Draining = _agents.IsDraining(request.BngId) });
    }

    private static void RequireSessionId(string sessionId)
    {
        if (string.IsNullOrWhiteSpace(sessionId))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "session_id is required"));
        }
    }

    private static async Task<SessionLocation> Run(Func<Task<SessionLocation>> action)
    {
        try
        {
            return await action();
        }
        catch (SessionNotFoundException ex)
        {
            throw new RpcException(new Status(StatusCode.NotFound, ex.Message));
        }
        catch (AgentUnavailableException ex)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, ex.Message));
        }
    }

    public override async Task<ListSessionsResponse> ListSessions(ListSessionsRequest request, ServerCallContext context)
    {
        var size = request.PageSize == 0 ? DefaultPageSize : request.PageSize;
        if (size is < 1 or > MaxPageSize)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"page_size must be between 1 and {MaxPageSize}"));
        }
        var filter = new SessionFilter(string.IsNullOrEmpty(request.BngId) ? null : request.BngId);
        var page = await _readModel.ListActiveAsync(filter, size, string.IsNullOrEmpty(request.PageToken) ? null : request.PageToken, context.CancellationToken);
        var response = new ListSessionsResponse { TotalCount = page.TotalCount, NextPageToken = page.HasNextPage ? page.EndCursor ?? "" : "" };
        response.Sessions.AddRange(page.Items.Select(ToProto));
        return response;
    }

    public override async Task<GetSessionResponse> GetSession(GetSessionRequest request, ServerCallContext context)
    {
        if (string.IsNullOrWhiteSpace(request.SessionId))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "session_id is required"));
        }
        var session = await _readModel.GetActiveAsync(request.SessionId, context.CancellationToken)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"no active session {request.SessionId}"));
        return new GetSessionResponse { Session = ToProto(session) };
    }

    public override Task<ListAgentsResponse> ListAgents(ListAgentsRequest request, ServerCallContext context)
    {
        var response = new ListAgentsResponse();
        foreach (var a in _agents.Agents.OrderBy(a => a.BngId, StringComparer.Ordinal))
        {
            var agent = new Agent
            {
                BngId = a.BngId,
                InstanceId = a.InstanceId,
                Peer = a.Peer,
                Connected = Timestamp.FromDateTimeOffset(a.Connected),
                SessionCount = (uint)a.SessionCount,
                Draining = _agents.IsDraining(a.BngId),
            };
            agent.Interfaces.AddRange(a.Hello.Interfaces.Select(i => $"{i.Name} ({i.Role})"));
            response.Agents.Add(agent);
        }
        return Task.FromResult(response);
    }

    private static Session ToProto(ActiveSession s) => new()
    {
        SessionId = s.SessionId,
        BngId = s.BngId,
        Mac = s.Mac,
        Ip = s.Ip,
        CircuitId = s.CircuitId,
        RemoteId = s.RemoteId,
        RelayId = s.RelayId ?? "",
        Username = s.Username ?? "",
        DownloadKbps = (ulong)s.DownloadKbps,
        UploadKbps = (ulong)s.UploadKbps,
        BytesUp = (ulong)s.BytesUp,
        BytesDown = (ulong)s.BytesDown,
        Started = Timestamp.FromDateTimeOffset(s.Started),
        State = s.State,
    };
}
