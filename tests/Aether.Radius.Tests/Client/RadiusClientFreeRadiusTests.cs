using System.Net;
using System.Text;
using Aether.Radius.Internal;
using Aether.Radius.Tests.Support;
using Aether.TestUtilities;

namespace Aether.Radius.Tests.Client;

[Collection(FreeRadiusCollection.Name)]
public sealed class RadiusClientFreeRadiusTests(FreeRadiusServer radius) : IAsyncLifetime
{
    private readonly TestLogger<RadiusClient> _logger = new();
    private RadiusClient _client = null!;

    public Task InitializeAsync()
    {
        _client = new RadiusClient(Options(radius.AuthPort, radius.AcctPort), _logger);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        Assert.Empty(_logger.Errors);
    }

    [Fact]
    public async Task Access_accept_for_alice_carries_filter_and_vendor_rates()
    {
        var response = await _client.AuthenticateAsync(RadiusRequest.AccessRequest("alice", "pw"), TestTimeouts.Token());

        Assert.Equal(RadiusCode.AccessAccept, response.Code);
        Assert.Equal("20M/10M", response.GetString(RadiusAttributeType.FilterId));
        Assert.Equal(20000u, response.GetVendor(FreeRadiusServer.OssVendorId, 1)?.AsUInt32());
        Assert.Equal(10000u, response.GetVendor(FreeRadiusServer.OssVendorId, 2)?.AsUInt32());
        Assert.Equal(25000u, response.GetVendor(FreeRadiusServer.OssVendorId, 3)?.AsUInt32());
        Assert.Equal(12500u, response.GetVendor(FreeRadiusServer.OssVendorId, 4)?.AsUInt32());
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, radius.AuthPort), response.Server);
        Assert.Single(response.GetAll(RadiusAttributeType.MessageAuthenticator));
    }

    [Fact]
    public async Task Status_server_is_answered()
    {
        var response = await _client.AuthenticateAsync(new RadiusRequest(RadiusCode.StatusServer), TestTimeouts.Token());

        Assert.Equal(RadiusCode.AccessAccept, response.Code);
    }

    [Fact]
    public async Task Access_reject_for_a_wrong_password()
    {
        var response = await _client.AuthenticateAsync(RadiusRequest.AccessRequest("alice", "not-the-password"), TestTimeouts.Token());

        Assert.Equal(RadiusCode.AccessReject, response.Code);
        Assert.Null(response.GetString(RadiusAttributeType.FilterId));
    }

    [Fact]
    public async Task A_long_password_is_hidden_over_several_blocks()
    {
        const string password = "a-password-longer-than-thirty-two-octets";
        await using var server = new FreeRadiusServer { Users = $"carol\tCleartext-Password := \"{password}\"\n" };
        await server.InitializeAsync();
        await using var client = new RadiusClient(Options(server.AuthPort, server.AcctPort), _logger);

        var response = await client.AuthenticateAsync(RadiusRequest.AccessRequest("carol", password), TestTimeouts.Token());

        Assert.Equal(RadiusCode.AccessAccept, response.Code);
    }

    [Fact]
    public async Task Accounting_start_interim_and_stop_land_in_the_detail_file()
    {
        var session = "sess-" + Guid.NewGuid().ToString("N");
        var counters = new AccountingCounters(InputOctets: 5_000_000_000, OutputOctets: 1234, InputPackets: 10, OutputPackets: 20, SessionTime: TimeSpan.FromSeconds(90));
        var token = TestTimeouts.Token();

        var start = await _client.AccountAsync(RadiusRequest.AccountingStart(session).Add(RadiusAttribute.FromString(RadiusAttributeType.UserName, "alice")), token);
        var interim = await _client.AccountAsync(RadiusRequest.AccountingInterim(session, counters), token);
        var stop = await _client.AccountAsync(RadiusRequest.AccountingStop(session, counters, AcctTerminateCause.UserRequest), token);

        Assert.All([start, interim, stop], r => Assert.Equal(RadiusCode.AccountingResponse, r.Code));
        var detail = await radius.WaitForDetailAsync("Acct-Terminate-Cause = User-Request", TestTimeouts.Await);
        var records = detail.Split("\n\n").Where(r => r.Contains(session, StringComparison.Ordinal)).ToList();
        Assert.Equal(3, records.Count);
        Assert.Contains("Acct-Status-Type = Start", records[0], StringComparison.Ordinal);
        Assert.Contains("Acct-Status-Type = Interim-Update", records[1], StringComparison.Ordinal);
        Assert.Contains("Acct-Input-Gigawords = 1", records[1], StringComparison.Ordinal);
        Assert.Contains("Acct-Input-Octets = 705032704", records[1], StringComparison.Ordinal);
        Assert.Contains("Acct-Status-Type = Stop", records[2], StringComparison.Ordinal);
        Assert.Contains("Acct-Session-Time = 90", records[2], StringComparison.Ordinal);
        Assert.Contains("Acct-Terminate-Cause = User-Request", records[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reply_without_message_authenticator_is_refused()
    {
        await using var proxy = new TamperingProxy(new IPEndPoint(IPAddress.Loopback, radius.AuthPort), (request, reply) => Rewrite(request, reply, breakMessageAuthenticator: false));
        await using var client = new RadiusClient(Options(proxy.Port, radius.AcctPort, retries: 0), _logger);

        var error = await Assert.ThrowsAsync<RadiusProtocolException>(() => client.AuthenticateAsync(RadiusRequest.AccessRequest("alice", "pw"), TestTimeouts.Token()));

        Assert.Contains("authenticator", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, client.Statistics.InvalidResponses);
        Assert.True(_logger.Logged(1004));
    }

    [Fact]
    public async Task A_reply_with_a_broken_message_authenticator_is_refused()
    {
        await using var proxy = new TamperingProxy(new IPEndPoint(IPAddress.Loopback, radius.AuthPort), (request, reply) => Rewrite(request, reply, breakMessageAuthenticator: true));
        await using var client = new RadiusClient(Options(proxy.Port, radius.AcctPort, retries: 0), _logger);

        await Assert.ThrowsAsync<RadiusProtocolException>(() => client.AuthenticateAsync(RadiusRequest.AccessRequest("alice", "pw"), TestTimeouts.Token()));

        Assert.Equal(1, client.Statistics.InvalidResponses);
    }

    [Fact]
    public async Task Stock_freeradius_replies_without_message_authenticator_are_refused()
    {
        await using var stock = new FreeRadiusServer { AddMessageAuthenticatorToReplies = false };
        await stock.InitializeAsync();
        await using var client = new RadiusClient(Options(stock.AuthPort, stock.AcctPort, retries: 0), _logger);

        await Assert.ThrowsAsync<RadiusProtocolException>(() => client.AuthenticateAsync(RadiusRequest.AccessRequest("alice", "pw"), TestTimeouts.Token()));

        Assert.Equal(1, client.Statistics.InvalidResponses);
    }

    [Fact]
    public async Task A_wrong_secret_times_out_since_radiusd_drops_the_request()
    {
        var options = Options(radius.AuthPort, radius.AcctPort, retries: 0);
        options.Servers[0] = options.Servers[0] with { Secret = "not-the-secret" };
        await using var client = new RadiusClient(options, _logger);

        // radiusd silently drops a request whose Message-Authenticator or Request Authenticator fails.
        await Assert.ThrowsAsync<RadiusTimeoutException>(() => client.AuthenticateAsync(RadiusRequest.AccessRequest("alice", "pw"), TestTimeouts.Token()));
        await Assert.ThrowsAsync<RadiusTimeoutException>(() => client.AccountAsync(RadiusRequest.AccountingStart("s-wrong-secret"), TestTimeouts.Token()));

        Assert.Equal(2, client.Statistics.Timeouts);
    }

    internal static RadiusClientOptions Options(int authPort, int acctPort, int retries = 2) => new()
    {
        Servers = [new RadiusServerEndpoint { Host = "127.0.0.1", AuthPort = authPort, AcctPort = acctPort, Secret = FreeRadiusServer.Secret }],
        Timeout = TimeSpan.FromMilliseconds(500),
        Retries = retries,
        SocketCount = 2,
    };

    /// <summary>Re-signs the reply with the right secret, but without a Message-Authenticator or with a wrong one.</summary>
    private static byte[] Rewrite(byte[] request, byte[] reply, bool breakMessageAuthenticator)
    {
        Assert.True(RadiusPacket.TryParse(reply, out var packet, out _));
        var secret = Encoding.UTF8.GetBytes(FreeRadiusServer.Secret);
        var requestAuthenticator = request.AsSpan(RadiusConstants.AuthenticatorOffset, RadiusConstants.AuthenticatorLength);
        var attributes = packet.Attributes.Where(a => a.Type != RadiusAttributeType.MessageAuthenticator).ToList();
        var buffer = new byte[RadiusConstants.MaxPacketLength];
        var length = RadiusPacketWriter.WriteResponse(buffer, packet.Code, packet.Identifier, requestAuthenticator, attributes, secret, includeMessageAuthenticator: breakMessageAuthenticator);
        var rewritten = buffer.AsSpan(0, length);
        if (breakMessageAuthenticator)
        {
            rewritten[RadiusConstants.HeaderLength + RadiusConstants.AttributeHeaderLength] ^= 0xFF;
            RadiusAuthenticators.ComputeAuthenticator(rewritten, requestAuthenticator, secret, rewritten.Slice(RadiusConstants.AuthenticatorOffset, RadiusConstants.AuthenticatorLength));
        }

        return rewritten.ToArray();
    }
}
