using Aether.Dhcp;
using Aether.Dhcp.Framing;
using SharpPcap;
using SharpPcap.LibPcap;

namespace Aether.Simulator.Load;

/// <summary>
/// Layer 2, as subscribers behind an access node: frames injected on an interface with libpcap (broadcast
/// DISCOVER and REQUEST from 0.0.0.0:68, unicast RELEASE to the server's address through the MAC that answered)
/// and replies captured there with BPF "udp dst port 68", broadcast or unicast to the synthetic chaddr.
/// </summary>
internal sealed class PcapTransport : IDhcpTransport
{
    public const string Filter = "udp dst port 68";
    private const int Snaplen = 2048;
    private const int KernelBufferBytes = 16 * 1024 * 1024;
    private const ushort ClientPort = 68;
    private const ushort ServerPort = 67;
    private static readonly byte[] s_broadcastMac = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];

    private readonly LibPcapLiveDevice _device;
    private readonly SubscriberPlan _plan;
    private readonly TimeProvider _time;
    private readonly byte[] _frame = new byte[EthernetFrame.UdpHeadersLength + DhcpRelay.MaxMessageSize];
    private readonly byte[] _sourceMac = new byte[SubscriberPlan.MacLength];
    private readonly byte[] _destinationMac = new byte[SubscriberPlan.MacLength];
    private Action<DoraReply>? _onReply;
    private long _ignored;

    private PcapTransport(LibPcapLiveDevice device, string interfaceName, SubscriberPlan plan, TimeProvider time)
    {
        _device = device;
        _plan = plan;
        _time = time;
        Description = $"l2 on {interfaceName}";
    }

    public string Description { get; }

    public long Ignored => Interlocked.Read(ref _ignored);

    /// <summary>Opens <paramref name="interfaceName"/> for capture and injection; throws with the names libpcap sees when absent.</summary>
    public static PcapTransport Open(string interfaceName, SubscriberPlan plan, TimeProvider time)
    {
        var devices = LibPcapLiveDeviceList.New();
        var device = devices.FirstOrDefault(d => d.Name == interfaceName)
            ?? throw new InvalidOperationException(
                $"interface {interfaceName} does not exist here (libpcap sees: {string.Join(", ", devices.Select(d => d.Name))})");
        device.Open(new DeviceConfiguration
        {
            Mode = DeviceModes.Promiscuous,
            Immediate = true,
            Snaplen = Snaplen,
            ReadTimeout = 100,
            BufferSize = KernelBufferBytes,
        });
        try
        {
            device.Filter = Filter;
        }
        catch
        {
            device.Close();
            throw;
        }

        return new PcapTransport(device, interfaceName, plan, time);
    }

    public void Start(Action<DoraReply> onReply)
    {
        _onReply = onReply;
        _device.OnPacketArrival += OnPacket;
        _device.StartCapture();
    }

    public bool Send(DoraSession session, DhcpMessageType type, ReadOnlySpan<byte> payload)
    {
        _plan.WriteMac(session.Slot, _sourceMac);
        Ipv4Address source = Ipv4Address.Any;
        Ipv4Address destination = Ipv4Address.Broadcast;
        s_broadcastMac.CopyTo(_destinationMac, 0);
        if (type == DhcpMessageType.Release)
        {
            // RFC 2131 section 4.4.6: RELEASE is unicast from the leased address to the server.
            source = session.OfferedIp;
            if (!session.ServerId.IsAny)
            {
                destination = session.ServerId;
            }

            if (session.ServerMac != 0)
            {
                UnpackMac(session.ServerMac, _destinationMac);
            }
        }

        int length = EthernetFrame.WriteUdp(_frame, _sourceMac, _destinationMac, source, destination, ClientPort, ServerPort, payload);
        try
        {
            _device.SendPacket(_frame.AsSpan(0, length));
            return true;
        }
        catch (PcapException)
        {
            return false;
        }
    }

    private void OnPacket(object sender, PacketCapture capture)
    {
        long now = _time.GetTimestamp();
        var data = capture.Data;
        if (!EthernetFrame.TryParseUdp(data, out var udp)
            || !ReplyReader.TryRead(udp.Payload, SubscriberPlan.PackMac(udp.SourceMac), now, out var reply))
        {
            Interlocked.Increment(ref _ignored);
            return;
        }

        _onReply?.Invoke(reply);
    }

    private static void UnpackMac(ulong packed, Span<byte> destination)
    {
        for (int i = SubscriberPlan.MacLength - 1; i >= 0; i--)
        {
            destination[i] = (byte)packed;
            packed >>= 8;
        }
    }

    public void Dispose()
    {
        try
        {
            if (_device.Started)
            {
                _device.StopCapture();
            }

            _device.OnPacketArrival -= OnPacket;
            _device.Close();
        }
        catch (PcapException)
        {
            // Closing at the end of a run; nothing to recover.
        }
    }
}
