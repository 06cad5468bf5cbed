using System.Collections.Concurrent;
using Aether.Agent;
using Aether.Agent.Control;
using Aether.Agent.State;
using Aether.Contracts.Agent.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Options;

namespace Aether.Controller.Tests.Support;

/// <summary>
/// The real agent's controller link (journal, identity and state directory on disk), against a controller under test.
/// </summary>
internal sealed class AgentLink : IAsyncDisposable
{
    private readonly string _directory;
    private readonly ReportJournal _journal;

    private AgentLink(string directory, AgentOptions options, ControllerLink link, ReportJournal journal, AgentStateDirectory state)
    {
        _directory = directory;
        Options = options;
        Link = link;
        _journal = journal;
        State = state;
    }

    public AgentOptions Options { get; }

    public ControllerLink Link { get; }

    public ReportJournal Journal => _journal;

    public AgentStateDirectory State { get; }

    public static async Task<AgentLink> StartAsync(string controllerUrl, TestLog log, Action<AgentOptions>? configure = null, string? stateDirectory = null)
    {
        var directory = stateDirectory ?? Directory.CreateTempSubdirectory("aether-agent-link-").FullName;
        var options = new AgentOptions
        {
            BngId = "bng-test",
            Controller = controllerUrl,
            DhcpServer = "198.18.0.1",
            StateDirectory = directory,
            SubscriberInterfaces = [new SubscriberInterfaceOptions { Name = "sub0", GatewayIp = "100.64.0.1" }],
        };
        configure?.Invoke(options);
        var wrapped = Microsoft.Extensions.Options.Options.Create(options);
        var state = new AgentStateDirectory(wrapped);
        var journal = new ReportJournal(state, wrapped, TimeProvider.System, log.For<ReportJournal>());
        var link = new ControllerLink(wrapped, new AgentIdentity(wrapped, state), state, journal, new Lazy<IControllerCommandHandler>(new NoCommands()), log.For<ControllerLink>(), TimeProvider.System);
        await link.StartAsync(TestTimeouts.Token());
        return new AgentLink(directory, options, link, journal, state);
    }

    /// <summary>Stops the link and keeps the state directory, as a stopped agent process leaves it.</summary>
    public async Task StopAsync()
    {
        await Link.StopAsync(CancellationToken.None);
        await _journal.WhenDurable();
        Link.Dispose();
        _journal.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
    }

    public void DeleteState()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private sealed class NoCommands : IControllerCommandHandler
    {
        public IReadOnlyList<SessionState> SnapshotSessions() => [];

        public void OnPolicyApply(PolicyApply command)
        {
        }

        public void OnPolicyRemove(PolicyRemove command)
        {
        }

        public void OnSessionAdopt(SessionAdopt command)
        {
        }
    }
}

/// <summary>A bare agent stream: the test writes every message itself, with the sequence numbers it chooses.</summary>
internal sealed class RawAgentStream : IAsyncDisposable
{
    private readonly GrpcChannel _channel;
    private readonly AsyncDuplexStreamingCall<AgentMessage, ControllerMessage> _call;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reader;

    private RawAgentStream(GrpcChannel channel, AsyncDuplexStreamingCall<AgentMessage, ControllerMessage> call, HelloAccepted accepted)
    {
        _channel = channel;
        _call = call;
        Accepted = accepted;
        _reader = ReadAsync();
    }

    public HelloAccepted Accepted { get; }

    public ConcurrentQueue<ControllerMessage> Received { get; } = new();

    public static async Task<RawAgentStream> ConnectAsync(string url, string bngId, string instanceId, string? token = null)
    {
        var channel = GrpcChannel.ForAddress(url);
        var headers = token is null ? null : new Metadata { { "authorization", "Bearer " + token } };
        var call = new AgentGatewayService.AgentGatewayServiceClient(channel).Connect(headers, cancellationToken: TestTimeouts.Token());
        await call.RequestStream.WriteAsync(new AgentMessage
        {
            Seq = 1,
            Time = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
            Hello = new Hello { BngId = bngId, InstanceId = instanceId, Version = "test" },
        });
        if (!await call.ResponseStream.MoveNext(TestTimeouts.Token()) || call.ResponseStream.Current.BodyCase != ControllerMessage.BodyOneofCase.HelloAccepted)
        {
            throw new InvalidOperationException("the controller did not accept the hello");
        }
        return new RawAgentStream(channel, call, call.ResponseStream.Current.HelloAccepted);
    }

    public Task SendAsync(ulong seq, Action<AgentMessage> fill)
    {
        var message = new AgentMessage { Seq = seq, Time = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow) };
        fill(message);
        return _call.RequestStream.WriteAsync(message);
    }

    public Task WaitForAckAsync(ulong seq) =>
        TestTimeouts.WaitUntilAsync(() => Received.Any(m => m.BodyCase == ControllerMessage.BodyOneofCase.Ack && m.Ack.Seq == seq), $"the ack of seq {seq}");

    private async Task ReadAsync()
    {
        try
        {
            await foreach (var message in _call.ResponseStream.ReadAllAsync(_stop.Token))
            {
                Received.Enqueue(message);
            }
        }
        catch (Exception ex) when (ex is RpcException or OperationCanceledException or IOException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _call.RequestStream.CompleteAsync();
        }
        catch (Exception ex) when (ex is RpcException or InvalidOperationException or IOException)
        {
        }
        await _stop.CancelAsync();
        await _reader;
        _call.Dispose();
        _channel.Dispose();
        _stop.Dispose();
    }

    /// <summary>A session as an agent reports it, through the access router <paramref name="accessRelayId"/> (or none) on <paramref name="giaddr"/>.</summary>
    public static SessionState Session(string sessionId, string ip, string accessRelayId = "", string giaddr = "100.64.0.1") => new()
    {
        SessionId = sessionId,
        Ip = ip,
        Subscriber = new SubscriberIdentity
        {
            Mac = "02:00:00:00:00:" + ip.Split('.')[^1].PadLeft(2, '0')[^2..],
            CircuitId = "1/0/1",
            RemoteId = "relay-01",
            RelayId = "bng-test",
            Interface = "sub0",
            Giaddr = giaddr,
            AccessRelayId = accessRelayId,
        },
        Policy = new ShapingPolicy { PolicyId = "plan", DownloadKbps = 20_000, UploadKbps = 10_000 },
        Started = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
        LeaseExpires = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(10)),
    };
}
