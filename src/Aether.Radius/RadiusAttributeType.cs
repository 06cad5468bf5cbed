namespace Aether.Radius;

/// <summary>Attribute type numbers used by Aether (RFC 2865 5, RFC 2866 5, RFC 2869 5, RFC 5176 3.5).</summary>
public static class RadiusAttributeType
{
    public const byte UserName = 1;
    public const byte UserPassword = 2;
    public const byte NasIpAddress = 4;
    public const byte NasPort = 5;
    public const byte ServiceType = 6;
    public const byte FramedIpAddress = 8;
    public const byte FilterId = 11;
    public const byte ReplyMessage = 18;
    public const byte State = 24;
    public const byte Class = 25;
    public const byte VendorSpecific = 26;
    public const byte SessionTimeout = 27;
    public const byte IdleTimeout = 28;
    public const byte CalledStationId = 30;
    public const byte CallingStationId = 31;
    public const byte NasIdentifier = 32;
    public const byte ProxyState = 33;
    public const byte AcctStatusType = 40;
    public const byte AcctDelayTime = 41;
    public const byte AcctInputOctets = 42;
    public const byte AcctOutputOctets = 43;
    public const byte AcctSessionId = 44;
    public const byte AcctSessionTime = 46;
    public const byte AcctInputPackets = 47;
    public const byte AcctOutputPackets = 48;
    public const byte AcctTerminateCause = 49;
    public const byte AcctMultiSessionId = 50;
    public const byte AcctInputGigawords = 52;
    public const byte AcctOutputGigawords = 53;
    public const byte EventTimestamp = 55;
    public const byte NasPortType = 61;
    public const byte MessageAuthenticator = 80;
    public const byte AcctInterimInterval = 85;
    public const byte NasPortId = 87;
    public const byte ErrorCause = 101;
}
