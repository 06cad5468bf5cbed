using Aether.Contracts.Agent.V1;
using Aether.Controller.Reconciliation;

namespace Aether.Controller.Tests;

public sealed class ReconcilerInterfaceTests
{
    private static readonly Interface[] Interfaces =
    [
        new() { Name = "up0", Role = "upstream", Addresses = { "198.18.1.1/30" } },
        new() { Name = "eth1", Role = "subscriber", Addresses = { "100.64.0.1/24" } },
        new() { Name = "load0", Role = "subscriber", Addresses = { "100.96.0.1/14" } },
    ];

    [Theory]
    [InlineData("100.64.0.17", "eth1")]
    [InlineData("100.97.3.20", "load0")]
    [InlineData("100.99.255.250", "load0")]
    public void An_adopted_lease_goes_to_the_subscriber_interface_whose_network_holds_it(string ip, string expected) =>
        Assert.Equal(expected, LeaseReconciler.SubscriberInterfaceFor(Interfaces, ip));

    [Fact]
    public void A_lease_in_no_interface_network_goes_to_the_first_subscriber_interface() =>
        Assert.Equal("eth1", LeaseReconciler.SubscriberInterfaceFor(Interfaces, "203.0.113.9"));
}
