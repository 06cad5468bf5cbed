using System.Net;
using System.Net.Sockets;

namespace Aether.Radius.Tests.Support;

/// <summary>
/// A UDP relay on 127.0.0.1 between a client and a real server that rewrites each reply, to show what the client
/// does with a reply it must refuse.
/// </summary>
public sealed class TamperingProxy : IAsyncDisposable
{
    private readonly UdpClient _front = new(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly IPEndPoint _server;
    private readonly Func<byte[], byte[], byte[]> _rewrite;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    /// <param name="rewrite">Gets the request and the reply, returns the reply to pass on.</param>
    public TamperingProxy(IPEndPoint server, Func<byte[], byte[], byte[]> rewrite)
    {
        _server = server;
        _rewrite = rewrite;
        _loop = Task.Run(LoopAsync);
    }

    public int Port => ((IPEndPoint)_front.Client.LocalEndPoint!).Port;

    public int Rewritten { get; private set; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _front.Dispose();
        await _loop;
        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var request = await _front.ReceiveAsync(_stop.Token);
                using var back = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
                await back.SendAsync(request.Buffer, _server, _stop.Token);
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                timeout.CancelAfter(TimeSpan.FromSeconds(2));
                UdpReceiveResult reply;
                try
                {
                    reply = await back.ReceiveAsync(timeout.Token);
                }
                catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
                {
                    continue;
                }

                var rewritten = _rewrite(request.Buffer, reply.Buffer);
                Rewritten++;
                await _front.SendAsync(rewritten, request.RemoteEndPoint, _stop.Token);
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
