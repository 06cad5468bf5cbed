namespace Aether.Dhcp;

/// <summary>
/// How <see cref="DhcpRelay.RewriteForServer"/> changes a client request. Spans are borrowed for the call only.
/// Use <c>new RelayRewrite { ... }</c> (or a constructor): <c>default(RelayRewrite)</c> has <see cref="MaxHops"/> 0.
/// </summary>
public readonly ref struct RelayRewrite
{
    /// <summary>RFC 1542 section 4.1.1: requests whose hops exceed 16 are discarded.</summary>
    public const byte DefaultMaxHops = 16;

    public RelayRewrite()
    {
        MaxHops = DefaultMaxHops;
    }

    public RelayRewrite(
        Ipv4Address gatewayIp,
        Option82Policy policy,
        ReadOnlySpan<byte> circuitId,
        ReadOnlySpan<byte> remoteId = default,
        ReadOnlySpan<byte> relayId = default)
    {
        GatewayIp = gatewayIp;
        Policy = policy;
        CircuitId = circuitId;
        RemoteId = remoteId;
        RelayId = relayId;
        MaxHops = DefaultMaxHops;
    }

    /// <summary>Written to giaddr when the request's giaddr is 0 (RFC 2131 section 4.1, RFC 1542 section 4.1.1);
    /// a non-zero giaddr set by a relay closer to the client is kept. <see cref="Ipv4Address.Any"/> leaves giaddr alone.</summary>
    public Ipv4Address GatewayIp { get; init; }

    public Option82Policy Policy { get; init; }

    /// <summary>Sub-option 1 (RFC 3046 section 3.1), at most 255 octets; omitted when empty.</summary>
    public ReadOnlySpan<byte> CircuitId { get; init; }

    /// <summary>Sub-option 2 (RFC 3046 section 3.2), at most 255 octets; omitted when empty.</summary>
    public ReadOnlySpan<byte> RemoteId { get; init; }

    /// <summary>Sub-option 12 (RFC 6925), at most 255 octets. The relay-id is this relay's own, so it is written
    /// or replaced whenever non-empty, under <see cref="Option82Policy.Keep"/> and <see cref="Option82Policy.Insert"/> too.</summary>
    public ReadOnlySpan<byte> RelayId { get; init; }

    /// <summary>Requests arriving with more hops than this are refused (RFC 1542 section 4.1.1).</summary>
    public byte MaxHops { get; init; }

    /// <summary>Add one to 'hops' (RFC 1542 section 4.1.1); off for a layer-2 relay that leaves the header alone.</summary>
    public bool IncrementHops { get; init; }
}
