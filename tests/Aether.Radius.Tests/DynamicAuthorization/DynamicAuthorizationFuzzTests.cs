using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Aether.Radius.DynamicAuthorization;
using Aether.Radius.Internal;
using Aether.Radius.Tests.Support;

namespace Aether.Radius.Tests.DynamicAuthorization;

/// <summary>
/// Hostile input at the RFC 5176 port: a bounded number of fuzzed datagrams over real UDP on loopback. Every
/// datagram must end in exactly one counted outcome, nothing may crash, and a valid request is answered afterwards.
/// </summary>
[Collection(DynamicAuthorizationCollection.Name)]
public sealed class DynamicAuthorizationFuzzTests : IAsyncLifetime
{
    /// <summary>Datagrams sent; the figure docs/reliability.md quotes.</summary>
    public const int Datagrams = 20_000;

    private const string Secret = "coa-fuzz-secret";
    private const int MaxInFlight = 64;
    private static readonly byte[] SecretBytes = Encoding.UTF8.GetBytes(Secret);

    private readonly TestLogger<DynamicAuthorizationServer> _logger = new();
    private readonly ConcurrentDictionary<string, long> _dropped = new(StringComparer.Ordinal);
    private readonly MeterListener _listener = new();
    private DynamicAuthorizationServer _server = null!;

    public async Task InitializeAsync()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == RadiusMetrics.MeterName && instrument.Name == "aether.coa.dropped")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == RadiusMetrics.ReasonLabel)
                {
                    _dropped.AddOrUpdate((string)tag.Value!, value, (_, old) => old + value);
                }
            }
        });
        _listener.Start();

        _server = new DynamicAuthorizationServer(
            new DynamicAuthorizationOptions
            {
                Address = "127.0.0.1",
                Port = 0,
                Clients = [new DynamicAuthorizationClient { Address = "127.0.0.1", Secret = Secret, Name = "fuzz" }],
            },
            (request, _) => ValueTask.FromResult(request.AcctSessionId == "s1"
                ? DynamicAuthorizationResult.Ack()
                : DynamicAuthorizationResult.Nak(ErrorCause.SessionContextNotFound)),
            _logger);
        await _server.StartAsync(TestTimeouts.Token());
    }

    public async Task DisposeAsync()
    {
        await _server.StopAsync(TestTimeouts.Token());
        _server.Dispose();
        _listener.Dispose();
    }

    [Fact]
    public async Task Fuzzed_datagrams_are_each_counted_in_one_outcome_and_a_valid_request_is_still_answered()
    {
        var random = new Random(5176);
        using var known = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        known.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        // Any 127/8 address is local on Linux: a source that is not a configured client.
        using var unknown = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        unknown.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
        var target = _server.LocalEndPoint!;
        var kinds = new Dictionary<string, int>(StringComparer.Ordinal);

        for (var i = 0; i < Datagrams; i++)
        {
            var (kind, datagram, fromUnknown) = Fuzz(random, i);
            kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
            await (fromUnknown ? unknown : known).SendToAsync(datagram, SocketFlags.None, target);
            // A window of datagrams in flight: what the kernel would drop for a full socket buffer is not the server's doing.
            await WaitUntilAsync(() => _server.Statistics.Received >= i + 1 - MaxInFlight, "the server to keep up");
        }

        await WaitUntilAsync(() => _server.Statistics.Accounted == Datagrams, $"every datagram counted (received {_server.Statistics.Received}, accounted {_server.Statistics.Accounted})");

        var stats = _server.Statistics;
        Assert.Equal(Datagrams, stats.Received);
        Assert.Equal(Datagrams, stats.Accounted);
        Assert.Equal(0, stats.Failed);
        Assert.Equal(0, stats.HandlerFailures);
        Assert.Equal(kinds["unknown-source"], stats.UnknownClients);
        Assert.True(stats.InvalidAuthenticators >= kinds["wrong-secret"], $"bad-authenticator {stats.InvalidAuthenticators}");
        Assert.True(stats.Malformed >= kinds["random"] / 2, $"malformed {stats.Malformed}");
        Assert.True(stats.Acks + stats.Naks > 0, "no well-formed request with garbage attributes was answered");
        // The counter operators see says the same as the server's own statistics.
        Assert.Equal(stats.UnknownClients, _dropped.GetValueOrDefault(CoaDropReasons.UnknownClient));
        Assert.Equal(stats.Malformed, _dropped.GetValueOrDefault(CoaDropReasons.Malformed));
        Assert.Equal(stats.UnsupportedCodes, _dropped.GetValueOrDefault(CoaDropReasons.UnsupportedCode));
        Assert.Equal(stats.InvalidAuthenticators, _dropped.GetValueOrDefault(CoaDropReasons.BadAuthenticator));
        Assert.Equal(stats.InvalidMessageAuthenticators, _dropped.GetValueOrDefault(CoaDropReasons.BadMessageAuthenticator));
        Assert.Equal(0, _dropped.GetValueOrDefault(CoaDropReasons.Failed));
        Assert.Empty(_logger.Errors);

        var answer = await ExchangeAsync(Request(RadiusCode.DisconnectRequest, 200, [RadiusAttribute.FromString(RadiusAttributeType.AcctSessionId, "s1")]));
        Assert.True(RadiusPacket.TryParse(answer, out var reply, out _));
        Assert.Equal(RadiusCode.DisconnectAck, reply.Code);
        Console.WriteLine($"CoA fuzz: {Datagrams} datagrams ({string.Join(", ", kinds.OrderBy(k => k.Key).Select(k => $"{k.Key} {k.Value}"))}); "
            + $"unknown-client {stats.UnknownClients}, malformed {stats.Malformed}, unsupported-code {stats.UnsupportedCodes}, "
            + $"bad-authenticator {stats.InvalidAuthenticators}, bad-message-authenticator {stats.InvalidMessageAuthenticators}, "
            + $"duplicate {stats.Duplicates}, ack {stats.Acks}, nak {stats.Naks}, failed {stats.Failed}");
    }

    private static (string Kind, byte[] Datagram, bool FromUnknown) Fuzz(Random random, int i)
    {
        var identifier = (byte)i;
        switch (random.Next(9))
        {
            case 0:
            {
                // Random bytes, from nothing up to past the 4096-byte RADIUS maximum.
                var datagram = new byte[random.Next(0, 4200)];
                random.NextBytes(datagram);
                return ("random", datagram, false);
            }
            case 1:
            {
                // A valid request with a few bytes flipped.
                var datagram = ValidRequest(random, identifier);
                for (var n = random.Next(1, 4); n > 0; n--)
                {
                    datagram[random.Next(datagram.Length)] ^= (byte)random.Next(1, 256);
                }
                return ("mutated", datagram, false);
            }
            case 2:
            {
                var datagram = ValidRequest(random, identifier);
                return ("truncated", datagram[..random.Next(0, datagram.Length)], false);
            }
            case 3:
            {
                // A length field that lies: shorter than a header, longer than the datagram, or past the maximum.
                var datagram = ValidRequest(random, identifier);
                ushort[] lies = [0, 1, 19, (ushort)(datagram.Length + 1), 4097, ushort.MaxValue];
                BinaryPrimitives.WriteUInt16BigEndian(datagram.AsSpan(RadiusConstants.LengthOffset), lies[random.Next(lies.Length)]);
                return ("bad-length", datagram, false);
            }
            case 4:
            {
                // Attributes whose lengths are 0, 1 or overrun the packet, correctly signed.
                var datagram = ValidRequest(random, identifier);
                byte[] lengths = [0, 1, 255];
                datagram[RadiusConstants.HeaderLength + 1] = lengths[random.Next(lengths.Length)];
                Resign(datagram);
                return ("bad-attribute-length", datagram, false);
            }
            case 5:
            {
                // Well-formed and signed, with garbage attributes: it reaches the handler and is answered.
                var attributes = new List<RadiusAttribute>();
                for (var n = random.Next(0, 8); n > 0; n--)
                {
                    var value = new byte[random.Next(0, 40)];
                    random.NextBytes(value);
                    attributes.Add(random.Next(4) == 0
                        ? RadiusAttribute.Vendor((uint)random.Next(1, 70_000), (byte)random.Next(1, 256), value)
                        : new RadiusAttribute((byte)random.Next(1, 256), value));
                }
                attributes.RemoveAll(a => a.Type is RadiusAttributeType.MessageAuthenticator);
                return ("garbage-attributes", Request(random.Next(2) == 0 ? RadiusCode.CoaRequest : RadiusCode.DisconnectRequest, identifier, attributes), false);
            }
            case 6:
                return ("wrong-secret", Request(RadiusCode.CoaRequest, identifier, [RadiusAttribute.FromString(RadiusAttributeType.AcctSessionId, "s1")], secret: "not-the-secret"u8.ToArray()), false);
            case 7:
            {
                // Signed, but a code a CoA server does not take (Access-Request, Accounting-Request, answers...).
                RadiusCode[] codes = [RadiusCode.AccessRequest, RadiusCode.AccountingRequest, RadiusCode.CoaAck, RadiusCode.DisconnectNak, (RadiusCode)255];
                var datagram = ValidRequest(random, identifier);
                datagram[RadiusConstants.CodeOffset] = (byte)codes[random.Next(codes.Length)];
                Resign(datagram);
                return ("unsupported-code", datagram, false);
            }
            default:
                return ("unknown-source", ValidRequest(random, identifier), true);
        }
    }

    private static byte[] ValidRequest(Random random, byte identifier) => Request(
        random.Next(2) == 0 ? RadiusCode.CoaRequest : RadiusCode.DisconnectRequest,
        identifier,
        [RadiusAttribute.FromString(RadiusAttributeType.AcctSessionId, "fuzz-" + random.Next(1000)), RadiusAttribute.FromString(RadiusAttributeType.FilterId, "5M/2M")]);

    private static byte[] Request(RadiusCode code, byte identifier, IReadOnlyList<RadiusAttribute> attributes, byte[]? secret = null)
    {
        var buffer = new byte[RadiusConstants.MaxPacketLength];
        var length = RadiusPacketWriter.WriteRequest(buffer, code, identifier, default, attributes, secret ?? SecretBytes, includeMessageAuthenticator: true);
        return buffer[..length];
    }

    /// <summary>Recomputes the Request Authenticator (RFC 5176 2.3) after the packet was altered.</summary>
    private static void Resign(byte[] packet)
    {
        var authenticator = packet.AsSpan(RadiusConstants.AuthenticatorOffset, RadiusConstants.AuthenticatorLength);
        RadiusAuthenticators.ComputeAuthenticator(packet, new byte[RadiusConstants.AuthenticatorLength], SecretBytes, authenticator);
    }

    private async Task<byte[]> ExchangeAsync(byte[] packet)
    {
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        await udp.SendAsync(packet, _server.LocalEndPoint!, TestTimeouts.Token());
        return (await udp.ReceiveAsync(TestTimeouts.Token())).Buffer;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        using var timeout = new CancellationTokenSource(TestTimeouts.Await);
        while (!condition())
        {
            if (timeout.IsCancellationRequested)
            {
                Assert.Fail($"Timed out waiting for {what}.");
            }
            await Task.Delay(1, CancellationToken.None);
        }
    }
}
