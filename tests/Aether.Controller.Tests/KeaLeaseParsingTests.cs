using System.Text.Json;
using Aether.Controller.Reconciliation;

namespace Aether.Controller.Tests;

public sealed class KeaLeaseParsingTests
{
    // As Kea 2.2's lease_cmds returns it with store-extended-info (captured in the lab).
    private const string Lease = """
        { "cltt": 1795615463, "fqdn-fwd": false, "fqdn-rev": false, "hostname": "vm", "hw-address": "02:00:00:01:00:01",
          "ip-address": "100.64.0.10", "state": 0, "subnet-id": 1,
          "user-context": { "ISC": { "relay-agent-info": "0x0105312F302F31020872656C61792D30310C06626E672D3031" } },
          "valid-lft": 600 }
        """;

    [Fact]
    public void A_Kea_lease_gives_address_MAC_expiry_and_the_relay_agent_information()
    {
        using var doc = JsonDocument.Parse(Lease);

        var lease = KeaLeaseClient.Parse(doc.RootElement);

        Assert.Equal("100.64.0.10", lease.Ip);
        Assert.Equal("02:00:00:01:00:01", lease.Mac);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1795615463 + 600), lease.Expires);
        var info = new Aether.Dhcp.RelayAgentInformation(lease.RelayAgentInfo);
        Assert.Equal("1/0/1", System.Text.Encoding.ASCII.GetString(info.CircuitId));
        Assert.Equal("relay-01", System.Text.Encoding.ASCII.GetString(info.RemoteId));
        Assert.Equal("bng-01", System.Text.Encoding.ASCII.GetString(info.RelayId));
    }
}
