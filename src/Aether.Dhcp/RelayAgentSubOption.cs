namespace Aether.Dhcp;

/// <summary>Sub-option codes of the Relay Agent Information option 82 (IANA "DHCP Relay Agent Sub-Option Codes").</summary>
public static class RelayAgentSubOption
{
    /// <summary>RFC 3046 section 3.1: the port the request came in on.</summary>
    public const byte CircuitId = 1;

    /// <summary>RFC 3046 section 3.2: the remote host end of the circuit.</summary>
    public const byte RemoteId = 2;

    /// <summary>RFC 3256.</summary>
    public const byte DocsisDeviceClass = 4;

    /// <summary>RFC 3527: the subnet the server should allocate from, when giaddr cannot be used for it.</summary>
    public const byte LinkSelection = 5;

    /// <summary>RFC 3993.</summary>
    public const byte SubscriberId = 6;

    /// <summary>RFC 4014.</summary>
    public const byte RadiusAttributes = 7;

    /// <summary>RFC 4030.</summary>
    public const byte Authentication = 8;

    /// <summary>RFC 4243: enterprise-number, data-len, vendor data.</summary>
    public const byte VendorSpecific = 9;

    /// <summary>RFC 5010.</summary>
    public const byte RelayAgentFlags = 10;

    /// <summary>RFC 5107.</summary>
    public const byte ServerIdentifierOverride = 11;

    /// <summary>RFC 6925.</summary>
    public const byte RelayId = 12;

    /// <summary>RFC 7839.</summary>
    public const byte AccessTechnologyType = 13;

    /// <summary>RFC 7839.</summary>
    public const byte AccessNetworkName = 14;

    /// <summary>RFC 7839.</summary>
    public const byte AccessPointName = 15;

    /// <summary>RFC 7839.</summary>
    public const byte AccessPointBssid = 16;

    /// <summary>RFC 7839.</summary>
    public const byte OperatorIdentifier = 17;

    /// <summary>RFC 7839.</summary>
    public const byte OperatorRealm = 18;

    /// <summary>RFC 8357.</summary>
    public const byte RelaySourcePort = 19;

    /// <summary>RFC 6607.</summary>
    public const byte VirtualSubnetSelection = 151;

    /// <summary>RFC 6607.</summary>
    public const byte VirtualSubnetSelectionControl = 152;
}
