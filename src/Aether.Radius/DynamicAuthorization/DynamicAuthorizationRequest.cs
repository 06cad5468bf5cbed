using System.Net;

namespace Aether.Radius.DynamicAuthorization;

/// <summary>A verified CoA-Request or Disconnect-Request (RFC 5176 3).</summary>
public sealed class DynamicAuthorizationRequest
{
    internal DynamicAuthorizationRequest(RadiusCode code, byte identifier, IReadOnlyList<RadiusAttribute> attributes, IPEndPoint source, string clientName)
    {
        Code = code;
        Identifier = identifier;
        Attributes = attributes;
        Source = source;
        ClientName = clientName;
    }

    /// <summary><see cref="RadiusCode.CoaRequest"/> or <see cref="RadiusCode.DisconnectRequest"/>.</summary>
    public RadiusCode Code { get; }

    public bool IsDisconnect => Code == RadiusCode.DisconnectRequest;

    public byte Identifier { get; }

    public IReadOnlyList<RadiusAttribute> Attributes { get; }

    public IPEndPoint Source { get; }

    public string ClientName { get; }

    public string? AcctSessionId => GetString(RadiusAttributeType.AcctSessionId);

    public string? UserName => GetString(RadiusAttributeType.UserName);

    public string? NasIdentifier => GetString(RadiusAttributeType.NasIdentifier);

    public string? GetString(byte type) => Find(type)?.AsString();

    public uint? GetUInt32(byte type) => Find(type)?.AsUInt32();

    public IEnumerable<RadiusAttribute> GetAll(byte type) => Attributes.Where(a => a.Type == type && !a.IsVendor);

    public RadiusAttribute? GetVendor(uint vendorId, byte vendorType)
    {
        foreach (var attribute in Attributes)
        {
            if (attribute.VendorId == vendorId && attribute.VendorType == vendorType)
            {
                return attribute;
            }
        }

        return null;
    }

    private RadiusAttribute? Find(byte type)
    {
        foreach (var attribute in Attributes)
        {
            if (attribute.Type == type && !attribute.IsVendor)
            {
                return attribute;
            }
        }

        return null;
    }
}

/// <summary>The handler's answer: ACK or NAK, with an optional Error-Cause (RFC 5176 3.5) and attributes.</summary>
public sealed record DynamicAuthorizationResult
{
    private static readonly DynamicAuthorizationResult s_ack = new() { Acknowledged = true };

    public bool Acknowledged { get; init; }

    public ErrorCause? ErrorCause { get; init; }

    public IReadOnlyList<RadiusAttribute> Attributes { get; init; } = [];

    public static DynamicAuthorizationResult Ack() => s_ack;

    public static DynamicAuthorizationResult Nak(ErrorCause cause) => new() { Acknowledged = false, ErrorCause = cause };
}
