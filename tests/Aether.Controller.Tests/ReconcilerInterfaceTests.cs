using Aether.Contracts.Agent.V1;
using Aether.Controller.Reconciliation;
using Aether.Storage;

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

    private static readonly DateTimeOffset Noon = new(2030, 1, 15, 12, 0, 0, TimeSpan.Zero);

    private static KeaLease Lease(string mac, string ip, DateTimeOffset lastTransaction) => new(ip, mac, lastTransaction, lastTransaction.AddMinutes(10), 0, []);

    [Fact]
    public void A_lease_whose_session_ended_after_its_last_transaction_is_not_adopted_by_MAC_or_by_address()
    {
        var released = new EndedSession("s1", "02:00:00:00:00:01", "100.64.0.1", Noon.AddMinutes(1), "User-Request");
        var ended = new Dictionary<string, EndedSession> { [released.Mac] = released, [released.Ip] = released };

        Assert.Same(released, LeaseReconciler.EndedAfter(ended, Lease("02:00:00:00:00:01", "100.64.0.1", Noon)));
        Assert.Same(released, LeaseReconciler.EndedAfter(ended, Lease("02:00:00:00:00:09", "100.64.0.1", Noon)));
        Assert.Same(released, LeaseReconciler.EndedAfter(ended, Lease("02:00:00:00:00:01", "100.64.0.9", Noon)));
        // Renewed after the session ended (a new transaction): the client is back, and the lease may be adopted.
        Assert.Null(LeaseReconciler.EndedAfter(ended, Lease("02:00:00:00:00:01", "100.64.0.1", Noon.AddMinutes(2))));
        Assert.Null(LeaseReconciler.EndedAfter(ended, Lease("02:00:00:00:00:02", "100.64.0.2", Noon)));
    }
}
