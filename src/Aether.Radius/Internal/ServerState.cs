using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Aether.Radius.Internal;

/// <summary>A configured server: its secret as octets, resolved address and hold-down after it stopped answering.</summary>
internal sealed class ServerState
{
    private IPAddress? _address;
    private long _downUntil;

    public ServerState(RadiusServerEndpoint endpoint)
    {
        Endpoint = endpoint;
        Secret = Encoding.UTF8.GetBytes(endpoint.Secret);
        if (IPAddress.TryParse(endpoint.Host, out var address))
        {
            _address = address;
        }
    }

    public RadiusServerEndpoint Endpoint { get; }

    public byte[] Secret { get; }

    public bool IsDown(long now) => Volatile.Read(ref _downUntil) > now;

    public void MarkDown(long until) => Volatile.Write(ref _downUntil, until);

    /// <summary>Returns true when the server was down and is now up again.</summary>
    public bool MarkUp() => Interlocked.Exchange(ref _downUntil, 0) != 0;

    public async ValueTask<IPEndPoint> ResolveAsync(bool accounting, bool allowIpv6, CancellationToken cancellationToken)
    {
        var address = _address;
        if (address is null)
        {
            var addresses = await Dns.GetHostAddressesAsync(Endpoint.Host, cancellationToken);
            address = Array.Find(addresses, a => a.AddressFamily == AddressFamily.InterNetwork)
                ?? (allowIpv6 ? Array.Find(addresses, a => a.AddressFamily == AddressFamily.InterNetworkV6) : null)
                ?? throw new RadiusException($"RADIUS server host {Endpoint.Host} has no usable address.");
            _address = address;
        }

        return new IPEndPoint(address, accounting ? Endpoint.AcctPort : Endpoint.AuthPort);
    }

    public override string ToString() => Endpoint.Host;
}
