using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Aether.Agent.Dhcp;
using Aether.Agent.Sessions;
using Aether.Agent.Tests.Sessions;
using Aether.Agent.Tests.Support;
using Aether.Dhcp;
using Aether.Dhcp.Framing;
using Microsoft.Extensions.Options;

namespace Aether.Agent.Tests.Dhcp;

/// <summary>
/// Hostile frames on a subscriber interface: a bounded number of malformed and mutated Ethernet/IPv4/UDP/DHCP frames
/// through the relay's capture entry point (what the SharpPcap callback feeds). Every frame is relayed or dropped
/// and counted by reason, none is lost to an exception, and a valid request is still relayed afterwards.
/// </summary>
public sealed class RelayFuzzTests : IDisposable
{
    /// <summary>Frames fed; the figure docs/reliability.md quotes.</summary>
    public const int Frames = 20_000;

    // BOOTP fixed fields (RFC 2131 2) and the magic cookie: options start here.
    private const int DhcpOptionsOffset = 240;
    private const string Interface = "sub0";
    private static readonly byte[] BroadcastMac = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];

    private readonly SessionHarness _harness;
    private readonly Socket _server = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly Socket _relaySocket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly RelayCounters _counters = new();
    private readonly RelayService _relay;
    private readonly SubscriberPort _port;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serverLoop;
    private long _serverReceived;
    private byte[]? _lastRelayed;

    public RelayFuzzTests()
    {
        _server.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _server.ReceiveBufferSize = 8 * 1024 * 1024;
        _relaySocket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _harness = new SessionHarness(o =>
        {
            o.DhcpServer = "127.0.0.1";
            o.DhcpServerPort = ((IPEndPoint)_server.LocalEndPoint!).Port;
            o.SubscriberInterfaces.RemoveAll(i => i.Name != Interface);
        });
        var options = TestOptions.Wrap(_harness.Options);
        var capture = new SubscriberCapture(options, _harness.Log.For<SubscriberCapture>());
        _relay = new RelayService(options, capture, _harness.Manager, _counters, _harness.Log.For<RelayService>());
        var iface = _harness.Options.SubscriberInterfaces.Single();
        _port = new SubscriberPort(iface, _harness.Options.BngId, device: null, mac: [0x02, 0, 0, 0, 0, 0x01]);
        _relay.UseServerSocket(_port.GatewayIp, _relaySocket);
        _serverLoop = ReceiveAsServerAsync();
    }

    public void Dispose()
    {
        _stop.Cancel();
        _server.Dispose();
        _relay.Dispose();
        _harness.Dispose();
        _stop.Dispose();
    }

    [Fact]
    public async Task Fuzzed_frames_are_each_relayed_or_counted_dropped_and_a_valid_request_is_still_relayed()
    {
        var random = new Random(2131);
        var kinds = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < Frames; i++)
        {
            var (kind, frame) = Fuzz(random, i);
            kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
            _relay.OnCapturedFrame(Captured(frame), _stop.Token);
        }

        // Authorizations answer asynchronously: wait until every frame has its outcome.
        await TestTimeouts.WaitUntilAsync(() => Outcomes() == Frames, $"every frame counted (have {Outcomes()} of {Frames})");

        Assert.Equal(Frames, Outcomes());
        Assert.Equal(0, _counters.Dropped(Interface, DropReason.InternalError));
        _harness.Log.AssertNoErrors();
        await TestTimeouts.WaitUntilAsync(() => Interlocked.Read(ref _serverReceived) == _counters.ToServer, "the relayed requests at the server");

        var before = _counters.ToServer;
        _relay.OnCapturedFrame(Captured(Frame(Support.Dhcp.Request(DhcpMessageType.Discover))), _stop.Token);
        await TestTimeouts.WaitUntilAsync(() => Interlocked.Read(ref _serverReceived) == before + 1, "the valid DISCOVER at the server");
        Assert.Equal(DhcpParseError.None, DhcpPacket.TryParse(Volatile.Read(ref _lastRelayed), out var relayed));
        Assert.Equal(_port.GatewayIp, relayed.GatewayIp);
        Assert.Equal(DhcpMessageType.Discover, relayed.MessageType);

        var drops = _counters.Snapshot().Where(d => d.Interface == Interface).OrderBy(d => d.Reason).ToList();
        Console.WriteLine($"DHCP fuzz: {Frames} frames ({string.Join(", ", kinds.OrderBy(k => k.Key).Select(k => $"{k.Key} {k.Value}"))}); "
            + $"relayed {_counters.ToServer - 1}; dropped {string.Join(", ", drops.Select(d => $"{d.Reason.Name()} {d.Count}"))}");
    }

    private long Outcomes() => _counters.ToServer + _counters.Snapshot().Where(d => d.Interface == Interface).Sum(d => d.Count);

    private CapturedFrame Captured(byte[] frame)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(frame.Length, 1));
        frame.CopyTo(buffer, 0);
        return new CapturedFrame(_port, buffer, frame.Length);
    }

    private static byte[] Frame(ReadOnlySpan<byte> dhcp, ushort destinationPort = 67, ushort vlan = 0)
    {
        var frame = new byte[EthernetFrame.UdpHeadersLength + EthernetFrame.VlanTagLength + dhcp.Length];
        var length = EthernetFrame.WriteUdp(frame, Support.Dhcp.ClientMac, BroadcastMac, vlan, Ipv4Address.Any, Ipv4Address.Parse("255.255.255.255"), 68, destinationPort, dhcp);
        return frame[..length];
    }

    private static (string Kind, byte[] Frame) Fuzz(Random random, int i)
    {
        DhcpMessageType[] types = [DhcpMessageType.Discover, DhcpMessageType.Request, DhcpMessageType.Release, DhcpMessageType.Decline, DhcpMessageType.Inform, DhcpMessageType.Offer, DhcpMessageType.Ack];
        var valid = Support.Dhcp.Request(types[random.Next(types.Length)], circuitId: "1/0/" + (i % 64));
        switch (random.Next(10))
        {
            case 0:
            {
                // Random bytes as a whole frame, up to past a jumbo frame's worth.
                var frame = new byte[random.Next(0, 2048)];
                random.NextBytes(frame);
                return ("random-frame", frame);
            }
            case 1:
            {
                // A valid frame with bytes flipped anywhere (Ethernet, IP, UDP or DHCP).
                var frame = Frame(valid);
                for (var n = random.Next(1, 6); n > 0; n--)
                {
                    frame[random.Next(frame.Length)] ^= (byte)random.Next(1, 256);
                }
                return ("mutated-frame", frame);
            }
            case 2:
            {
                var frame = Frame(valid);
                return ("truncated-frame", frame[..random.Next(0, frame.Length)]);
            }
            case 3:
            {
                // Well-framed, with a DHCP message cut short (the UDP and IP lengths agree with the cut).
                return ("truncated-dhcp", Frame(valid.AsSpan(0, random.Next(0, valid.Length))));
            }
            case 4:
            {
                // Well-framed, with DHCP bytes flipped: header fields, cookie, options, Option 82.
                var dhcp = valid.ToArray();
                for (var n = random.Next(1, 8); n > 0; n--)
                {
                    dhcp[random.Next(dhcp.Length)] ^= (byte)random.Next(1, 256);
                }
                return ("mutated-dhcp", Frame(dhcp));
            }
            case 5:
            {
                // Valid fixed fields and cookie, then random option bytes: lengths past the end, no END, overloads.
                var options = new byte[random.Next(0, 600)];
                random.NextBytes(options);
                return ("random-options", Frame([.. valid.AsSpan(0, DhcpOptionsOffset), .. options]));
            }
            case 6:
            {
                // Option 82 whose sub-options are random.
                var raw = new byte[random.Next(0, 40)];
                random.NextBytes(raw);
                return ("random-option-82", Frame(Support.Dhcp.Request(rawOption82: raw)));
            }
            case 7:
            {
                // Fields a subscriber must not send: giaddr, many hops, a BOOTREPLY.
                var dhcp = random.Next(3) switch
                {
                    0 => Support.Dhcp.Request(giaddr: "198.18.9.9"),
                    1 => Support.Dhcp.Request(hops: (byte)random.Next(17, 256)),
                    _ => Support.Dhcp.Request(op: 2),
                };
                return ("policy-violation", Frame(dhcp));
            }
            case 8:
            {
                // Not for the relay: another UDP port, or an 802.1Q-tagged frame.
                return random.Next(2) == 0 ? ("wrong-port", Frame(valid, destinationPort: 68)) : ("vlan-tagged", Frame(valid, vlan: (ushort)random.Next(1, 4095)));
            }
            default:
                return ("valid", Frame(valid));
        }
    }

    private async Task ReceiveAsServerAsync()
    {
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var received = await _server.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                Volatile.Write(ref _lastRelayed, buffer[..received]);
                Interlocked.Increment(ref _serverReceived);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
    }
}
