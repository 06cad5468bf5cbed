using System.Globalization;
using Aether.Contracts.Agent.V1;
using Aether.TestUtilities;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Npgsql;

namespace Aether.Controller.Tests.Support;

/// <summary>
/// The real controller (<see cref="ControllerApplication"/>) on free loopback ports, with its own database and
/// JetStream stream, RADIUS pointed at the collection's FreeRADIUS (User-Name = the circuit-id, password "pw").
/// </summary>
public sealed class ControllerHost : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static int s_counter;
    private readonly WebApplication _app;

    private ControllerHost(WebApplication app, int grpcPort, int httpPort)
    {
        _app = app;
        GrpcUrl = $"http://127.0.0.1:{grpcPort}";
        HttpUrl = $"http://127.0.0.1:{httpPort}";
        Channel = GrpcChannel.ForAddress(GrpcUrl);
    }

    public string GrpcUrl { get; }

    public string HttpUrl { get; }

    public GrpcChannel Channel { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Starts a controller on <paramref name="postgres"/> and <paramref name="natsUrl"/>; <paramref name="extra"/> are more <c>--Key=value</c> settings.</summary>
    public static async Task<ControllerHost> StartAsync(PostgresServer postgres, string natsUrl, FreeRadiusServer? radius, params string[] extra)
    {
        var name = $"c{Environment.ProcessId}_{Interlocked.Increment(ref s_counter)}";
        var connectionString = await postgres.CreateDatabaseAsync(name).WaitAsync(Timeout);
        var grpcPort = PortAllocator.GetFreeTcpPort();
        var httpPort = PortAllocator.GetFreeTcpPort();
        var radiusHost = radius?.Address.ToString() ?? "127.0.0.1";
        var authPort = radius?.AuthPort ?? PortAllocator.GetFreeUdpPort();
        var acctPort = radius?.AcctPort ?? authPort;
        string[] args =
        [
            $"--Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:{grpcPort}",
            "--Kestrel:Endpoints:Grpc:Protocols=Http2",
            $"--Kestrel:Endpoints:Http:Url=http://127.0.0.1:{httpPort}",
            "--Kestrel:Endpoints:Http:Protocols=Http1AndHttp2",
            $"--ConnectionStrings:Aether={connectionString}",
            $"--ConnectionStrings:Radius={connectionString}",
            $"--Events:Url={natsUrl}",
            $"--Events:StreamName={name.ToUpperInvariant()}",
            $"--Events:SubjectPrefix={name}.events",
            "--Events:MaxRetryDelay=00:00:01",
            "--Ingestor:MaxWait=00:00:00.100",
            $"--Radius:Servers:0:Host={radiusHost}",
            $"--Radius:Servers:0:AuthPort={authPort.ToString(CultureInfo.InvariantCulture)}",
            $"--Radius:Servers:0:AcctPort={acctPort.ToString(CultureInfo.InvariantCulture)}",
            $"--Radius:Servers:0:Secret={FreeRadiusServer.Secret}",
            "--Radius:Timeout=00:00:00.500",
            "--Radius:Retries=1",
            "--Controller:UserNameTemplate={circuit_id}",
            "--Controller:SubscriberPassword=pw",
            "--Logging:LogLevel:Default=Warning",
            .. extra,
        ];
        var app = ControllerApplication.Build(args, AppContext.BaseDirectory);
        await app.StartAsync().WaitAsync(Timeout);
        return new ControllerHost(app, grpcPort, httpPort);
    }

    /// <summary>Opens an agent stream and waits for the controller's HelloAccepted.</summary>
    public async Task<FakeAgent> ConnectAgentAsync(string bngId)
    {
        var client = new AgentGatewayService.AgentGatewayServiceClient(Channel);
        var call = client.Connect();
        var agent = new FakeAgent(bngId, call);
        await agent.SendAsync(new AgentMessage { Hello = new Hello { BngId = bngId, InstanceId = Guid.NewGuid().ToString("N"), Version = "test" } });
        await agent.NextAsync(ControllerMessage.BodyOneofCase.HelloAccepted);
        return agent;
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        using var cts = new CancellationTokenSource(Timeout);
        await _app.StopAsync(cts.Token);
        await _app.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
    }
}

/// <summary>The agent's side of one stream, driven by a test.</summary>
public sealed class FakeAgent(string bngId, AsyncDuplexStreamingCall<AgentMessage, ControllerMessage> call) : IAsyncDisposable
{
    private ulong _seq;

    public string BngId { get; } = bngId;

    public async Task<ulong> SendAsync(AgentMessage message)
    {
        message.Seq = ++_seq;
        await call.RequestStream.WriteAsync(message).WaitAsync(ControllerHost.Timeout);
        return message.Seq;
    }

    /// <summary>The next message of <paramref name="kind"/> (others are skipped).</summary>
    public async Task<ControllerMessage> NextAsync(ControllerMessage.BodyOneofCase kind)
    {
        using var cts = new CancellationTokenSource(ControllerHost.Timeout);
        while (await call.ResponseStream.MoveNext(cts.Token))
        {
            if (call.ResponseStream.Current.BodyCase == kind)
            {
                return call.ResponseStream.Current;
            }
        }

        throw new InvalidOperationException($"the stream ended before a {kind}");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await call.RequestStream.CompleteAsync();
        }
        catch (InvalidOperationException)
        {
        }

        call.Dispose();
    }
}
