using System.Net;
using System.Net.Sockets;
using System.Text;
using Aether.Agent.Sessions;
using Aether.Dhcp;
using Microsoft.Extensions.Options;

namespace Aether.Agent.Dhcp;

/// <summary>
/// The BNG's DHCP relay (RFC 2131 4.1, RFC 3046) on every subscriber-facing interface: client requests are checked
/// against the interface's Option 82 policy, authorized by the controller, and relayed to the DHCP server with
/// giaddr and relay-id set; the server's replies are returned to the client with Option 82 removed. A DHCPACK
/// creates the session before the client sees it.
/// </summary>
internal sealed partial class RelayService : BackgroundService
{
    private const ushort ServerPort = 67;
    private const ushort ClientPort = 68;

    private readonly AgentOptions _options;
    private readonly SubscriberCapture _capture;
    private readonly SessionManager _sessions;
    private readonly RelayCounters _counters;
    private readonly ILogger<RelayService> _logger;
    private readonly IPEndPoint _server;
    private readonly byte[] _relayId;
    private readonly Dictionary<Ipv4Address, Socket> _serverSockets = [];

    public RelayService(IOptions<AgentOptions> options, SubscriberCapture capture, SessionManager sessions, RelayCounters counters, ILogger<RelayService> logger)
    {
        _options = options.Value;
        _capture = capture;
        _sessions = sessions;
        _counters = counters;
        _logger = logger;
        _server = new IPEndPoint(IPAddress.Parse(_options.DhcpServer), _options.DhcpServerPort);
        _relayId = Encoding.ASCII.GetBytes(_options.BngId);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _capture.Start();
        var receivers = new List<Task>();
        foreach (var port in _capture.Ports)
        {
            // Bound to giaddr:67, not to 0.0.0.0, so that subscribers' broadcasts never reach this socket:
            // the server answers the relay at giaddr (RFC 2131 4.1).
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(new IPEndPoint(port.GatewayIp.ToIPAddress(), ServerPort));
            receivers.Add(ReceiveFromServerAsync(UseServerSocket(port.GatewayIp, socket), stoppingToken));
        }
        LogRelaying(_server.ToString(), _options.BngId, _capture.Ports.Count);

        try
        {
            await foreach (var frame in _capture.Frames.ReadAllAsync(stoppingToken))
            {
                OnCapturedFrame(frame, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        await Task.WhenAll(receivers);
    }

    /// <summary>
    /// One frame from the capture: relayed, or dropped and counted by reason. Nothing a subscriber sends may
    /// escape from here; a frame whose handling fails is counted as internal-error.
    /// </summary>
    internal void OnCapturedFrame(CapturedFrame frame, CancellationToken cancellationToken)
    {
        try
        {
            HandleClientFrame(frame, cancellationToken);
        }
        catch (Exception ex)
        {
            _counters.Drop(frame.Port.Name, DropReason.InternalError);
            LogFrameFailed(frame.Port.Name, ex);
            frame.Return();
        }
    }

    /// <summary>The socket bound to giaddr:67 of a subscriber interface, relaying to and receiving from the server.</summary>
    internal Socket UseServerSocket(Ipv4Address gatewayIp, Socket socket)
    {
        _serverSockets[gatewayIp] = socket;
        return socket;
    }

    public override void Dispose()
    {
        foreach (var socket in _serverSockets.Values)
        {
            socket.Dispose();
        }
        base.Dispose();
    }

    private Socket SocketFor(SubscriberPort port) => _serverSockets[port.GatewayIp];

    private static string FormatMac(ReadOnlySpan<byte> mac)
    {
        if (mac.Length != 6)
        {
            return Convert.ToHexString(mac).ToLowerInvariant();
        }
        return string.Create(17, Convert.ToHexString(mac).ToLowerInvariant(), static (span, hex) =>
        {
            for (int i = 0, j = 0; i < 12; i += 2)
            {
                span[j++] = hex[i];
                span[j++] = hex[i + 1];
                if (j < 17)
                {
                    span[j++] = ':';
                }
            }
        });
    }
}
