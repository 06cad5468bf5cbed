namespace Aether.Dhcp;

/// <summary>Thrown by <see cref="DhcpMessage.Parse"/>; the hot path uses <see cref="DhcpPacket.TryParse"/> instead.</summary>
public sealed class DhcpFormatException : FormatException
{
    public DhcpFormatException(DhcpParseError error)
        : base($"Not a valid DHCP message: {error}.")
    {
        Error = error;
    }

    public DhcpParseError Error { get; }
}
