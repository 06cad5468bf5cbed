using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Aether.Radius.DynamicAuthorization;
using Aether.Radius.Internal;
using Aether.Radius.Tests.Support;
using Aether.TestUtilities;

namespace Aether.Radius.Tests.DynamicAuthorization;

[Collection(DynamicAuthorizationCollection.Name)]
public sealed class DynamicAuthorizationServerTests : IAsyncLifetime
{
    private const string Secret = "coa-test-secret";
    private static readonly byte[] SecretBytes = Encoding.UTF8.GetBytes(Secret);
    private static readonly TimeSpan RadclientTimeout = TimeSpan.FromSeconds(1);

    private readonly TestLogger<DynamicAuthorizationServer> _logger = new();
    private readonly ConcurrentQueue<DynamicAuthorizationRequest> _handled = new();
    private readonly HashSet<string> _sessions = ["s1", "s2"];
    private DynamicAuthorizationServer _server = null!;
    private bool _expectErrors;

    public Func<DynamicAuthorizationRequest, CancellationToken, ValueTask<DynamicAuthorizationResult>>? Handler { get; set; }

    private IPEndPoint Endpoint => _server.LocalEndPoint!;

    public Task InitializeAsync() => StartAsync(new DynamicAuthorizationOptions
    {
        Address = "127.0.0.1",
        Port = 0,
        Clients = [new DynamicAuthorizationClient { Address = "127.0.0.1", Secret = Secret, Name = "radius-1" }],
    });

    public async Task DisposeAsync()
    {
        await _server.StopAsync(TestTimeouts.Token());
        _server.Dispose();
        if (!_expectErrors)
        {
            Assert.Empty(_logger.Errors);
        }
    }

    [Fact]
    public async Task Disconnect_for_a_known_session_is_acknowledged()
    {
        var (_, output) = await FreeRadiusRadclient.SendAsync("Acct-Session-Id = \"s1\"", Endpoint, "disconnect", Secret, RadclientTimeout);

        Assert.Contains("Received Disconnect-ACK", output, StringComparison.Ordinal);
        var request = Assert.Single(_handled);
        Assert.True(request.IsDisconnect);
        Assert.Equal("s1", request.AcctSessionId);
        Assert.Equal("radius-1", request.ClientName);
        Assert.Equal(1, _server.Statistics.Acks);
    }

    [Fact]
    public async Task Disconnect_for_an_unknown_session_is_naked_with_session_context_not_found()
    {
        var (_, output) = await FreeRadiusRadclient.SendAsync("Acct-Session-Id = \"nope\"", Endpoint, "disconnect", Secret, RadclientTimeout);

        Assert.Contains("Received Disconnect-NAK", output, StringComparison.Ordinal);
        Assert.Contains("Error-Cause = Session-Context-Not-Found", output, StringComparison.Ordinal);
        Assert.Equal(1, _server.Statistics.Naks);
    }

    [Fact]
    public async Task Coa_with_message_authenticator_and_a_vendor_attribute_is_acknowledged()
    {
        var (_, output) = await FreeRadiusRadclient.SendAsync(
            "Acct-Session-Id = \"s2\", Filter-Id = \"50M/10M\", Mikrotik-Rate-Limit = \"50M/10M\", Message-Authenticator = 0x00", Endpoint, "coa", Secret, RadclientTimeout);

        Assert.Contains("Received CoA-ACK", output, StringComparison.Ordinal);
        var request = Assert.Single(_handled);
        Assert.Equal(RadiusCode.CoaRequest, request.Code);
        Assert.Equal("50M/10M", request.GetString(RadiusAttributeType.FilterId));
        Assert.Equal("50M/10M", request.GetVendor(14988, 8)?.AsString());
        Assert.Single(request.GetAll(RadiusAttributeType.MessageAuthenticator));
    }

    [Fact]
    public async Task Coa_naked_by_the_handler_carries_its_error_cause()
    {
        Handler = (_, _) => ValueTask.FromResult(DynamicAuthorizationResult.Nak(ErrorCause.UnsupportedAttribute));

        var (_, output) = await FreeRadiusRadclient.SendAsync("Acct-Session-Id = \"s1\", Filter-Id = \"x\"", Endpoint, "coa", Secret, RadclientTimeout);

        Assert.Contains("Received CoA-NAK", output, StringComparison.Ordinal);
        Assert.Contains("Error-Cause = Unsupported-Attribute", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Received_and_dropped_datagrams_are_counted_in_the_metrics()
    {
        var received = 0L;
        var dropped = new ConcurrentQueue<string?>();
        using var listener = new System.Diagnostics.Metrics.MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == RadiusMetrics.MeterName && instrument.Name is "aether.coa.received" or "aether.coa.dropped")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (instrument.Name == "aether.coa.received")
            {
                Interlocked.Add(ref received, value);
            }
            else
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == RadiusMetrics.ReasonLabel)
                    {
                        dropped.Enqueue(tag.Value as string);
                    }
                }
            }
        });
        listener.Start();

        await FreeRadiusRadclient.SendAsync("Acct-Session-Id = \"s1\"", Endpoint, "disconnect", "wrong-secret", RadclientTimeout);

        // Other tests of this class may run beside this one: at least this request is in the counts.
        Assert.True(Interlocked.Read(ref received) >= 1);
        Assert.Contains("bad-authenticator", dropped);
    }

    [Fact]
    public async Task A_request_with_the_wrong_secret_is_dropped_and_counted()
    {
        var (_, output) = await FreeRadiusRadclient.SendAsync("Acct-Session-Id = \"s1\"", Endpoint, "disconnect", "wrong-secret", RadclientTimeout);

        Assert.DoesNotContain("Received", output, StringComparison.Ordinal);
        Assert.Empty(_handled);
        Assert.True(_server.Statistics.InvalidAuthenticators >= 1);
    }

    [Fact]
    public async Task A_request_from_an_unknown_address_is_dropped_and_counted()
    {
        await RestartAsync(new DynamicAuthorizationOptions
        {
            Address = "127.0.0.1",
            Port = 0,
            Clients = [new DynamicAuthorizationClient { Address = "127.0.0.2", Secret = Secret }],
        });

        var (_, output) = await FreeRadiusRadclient.SendAsync("Acct-Session-Id = \"s1\"", Endpoint, "disconnect", Secret, RadclientTimeout);

        Assert.DoesNotContain("Received", output, StringComparison.Ordinal);
        Assert.True(_server.Statistics.UnknownClients >= 1);
        Assert.Empty(_handled);
    }

    [Fact]
    public async Task A_wrong_message_authenticator_is_dropped_and_counted()
    {
        var packet = Request(RadiusCode.DisconnectRequest, 7, includeMessageAuthenticator: true);
        // Corrupt the Message-Authenticator and re-sign so only it is wrong.
        packet[RadiusConstants.HeaderLength + RadiusConstants.AttributeHeaderLength] ^= 0x01;
        Resign(packet);

        var reply = await SendRawAsync(packet, expectReply: false);

        Assert.Null(reply);
        Assert.Equal(1, _server.Statistics.InvalidMessageAuthenticators);
        Assert.Empty(_handled);
    }

    [Fact]
    public async Task A_missing_message_authenticator_is_dropped_when_required()
    {
        await RestartAsync(new DynamicAuthorizationOptions
        {
            Address = "127.0.0.1",
            Port = 0,
            RequireMessageAuthenticator = true,
            Clients = [new DynamicAuthorizationClient { Address = "127.0.0.1", Secret = Secret }],
        });

        var reply = await SendRawAsync(Request(RadiusCode.CoaRequest, 8, includeMessageAuthenticator: false), expectReply: false);

        Assert.Null(reply);
        Assert.Equal(1, _server.Statistics.InvalidMessageAuthenticators);
    }

    [Fact]
    public async Task A_retransmission_gets_the_cached_answer_without_running_the_handler_again()
    {
        var packet = Request(RadiusCode.DisconnectRequest, 9, includeMessageAuthenticator: true);
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));

        var first = await SendRawAsync(packet, expectReply: true, udp);
        var second = await SendRawAsync(packet, expectReply: true, udp);

        Assert.Equal(first, second);
        Assert.Single(_handled);
        Assert.Equal(1, _server.Statistics.Duplicates);
    }

    [Fact]
    public async Task The_answer_is_signed_and_copies_proxy_state()
    {
        var packet = Request(RadiusCode.DisconnectRequest, 10, includeMessageAuthenticator: true, RadiusAttribute.FromString(RadiusAttributeType.ProxyState, "ps-1"));
        var requestAuthenticator = packet.AsSpan(RadiusConstants.AuthenticatorOffset, RadiusConstants.AuthenticatorLength).ToArray();

        var reply = await SendRawAsync(packet, expectReply: true);

        Assert.True(RadiusPacket.TryParse(reply, out var answer, out _));
        Assert.Equal(RadiusCode.DisconnectAck, answer.Code);
        Assert.Equal(10, answer.Identifier);
        Assert.True(RadiusAuthenticators.VerifyResponse(reply, requestAuthenticator, SecretBytes));
        Assert.Equal(MessageAuthenticatorStatus.Valid, RadiusAuthenticators.VerifyMessageAuthenticator(reply, requestAuthenticator, SecretBytes));
        Assert.Equal("ps-1", answer.Attributes.Single(a => a.Type == RadiusAttributeType.ProxyState).AsString());
    }

    [Fact]
    public async Task A_failing_handler_is_answered_with_resources_unavailable()
    {
        _expectErrors = true;
        Handler = (_, _) => throw new InvalidOperationException("boom");

        var reply = await SendRawAsync(Request(RadiusCode.CoaRequest, 11, includeMessageAuthenticator: true), expectReply: true);

        Assert.True(RadiusPacket.TryParse(reply, out var answer, out _));
        Assert.Equal(RadiusCode.CoaNak, answer.Code);
        Assert.Equal((uint)ErrorCause.ResourcesUnavailable, answer.Attributes.Single(a => a.Type == RadiusAttributeType.ErrorCause).AsUInt32());
        Assert.Equal(1, _server.Statistics.HandlerFailures);
        Assert.True(_logger.Logged(1109));
    }

    private async Task StartAsync(DynamicAuthorizationOptions options)
    {
        _server = new DynamicAuthorizationServer(options, HandleAsync, _logger);
        await _server.StartAsync(TestTimeouts.Token());
    }

    private async Task RestartAsync(DynamicAuthorizationOptions options)
    {
        await _server.StopAsync(TestTimeouts.Token());
        _server.Dispose();
        await StartAsync(options);
    }

    private ValueTask<DynamicAuthorizationResult> HandleAsync(DynamicAuthorizationRequest request, CancellationToken cancellationToken)
    {
        _handled.Enqueue(request);
        if (Handler is { } handler)
        {
            return handler(request, cancellationToken);
        }

        return ValueTask.FromResult(request.AcctSessionId is { } session && _sessions.Contains(session)
            ? DynamicAuthorizationResult.Ack()
            : DynamicAuthorizationResult.Nak(ErrorCause.SessionContextNotFound));
    }

    private static byte[] Request(RadiusCode code, byte identifier, bool includeMessageAuthenticator, params RadiusAttribute[] extra)
    {
        var buffer = new byte[RadiusConstants.MaxPacketLength];
        List<RadiusAttribute> attributes = [RadiusAttribute.FromString(RadiusAttributeType.AcctSessionId, "s1"), .. extra];
        var length = RadiusPacketWriter.WriteRequest(buffer, code, identifier, default, attributes, SecretBytes, includeMessageAuthenticator);
        return buffer[..length];
    }

    /// <summary>Recomputes the Request Authenticator (RFC 5176 2.3) after the packet was altered.</summary>
    private static void Resign(byte[] packet)
    {
        var authenticator = packet.AsSpan(RadiusConstants.AuthenticatorOffset, RadiusConstants.AuthenticatorLength);
        RadiusAuthenticators.ComputeAuthenticator(packet, new byte[RadiusConstants.AuthenticatorLength], SecretBytes, authenticator);
    }

    private async Task<byte[]?> SendRawAsync(byte[] packet, bool expectReply, UdpClient? udp = null)
    {
        using var own = udp is null ? new UdpClient(new IPEndPoint(IPAddress.Loopback, 0)) : null;
        var client = udp ?? own!;
        await client.SendAsync(packet, Endpoint, TestTimeouts.Token());
        using var wait = new CancellationTokenSource(expectReply ? TestTimeouts.Await : TimeSpan.FromMilliseconds(500));
        try
        {
            return (await client.ReceiveAsync(wait.Token)).Buffer;
        }
        catch (OperationCanceledException) when (!expectReply)
        {
            return null;
        }
    }
}
