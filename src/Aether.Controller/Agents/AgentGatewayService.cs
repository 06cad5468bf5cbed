using Aether.Contracts.Agent.V1;
using System.Diagnostics;
using Aether.Controller.Aaa;
using Aether.Controller.Sessions;
using Aether.Observability;
using Grpc.Core;
using Microsoft.Extensions.Options;
using AgentGatewayBase = Aether.Contracts.Agent.V1.AgentGatewayService.AgentGatewayServiceBase;

namespace Aether.Controller.Agents;

/// <summary>
/// The agents' bidirectional stream: hello first, then one reader loop (this method) and one writer task
/// per stream with a bounded queue in front of it. Authorizations run concurrently as they arrive; reports go
/// through the stream's <see cref="ReportPipeline"/>, in order, and are acked once their events are in JetStream.
/// </summary>
internal sealed partial class AgentGatewayService : AgentGatewayBase
{
    private readonly AgentRegistry _registry;
    private readonly AgentAuthenticator _authenticator;
    private readonly AgentCertificates _certificates;
    private readonly Authorizer _authorizer;
    private readonly SessionReports _reports;
    private readonly ControllerOptions _options;
    private readonly TimeProvider _time;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger<AgentGatewayService> _logger;

    private const int MaxUnflushedWrites = 64;
    private static readonly WriteOptions BufferedWrite = new(WriteFlags.BufferHint);

    public AgentGatewayService(
        AgentRegistry registry,
        AgentAuthenticator authenticator,
        AgentCertificates certificates,
        Authorizer authorizer,
        SessionReports reports,
        IOptions<ControllerOptions> options,
        TimeProvider time,
        IHostApplicationLifetime lifetime,
        ILogger<AgentGatewayService> logger)
    {
        _registry = registry;
        _authenticator = authenticator;
        _certificates = certificates;
        _authorizer = authorizer;
        _reports = reports;
        _options = options.Value;
        _time = time;
        _lifetime = lifetime;
        _logger = logger;
    }

    public override async Task Connect(IAsyncStreamReader<AgentMessage> requestStream, IServerStreamWriter<ControllerMessage> responseStream, ServerCallContext context)
    {
        using var lifetime = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, _lifetime.ApplicationStopping);
        var ct = lifetime.Token;

        if (!await requestStream.MoveNext(ct))
        {
            return;
        }
        var first = requestStream.Current;
        if (first.BodyCase != AgentMessage.BodyOneofCase.Hello || string.IsNullOrWhiteSpace(first.Hello.BngId) || string.IsNullOrWhiteSpace(first.Hello.InstanceId))
        {
            LogBadHello(context.Peer, first.BodyCase.ToString());
            throw new RpcException(new Status(StatusCode.InvalidArgument, "the first message must be a Hello with bng_id and instance_id"));
        }

        if (!_authenticator.IsAllowed(first.Hello.BngId, context.RequestHeaders.GetValue("authorization")))
        {
            LogUnauthenticated(first.Hello.BngId, context.Peer, context.RequestHeaders.GetValue("authorization") is null ? "no token" : "wrong token");
            throw new RpcException(new Status(StatusCode.Unauthenticated, $"no valid token for agent {first.Hello.BngId}"));
        }

        if (_certificates.Enabled && !_certificates.Matches(context.GetHttpContext().Connection.ClientCertificate, first.Hello.BngId, out var presented))
        {
            LogWrongCertificate(first.Hello.BngId, context.Peer, presented.Length == 0 ? "none" : presented);
            throw new RpcException(new Status(StatusCode.Unauthenticated, $"agent {first.Hello.BngId} needs a client certificate whose common name is its bng_id"));
        }

        var connection = new AgentConnection(first.Hello, context.Peer, _time.GetUtcNow(), _options.AgentQueueCapacity, lifetime);
        connection.SessionCount = first.Hello.Sessions.Count;
        var previous = _registry.Register(connection);
        if (previous is not null)
        {
            LogReplaced(connection.BngId, previous.InstanceId, previous.Peer);
            await previous.Lifetime.CancelAsync();
        }
        LogConnected(connection.BngId, connection.InstanceId, context.Peer, first.Hello.Sessions.Count);

        var writer = WriteLoopAsync(connection, responseStream, ct);
        var pipeline = new ReportPipeline(connection, _reports, _options.ReportQueueCapacity, _options.ReportsInFlight);
        var reporting = RunReportsAsync(connection, pipeline, lifetime);
        try
        {
            var lastAcked = await _reports.LastHandledSeqAsync(connection.BngId, connection.InstanceId, ct);
            await connection.SendAsync(m => m.HelloAccepted = new HelloAccepted { ControllerId = _options.ControllerId, LastAckedSeq = lastAcked }, ct);
            await _reports.OnHelloAsync(connection, first, ct);
            while (await requestStream.MoveNext(ct))
            {
                await HandleAsync(connection, pipeline, requestStream.Current, ct);
            }

            // The agent closed its side: what it reported before is still published and acked.
            pipeline.Complete();
            await reporting;
            LogDisconnected(connection.BngId, connection.InstanceId, "stream ended");
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            LogDisconnected(connection.BngId, connection.InstanceId, context.CancellationToken.IsCancellationRequested ? "agent went away" : "replaced or shutting down");
        }
        catch (IOException ex)
        {
            LogDisconnected(connection.BngId, connection.InstanceId, ex.Message);
        }
        finally
        {
            _registry.Unregister(connection);
            if (!reporting.IsCompleted)
            {
                // The stream failed or is going away: reports not acked yet are the agent's to send again.
                await lifetime.CancelAsync();
            }
            await reporting;
            connection.Outbound.Writer.TryComplete();
            try
            {
                await writer;
            }
            catch (Exception ex) when (ex is OperationCanceledException or InvalidOperationException or IOException)
            {
                // The stream is gone; the agent resends what was not acked.
            }
        }
    }

    /// <summary>Runs the stream's report pipeline; a failure in it ends the stream (the agent reconnects and resends).</summary>
    private async Task RunReportsAsync(AgentConnection connection, ReportPipeline pipeline, CancellationTokenSource lifetime)
    {
        try
        {
            await pipeline.RunAsync(lifetime.Token);
        }
        catch (OperationCanceledException) when (lifetime.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            LogReportsFailed(connection.BngId, connection.InstanceId, ex);
            await lifetime.CancelAsync();
        }
    }

    private static async Task WriteLoopAsync(AgentConnection connection, IServerStreamWriter<ControllerMessage> stream, CancellationToken ct)
    {
        var reader = connection.Outbound.Reader;
        var unflushed = 0;
        while (await reader.WaitToReadAsync(ct))
        {
            while (reader.TryRead(out var message))
            {
                // Messages already queued behind this one go out in the same flush (one write for a burst of acks and
                // answers), bounded so the agent never waits long for the first of them.
                var more = reader.Count > 0 && ++unflushed < MaxUnflushedWrites;
                stream.WriteOptions = more ? BufferedWrite : null;
                await stream.WriteAsync(message, ct);
                if (!more)
                {
                    unflushed = 0;
                }
            }
        }
    }

    private async Task HandleAsync(AgentConnection connection, ReportPipeline pipeline, AgentMessage message, CancellationToken ct)
    {
        switch (message.BodyCase)
        {
            case AgentMessage.BodyOneofCase.Authorize:
                // RADIUS may take a while: never hold the reader (and every other subscriber) for it.
                _ = AuthorizeAsync(connection, message, ct);
                break;
            case AgentMessage.BodyOneofCase.SessionStarted:
            case AgentMessage.BodyOneofCase.SessionStopped:
            case AgentMessage.BodyOneofCase.PolicyApplied:
            case AgentMessage.BodyOneofCase.Health:
            case AgentMessage.BodyOneofCase.Counters:
                // Published and acked in order by the stream's pipeline; the reader goes on to the next message.
                await pipeline.EnqueueAsync(message, ct);
                break;
            case AgentMessage.BodyOneofCase.Ack:
            case AgentMessage.BodyOneofCase.Dhcp:
                break;
            default:
                LogUnexpected(connection.BngId, message.BodyCase.ToString());
                break;
        }
    }

    private async Task AuthorizeAsync(AgentConnection connection, AgentMessage message, CancellationToken ct)
    {
        var request = message.Authorize;
        using var span = AetherTracing.StartActivity("controller.authorize", ActivityKind.Server, message.Traceparent);
        span?.SetTag(AetherMetrics.BngLabel, connection.BngId);
        span?.SetTag("aether.mac", request.Subscriber?.Mac);
        span?.SetTag("aether.circuit_id", request.Subscriber?.CircuitId);
        try
        {
            var draining = _registry.IsDraining(connection.BngId);
            var result = draining
                ? new AuthorizeResult { RequestId = request.RequestId, Accepted = false, Reason = "BNG is draining", CacheSeconds = 5 }
                : await _authorizer.AuthorizeAsync(connection.BngId, request, ct);
            if (draining)
            {
                AetherMetrics.Authorizations.Add(1, new KeyValuePair<string, object?>(AetherMetrics.ResultLabel, "draining"));
            }

            span?.SetTag("aether.accepted", result.Accepted);
            await connection.SendAsync(m => m.AuthorizeResult = result, ct);
        }
        catch (OperationCanceledException)
        {
            // The agent went away; it asks again when it comes back.
            return;
        }
        catch (Exception ex)
        {
            LogAuthorizeFailed(connection.BngId, request.Subscriber?.Mac ?? "", request.Subscriber?.CircuitId ?? "", ex);
            return;
        }
        try
        {
            // After the answer: the subscriber does not wait for the event bus.
            await _reports.OnAuthorizeAsync(connection, message, ct);
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex)
        {
            LogRouterUpdateFailed(connection.BngId, request.Subscriber?.Mac ?? "", ex);
        }
    }

    [LoggerMessage(EventId = 2009, Level = LogLevel.Error, Message = "Agent {BngId} instance {InstanceId}: handling its reports failed; the stream is closed and the agent resends what was not acked")]
    private partial void LogReportsFailed(string bngId, string instanceId, Exception exception);

    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "Agent {BngId} connected: instance {InstanceId} from {Peer}, {Sessions} sessions")]
    private partial void LogConnected(string bngId, string instanceId, string peer, int sessions);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Agent {BngId} instance {InstanceId} disconnected: {Reason}")]
    private partial void LogDisconnected(string bngId, string instanceId, string reason);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Refused a stream from {Peer}: first message was {Kind}, not a valid Hello")]
    private partial void LogBadHello(string peer, string kind);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Warning, Message = "Refused agent {BngId} from {Peer}: {Problem} (Controller:AgentTokens)")]
    private partial void LogUnauthenticated(string bngId, string peer, string problem);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Warning, Message = "Refused agent {BngId} from {Peer}: client certificate common name {Presented} is not its bng_id")]
    private partial void LogWrongCertificate(string bngId, string peer, string presented);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "Agent {BngId}: a new stream replaces instance {InstanceId} from {Peer}")]
    private partial void LogReplaced(string bngId, string instanceId, string peer);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "Agent {BngId} sent an unexpected {Kind}")]
    private partial void LogUnexpected(string bngId, string kind);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Error, Message = "Agent {BngId} mac={Mac}: the access router could not be announced (ROUTER_UPDATE); the next request tries again")]
    private partial void LogRouterUpdateFailed(string bngId, string mac, Exception exception);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Error, Message = "Authorization for agent {BngId} mac={Mac} circuit-id={CircuitId} failed")]
    private partial void LogAuthorizeFailed(string bngId, string mac, string circuitId, Exception exception);
}
