using System.Buffers;
using System.Threading.Channels;
using Aether.Dhcp;
using Microsoft.Extensions.Options;
using SharpPcap;
using SharpPcap.LibPcap;

namespace Aether.Agent.Dhcp;

/// <summary>
/// Captures client-to-server DHCP (BPF "udp dst port 67") on every subscriber-facing interface through
/// libpcap in immediate mode and hands the frames to the relay. Each interface is read by a thread of its own
/// (pcap_next_ex, which blocks in poll until a frame or the read timeout): SharpPcap's StartCapture would run the
/// loop on a thread-pool worker and hold it for the agent's life, one per interface, which on a 2-core BNG starved
/// the pool of the workers that relay and start sessions.
/// </summary>
internal sealed partial class SubscriberCapture : IDisposable
{
    private const string Filter = "udp dst port 67";
    private const int Snaplen = 2048;
    private readonly Channel<CapturedFrame> _frames = Channel.CreateBounded<CapturedFrame>(new BoundedChannelOptions(65_536)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.DropWrite,
    });
    private readonly List<SubscriberPort> _ports = [];
    private readonly List<Thread> _readers = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly ILogger<SubscriberCapture> _logger;
    private readonly AgentOptions _options;
    private long _dropped;

    public SubscriberCapture(IOptions<AgentOptions> options, ILogger<SubscriberCapture> logger)
    {
        _options = options.Value;
        _logger = logger;
    }

    public ChannelReader<CapturedFrame> Frames => _frames.Reader;

    public IReadOnlyList<SubscriberPort> Ports => _ports;

    public long DroppedFrames => Interlocked.Read(ref _dropped);

    public SubscriberPort? FindByGateway(Ipv4Address giaddr) => _ports.Find(p => p.GatewayIp == giaddr);

    public void Start()
    {
        var devices = LibPcapLiveDeviceList.New();
        foreach (var iface in _options.SubscriberInterfaces)
        {
            var device = devices.FirstOrDefault(d => d.Name == iface.Name)
                ?? throw new InvalidOperationException($"subscriber interface {iface.Name} does not exist (libpcap sees: {string.Join(", ", devices.Select(d => d.Name))})");
            device.Open(new DeviceConfiguration
            {
                Mode = DeviceModes.Promiscuous,
                Immediate = true,
                Snaplen = Snaplen,
                ReadTimeout = 100,
                BufferSize = 8 * 1024 * 1024,
            });
            device.Filter = Filter;
            var port = new SubscriberPort(iface, _options.BngId, device, ReadMac(iface.Name));
            var reader = new Thread(() => Read(port, device, _stopping.Token)) { IsBackground = true, Name = "capture " + iface.Name };
            reader.Start();
            _readers.Add(reader);
            _ports.Add(port);
            LogCapturing(iface.Name, Filter, iface.GatewayIp, iface.Option82.ToString());
        }
    }

    private void Read(SubscriberPort port, LibPcapLiveDevice device, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            GetPacketStatus status;
            try
            {
                status = device.GetNextPacket(out var capture);
                if (status == GetPacketStatus.PacketRead)
                {
                    OnPacket(port, capture.Data);
                    continue;
                }
            }
            catch (Exception ex) when (ex is PcapException or InvalidOperationException or ObjectDisposedException)
            {
                if (stopping.IsCancellationRequested)
                {
                    return;
                }
                LogCaptureFailed(port.Name, ex.Message);
                stopping.WaitHandle.WaitOne(TimeSpan.FromSeconds(1));
                continue;
            }
            if (status is GetPacketStatus.Error or GetPacketStatus.NoRemainingPackets && !stopping.IsCancellationRequested)
            {
                // The interface went away or libpcap failed: said once a second while it lasts, then read again.
                LogCaptureFailed(port.Name, device.LastError);
                stopping.WaitHandle.WaitOne(TimeSpan.FromSeconds(1));
            }
        }
    }

    private void OnPacket(SubscriberPort port, ReadOnlySpan<byte> data)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(data.Length);
        data.CopyTo(buffer);
        if (!_frames.Writer.TryWrite(new CapturedFrame(port, buffer, data.Length)))
        {
            ArrayPool<byte>.Shared.Return(buffer);
            Interlocked.Increment(ref _dropped);
        }
    }

    private static byte[] ReadMac(string name)
    {
        var text = File.ReadAllText($"/sys/class/net/{name}/address").Trim();
        return Convert.FromHexString(text.Replace(":", "", StringComparison.Ordinal));
    }

    public void Dispose()
    {
        _stopping.Cancel();
        foreach (var reader in _readers)
        {
            // A reader notices within the read timeout (100 ms).
            reader.Join(TimeSpan.FromSeconds(2));
        }
        _frames.Writer.TryComplete();
        foreach (var port in _ports)
        {
            port.Dispose();
        }
    }

    [LoggerMessage(EventId = 1201, Level = LogLevel.Error, Message = "Capture on {Interface} failed: {Error}; reading again in 1 s")]
    private partial void LogCaptureFailed(string @interface, string error);

    [LoggerMessage(EventId = 1200, Level = LogLevel.Information, Message = "Capturing DHCP on {Interface} (filter \"{Filter}\"), relaying with giaddr {Giaddr}, Option 82 {Option82}")]
    private partial void LogCapturing(string @interface, string filter, string giaddr, string option82);
}
