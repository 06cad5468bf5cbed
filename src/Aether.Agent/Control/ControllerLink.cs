using System.Collections.Concurrent;
using System.Threading.Channels;
using Aether.Contracts.Agent.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Options;

namespace Aether.Agent.Control;

/// <summary>
/// The agent's end of the bidirectional stream to the controller. Reports are kept in an outbox until the
/// controller acks them and are sent again after a reconnect; authorizations are request/response and fail
/// fast while the controller is away.
/// </summary>
internal sealed partial class ControllerLink : BackgroundService
{
    private const int OutboundQueueCapacity = 16_384;

    private readonly AgentOptions _options;
    private readonly AgentIdentity _identity;
    private readonly Lazy<IControllerCommandHandler> _commands;
    private readonly ILogger<ControllerLink> _logger;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<ulong, TaskCompletionSource<AuthorizeResult>> _pendingAuthorizations = new();
    private readonly SortedDictionary<ulong, AgentMessage> _outbox = [];
    private readonly Lock _outboxLock = new();
    private long _seq;
    private long _requestId;
    private volatile Channel<AgentMessage>? _current;

    public ControllerLink(
        IOptions<AgentOptions> options,
        AgentIdentity identity,
        Lazy<IControllerCommandHandler> commands,
        ILogger<ControllerLink> logger,
        TimeProvider time)
    {
        _options = options.Value;
        _identity = identity;
        _commands = commands;
        _logger = logger;
        _time = time;
    }

    public bool IsConnected => _current is not null;

    public int OutboxCount
    {
        get
        {
            lock (_outboxLock)
            {
                return _outbox.Count;
            }
        }
    }

    /// <summary>Asks the controller whether this subscriber may have a lease, and with which policy.</summary>
    public async Task<AuthorizeResult> AuthorizeAsync(SubscriberIdentity subscriber, uint xid, CancellationToken cancellationToken)
    {
        var channel = _current ?? throw new ControllerUnavailableException("not connected to the controller");
        var requestId = (ulong)Interlocked.Increment(ref _requestId);
        var tcs = new TaskCompletionSource<AuthorizeResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pendingAuthorizations[requestId] = tcs;
        try
        {
            var message = NewMessage();
            message.Authorize = new AuthorizeRequest { RequestId = requestId, Subscriber = subscriber, Xid = xid };
            if (!channel.Writer.TryWrite(message))
            {
                throw new ControllerUnavailableException("the stream to the controller is full or closed");
            }
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.AuthorizeTimeout);
            return await tcs.Task.WaitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ControllerUnavailableException($"no authorization from the controller within {_options.AuthorizeTimeout.TotalSeconds:0.#}s");
        }
        finally
        {
            _pendingAuthorizations.TryRemove(requestId, out _);
        }
    }

    /// <summary>Queues a report that must reach the controller (kept until acked, resent after reconnect).</summary>
    public void Report(Action<AgentMessage> fill)
    {
        var message = NewMessage();
        fill(message);
        lock (_outboxLock)
        {
            _outbox[message.Seq] = message;
        }
        _current?.Writer.TryWrite(message);
    }

    /// <summary>Sends a message that is not worth keeping if the controller is away (counters).</summary>
    public void Send(Action<AgentMessage> fill)
    {
        var channel = _current;
        if (channel is null)
        {
            return;
        }
        var message = NewMessage();
        fill(message);
        channel.Writer.TryWrite(message);
    }

    /// <summary>Reserves sequence numbers for events carried inside one message (counter reports).</summary>
    public ulong ReserveSeq() => (ulong)Interlocked.Increment(ref _seq);

    private AgentMessage NewMessage() => new()
    {
        Seq = (ulong)Interlocked.Increment(ref _seq),
        Time = Timestamp.FromDateTimeOffset(_time.GetUtcNow()),
    };

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromMilliseconds(200);
        using var grpc = GrpcChannel.ForAddress(_options.Controller, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                EnableMultipleHttp2Connections = true,
                KeepAlivePingDelay = TimeSpan.FromSeconds(10),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(5),
                ConnectTimeout = TimeSpan.FromSeconds(5),
            },
        });
        var client = new AgentGatewayService.AgentGatewayServiceClient(grpc);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunStreamAsync(client, stoppingToken);
                backoff = TimeSpan.FromMilliseconds(200);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is RpcException or IOException or HttpRequestException or ControllerUnavailableException)
            {
                LogStreamFailed(_options.Controller, ex.Message, backoff.TotalMilliseconds);
            }
            finally
            {
                _current = null;
                foreach (var pending in _pendingAuthorizations)
                {
                    pending.Value.TrySetException(new ControllerUnavailableException("the stream to the controller closed"));
                }
            }
            await Task.Delay(backoff, _time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            backoff = TimeSpan.FromMilliseconds(Math.Min(backoff.TotalMilliseconds * 2, 5_000));
        }
    }

    private async Task RunStreamAsync(AgentGatewayService.AgentGatewayServiceClient client, CancellationToken stoppingToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        using var call = client.Connect(cancellationToken: cts.Token);

        var hello = NewMessage();
        hello.Hello = _identity.CreateHello(_commands.Value.SnapshotSessions());
        await call.RequestStream.WriteAsync(hello, cts.Token);

        if (!await call.ResponseStream.MoveNext(cts.Token))
        {
            throw new ControllerUnavailableException("the controller closed the stream before accepting the hello");
        }
        var first = call.ResponseStream.Current;
        if (first.BodyCase != ControllerMessage.BodyOneofCase.HelloAccepted)
        {
            throw new ControllerUnavailableException($"the controller answered the hello with {first.BodyCase}");
        }
        LogConnected(_options.Controller, first.HelloAccepted.ControllerId, _identity.InstanceId);

        var channel = Channel.CreateBounded<AgentMessage>(new BoundedChannelOptions(OutboundQueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.DropWrite,
        });
        List<AgentMessage> resend;
        lock (_outboxLock)
        {
            resend = [.. _outbox.Values];
            _current = channel;
        }
        foreach (var message in resend)
        {
            channel.Writer.TryWrite(message);
        }
        if (resend.Count > 0)
        {
            LogResending(resend.Count);
        }

        var writer = WriteLoopAsync(call.RequestStream, channel.Reader, cts.Token);
        try
        {
            await foreach (var message in call.ResponseStream.ReadAllAsync(cts.Token))
            {
                Dispatch(message);
            }
            throw new ControllerUnavailableException("the controller ended the stream");
        }
        finally
        {
            _current = null;
            channel.Writer.TryComplete();
            await cts.CancelAsync();
            try
            {
                await writer;
            }
            catch (Exception ex) when (ex is OperationCanceledException or RpcException or InvalidOperationException)
            {
                // The stream is already broken; the outbox keeps what was not acked.
            }
        }
    }

    private static async Task WriteLoopAsync(IClientStreamWriter<AgentMessage> stream, ChannelReader<AgentMessage> reader, CancellationToken cancellationToken)
    {
        await foreach (var message in reader.ReadAllAsync(cancellationToken))
        {
            await stream.WriteAsync(message, cancellationToken);
        }
    }

    private void Dispatch(ControllerMessage message)
    {
        switch (message.BodyCase)
        {
            case ControllerMessage.BodyOneofCase.AuthorizeResult:
                if (_pendingAuthorizations.TryRemove(message.AuthorizeResult.RequestId, out var tcs))
                {
                    tcs.TrySetResult(message.AuthorizeResult);
                }
                break;
            case ControllerMessage.BodyOneofCase.Ack:
                lock (_outboxLock)
                {
                    _outbox.Remove(message.Ack.Seq);
                }
                break;
            case ControllerMessage.BodyOneofCase.PolicyApply:
                _commands.Value.OnPolicyApply(message.PolicyApply);
                break;
            case ControllerMessage.BodyOneofCase.PolicyRemove:
                _commands.Value.OnPolicyRemove(message.PolicyRemove);
                break;
            default:
                LogUnexpectedMessage(message.BodyCase.ToString());
                break;
        }
    }

    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "Connected to controller {Controller} ({ControllerId}) as instance {InstanceId}")]
    private partial void LogConnected(string controller, string controllerId, string instanceId);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "Stream to controller {Controller} failed: {Reason}; reconnecting in {BackoffMs} ms (subscribers keep forwarding)")]
    private partial void LogStreamFailed(string controller, string reason, double backoffMs);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "Resending {Count} unacknowledged reports to the controller")]
    private partial void LogResending(int count);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "Unexpected message {Kind} from the controller")]
    private partial void LogUnexpectedMessage(string kind);
}

internal sealed class ControllerUnavailableException(string message) : Exception(message);

/// <summary>Commands the controller sends down the stream.</summary>
internal interface IControllerCommandHandler
{
    IReadOnlyList<SessionState> SnapshotSessions();

    void OnPolicyApply(PolicyApply command);

    void OnPolicyRemove(PolicyRemove command);
}
