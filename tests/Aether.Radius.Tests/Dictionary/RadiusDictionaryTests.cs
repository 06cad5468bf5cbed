using System.Net;
using Aether.Radius.Dictionary;
using Aether.TestUtilities;

namespace Aether.Radius.Tests.Dictionary;

/// <summary>The full FreeRADIUS tree plus dictionary.aether, loaded once for the class.</summary>
public sealed class FullDictionaryFixture : IDisposable
{
    public FullDictionaryFixture()
    {
        File.WriteAllText(Path.Combine(Directory, "dictionary.aether"), FreeRadiusServer.OssDictionary);
        File.WriteAllText(Path.Combine(Directory, "dictionary"), $"$INCLUDE {RadiusDictionary.FreeRadiusDictionaryPath}\n$INCLUDE dictionary.aether\n");
        Dictionary = RadiusDictionary.Load(Path.Combine(Directory, "dictionary"));
    }

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("aether-dict-").FullName;

    public RadiusDictionary Dictionary { get; }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}

public sealed class RadiusDictionaryTests(FullDictionaryFixture fixture) : IClassFixture<FullDictionaryFixture>
{
    private readonly string _directory = fixture.Directory;

    private RadiusDictionary Full => fixture.Dictionary;

    [Fact]
    public void The_full_freeradius_tree_loads_with_its_vendors()
    {
        Assert.True(Full.Attributes.Count > 5000);
        Assert.True(Full.Vendors.Count > 150);
        Assert.True(Full.TryGetVendor("Mikrotik", out var mikrotik));
        Assert.Equal(14988u, mikrotik.Id);
    }

    [Fact]
    public void Mikrotik_rate_limit_is_a_vendor_string()
    {
        Assert.True(Full.TryGetAttribute("Mikrotik-Rate-Limit", out var attribute));

        Assert.Equal((14988u, 8u, RadiusDataType.String), (attribute.VendorId, attribute.Type, attribute.DataType));
        Assert.True(Full.TryGetAttribute(14988, 8, out var byNumber));
        Assert.Same(attribute, byNumber);
    }

    [Fact]
    public void Wispr_bandwidth_max_up_is_a_vendor_integer()
    {
        Assert.True(Full.TryGetAttribute("wispr-bandwidth-max-up", out var attribute));

        Assert.Equal((14122u, 7u, RadiusDataType.Integer), (attribute.VendorId, attribute.Type, attribute.DataType));
    }

    [Fact]
    public void Oss_download_speed_comes_from_the_aether_dictionary()
    {
        Assert.True(Full.TryGetAttribute("OSS-Download-Speed", out var attribute));

        Assert.Equal((FreeRadiusServer.OssVendorId, 1u, RadiusDataType.Integer), (attribute.VendorId, attribute.Type, attribute.DataType));
        Assert.True(Full.TryGetVendor(FreeRadiusServer.OssVendorId, out var vendor));
        Assert.Equal("OSS", vendor.Name);
    }

    [Fact]
    public void Created_attributes_decode_to_typed_values()
    {
        var rate = Full.Create("OSS-Download-Speed", "20000");
        var limit = Full.Create("Mikrotik-Rate-Limit", "20M/10M");
        var address = Full.Create("Framed-IP-Address", "100.64.0.7");
        var status = Full.Create("Acct-Status-Type", "Interim-Update");
        var timestamp = Full.Create("Event-Timestamp", "1700000000");

        Assert.Equal(RadiusAttribute.VendorUInt32(FreeRadiusServer.OssVendorId, 1, 20000), rate);
        Assert.Equal(20000u, Full.Decode(rate));
        Assert.Equal("20M/10M", Full.Decode(limit));
        Assert.Equal(IPAddress.Parse("100.64.0.7"), Full.Decode(address));
        Assert.Equal((uint)AcctStatusType.InterimUpdate, Full.Decode(status));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000000), Full.Decode(timestamp));
    }

    [Fact]
    public void Value_names_map_both_ways()
    {
        Assert.True(Full.TryGetValue("Acct-Terminate-Cause", "Lost-Carrier", out var cause));
        Assert.Equal((uint)AcctTerminateCause.LostCarrier, cause);
        Assert.True(Full.TryGetValueName("Error-Cause", (uint)ErrorCause.SessionContextNotFound, out var name));
        Assert.Equal("Session-Context-Not-Found", name);
        Assert.Equal("Acct-Status-Type = Stop", Full.Format(RadiusAttribute.FromUInt32(RadiusAttributeType.AcctStatusType, 2)));
    }

    [Fact]
    public void An_unknown_attribute_is_formatted_by_number()
    {
        Assert.Null(Full.Decode(RadiusAttribute.Vendor(99999, 3, new byte[] { 1, 2 })));
        Assert.Equal("Attr-26.99999.3 = 0x0102", Full.Format(RadiusAttribute.Vendor(99999, 3, new byte[] { 1, 2 })));
    }

    [Fact]
    public void Tagged_attributes_decode_opaque()
    {
        var tunnelType = new RadiusAttribute(64, new byte[] { 0x01, 0x00, 0x00, 0x0D });

        Assert.Equal(new byte[] { 0x01, 0x00, 0x00, 0x0D }, Full.Decode(tunnelType));
    }

    [Fact]
    public void A_malformed_line_is_reported_with_file_and_line()
    {
        var path = Path.Combine(_directory, "dictionary.broken");
        File.WriteAllText(path, "VENDOR Acme 1234\nBEGIN-VENDOR Acme\nATTRIBUTE Acme-Speed not-a-number integer\nEND-VENDOR Acme\n");

        var error = Assert.Throws<RadiusDictionaryException>(() => RadiusDictionary.Load(path));

        Assert.Contains("dictionary.broken:3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_include_is_reported()
    {
        var error = Assert.Throws<RadiusDictionaryException>(() => RadiusDictionary.Parse("$INCLUDE dictionary.nowhere\n", _directory));

        Assert.Contains("dictionary.nowhere", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Old_style_vendor_attributes_are_read()
    {
        var dictionary = RadiusDictionary.Parse("VENDOR Acme 1234\nATTRIBUTE Acme-Speed 5 integer Acme\nVALUE Acme-Speed Fast 100\n");

        Assert.True(dictionary.TryGetAttribute("Acme-Speed", out var attribute));
        Assert.Equal((1234u, 5u), (attribute.VendorId, attribute.Type));
        Assert.Equal(RadiusAttribute.VendorUInt32(1234, 5, 100), dictionary.Create("Acme-Speed", "Fast"));
    }
}
