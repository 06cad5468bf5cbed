using System.Collections.Concurrent;
using System.Threading.Channels;
using Aether.Contracts.Agent.V1;
using Grpc.Core;
using Grpc.Net.Client;
using AgentGatewayClient = Aether.Contracts.Agent.V1.AgentGatewayService.AgentGatewayServiceClient;

namespace Aether.AuthorizationBench;

/// <summary>
/// The agent's side of one stream as the real agent drives it: one writer (messages numbered in the order they go
/// out), one reader matching AuthorizeResults to their request ids and Acks to the seq of the report they ack.
/// </summary>
internal sealed class BenchAgent : IAsyncDisposable
{
    private readonly AsyncDuplexStreamingCall<AgentMessage, ControllerMessage> _call;
    private readonly Channel<Outgoing> _outbound = Channel.CreateUnbounded<Outgoing>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<ulong, TaskCompletionSource<AuthorizeResult>> _authorizations = new();
    private readonly ConcurrentDictionary<ulong, TaskCompletionSource> _acks = new();
    private readonly TaskCompletionSource<HelloAccepted> _helloAccepted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _writer;
    private readonly Task _reader;
    private ulong _seq;

    private BenchAgent(AsyncDuplexStreamingCall<AgentMessage, ControllerMessage> call)
    {
        _call = call;
        _writer = Task.Run(() => WriteLoopAsync(_stopping.Token));
        _reader = Task.Run(() => ReadLoopAsync(_stopping.Token));
    }

    public string BngId { get; private init; } = "";

    public static async Task<BenchAgent> ConnectAsync(GrpcChannel channel, string bngId, CancellationToken ct)
    {
        var call = new AgentGatewayClient(channel).Connect(cancellationToken: ct);
        var agent = new BenchAgent(call) { BngId = bngId };
        agent._outbound.Writer.TryWrite(new Outgoing(new AgentMessage
        {
            Hello = new Hello { BngId = bngId, InstanceId = Guid.NewGuid().ToString("N"), Version = "bench" },
        }, null));
        await agent._helloAccepted.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
        return agent;
    }

    /// <summary>Sends an AuthorizeRequest and completes with the controller's answer to it.</summary>
    public Task<AuthorizeResult> AuthorizeAsync(AuthorizeRequest request)
    {
        var answer = new TaskCompletionSource<AuthorizeResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        _authorizations[request.RequestId] = answer;
        _outbound.Writer.TryWrite(new Outgoing(new AgentMessage { Time = Now(), Authorize = request }, null));
        return answer.Task;
    }

    /// <summary>Sends a report and completes when the controller acks it (its events are in JetStream).</summary>
    public Task ReportAsync(AgentMessage report)
    {
        var acked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        report.Time ??= Now();
        _outbound.Writer.TryWrite(new Outgoing(report, acked));
        return acked.Task;
    }

    private static Google.Protobuf.WellKnownTypes.Timestamp Now() => Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow);

    private async Task WriteLoopAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var (message, acked) in _outbound.Reader.ReadAllAsync(ct))
            {
                message.Seq = ++_seq;
                if (acked is not null)
                {
                    _acks[message.Seq] = acked;
                }

                await _call.RequestStream.WriteAsync(message, ct);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or RpcException or InvalidOperationException)
        {
            Fail(ex);
        }
    }

    private async Task ReadLoopAsync(CancellationToken ct)
    {
        try
        {
            while (await _call.ResponseStream.MoveNext(ct))
            {
                var message = _call.ResponseStream.Current;
                switch (message.BodyCase)
                {
                    case ControllerMessage.BodyOneofCase.HelloAccepted:
                        _helloAccepted.TrySetResult(message.HelloAccepted);
                        break;
                    case ControllerMessage.BodyOneofCase.AuthorizeResult:
                        if (_authorizations.TryRemove(message.AuthorizeResult.RequestId, out var answer))
                        {
                            answer.TrySetResult(message.AuthorizeResult);
                        }
                        break;
                    case ControllerMessage.BodyOneofCase.Ack:
                        if (_acks.TryRemove(message.Ack.Seq, out var acked))
                        {
                            acked.TrySetResult();
                        }
                        break;
                }
            }

            Fail(new InvalidOperationException("the controller ended the stream"));
        }
        catch (Exception ex) when (ex is OperationCanceledException or RpcException or IOException)
        {
            Fail(ex);
        }
    }

    private void Fail(Exception ex)
    {
        _helloAccepted.TrySetException(ex);
        foreach (var key in _authorizations.Keys)
        {
            if (_authorizations.TryRemove(key, out var answer))
            {
                answer.TrySetException(ex);
            }
        }

        foreach (var key in _acks.Keys)
        {
            if (_acks.TryRemove(key, out var acked))
            {
                acked.TrySetException(ex);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _outbound.Writer.TryComplete();
        try
        {
            await _writer.WaitAsync(TimeSpan.FromSeconds(5));
            await _call.RequestStream.CompleteAsync().WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException or RpcException)
        {
        }

        await _stopping.CancelAsync();
        await Task.WhenAny(_reader, Task.Delay(TimeSpan.FromSeconds(5)));
        _call.Dispose();
        _stopping.Dispose();
    }

    private readonly record struct Outgoing(AgentMessage Message, TaskCompletionSource? Acked);
}
