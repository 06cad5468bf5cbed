using System.Diagnostics;
using Aether.Dhcp.Framing;
using Xunit.Abstractions;

namespace Aether.Dhcp.Tests;

/// <summary>
/// A bounded fuzz run: random bytes and mutations of valid packets (bit flips, truncation, length-octet
/// corruption) through every entry point that takes wire input. Only typed results are allowed out; whatever a
/// rewrite reports as written must itself parse.
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    private const int Inputs = 200_000;
    private const int Seed = 20_260_401;

    private readonly Dictionary<DhcpParseError, int> _parseResults = [];
    private readonly Dictionary<RelayRewriteError, int> _serverRewriteResults = [];
    private readonly Dictionary<RelayRewriteError, int> _clientRewriteResults = [];
    private int _framesAccepted;
    private int _framesRejected;

    [Fact]
    public void Malformed_input_yields_typed_results_only()
    {
        var random = new Random(Seed);
        var seeds = Seeds();
        var frames = seeds.Select(Frame).ToArray();
        var input = new byte[2048];
        var relayed = new byte[DhcpRelay.MaxMessageSize];
        var stopwatch = Stopwatch.StartNew();

        for (int i = 0; i < Inputs; i++)
        {
            int length;
            bool isFrame = random.Next(4) == 0;
            var seed = isFrame ? frames[random.Next(frames.Length)] : seeds[random.Next(seeds.Length)];
            switch (random.Next(6))
            {
                case 0:
                    length = random.Next(input.Length);
                    random.NextBytes(input.AsSpan(0, length));
                    break;
                case 1:
                    length = Truncate(random, seed, input);
                    break;
                case 2:
                    length = CorruptLength(random, seed, input);
                    break;
                default:
                    length = FlipBits(random, seed, input);
                    break;
            }

            var data = input.AsSpan(0, length);
            try
            {
                Exercise(isFrame, data, relayed, random);
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                throw new InvalidOperationException($"Input {i} threw: {Convert.ToHexString(data)}", e);
            }
        }

        output.WriteLine($"{Inputs:N0} inputs in {stopwatch.Elapsed.TotalSeconds:F1} s (seed {Seed})");
        output.WriteLine($"EthernetFrame.TryParseUdp: {_framesAccepted:N0} accepted, {_framesRejected:N0} rejected");
        output.WriteLine("DhcpPacket.TryParse: " + Describe(_parseResults));
        output.WriteLine("DhcpRelay.RewriteForServer: " + Describe(_serverRewriteResults));
        output.WriteLine("DhcpRelay.RewriteForClient: " + Describe(_clientRewriteResults));
        Assert.True(_parseResults.GetValueOrDefault(DhcpParseError.None) > Inputs / 10, "too few mutants parse to exercise the rewrites");
        Assert.True(_parseResults.Count >= 8, "mutations should reach most parse errors");
    }

    private void Exercise(bool isFrame, ReadOnlySpan<byte> data, Span<byte> relayed, Random random)
    {
        if (isFrame)
        {
            if (!EthernetFrame.TryParseUdp(data, out var udp))
            {
                _framesRejected++;
                return;
            }

            _framesAccepted++;
            _ = EthernetFrame.VerifyUdpChecksum(udp);
            data = udp.Payload;
        }

        var error = DhcpPacket.TryParse(data, out var packet);
        Count(_parseResults, error);
        if (error == DhcpParseError.None)
        {
            ReadEverything(packet);
        }

        var rewrite = new RelayRewrite
        {
            GatewayIp = Messages.Relay,
            Policy = (Option82Policy)random.Next(4),
            CircuitId = "eth 0/1/2:100"u8,
            RemoteId = random.Next(2) == 0 ? default : "cpe"u8,
            RelayId = random.Next(2) == 0 ? default : "bng1"u8,
            IncrementHops = true,
        };
        var serverResult = DhcpRelay.RewriteForServer(data, relayed, rewrite, out int written);
        Count(_serverRewriteResults, serverResult);
        AssertWrittenParses(serverResult, relayed, written);

        var clientResult = DhcpRelay.RewriteForClient(data, relayed, out written);
        Count(_clientRewriteResults, clientResult);
        AssertWrittenParses(clientResult, relayed, written);
    }

    private static void ReadEverything(DhcpPacket packet)
    {
        Span<byte> scratch = stackalloc byte[1024];
        _ = packet.ClientHardwareAddress.Length + packet.Flags + packet.Seconds + packet.GatewayIp.Value;
        _ = packet.ServerNameField.Length + packet.BootFileField.Length;
        _ = packet.TryGetIpv4Option(DhcpOptionCode.ServerIdentifier, out _);
        _ = packet.TryGetUInt32Option(DhcpOptionCode.IpAddressLeaseTime, out _);
        _ = packet.TryGetOption(DhcpOptionCode.ClasslessStaticRoute, scratch, out _);
        if (packet.TryGetRelayAgentInformation(scratch, out var agent))
        {
            _ = agent.IsWellFormed;
            _ = agent.CircuitId.Length + agent.RemoteId.Length + agent.RelayId.Length + agent.SubscriberId.Length;
            _ = agent.TryGetLinkSelection(out _) && agent.TryGetServerIdentifierOverride(out _);
            _ = agent.TryGetVendorSpecific(3561, out _);
            foreach (var subOption in agent)
            {
                _ = subOption.Value.Length;
            }
        }

        _ = DhcpMessage.Parse(packet.Raw).ToArray();
        _ = DhcpRelay.ClientDestination(packet);
    }

    private static void AssertWrittenParses(RelayRewriteError result, ReadOnlySpan<byte> relayed, int written)
    {
        if (result is RelayRewriteError.None or RelayRewriteError.OptionSpaceExhausted)
        {
            Assert.Equal(DhcpParseError.None, DhcpPacket.TryParse(relayed[..written], out _));
        }
        else
        {
            Assert.Equal(0, written);
        }
    }

    private static byte[][] Seeds()
    {
        var overloaded = Messages.Reply(DhcpMessageType.Ack);
        overloaded.MaxLength = 576;
        for (byte code = 160; code < 170; code++)
        {
            overloaded.Options.Add(new DhcpOption(code, new byte[30]));
        }

        var relayed = Messages.Request(DhcpMessageType.Request);
        relayed.Options.Add(new DhcpOption(DhcpOptionCode.ClasslessStaticRoute, new byte[300]));
        relayed.Options.Add(new DhcpOption(
            DhcpOptionCode.RelayAgentInformation,
            RelayAgentInformationBuilder.Build(
                (RelayAgentSubOption.CircuitId, new byte[250]),
                (RelayAgentSubOption.LinkSelection, [100, 64, 2, 0]),
                (RelayAgentSubOption.VendorSpecific, [0, 0, 0x0d, 0xe9, 2, 1, 2]),
                (RelayAgentSubOption.RelayId, "other"u8.ToArray()))));

        return
        [
            TestVectors.DhclientDiscover,
            KeaPayload("kea-offer.hex"),
            KeaPayload("kea-ack.hex"),
            overloaded.ToArray(),
            relayed.ToArray(),
        ];
    }

    private static byte[] KeaPayload(string vector)
    {
        Assert.True(EthernetFrame.TryParseUdp(TestVectors.Load(vector), out var udp));
        return udp.Payload.ToArray();
    }

    private static byte[] Frame(byte[] payload)
    {
        var frame = new byte[EthernetFrame.UdpHeadersLength + EthernetFrame.VlanTagLength + payload.Length];
        int length = EthernetFrame.WriteUdp(frame, TestVectors.ClientMac, TestVectors.ClientMac, 7, Messages.Relay, Messages.Server, 67, 67, payload);
        return frame[..length];
    }

    private static int FlipBits(Random random, byte[] seed, byte[] input)
    {
        seed.CopyTo(input, 0);
        int flips = 1 + random.Next(8);
        for (int i = 0; i < flips; i++)
        {
            input[random.Next(seed.Length)] ^= (byte)(1 << random.Next(8));
        }

        return seed.Length;
    }

    private static int Truncate(Random random, byte[] seed, byte[] input)
    {
        seed.CopyTo(input, 0);
        return random.Next(seed.Length);
    }

    /// <summary>Sets an octet that is an option length in the seed (or any octet past the fixed header) to a random value.</summary>
    private static int CorruptLength(Random random, byte[] seed, byte[] input)
    {
        seed.CopyTo(input, 0);
        var lengths = new List<int>();
        for (int position = 240; position + 1 < seed.Length && seed[position] != DhcpOptionCode.End;)
        {
            if (seed[position] == DhcpOptionCode.Pad)
            {
                position++;
                continue;
            }

            lengths.Add(position + 1);
            position += 2 + seed[position + 1];
        }

        int target = lengths.Count > 0 && random.Next(4) != 0 ? lengths[random.Next(lengths.Count)] : random.Next(seed.Length);
        input[target] = (byte)random.Next(256);
        return seed.Length;
    }

    private static void Count<T>(Dictionary<T, int> counts, T key)
        where T : notnull => counts[key] = counts.GetValueOrDefault(key) + 1;

    private static string Describe<T>(Dictionary<T, int> counts)
        where T : notnull => string.Join(", ", counts.OrderByDescending(c => c.Value).Select(c => $"{c.Key} {c.Value:N0}"));
}
