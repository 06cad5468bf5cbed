using System.Net;
using System.Net.Sockets;

namespace Aether.Radius.Internal;

/// <summary>One UDP source port and its 256 Identifiers (RFC 2865 3: the Identifier matches a reply to a request).</summary>
internal sealed class ClientSocket : IDisposable
{
    public const int IdentifierCount = 256;

    private readonly PendingRequest?[] _slots = new PendingRequest?[IdentifierCount];
    private int _next;
    private int _inUse;

    public ClientSocket(bool dualMode)
    {
        if (dualMode)
        {
            Socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp) { DualMode = true };
            Socket.Bind(new IPEndPoint(IPAddress.IPv6Any, 0));
        }
        else
        {
            Socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            Socket.Bind(new IPEndPoint(IPAddress.Any, 0));
        }
    }

    public Socket Socket { get; }

    public Task? ReceiveLoop { get; set; }

    public bool TryAcquire(PendingRequest request, out byte identifier)
    {
        lock (_slots)
        {
            identifier = 0;
            if (_inUse == IdentifierCount)
            {
                return false;
            }

            // Rotate so a just-released Identifier is not reused at once and a late reply cannot match a new request.
            for (var i = 0; i < IdentifierCount; i++)
            {
                var candidate = (_next + i) & (IdentifierCount - 1);
                if (_slots[candidate] is null)
                {
                    _slots[candidate] = request;
                    _next = (candidate + 1) & (IdentifierCount - 1);
                    _inUse++;
                    identifier = (byte)candidate;
                    return true;
                }
            }

            return false;
        }
    }

    public void Release(byte identifier, PendingRequest request)
    {
        lock (_slots)
        {
            if (ReferenceEquals(_slots[identifier], request))
            {
                _slots[identifier] = null;
                _inUse--;
            }
        }
    }

    public PendingRequest? Find(byte identifier) => Volatile.Read(ref _slots[identifier]);

    public IEnumerable<PendingRequest> InFlight()
    {
        lock (_slots)
        {
            return _slots.OfType<PendingRequest>().ToArray();
        }
    }

    public void Dispose() => Socket.Dispose();
}
