using System.Net;
using System.Net.Sockets;
using Aether.Dhcp;

namespace Aether.Simulator.Load;

/// <summary>
/// The baseline path: the simulator stands in for a layer-3 relay (RFC 2131 section 4.1, RFC 1542 section 4.1):
/// UDP from a socket bound to giaddr:67, unicast to the server's port 67, replies back to giaddr:67.
/// </summary>
internal sealed class RelayTransport : IDhcpTransport
{
    private const int ServerPort = 67;
    private const int SocketBufferBytes = 8 * 1024 * 1024;
    private static readonly TimeSpan s_receivePoll = TimeSpan.FromMilliseconds(200);

    private readonly Socket _socket;
    private readonly SocketAddress _server;
    private readonly TimeProvider _time;
    private Thread? _receiver;
    private Action<DoraReply>? _onReply;
    private volatile bool _stopping;
    private long _ignored;

    private RelayTransport(Socket socket, IPEndPoint server, TimeProvider time, string description)
    {
        _socket = socket;
        _server = server.Serialize();
        _time = time;
        Description = description;
    }

    public string Description { get; }

    public long Ignored => Interlocked.Read(ref _ignored);

    public static RelayTransport Open(Ipv4Address server, Ipv4Address giaddr, TimeProvider time)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.ReceiveBufferSize = SocketBufferBytes;
            socket.SendBufferSize = SocketBufferBytes;
            socket.ReceiveTimeout = (int)s_receivePoll.TotalMilliseconds;
            socket.Bind(new IPEndPoint(giaddr.ToIPAddress(), ServerPort));
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new RelayTransport(socket, new IPEndPoint(server.ToIPAddress(), ServerPort), time, $"relay to {server}:67 from {giaddr}:67");
    }

    public void Start(Action<DoraReply> onReply)
    {
        _onReply = onReply;
        _receiver = new Thread(Receive) { IsBackground = true, Name = "aether-sim relay receive" };
        _receiver.Start();
    }

    public bool Send(DoraSession session, DhcpMessageType type, ReadOnlySpan<byte> payload)
    {
        try
        {
            return _socket.SendTo(payload, SocketFlags.None, _server) == payload.Length;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private void Receive()
    {
        var buffer = new byte[DhcpRelay.MaxMessageSize];
        while (!_stopping)
        {
            int length;
            try
            {
                length = _socket.Receive(buffer);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock or SocketError.Interrupted)
            {
                continue;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }

            if (ReplyReader.TryRead(buffer.AsSpan(0, length), 0, _time.GetTimestamp(), out var reply))
            {
                _onReply?.Invoke(reply);
            }
            else
            {
                Interlocked.Increment(ref _ignored);
            }
        }
    }

    public void Dispose()
    {
        _stopping = true;
        _receiver?.Join(s_receivePoll * 3);
        _socket.Dispose();
    }
}
