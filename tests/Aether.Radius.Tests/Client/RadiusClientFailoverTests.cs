using System.Net;
using System.Net.Sockets;
using Aether.Radius.Tests.Support;
using Aether.TestUtilities;

namespace Aether.Radius.Tests.Client;

[Collection(FreeRadiusCollection.Name)]
public sealed class RadiusClientFailoverTests(FreeRadiusServer radius)
{
    private readonly TestLogger<RadiusClient> _logger = new();

    [Fact]
    public async Task A_dead_server_fails_over_to_radiusd_and_is_then_skipped()
    {
        var dead = DeadPort();
        var options = new RadiusClientOptions
        {
            Servers =
            [
                new RadiusServerEndpoint { Host = "127.0.0.1", AuthPort = dead, AcctPort = dead, Secret = FreeRadiusServer.Secret },
                new RadiusServerEndpoint { Host = "localhost", AuthPort = radius.AuthPort, AcctPort = radius.AcctPort, Secret = FreeRadiusServer.Secret },
            ],
            Timeout = TimeSpan.FromMilliseconds(200),
            Retries = 1,
            DeadServerHoldDown = TimeSpan.FromMinutes(5),
        };
        await using var client = new RadiusClient(options, _logger);

        var first = await client.AuthenticateAsync(RadiusRequest.AccessRequest("alice", "pw"), TestTimeouts.Token());
        var second = await client.AccountAsync(RadiusRequest.AccountingStart("failover-" + Guid.NewGuid().ToString("N")), TestTimeouts.Token());

        Assert.Equal(RadiusCode.AccessAccept, first.Code);
        Assert.Equal(radius.AuthPort, first.Server.Port);
        Assert.Equal(RadiusCode.AccountingResponse, second.Code);
        Assert.True(second.RoundTrip < TimeSpan.FromMilliseconds(200), "the held-down server was not tried again");
        Assert.Equal(1, client.Statistics.Retransmissions);
        Assert.True(_logger.Logged(1002));
        Assert.Empty(_logger.Errors);
    }

    [Fact]
    public async Task Six_hundred_concurrent_requests_are_all_answered()
    {
        var options = RadiusClientFreeRadiusTests.Options(radius.AuthPort, radius.AcctPort);
        options.SocketCount = 2;
        options.Timeout = TimeSpan.FromSeconds(2);
        await using var client = new RadiusClient(options, _logger);

        var responses = await Task.WhenAll(Enumerable.Range(0, 600).Select(i =>
            client.AuthenticateAsync(RadiusRequest.AccessRequest(i % 2 == 0 ? "alice" : "bob", i % 2 == 0 ? "pw" : "bob-pw"), TestTimeouts.Token())));

        Assert.All(responses, r => Assert.Equal(RadiusCode.AccessAccept, r.Code));
        Assert.Equal(300, responses.Count(r => r.GetString(RadiusAttributeType.FilterId) == "100M/20M"));
        Assert.Empty(_logger.Errors);
    }

    private static int DeadPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
