using System.Threading.Channels;
using Aether.Contracts.Agent.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace Aether.Agent.Control;

internal sealed partial class ControllerLink
{
    private const int OutboundQueueCapacity = 16_384;
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    private volatile Channel<AgentMessage>? _current;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = FirstBackoff;
        using var grpc = ControllerChannel.Create(_options);
        var client = new AgentGatewayService.AgentGatewayServiceClient(grpc);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunStreamAsync(client, stoppingToken);
                backoff = FirstBackoff;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (RpcException ex) when (ex.StatusCode is StatusCode.Unauthenticated or StatusCode.PermissionDenied)
            {
                // A configuration error, not an outage: say what to check, and do not hammer the controller.
                backoff = MaxBackoff;
                LogRefused(_options.Controller, _options.BngId, ex.StatusCode.ToString(), ex.Status.Detail, TokenSource(), backoff.TotalMilliseconds);
            }
            catch (Exception ex) when (ex is RpcException or IOException or HttpRequestException or ControllerUnavailableException)
            {
                LogStreamFailed(_options.Controller, ex.Message, backoff.TotalMilliseconds, _journal.Count);
            }
            finally
            {
                _current = null;
                foreach (var pending in _pendingAuthorizations)
                {
                    pending.Value.TrySetException(new ControllerUnavailableException("the stream to the controller closed"));
                }
            }
            try
            {
                await Task.Delay(backoff, _time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            backoff = TimeSpan.FromMilliseconds(Math.Min(backoff.TotalMilliseconds * 2, MaxBackoff.TotalMilliseconds));
        }
    }

    private async Task RunStreamAsync(AgentGatewayService.AgentGatewayServiceClient client, CancellationToken stoppingToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        using var call = client.Connect(ControllerChannel.Headers(_options), cancellationToken: cts.Token);

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
        LogConnected(_options.Controller, first.HelloAccepted.ControllerId, _identity.InstanceId, hello.Hello.Sessions.Count);
        // What the controller says it has already handled need not be sent again. Reports are journaled and sent in
        // seq order and handled in order, so everything up to last_acked_seq was handled.
        var lastAcked = first.HelloAccepted.LastAckedSeq;
        if (lastAcked > 0)
        {
            var handled = _journal.AcknowledgeThrough(lastAcked);
            if (handled > 0)
            {
                LogAlreadyHandled(handled, lastAcked);
            }
        }

        var channel = Channel.CreateBounded<AgentMessage>(new BoundedChannelOptions(OutboundQueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        List<AgentMessage> replay;
        lock (_sendLock)
        {
            replay = _journal.Pending();
            _current = channel;
        }
        if (replay.Count > 0)
        {
            LogReplaying(replay.Count, replay[0].Seq, replay[^1].Seq);
        }

        var writer = WriteLoopAsync(call.RequestStream, replay, channel.Reader, cts.Token);
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
            catch (Exception ex) when (ex is OperationCanceledException or RpcException or InvalidOperationException or IOException)
            {
                // The stream is already broken; the journal keeps what was not acked.
            }
        }
    }

    private string TokenSource() =>
        !string.IsNullOrEmpty(_options.TokenFile) ? "Agent:TokenFile" : _options.Token.Trim().Length > 0 ? "Agent:Token" : "no token configured";

    /// <summary>One writer per stream: the journal's replay first, then whatever is queued.</summary>
    private static async Task WriteLoopAsync(IClientStreamWriter<AgentMessage> stream, List<AgentMessage> replay, ChannelReader<AgentMessage> reader, CancellationToken cancellationToken)
    {
        foreach (var message in replay)
        {
            await stream.WriteAsync(message, cancellationToken);
        }
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
                _journal.Acknowledge(message.Ack.Seq);
                break;
            case ControllerMessage.BodyOneofCase.PolicyApply:
                _commands.Value.OnPolicyApply(message.PolicyApply);
                break;
            case ControllerMessage.BodyOneofCase.PolicyRemove:
                _commands.Value.OnPolicyRemove(message.PolicyRemove);
                break;
            case ControllerMessage.BodyOneofCase.SessionAdopt:
                _commands.Value.OnSessionAdopt(message.SessionAdopt);
                break;
            default:
                LogUnexpectedMessage(message.BodyCase.ToString());
                break;
        }
    }
}
