namespace Aether.Dhcp.Internal;

/// <summary>Offsets and lengths of the fixed BOOTP/DHCP header, RFC 2131 section 2 (figure 1).</summary>
internal static class BootpLayout
{
    public const int OpOffset = 0;
    public const int HardwareTypeOffset = 1;
    public const int HardwareLengthOffset = 2;
    public const int HopsOffset = 3;
    public const int TransactionIdOffset = 4;
    public const int SecondsOffset = 8;
    public const int FlagsOffset = 10;
    public const int ClientIpOffset = 12;
    public const int YourIpOffset = 16;
    public const int ServerIpOffset = 20;
    public const int GatewayIpOffset = 24;
    public const int ClientHardwareAddressOffset = 28;
    public const int ClientHardwareAddressLength = 16;
    public const int ServerNameOffset = 44;
    public const int ServerNameLength = 64;
    public const int BootFileOffset = 108;
    public const int BootFileLength = 128;
    public const int MagicCookieOffset = 236;
    public const int MagicCookieLength = 4;

    /// <summary>Start of the variable 'options' field; also the length of the fixed part including the cookie.</summary>
    public const int OptionsOffset = 240;

    /// <summary>RFC 2131 section 3: 99.130.83.99.</summary>
    public const uint MagicCookie = 0x63825363;

    /// <summary>RFC 951 / RFC 1542 section 2.1: BOOTP messages are at least 300 octets; shorter ones are padded.</summary>
    public const int MinimumBootpLength = 300;

    /// <summary>Largest UDP payload an IPv4 datagram can carry (65535 - 20 - 8).</summary>
    public const int MaximumLength = 65507;

    public const byte BootRequest = 1;
    public const byte BootReply = 2;

    /// <summary>RFC 2131 section 2, figure 2: the leftmost bit of 'flags'.</summary>
    public const ushort BroadcastFlag = 0x8000;

    /// <summary>An option's code and length octets (RFC 2132 section 2).</summary>
    public const int OptionHeaderLength = 2;

    /// <summary>The length octet caps one option instance's value; longer values are split (RFC 3396).</summary>
    public const int MaxOptionValueLength = byte.MaxValue;

    /// <summary>RFC 2132 section 9.3 option overload values.</summary>
    public const byte OverloadFile = 1;
    public const byte OverloadServerName = 2;
    public const byte OverloadBoth = 3;
}
