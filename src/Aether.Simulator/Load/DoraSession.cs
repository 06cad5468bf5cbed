using Aether.Dhcp;

namespace Aether.Simulator.Load;

internal enum DoraState : byte
{
    /// <summary>Never started, or released and free to join again.</summary>
    Idle,

    /// <summary>DISCOVER sent, waiting for an OFFER (RFC 2131 section 4.4, SELECTING).</summary>
    Selecting,

    /// <summary>REQUEST sent, waiting for ACK or NAK (REQUESTING).</summary>
    Requesting,

    /// <summary>ACK received; the subscriber holds a lease.</summary>
    Bound,

    /// <summary>Gave up: see <see cref="DoraSession.Failure"/>.</summary>
    Failed,
}

/// <summary>Why a subscriber did not get a lease.</summary>
internal enum DoraFailure : byte
{
    None,

    /// <summary>Every DISCOVER went unanswered.</summary>
    NoOffer,

    /// <summary>An OFFER came but every REQUEST went unanswered.</summary>
    NoAck,

    /// <summary>The server answered the REQUEST with DHCPNAK.</summary>
    Nak,

    /// <summary>The interface or socket refused to send.</summary>
    SendError,

    /// <summary>The run was stopped (duration cap or interrupt) before the exchange finished.</summary>
    Cancelled,
}

/// <summary>What the engine must do after a state change.</summary>
internal enum DoraAction : byte
{
    None,
    SendDiscover,
    SendRequest,
    SendRelease,

    /// <summary>The subscriber just became bound: record its latency.</summary>
    Bound,

    /// <summary>The subscriber just failed: count <see cref="DoraSession.Failure"/>.</summary>
    Failed,
}

/// <summary>How a reply was taken, for the report's reply counters.</summary>
internal enum ReplyDisposition : byte
{
    Accepted,

    /// <summary>A valid reply for this subscriber that its state no longer wants (a duplicate or late answer).</summary>
    Late,

    /// <summary>An OFFER or ACK without an address.</summary>
    Malformed,
}

/// <summary>A server reply reduced to what the state machine reads; taken off the wire by a transport.</summary>
internal readonly record struct DoraReply(
    uint TransactionId,
    ulong ClientMac,
    DhcpMessageType Type,
    Ipv4Address YourIp,
    Ipv4Address ServerId,
    ulong ServerMac,
    long ReceivedAt);

/// <summary>Retransmission settings, in <see cref="TimeProvider"/> timestamp units.</summary>
internal readonly record struct DoraTiming(long Timeout, int Retries);

/// <summary>
/// One synthetic client's DHCP exchange as a pure state machine (RFC 2131 section 4.4, figure 5): DISCOVER,
/// OFFER, REQUEST carrying the offer's server identifier and address, ACK; a fixed timeout per message with
/// a bounded number of retransmissions keeping the same xid; RELEASE when told. Time is passed in, so the
/// machine is tested without a clock and driven by one engine thread without locks.
/// </summary>
internal sealed class DoraSession(int slot)
{
    public int Slot { get; } = slot;

    public DoraState State { get; private set; }

    public DoraFailure Failure { get; private set; }

    public uint TransactionId { get; private set; }

    /// <summary>Transmissions of the message now outstanding (1 after the first send).</summary>
    public int Attempts { get; private set; }

    /// <summary>Retransmissions over the whole exchange.</summary>
    public int Retransmissions { get; private set; }

    public long StartedAt { get; private set; }

    public long BoundAt { get; private set; }

    /// <summary>When <see cref="OnDeadline"/> is due; <see cref="long.MaxValue"/> when nothing is.</summary>
    public long Deadline { get; private set; } = long.MaxValue;

    public Ipv4Address OfferedIp { get; private set; }

    public Ipv4Address ServerId { get; private set; }

    /// <summary>Link-layer source of the server's last reply: where a unicast RELEASE goes.</summary>
    public ulong ServerMac { get; private set; }

    /// <summary>Times this subscriber has been bound (churn joins it again after a release).</summary>
    public int Leases { get; private set; }

    public long Latency => BoundAt - StartedAt;

    public bool IsInFlight => State is DoraState.Selecting or DoraState.Requesting;

    /// <summary>Starts a new exchange with <paramref name="transactionId"/>; from Idle, Bound-and-released or Failed.</summary>
    public DoraAction Begin(uint transactionId, long now, DoraTiming timing)
    {
        if (IsInFlight || State == DoraState.Bound)
        {
            throw new InvalidOperationException($"Subscriber {Slot} is {State}; only an idle or failed subscriber begins.");
        }

        State = DoraState.Selecting;
        Failure = DoraFailure.None;
        TransactionId = transactionId;
        StartedAt = now;
        BoundAt = 0;
        OfferedIp = default;
        ServerId = default;
        Attempts = 1;
        Retransmissions = 0;
        Deadline = now + timing.Timeout;
        return DoraAction.SendDiscover;
    }

    public DoraAction OnReply(in DoraReply reply, DoraTiming timing, out ReplyDisposition disposition)
    {
        disposition = ReplyDisposition.Late;
        if (reply.TransactionId != TransactionId)
        {
            return DoraAction.None;
        }

        switch (reply.Type)
        {
            case DhcpMessageType.Offer when State == DoraState.Selecting:
                if (reply.YourIp.IsAny)
                {
                    disposition = ReplyDisposition.Malformed;
                    return DoraAction.None;
                }

                disposition = ReplyDisposition.Accepted;
                OfferedIp = reply.YourIp;
                ServerId = reply.ServerId;
                ServerMac = reply.ServerMac;
                State = DoraState.Requesting;
                Attempts = 1;
                Deadline = reply.ReceivedAt + timing.Timeout;
                return DoraAction.SendRequest;

            case DhcpMessageType.Ack when State == DoraState.Requesting:
                if (reply.YourIp.IsAny)
                {
                    disposition = ReplyDisposition.Malformed;
                    return DoraAction.None;
                }

                disposition = ReplyDisposition.Accepted;
                OfferedIp = reply.YourIp;
                ServerMac = reply.ServerMac;
                if (!reply.ServerId.IsAny)
                {
                    ServerId = reply.ServerId;
                }

                State = DoraState.Bound;
                BoundAt = reply.ReceivedAt;
                Deadline = long.MaxValue;
                Leases++;
                return DoraAction.Bound;

            // RFC 2131 section 4.4.1: a NAK sends the client back to INIT; the load test counts it as a failure.
            case DhcpMessageType.Nak when IsInFlight:
                disposition = ReplyDisposition.Accepted;
                return Fail(DoraFailure.Nak);

            default:
                return DoraAction.None;
        }
    }

    /// <summary>The deadline passed: retransmit, give up, or (when bound) release as scheduled.</summary>
    public DoraAction OnDeadline(long now, DoraTiming timing)
    {
        if (now < Deadline)
        {
            return DoraAction.None;
        }

        switch (State)
        {
            case DoraState.Selecting or DoraState.Requesting when Attempts <= timing.Retries:
                Attempts++;
                Retransmissions++;
                Deadline = now + timing.Timeout;
                return State == DoraState.Selecting ? DoraAction.SendDiscover : DoraAction.SendRequest;
            case DoraState.Selecting:
                return Fail(DoraFailure.NoOffer);
            case DoraState.Requesting:
                return Fail(DoraFailure.NoAck);
            case DoraState.Bound:
                return Release();
            default:
                Deadline = long.MaxValue;
                return DoraAction.None;
        }
    }

    /// <summary>Asks for a RELEASE at <paramref name="at"/> (churn's holding time, or now).</summary>
    public void ScheduleRelease(long at)
    {
        if (State != DoraState.Bound)
        {
            throw new InvalidOperationException($"Subscriber {Slot} is {State}; only a bound subscriber releases.");
        }

        Deadline = at;
    }

    /// <summary>RFC 2131 section 4.4.6: the client gives the lease back; no reply is expected.</summary>
    public DoraAction Release()
    {
        if (State != DoraState.Bound)
        {
            return DoraAction.None;
        }

        State = DoraState.Idle;
        Deadline = long.MaxValue;
        return DoraAction.SendRelease;
    }

    /// <summary>The send of this exchange's message failed, or the run stopped before it finished.</summary>
    public DoraAction Fail(DoraFailure failure)
    {
        State = DoraState.Failed;
        Failure = failure;
        Deadline = long.MaxValue;
        return DoraAction.Failed;
    }
}
