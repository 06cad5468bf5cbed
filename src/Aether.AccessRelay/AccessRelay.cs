using System.Text;
using Aether.Dhcp;
using Aether.Dhcp.Framing;
using Microsoft.Extensions.Options;
using SharpPcap;
using SharpPcap.LibPcap;

namespace Aether.AccessRelay;

/// <summary>
/// Captures client-to-server DHCP on each access port (the bridge drops it there), replaces Option 82 with
/// this node's circuit-id and remote-id, and injects the frame on the uplink unchanged otherwise (giaddr
/// stays 0: a layer-2 relay agent, RFC 3046 2.1).
/// </summary>
internal sealed partial class AccessRelay : BackgroundService
{
    // Inbound only: the same request leaving another access port (flooded by the bridge) is not ours.
    private const string Filter = "inbound and udp dst port 67";
    private readonly AccessRelayOptions _options;
    private readonly ILogger<AccessRelay> _logger;
    private readonly List<LibPcapLiveDevice> _devices = [];
    private readonly Lock _uplinkLock = new();
    private readonly byte[] _remoteId;
    private LibPcapLiveDevice? _uplink;
    private long _relayed;
    private long _dropped;

    public AccessRelay(IOptions<AccessRelayOptions> options, ILogger<AccessRelay> logger)
    {
        _options = options.Value;
        _logger = logger;
        _remoteId = Encoding.ASCII.GetBytes(_options.RemoteId);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var all = LibPcapLiveDeviceList.New();
        LibPcapLiveDevice Find(string name) => all.FirstOrDefault(d => d.Name == name)
            ?? throw new InvalidOperationException($"interface {name} does not exist");

        _uplink = Find(_options.Uplink);
        _uplink.Open(new DeviceConfiguration { Mode = DeviceModes.None, Immediate = true, ReadTimeout = 100 });
        _devices.Add(_uplink);

        foreach (var port in _options.Ports)
        {
            var device = Find(port.Interface);
            device.Open(new DeviceConfiguration { Mode = DeviceModes.Promiscuous, Immediate = true, ReadTimeout = 100, Snaplen = 2048 });
            device.Filter = Filter;
            var circuitId = Encoding.ASCII.GetBytes(port.CircuitId);
            device.OnPacketArrival += (_, capture) => Relay(port.Interface, circuitId, capture.Data);
            device.StartCapture();
            _devices.Add(device);
            LogCapturing(port.Interface, port.CircuitId, _options.RemoteId, _options.Uplink);
        }
        return Task.Delay(Timeout.Infinite, stoppingToken);
    }

    private void Relay(string port, byte[] circuitId, ReadOnlySpan<byte> frame)
    {
        if (!EthernetFrame.TryParseUdp(frame, out var udp))
        {
            Interlocked.Increment(ref _dropped);
            return;
        }
        Span<byte> payload = stackalloc byte[DhcpRelay.MaxMessageSize];
        var rewrite = new RelayRewrite
        {
            GatewayIp = Ipv4Address.Any,
            Policy = Option82Policy.Replace,
            CircuitId = circuitId,
            RemoteId = _remoteId,
            IncrementHops = false,
        };
        var error = DhcpRelay.RewriteForServer(udp.Payload, payload, rewrite, out var written);
        if (error != RelayRewriteError.None)
        {
            Interlocked.Increment(ref _dropped);
            LogDropped(port, error.ToString());
            return;
        }
        Span<byte> output = stackalloc byte[EthernetFrame.UdpHeadersLength + DhcpRelay.MaxMessageSize];
        var length = EthernetFrame.WriteUdp(output, udp.SourceMac, udp.DestinationMac, udp.SourceIp, udp.DestinationIp,
            udp.SourcePort, udp.DestinationPort, payload[..written], udp.Ttl);
        lock (_uplinkLock)
        {
            _uplink!.SendPacket(output[..length]);
        }
        Interlocked.Increment(ref _relayed);
    }

    public override void Dispose()
    {
        foreach (var device in _devices)
        {
            try
            {
                if (device.Started)
                {
                    device.StopCapture();
                }
                device.Close();
            }
            catch (PcapException)
            {
                // Closing on shutdown; nothing to recover.
            }
        }
        LogTotals(Interlocked.Read(ref _relayed), Interlocked.Read(ref _dropped));
        base.Dispose();
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Capturing DHCP on {Port}: circuit-id {CircuitId}, remote-id {RemoteId}, uplink {Uplink}")]
    private partial void LogCapturing(string port, string circuitId, string remoteId, string uplink);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "Dropped a DHCP request on {Port}: {Reason}")]
    private partial void LogDropped(string port, string reason);

    [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "Relayed {Relayed} requests, dropped {Dropped}")]
    private partial void LogTotals(long relayed, long dropped);
}
