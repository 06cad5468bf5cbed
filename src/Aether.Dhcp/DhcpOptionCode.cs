namespace Aether.Dhcp;

/// <summary>DHCPv4 option codes (IANA "BOOTP Vendor Extensions and DHCP Options"; RFC 2132 unless noted).</summary>
public static class DhcpOptionCode
{
    public const byte Pad = 0;
    public const byte SubnetMask = 1;
    public const byte TimeOffset = 2;
    public const byte Router = 3;
    public const byte TimeServer = 4;
    public const byte NameServer = 5;
    public const byte DomainNameServer = 6;
    public const byte LogServer = 7;
    public const byte HostName = 12;
    public const byte DomainName = 15;
    public const byte InterfaceMtu = 26;
    public const byte BroadcastAddress = 28;
    public const byte StaticRoute = 33;
    public const byte NetworkTimeProtocolServers = 42;
    public const byte VendorSpecificInformation = 43;
    public const byte RequestedIpAddress = 50;
    public const byte IpAddressLeaseTime = 51;
    public const byte OptionOverload = 52;
    public const byte MessageType = 53;
    public const byte ServerIdentifier = 54;
    public const byte ParameterRequestList = 55;
    public const byte Message = 56;
    public const byte MaxMessageSize = 57;
    public const byte RenewalTime = 58;
    public const byte RebindingTime = 59;
    public const byte VendorClassIdentifier = 60;
    public const byte ClientIdentifier = 61;

    /// <summary>RFC 3004.</summary>
    public const byte UserClass = 77;

    /// <summary>RFC 4039.</summary>
    public const byte RapidCommit = 80;

    /// <summary>RFC 4702.</summary>
    public const byte ClientFqdn = 81;

    /// <summary>RFC 3046.</summary>
    public const byte RelayAgentInformation = 82;

    /// <summary>RFC 4388 leasequery.</summary>
    public const byte ClientLastTransactionTime = 91;

    /// <summary>RFC 4388 leasequery.</summary>
    public const byte AssociatedIp = 92;

    /// <summary>RFC 4578.</summary>
    public const byte ClientSystemArchitecture = 93;

    /// <summary>RFC 3397.</summary>
    public const byte DomainSearch = 119;

    /// <summary>RFC 3011.</summary>
    public const byte SubnetSelection = 118;

    /// <summary>RFC 3442.</summary>
    public const byte ClasslessStaticRoute = 121;

    /// <summary>RFC 3925.</summary>
    public const byte VendorIdentifyingVendorClass = 124;

    /// <summary>RFC 3925.</summary>
    public const byte VendorIdentifyingVendorSpecific = 125;

    /// <summary>RFC 8925.</summary>
    public const byte Ipv6OnlyPreferred = 108;

    /// <summary>RFC 7710 / RFC 8910.</summary>
    public const byte CaptivePortal = 114;

    public const byte End = 255;
}
