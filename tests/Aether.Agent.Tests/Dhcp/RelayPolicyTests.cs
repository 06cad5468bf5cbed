using Aether.Agent.Dhcp;
using Aether.Dhcp;
using static Aether.Agent.Tests.Support.Dhcp;

namespace Aether.Agent.Tests.Dhcp;

public sealed class RelayPolicyTests
{
    private static DropReason? Check(byte[] request, Option82Trust trust, int maxHops = 16)
    {
        Assert.Equal(DhcpParseError.None, DhcpPacket.TryParse(request, out var packet));
        return RelayPolicy.Check(packet, trust, maxHops);
    }

    [Theory]
    [InlineData(nameof(Option82Trust.Trust))]
    [InlineData(nameof(Option82Trust.Insert))]
    public void A_request_with_the_access_nodes_option_82_passes_where_it_is_trusted(string trust) =>
        Assert.Null(Check(Request(), Enum.Parse<Option82Trust>(trust)));

    [Fact]
    public void A_trusted_interface_drops_a_request_without_option_82() =>
        Assert.Equal(DropReason.NoOption82, Check(Request(circuitId: null), Option82Trust.Trust));

    [Fact]
    public void A_trusted_interface_drops_option_82_without_a_circuit_id() =>
        Assert.Equal(DropReason.NoOption82, Check(Request(rawOption82: RelayAgentInformationBuilder.Build((RelayAgentSubOption.RemoteId, [1, 2]))), Option82Trust.Trust));

    [Fact]
    public void An_insert_interface_passes_a_request_without_option_82() =>
        Assert.Null(Check(Request(circuitId: null), Option82Trust.Insert));

    [Fact]
    public void An_untrusted_interface_drops_a_request_that_carries_option_82() =>
        Assert.Equal(DropReason.UntrustedOption82, Check(Request(), Option82Trust.Untrusted));

    [Fact]
    public void An_untrusted_interface_passes_a_request_without_option_82() =>
        Assert.Null(Check(Request(circuitId: null), Option82Trust.Untrusted));

    [Theory]
    [InlineData(nameof(Option82Trust.Trust))]
    [InlineData(nameof(Option82Trust.Insert))]
    [InlineData(nameof(Option82Trust.Untrusted))]
    public void A_request_from_subscribers_with_giaddr_set_is_spoofed(string trust) =>
        Assert.Equal(DropReason.SpoofedGiaddr, Check(Request(giaddr: "198.18.9.9"), Enum.Parse<Option82Trust>(trust)));

    [Fact]
    public void A_request_past_the_hop_limit_is_dropped() =>
        Assert.Equal(DropReason.HopLimit, Check(Request(hops: 5), Option82Trust.Trust, maxHops: 4));

    [Fact]
    public void A_request_at_the_hop_limit_passes() =>
        Assert.Null(Check(Request(hops: 4), Option82Trust.Trust, maxHops: 4));

    [Theory]
    [InlineData(nameof(Option82Trust.Trust))]
    [InlineData(nameof(Option82Trust.Insert))]
    public void Option_82_whose_sub_options_overrun_is_malformed(string trust) =>
        Assert.Equal(DropReason.MalformedOption82, Check(Request(rawOption82: [RelayAgentSubOption.CircuitId, 9, 1, 2]), Enum.Parse<Option82Trust>(trust)));

    [Fact]
    public void A_bootreply_from_the_subscriber_side_is_dropped() =>
        Assert.Equal(DropReason.NotARequest, Check(Request(DhcpMessageType.Offer, op: 2), Option82Trust.Trust));

    [Theory]
    [InlineData(DhcpMessageType.Offer)]
    [InlineData(DhcpMessageType.Ack)]
    [InlineData(DhcpMessageType.ForceRenew)]
    public void Message_types_a_client_does_not_send_are_dropped(DhcpMessageType type) =>
        Assert.Equal(DropReason.UnexpectedType, Check(Request(type), Option82Trust.Trust));

    [Theory]
    [InlineData(DhcpMessageType.Discover)]
    [InlineData(DhcpMessageType.Request)]
    [InlineData(DhcpMessageType.Inform)]
    [InlineData(DhcpMessageType.Release)]
    [InlineData(DhcpMessageType.Decline)]
    public void Client_message_types_pass(DhcpMessageType type) =>
        Assert.Null(Check(Request(type), Option82Trust.Trust));

    [Fact]
    public void Every_drop_reason_has_a_distinct_name()
    {
        var names = Enum.GetValues<DropReason>().Select(r => r.Name()).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.All(names, n => Assert.Matches("^[a-z0-9-]+$", n));
    }

    [Fact]
    public void Drops_are_counted_per_interface_and_reason()
    {
        var counters = new RelayCounters();
        counters.Drop("sub0", DropReason.SpoofedGiaddr);
        counters.Drop("sub0", DropReason.SpoofedGiaddr);
        counters.Drop("sub1", DropReason.HopLimit);

        Assert.Equal(2, counters.Dropped("sub0", DropReason.SpoofedGiaddr));
        Assert.Equal(0, counters.Dropped("sub1", DropReason.SpoofedGiaddr));
        Assert.Contains(("sub1", DropReason.HopLimit, 1L), counters.Snapshot());
    }
}
