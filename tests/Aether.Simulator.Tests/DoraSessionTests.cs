using Aether.Dhcp;
using Aether.Simulator.Load;

namespace Aether.Simulator.Tests;

public sealed class DoraSessionTests
{
    private const uint Xid = 0x1234_0007;
    private const ulong ClientMac = 0x025a_0000_0007;
    private const ulong ServerMac = 0x0200_0000_00b1;
    private static readonly DoraTiming s_timing = new(Timeout: 100, Retries: 2);
    private static readonly Ipv4Address s_offered = Ipv4Address.Parse("100.64.0.20");
    private static readonly Ipv4Address s_server = Ipv4Address.Parse("198.18.0.1");

    private static DoraReply Reply(DhcpMessageType type, long at, uint xid = Xid, Ipv4Address? yiaddr = null) =>
        new(xid, ClientMac, type, yiaddr ?? s_offered, s_server, ServerMac, at);

    [Fact]
    public void Begin_sends_discover_and_arms_the_timeout()
    {
        var session = new DoraSession(7);

        var action = session.Begin(Xid, 1_000, s_timing);

        Assert.Equal(DoraAction.SendDiscover, action);
        Assert.Equal(DoraState.Selecting, session.State);
        Assert.Equal(1_100, session.Deadline);
        Assert.Equal(1, session.Attempts);
    }

    [Fact]
    public void Offer_then_ack_binds_with_latency_from_the_first_discover()
    {
        var session = new DoraSession(7);
        session.Begin(Xid, 1_000, s_timing);

        var afterOffer = session.OnReply(Reply(DhcpMessageType.Offer, 1_010), s_timing, out var offerTaken);
        var afterAck = session.OnReply(Reply(DhcpMessageType.Ack, 1_025), s_timing, out var ackTaken);

        Assert.Equal(DoraAction.SendRequest, afterOffer);
        Assert.Equal(DoraAction.Bound, afterAck);
        Assert.Equal(ReplyDisposition.Accepted, offerTaken);
        Assert.Equal(ReplyDisposition.Accepted, ackTaken);
        Assert.Equal(DoraState.Bound, session.State);
        Assert.Equal(25, session.Latency);
        Assert.Equal(s_offered, session.OfferedIp);
        Assert.Equal(s_server, session.ServerId);
        Assert.Equal(ServerMac, session.ServerMac);
        Assert.Equal(long.MaxValue, session.Deadline);
    }

    [Fact]
    public void Unanswered_discover_is_retransmitted_then_fails_as_no_offer()
    {
        var session = new DoraSession(7);
        session.Begin(Xid, 0, s_timing);

        var first = session.OnDeadline(100, s_timing);
        var second = session.OnDeadline(200, s_timing);
        var last = session.OnDeadline(300, s_timing);

        Assert.Equal(DoraAction.SendDiscover, first);
        Assert.Equal(DoraAction.SendDiscover, second);
        Assert.Equal(DoraAction.Failed, last);
        Assert.Equal(DoraFailure.NoOffer, session.Failure);
        Assert.Equal(2, session.Retransmissions);
    }

    [Fact]
    public void Unanswered_request_fails_as_no_ack()
    {
        var session = new DoraSession(7);
        session.Begin(Xid, 0, s_timing);
        session.OnReply(Reply(DhcpMessageType.Offer, 10), s_timing, out _);

        Assert.Equal(DoraAction.SendRequest, session.OnDeadline(110, s_timing));
        Assert.Equal(DoraAction.SendRequest, session.OnDeadline(210, s_timing));
        Assert.Equal(DoraAction.Failed, session.OnDeadline(310, s_timing));
        Assert.Equal(DoraFailure.NoAck, session.Failure);
    }

    [Fact]
    public void Deadline_not_yet_due_does_nothing()
    {
        var session = new DoraSession(7);
        session.Begin(Xid, 0, s_timing);

        Assert.Equal(DoraAction.None, session.OnDeadline(99, s_timing));
        Assert.Equal(1, session.Attempts);
    }

    [Fact]
    public void Nak_fails_the_exchange()
    {
        var session = new DoraSession(7);
        session.Begin(Xid, 0, s_timing);
        session.OnReply(Reply(DhcpMessageType.Offer, 10), s_timing, out _);

        var action = session.OnReply(Reply(DhcpMessageType.Nak, 20), s_timing, out _);

        Assert.Equal(DoraAction.Failed, action);
        Assert.Equal(DoraFailure.Nak, session.Failure);
    }

    [Fact]
    public void Second_offer_after_the_first_is_late_and_ignored()
    {
        var session = new DoraSession(7);
        session.Begin(Xid, 0, s_timing);
        session.OnReply(Reply(DhcpMessageType.Offer, 10), s_timing, out _);

        var action = session.OnReply(Reply(DhcpMessageType.Offer, 12), s_timing, out var disposition);

        Assert.Equal(DoraAction.None, action);
        Assert.Equal(ReplyDisposition.Late, disposition);
        Assert.Equal(DoraState.Requesting, session.State);
    }

    [Fact]
    public void Reply_for_another_transaction_is_ignored()
    {
        var session = new DoraSession(7);
        session.Begin(Xid, 0, s_timing);

        var action = session.OnReply(Reply(DhcpMessageType.Offer, 10, xid: Xid + 1), s_timing, out _);

        Assert.Equal(DoraAction.None, action);
        Assert.Equal(DoraState.Selecting, session.State);
    }

    [Fact]
    public void Offer_without_an_address_is_malformed()
    {
        var session = new DoraSession(7);
        session.Begin(Xid, 0, s_timing);

        session.OnReply(Reply(DhcpMessageType.Offer, 10, yiaddr: Ipv4Address.Any), s_timing, out var disposition);

        Assert.Equal(ReplyDisposition.Malformed, disposition);
        Assert.Equal(DoraState.Selecting, session.State);
    }

    [Fact]
    public void Scheduled_release_fires_at_its_deadline_and_frees_the_subscriber()
    {
        var session = new DoraSession(7);
        session.Begin(Xid, 0, s_timing);
        session.OnReply(Reply(DhcpMessageType.Offer, 10), s_timing, out _);
        session.OnReply(Reply(DhcpMessageType.Ack, 20), s_timing, out _);
        session.ScheduleRelease(500);

        var early = session.OnDeadline(499, s_timing);
        var due = session.OnDeadline(500, s_timing);

        Assert.Equal(DoraAction.None, early);
        Assert.Equal(DoraAction.SendRelease, due);
        Assert.Equal(DoraState.Idle, session.State);
        Assert.Equal(s_offered, session.OfferedIp); // kept for the RELEASE's ciaddr
    }

    [Fact]
    public void Released_subscriber_can_join_again_with_a_new_transaction()
    {
        var session = new DoraSession(7);
        session.Begin(Xid, 0, s_timing);
        session.OnReply(Reply(DhcpMessageType.Offer, 10), s_timing, out _);
        session.OnReply(Reply(DhcpMessageType.Ack, 20), s_timing, out _);
        session.Release();

        var action = session.Begin(Xid + 0x0010_0000, 1_000, s_timing);

        Assert.Equal(DoraAction.SendDiscover, action);
        Assert.Equal(1, session.Leases);
        Assert.Equal(Xid + 0x0010_0000, session.TransactionId);
    }

    [Fact]
    public void Begin_while_bound_is_refused()
    {
        var session = new DoraSession(7);
        session.Begin(Xid, 0, s_timing);
        session.OnReply(Reply(DhcpMessageType.Offer, 10), s_timing, out _);
        session.OnReply(Reply(DhcpMessageType.Ack, 20), s_timing, out _);

        Assert.Throws<InvalidOperationException>(() => session.Begin(Xid, 30, s_timing));
    }
}
