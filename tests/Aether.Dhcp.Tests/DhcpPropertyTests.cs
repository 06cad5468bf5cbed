using CsCheck;

namespace Aether.Dhcp.Tests;

public sealed class DhcpPropertyTests
{
    private const int Iterations = 2_000;

    [Fact]
    public void Write_then_read_returns_the_same_message()
    {
        DhcpGenerators.Message.Sample(
            message =>
            {
                var bytes = message.ToArray();

                Assert.Equal(DhcpParseError.None, DhcpPacket.TryParse(bytes, out _));
                DhcpGenerators.AssertSame(message, DhcpMessage.Parse(bytes));
            },
            iter: Iterations);
    }

    [Fact]
    public void Write_then_read_with_overload_returns_the_same_options()
    {
        var gen = Gen.Select(DhcpGenerators.Message, Gen.Int[300, 1500]);
        int overloaded = 0;

        gen.Sample(
            (message, maxLength) =>
            {
                message.ServerName = null;
                message.BootFile = null;
                message.MaxLength = maxLength;
                byte[] bytes;
                try
                {
                    bytes = message.ToArray();
                }
                catch (InvalidOperationException)
                {
                    return; // too many options for maxLength even with file and sname
                }

                Assert.True(bytes.Length <= Math.Max(maxLength, 300));
                Assert.Equal(DhcpParseError.None, DhcpPacket.TryParse(bytes, out var packet));
                if (packet.OptionOverload != 0)
                {
                    Interlocked.Increment(ref overloaded);
                }

                DhcpGenerators.AssertSame(message, DhcpMessage.Parse(bytes));
            },
            iter: Iterations);

        Assert.True(overloaded > 0, "no generated message needed option overload");
    }

    [Fact]
    public void Relay_rewrite_keeps_the_message_and_applies_the_policy()
    {
        var gen =
            from message in DhcpGenerators.Message
            from policy in Gen.Enum<Option82Policy>()
            from circuitId in Gen.Byte.Array[0, 64]
            from remoteId in Gen.Byte.Array[0, 64]
            from relayId in Gen.Byte.Array[0, 16]
            from hops in Gen.Byte[0, 16]
            select (message, policy, circuitId, remoteId, relayId, hops);

        gen.Sample(
            t =>
            {
                var (message, policy, circuitId, remoteId, relayId, hops) = t;
                message.Op = 1;
                message.Hops = hops;
                var request = message.ToArray();
                var destination = new byte[DhcpRelay.MaxMessageSize];
                var rewrite = new RelayRewrite
                {
                    GatewayIp = Messages.Relay,
                    Policy = policy,
                    CircuitId = circuitId,
                    RemoteId = remoteId,
                    RelayId = relayId,
                    IncrementHops = true,
                };

                var error = DhcpRelay.RewriteForServer(request, destination, rewrite, out int written);

                if (request.Length > DhcpRelay.MaxMessageSize)
                {
                    Assert.True(error is RelayRewriteError.DestinationTooSmall or RelayRewriteError.OptionSpaceExhausted or RelayRewriteError.None);
                    return;
                }

                Assert.True(error is RelayRewriteError.None or RelayRewriteError.OptionSpaceExhausted, error.ToString());
                var relayed = DhcpMessage.Parse(destination.AsSpan(0, written));
                message.TryGetOption(DhcpOptionCode.RelayAgentInformation, out var incomingValue);
                byte[]? incoming = message.Options.Any(o => o.Code == DhcpOptionCode.RelayAgentInformation) ? incomingValue : null;
                var expected = error == RelayRewriteError.None
                    ? ExpectedAgentInfo(policy, incoming, circuitId, remoteId, relayId)
                    : Fallback(policy, incoming);
                relayed.TryGetOption(DhcpOptionCode.RelayAgentInformation, out var actual);
                Assert.Equal(expected ?? [], actual);
                Assert.Equal((byte)(hops + 1), relayed.Hops);
                Assert.Equal(message.GatewayIp.IsAny ? Messages.Relay : message.GatewayIp, relayed.GatewayIp);
                Assert.Equal(
                    message.Options.Where(o => o.Code != DhcpOptionCode.RelayAgentInformation),
                    relayed.Options.Where(o => o.Code != DhcpOptionCode.RelayAgentInformation));
            },
            iter: Iterations);
    }

    /// <summary>RFC 3046 section 2.1 as the policies read; the model the rewrite is checked against.</summary>
    private static byte[]? ExpectedAgentInfo(Option82Policy policy, byte[]? incoming, byte[] circuitId, byte[] remoteId, byte[] relayId)
    {
        switch (policy)
        {
            case Option82Policy.Strip:
                return null;
            case Option82Policy.Replace:
            case Option82Policy.Insert when incoming is null:
                var ours = new List<(byte, byte[])>();
                if (circuitId.Length > 0)
                {
                    ours.Add((RelayAgentSubOption.CircuitId, circuitId));
                }

                if (remoteId.Length > 0)
                {
                    ours.Add((RelayAgentSubOption.RemoteId, remoteId));
                }

                if (relayId.Length > 0)
                {
                    ours.Add((RelayAgentSubOption.RelayId, relayId));
                }

                return ours.Count == 0 ? null : RelayAgentInformationBuilder.Build([.. ours]);
            default:
                if (relayId.Length == 0)
                {
                    return incoming is { Length: > 0 } ? incoming : null;
                }

                var kept = new List<(byte, byte[])>();
                foreach (var subOption in new RelayAgentInformation(incoming ?? []))
                {
                    if (subOption.Code != RelayAgentSubOption.RelayId)
                    {
                        kept.Add((subOption.Code, subOption.Value.ToArray()));
                    }
                }

                kept.Add((RelayAgentSubOption.RelayId, relayId));
                return RelayAgentInformationBuilder.Build([.. kept]);
        }
    }

    private static byte[]? Fallback(Option82Policy policy, byte[]? incoming) =>
        policy is Option82Policy.Keep or Option82Policy.Insert && incoming is { Length: > 0 } ? incoming : null;
}
