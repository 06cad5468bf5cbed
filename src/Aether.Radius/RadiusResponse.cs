using System.Net;

namespace Aether.Radius;

/// <summary>A verified response: its Response Authenticator and Message-Authenticator have been checked.</summary>
public sealed class RadiusResponse
{
    internal RadiusResponse(RadiusCode code, byte identifier, IReadOnlyList<RadiusAttribute> attributes, IPEndPoint server, TimeSpan roundTrip)
    {
        Code = code;
        Identifier = identifier;
        Attributes = attributes;
        Server = server;
        RoundTrip = roundTrip;
    }

    public RadiusCode Code { get; }

    public byte Identifier { get; }

    public IReadOnlyList<RadiusAttribute> Attributes { get; }

    public IPEndPoint Server { get; }

    public TimeSpan RoundTrip { get; }

    public string? GetString(byte type) => Find(type) is { } attribute ? attribute.AsString() : null;

    public uint? GetUInt32(byte type) => Find(type) is { } attribute ? attribute.AsUInt32() : null;

    public IEnumerable<RadiusAttribute> GetAll(byte type)
    {
        foreach (var attribute in Attributes)
        {
            if (attribute.Type == type && !attribute.IsVendor)
            {
                yield return attribute;
            }
        }
    }

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
