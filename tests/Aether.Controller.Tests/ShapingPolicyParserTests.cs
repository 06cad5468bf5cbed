using System.Text;
using Aether.Controller.Aaa;
using Aether.Radius;

namespace Aether.Controller.Tests;

public sealed class ShapingPolicyParserTests
{
    [Theory]
    [InlineData("20M/10M", 20_000UL, 10_000UL)]
    [InlineData("20m/10m", 20_000UL, 10_000UL)]
    [InlineData("1G/500M", 1_000_000UL, 500_000UL)]
    [InlineData("512K/256K", 512UL, 256UL)]
    [InlineData("8000/4000", 8_000UL, 4_000UL)]
    [InlineData("2.5M/1.5M", 2_500UL, 1_500UL)]
    [InlineData("10M", 10_000UL, 10_000UL)]
    public void Filter_Id_is_download_slash_upload_in_kbit_per_second_with_suffixes(string filterId, ulong down, ulong up)
    {
        var policy = ShapingPolicyParser.Parse([RadiusAttribute.FromString(RadiusAttributeType.FilterId, filterId)]);

        Assert.NotNull(policy);
        Assert.Equal(down, policy.DownloadKbps);
        Assert.Equal(up, policy.UploadKbps);
    }

    [Theory]
    [InlineData("")]
    [InlineData("fast")]
    [InlineData("10M/x")]
    [InlineData("-5M/1M")]
    [InlineData("1M/2M/3M")]
    public void Filter_Id_that_is_not_a_rate_gives_no_policy(string filterId)
    {
        Assert.Null(ShapingPolicyParser.Parse([RadiusAttribute.FromString(RadiusAttributeType.FilterId, filterId)]));
    }

    [Fact]
    public void Mikrotik_Rate_Limit_rx_is_the_subscribers_upload()
    {
        var attribute = RadiusAttribute.VendorString(ShapingPolicyParser.MikrotikVendorId, ShapingPolicyParser.MikrotikRateLimit, "10M/50M 20M/60M 8M/40M 10/10");

        var policy = ShapingPolicyParser.Parse([attribute]);

        Assert.NotNull(policy);
        Assert.Equal(50_000UL, policy.DownloadKbps);
        Assert.Equal(10_000UL, policy.UploadKbps);
    }

    [Fact]
    public void WISPr_bandwidth_is_in_bits_per_second()
    {
        var policy = ShapingPolicyParser.Parse([
            RadiusAttribute.VendorUInt32(ShapingPolicyParser.WisprVendorId, ShapingPolicyParser.WisprBandwidthMaxDown, 30_000_000),
            RadiusAttribute.VendorUInt32(ShapingPolicyParser.WisprVendorId, ShapingPolicyParser.WisprBandwidthMaxUp, 5_000_000),
        ]);

        Assert.NotNull(policy);
        Assert.Equal(30_000UL, policy.DownloadKbps);
        Assert.Equal(5_000UL, policy.UploadKbps);
    }

    [Fact]
    public void The_plans_own_vendor_attributes_win_over_the_others_and_carry_burst()
    {
        var policy = ShapingPolicyParser.Parse([
            RadiusAttribute.FromString(RadiusAttributeType.FilterId, "1M/1M"),
            RadiusAttribute.VendorUInt32(ShapingPolicyParser.OssVendorId, ShapingPolicyParser.OssDownloadSpeed, 20_000),
            RadiusAttribute.VendorUInt32(ShapingPolicyParser.OssVendorId, ShapingPolicyParser.OssUploadSpeed, 10_000),
            RadiusAttribute.VendorUInt32(ShapingPolicyParser.OssVendorId, ShapingPolicyParser.OssDownloadBurst, 512),
        ]);

        Assert.NotNull(policy);
        Assert.Equal(20_000UL, policy.DownloadKbps);
        Assert.Equal(10_000UL, policy.UploadKbps);
        Assert.Equal(512UL, policy.DownloadBurstKbytes);
    }

    [Fact]
    public void Idle_Timeout_in_the_reply_rides_with_the_policy()
    {
        var policy = ShapingPolicyParser.Parse([
            RadiusAttribute.FromString(RadiusAttributeType.FilterId, "8M/2M"),
            RadiusAttribute.FromUInt32(RadiusAttributeType.IdleTimeout, 300),
        ]);

        Assert.NotNull(policy);
        Assert.Equal(300U, policy.IdleTimeoutSeconds);
        Assert.Equal(8_000UL, policy.DownloadKbps);
    }

    [Fact]
    public void No_rate_attribute_gives_no_policy()
    {
        Assert.Null(ShapingPolicyParser.Parse([RadiusAttribute.FromString(RadiusAttributeType.ReplyMessage, "welcome")]));
    }

    [Fact]
    public void A_malformed_vendor_value_is_ignored_not_thrown()
    {
        var shortValue = RadiusAttribute.Vendor(ShapingPolicyParser.OssVendorId, ShapingPolicyParser.OssDownloadSpeed, Encoding.ASCII.GetBytes("x"));

        Assert.Null(ShapingPolicyParser.Parse([shortValue]));
    }
}
