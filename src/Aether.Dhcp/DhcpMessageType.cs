namespace Aether.Dhcp;

/// <summary>Option 53 values: RFC 2132 section 9.6, RFC 3203 (FORCERENEW), RFC 4388 and RFC 6926 (leasequery), RFC 7724, RFC 8572.</summary>
public enum DhcpMessageType : byte
{
    Discover = 1,
    Offer,
    Request,
    Decline,
    Ack,
    Nak,
    Release,
    Inform,
    ForceRenew,
    LeaseQuery,
    LeaseUnassigned,
    LeaseUnknown,
    LeaseActive,
    BulkLeaseQuery,
    LeaseQueryDone,
    ActiveLeaseQuery,
    LeaseQueryStatus,
    Tls,
}
