using System.Buffers;
using System.Text;
using Aether.Dhcp;
using SharpPcap.LibPcap;

namespace Aether.Agent.Dhcp;

/// <summary>A captured frame from a subscriber-facing interface, in a pooled buffer the consumer returns.</summary>
internal sealed class CapturedFrame(SubscriberPort port, byte[] buffer, int length)
{
    private int _returned;

    public SubscriberPort Port { get; } = port;

    public ReadOnlySpan<byte> Data => buffer.AsSpan(0, length);

    /// <summary>Gives the buffer back to the pool, once: a second return would hand one buffer to two renters.</summary>
    public void Return()
    {
        if (Interlocked.Exchange(ref _returned, 1) == 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}

/// <summary>One subscriber-facing interface: its Option 82 policy and its pcap handle for capture and injection.</summary>
internal sealed class SubscriberPort : IDisposable
{
    private readonly LibPcapLiveDevice? _device;
    private readonly Lock _sendLock = new();

    public SubscriberPort(SubscriberInterfaceOptions options, string bngId, LibPcapLiveDevice? device, byte[] mac)
    {
        Options = options;
        _device = device;
        Mac = mac;
        GatewayIp = Ipv4Address.Parse(options.GatewayIp);
        Trust = options.Option82;
        InsertedCircuitId = string.IsNullOrEmpty(options.CircuitId) ? options.Name : options.CircuitId;
        InsertedRemoteId = string.IsNullOrEmpty(options.RemoteId) ? bngId : options.RemoteId;
        InsertedCircuitIdBytes = Encoding.UTF8.GetBytes(InsertedCircuitId);
        InsertedRemoteIdBytes = Encoding.UTF8.GetBytes(InsertedRemoteId);
    }

    public SubscriberInterfaceOptions Options { get; }

    public string Name => Options.Name;

    public byte[] Mac { get; }

    public Ipv4Address GatewayIp { get; }

    public Option82Trust Trust { get; }

    /// <summary>Circuit-id the agent writes when it inserts Option 82 on this interface.</summary>
    public string InsertedCircuitId { get; }

    public string InsertedRemoteId { get; }

    public byte[] InsertedCircuitIdBytes { get; }

    public byte[] InsertedRemoteIdBytes { get; }

    public void Send(ReadOnlySpan<byte> frame)
    {
        if (_device is null)
        {
            return;
        }
        lock (_sendLock)
        {
            _device.SendPacket(frame);
        }
    }

    public void Dispose()
    {
        if (_device is null)
        {
            return;
        }
        try
        {
            if (_device.Started)
            {
                _device.StopCapture();
            }
        }
        finally
        {
            _device.Close();
        }
    }
}
