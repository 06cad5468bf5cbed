using Aether.Radius.Internal;
using Aether.Radius.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Aether.Radius.Tests.Client;

public sealed class RadiusClientRetransmissionTests : IAsyncLifetime
{
    private const string Secret = "fake-secret";
    private readonly TestLogger<RadiusClient> _logger = new();
    private readonly FakeTimeProvider _time = new();
    private readonly FakeRadiusServer _primary = new(Secret);
    private readonly FakeRadiusServer _secondary = new(Secret);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _primary.DisposeAsync();
        await _secondary.DisposeAsync();
        Assert.Empty(_logger.Errors);
    }

    [Fact]
    public async Task A_retransmission_repeats_the_identifier_and_authenticator()
    {
        _primary.Answer = (request, count) => count == 1 ? _primary.Accept(request) : null;
        await using var client = Client(retries: 2, _primary);

        var pending = client.AuthenticateAsync(RadiusRequest.AccessRequest("alice", "pw"), TestTimeouts.Token());
        await _primary.WaitForAsync(1);
        _time.Advance(TimeSpan.FromSeconds(1));
        var response = await pending.WaitAsync(TestTimeouts.Await);

        Assert.Equal(RadiusCode.AccessAccept, response.Code);
        var sent = _primary.Received.ToArray();
        Assert.Equal(2, sent.Length);
        Assert.Equal(sent[0], sent[1]);
        Assert.Equal(1, client.Statistics.Retransmissions);
    }

    [Fact]
    public async Task Retransmissions_back_off_doubling_up_to_the_maximum()
    {
        await using var client = Client(retries: 4, _primary, maxRetransmit: TimeSpan.FromSeconds(4));

        var pending = client.AuthenticateAsync(RadiusRequest.AccessRequest("alice", "pw"), TestTimeouts.Token());
        await _primary.WaitForAsync(1);

        // Waits of 1, 2, 4 and 4 seconds (capped) before each retransmission and the final timeout.
        foreach (var (wait, expected) in new[] { (1, 2), (2, 3), (4, 4), (4, 5) })
        {
            _time.Advance(TimeSpan.FromSeconds(wait) - TimeSpan.FromMilliseconds(1));
            await Task.Delay(100);
            Assert.Equal(expected - 1, _primary.Received.Count);
            _time.Advance(TimeSpan.FromMilliseconds(1));
            await _primary.WaitForAsync(expected);
        }

        _time.Advance(TimeSpan.FromSeconds(4));
        await Assert.ThrowsAsync<RadiusTimeoutException>(() => pending.WaitAsync(TestTimeouts.Await));
        Assert.Equal(4, client.Statistics.Retransmissions);
    }

    [Fact]
    public async Task A_silent_server_is_held_down_then_tried_again()
    {
        _secondary.Answer = (request, _) => _secondary.Accept(request);
        await using var client = Client(retries: 0, _primary, _secondary);

        var first = client.AuthenticateAsync(RadiusRequest.AccessRequest("alice", "pw"), TestTimeouts.Token());
        await _primary.WaitForAsync(1);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(_secondary.Port, (await first.WaitAsync(TestTimeouts.Await)).Server.Port);

        var second = await client.AuthenticateAsync(RadiusRequest.AccessRequest("alice", "pw"), TestTimeouts.Token()).WaitAsync(TestTimeouts.Await);
        Assert.Equal(_secondary.Port, second.Server.Port);
        Assert.Single(_primary.Received);

        _time.Advance(TimeSpan.FromSeconds(30));
        var third = client.AuthenticateAsync(RadiusRequest.AccessRequest("alice", "pw"), TestTimeouts.Token());
        await _primary.WaitForAsync(2);
        _time.Advance(TimeSpan.FromSeconds(1));
        await third.WaitAsync(TestTimeouts.Await);
        Assert.True(_logger.Logged(1002));
    }

    [Fact]
    public async Task Requests_beyond_256_per_socket_wait_for_an_identifier()
    {
        await using var client = Client(retries: 0, _primary, socketCount: 1, timeout: TimeSpan.FromMinutes(1));

        var requests = Enumerable.Range(0, 300).Select(_ => client.AccountAsync(RadiusRequest.AccountingStart("s"), TestTimeouts.Token())).ToList();
        await _primary.WaitForAsync(256);
        await Task.Delay(200);
        Assert.Equal(256, _primary.Received.Count);
        Assert.Equal(256, _primary.Received.Select(r => r[RadiusConstants.IdentifierOffset]).Distinct().Count());

        // Answering frees Identifiers for the 44 waiting requests, which are then answered as they come.
        _primary.Answer = (request, _) => _primary.Accept(request);
        foreach (var (request, sender) in _primary.Received.Zip(_primary.Senders).ToArray())
        {
            await _primary.SendAsync(_primary.Accept(request), sender);
        }

        var responses = await Task.WhenAll(requests).WaitAsync(TestTimeouts.Await);
        Assert.All(responses, r => Assert.Equal(RadiusCode.AccountingResponse, r.Code));
        Assert.Equal(300, _primary.Received.Count);
    }

    [Fact]
    public async Task A_reply_with_the_wrong_code_is_ignored()
    {
        _primary.Answer = (request, _) =>
        {
            var reply = _primary.Accept(request);
            reply[RadiusConstants.CodeOffset] = (byte)RadiusCode.AccountingResponse;
            return reply;
        };
        await using var client = Client(retries: 0, _primary);

        var pending = client.AuthenticateAsync(RadiusRequest.AccessRequest("alice", "pw"), TestTimeouts.Token());
        await _primary.WaitForAsync(1);
        await Task.Delay(100);
        _time.Advance(TimeSpan.FromSeconds(1));

        await Assert.ThrowsAsync<RadiusTimeoutException>(() => pending.WaitAsync(TestTimeouts.Await));
        Assert.Equal(1, client.Statistics.UnexpectedResponses);
    }

    [Fact]
    public async Task Cancelling_a_request_frees_its_identifier()
    {
        await using var client = Client(retries: 0, _primary, socketCount: 1);
        using var cancel = new CancellationTokenSource();

        var pending = client.AuthenticateAsync(RadiusRequest.AccessRequest("alice", "pw"), cancel.Token);
        await _primary.WaitForAsync(1);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.WaitAsync(TestTimeouts.Await));
        _primary.Answer = (request, _) => _primary.Accept(request);
        var next = client.AuthenticateAsync(RadiusRequest.AccessRequest("alice", "pw"), TestTimeouts.Token());
        Assert.Equal(RadiusCode.AccessAccept, (await next.WaitAsync(TestTimeouts.Await)).Code);
    }

    private RadiusClient Client(int retries, FakeRadiusServer first, FakeRadiusServer? second = null, int socketCount = 2, TimeSpan? timeout = null, TimeSpan? maxRetransmit = null)
    {
        var options = new RadiusClientOptions
        {
            Servers = [Endpoint(first), .. second is null ? Array.Empty<RadiusServerEndpoint>() : [Endpoint(second)]],
            Timeout = timeout ?? TimeSpan.FromSeconds(1),
            MaxRetransmitTimeout = maxRetransmit ?? timeout ?? TimeSpan.FromSeconds(8),
            Retries = retries,
            SocketCount = socketCount,
            DeadServerHoldDown = TimeSpan.FromSeconds(30),
        };
        return new RadiusClient(options, _logger, _time);
    }

    private static RadiusServerEndpoint Endpoint(FakeRadiusServer server) =>
        new() { Host = "127.0.0.1", AuthPort = server.Port, AcctPort = server.Port, Secret = Secret };
}
