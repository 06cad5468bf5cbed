using System.Threading.Channels;
using Aether.Contracts.Agent.V1;

namespace Aether.Controller.Agents;

/// <summary>One agent's live stream: who it is and the bounded queue in front of its single writer.</summary>
internal sealed class AgentConnection
{
    private long _seq;

    public AgentConnection(Hello hello, string peer, DateTimeOffset connected, int queueCapacity, CancellationTokenSource lifetime)
    {
        Hello = hello;
        Peer = peer;
        Connected = connected;
        Lifetime = lifetime;
        Outbound = Channel.CreateBounded<ControllerMessage>(new BoundedChannelOptions(queueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public Hello Hello { get; }

    public string BngId => Hello.BngId;

    public string InstanceId => Hello.InstanceId;

    public string Peer { get; }

    public DateTimeOffset Connected { get; }

    public CancellationTokenSource Lifetime { get; }

    public Channel<ControllerMessage> Outbound { get; }

    public int SessionCount { get; set; }

    public ValueTask SendAsync(Action<ControllerMessage> fill, CancellationToken cancellationToken)
    {
        var message = new ControllerMessage { Seq = (ulong)Interlocked.Increment(ref _seq) };
        fill(message);
        return Outbound.Writer.WriteAsync(message, cancellationToken);
    }

    /// <summary>Acks the agent's report <paramref name="seq"/>: its events are stored.</summary>
    public ValueTask SendAckAsync(ulong seq, CancellationToken cancellationToken) =>
        Outbound.Writer.WriteAsync(new ControllerMessage { Seq = (ulong)Interlocked.Increment(ref _seq), Ack = new Ack { Seq = seq } }, cancellationToken);
}
