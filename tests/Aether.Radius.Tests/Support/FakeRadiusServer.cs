using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Aether.Radius.Internal;

namespace Aether.Radius.Tests.Support;

/// <summary>
/// A scripted RADIUS server on 127.0.0.1 for client behaviour a real one will not show on demand: it records every
/// datagram and answers (or not) as <see cref="Answer"/> says.
/// </summary>
public sealed class FakeRadiusServer : IAsyncDisposable
{
    private readonly UdpClient _udp = new(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public FakeRadiusServer(string secret)
    {
        Secret = Encoding.UTF8.GetBytes(secret);
        _loop = Task.Run(LoopAsync);
    }

    public byte[] Secret { get; }

    public int Port => ((IPEndPoint)_udp.Client.LocalEndPoint!).Port;

    public ConcurrentQueue<byte[]> Received { get; } = new();

    /// <summary>Where each received datagram came from, in the same order.</summary>
    public ConcurrentQueue<IPEndPoint> Senders { get; } = new();

    /// <summary>Given a request and how many came before it, the reply to send, or null to stay silent. Accepts by default.</summary>
    public Func<byte[], int, byte[]?> Answer { get; set; }
        = (request, _) => null;

    /// <summary>An Access-Accept or Accounting-Response to <paramref name="request"/>, signed with the secret.</summary>
    public byte[] Accept(byte[] request, params RadiusAttribute[] attributes)
    {
        var code = request[RadiusConstants.CodeOffset] == (byte)RadiusCode.AccountingRequest ? RadiusCode.AccountingResponse : RadiusCode.AccessAccept;
        var buffer = new byte[RadiusConstants.MaxPacketLength];
        var length = RadiusPacketWriter.WriteResponse(buffer, code, request[RadiusConstants.IdentifierOffset], request.AsSpan(RadiusConstants.AuthenticatorOffset, RadiusConstants.AuthenticatorLength), attributes, Secret);
        return buffer[..length];
    }

    public async Task SendAsync(byte[] reply, IPEndPoint to) => await _udp.SendAsync(reply, to, _stop.Token);

    public async Task WaitForAsync(int count)
    {
        using var timeout = new CancellationTokenSource(TestTimeouts.Await);
        while (Received.Count < count)
        {
            await Task.Delay(5, timeout.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _udp.Dispose();
        await _loop;
        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        var count = 0;
        try
        {
            while (true)
            {
                var datagram = await _udp.ReceiveAsync(_stop.Token);
                Senders.Enqueue(datagram.RemoteEndPoint);
                Received.Enqueue(datagram.Buffer);
                if (Answer(datagram.Buffer, count++) is { } reply)
                {
                    await _udp.SendAsync(reply, datagram.RemoteEndPoint, _stop.Token);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
