using System.Collections.Concurrent;
using System.Net;
using System.Threading.Channels;
using Aether.Contracts.Agent.V1;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Aether.Agent.Tests.Support;

/// <summary>
/// A controller for agent tests: the agent gateway's gRPC service on a free port, answering the Hello, acking
/// reports (unless told not to), answering authorizations as the test says, and pushing commands down the stream.
/// </summary>
public sealed class TestController : IAsyncDisposable
{
    private WebApplication? _app;
    private volatile Channel<ControllerMessage>? _stream;

    public TestController(string address = "127.0.0.1", int port = 0)
    {
        Address = address;
        Port = port == 0 ? Aether.TestUtilities.PortAllocator.GetFreeTcpPort() : port;
    }

    public string Address { get; }

    public int Port { get; }

    public string Url => $"http://{Address}:{Port}";

    public ConcurrentQueue<AgentMessage> Received { get; } = new();

    public bool AckReports { get; set; } = true;

    /// <summary>What HelloAccepted.last_acked_seq says.</summary>
    public ulong LastAckedSeq { get; set; }

    /// <summary>The authorization metadata of the last Connect call.</summary>
    public string? Authorization { get; private set; }

    public Func<AuthorizeRequest, AuthorizeResult> Authorize { get; set; } = r => new AuthorizeResult
    {
        RequestId = r.RequestId,
        Accepted = true,
        CacheSeconds = 30,
        Policy = new ShapingPolicy { PolicyId = "plan-test", DownloadKbps = 20_000, UploadKbps = 10_000 },
    };

    public int Connections;

    public bool Connected => _stream is not null;

    public IEnumerable<AgentMessage> Of(AgentMessage.BodyOneofCase kind) => Received.Where(m => m.BodyCase == kind);

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Parse(Address), Port, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(this);
        _app = builder.Build();
        _app.MapGrpcService<Gateway>();
        await _app.StartAsync();
    }

    public async Task StopAsync()
    {
        if (_app is not null)
        {
            using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
            {
                await _app.StopAsync(stop.Token);
            }
            await _app.DisposeAsync();
            _app = null;
        }
        _stream = null;
    }

    /// <summary>Sends a command to the connected agent.</summary>
    public void Push(ControllerMessage message)
    {
        var stream = _stream ?? throw new InvalidOperationException("no agent connected");
        stream.Writer.TryWrite(message);
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private sealed class Gateway(TestController controller) : AgentGatewayService.AgentGatewayServiceBase
    {
        public override async Task Connect(IAsyncStreamReader<AgentMessage> requestStream, IServerStreamWriter<ControllerMessage> responseStream, ServerCallContext context)
        {
            var ct = context.CancellationToken;
            if (!await requestStream.MoveNext(ct) || requestStream.Current.BodyCase != AgentMessage.BodyOneofCase.Hello)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, "hello first"));
            }
            controller.Received.Enqueue(requestStream.Current);
            controller.Authorization = context.RequestHeaders.GetValue("authorization");
            var outbound = Channel.CreateUnbounded<ControllerMessage>();
            outbound.Writer.TryWrite(new ControllerMessage { HelloAccepted = new HelloAccepted { ControllerId = "test-controller", LastAckedSeq = controller.LastAckedSeq } });
            controller._stream = outbound;
            Interlocked.Increment(ref controller.Connections);
            var writer = Task.Run(async () =>
            {
                await foreach (var m in outbound.Reader.ReadAllAsync(ct))
                {
                    await responseStream.WriteAsync(m, ct);
                }
            }, ct);
            try
            {
                while (await requestStream.MoveNext(ct))
                {
                    var message = requestStream.Current;
                    controller.Received.Enqueue(message);
                    switch (message.BodyCase)
                    {
                        case AgentMessage.BodyOneofCase.Authorize:
                            var result = controller.Authorize(message.Authorize);
                            result.RequestId = message.Authorize.RequestId;
                            outbound.Writer.TryWrite(new ControllerMessage { AuthorizeResult = result });
                            break;
                        case AgentMessage.BodyOneofCase.SessionStarted or AgentMessage.BodyOneofCase.SessionStopped or AgentMessage.BodyOneofCase.PolicyApplied when controller.AckReports:
                            outbound.Writer.TryWrite(new ControllerMessage { Ack = new Ack { Seq = message.Seq } });
                            break;
                    }
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException)
            {
            }
            finally
            {
                if (controller._stream == outbound)
                {
                    controller._stream = null;
                }
                outbound.Writer.TryComplete();
                try
                {
                    await writer;
                }
                catch (Exception ex) when (ex is OperationCanceledException or InvalidOperationException or IOException)
                {
                }
            }
        }
    }
}
