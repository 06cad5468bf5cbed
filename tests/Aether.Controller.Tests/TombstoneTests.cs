using Aether.Controller.Sessions;
using Microsoft.Extensions.Time.Testing;

namespace Aether.Controller.Tests;

public sealed class TombstoneTests
{
    [Fact]
    public void A_tombstone_covers_the_MAC_and_the_address_on_that_BNG_until_it_expires()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-25T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var tombstones = new Tombstones(time) { Ttl = TimeSpan.FromMinutes(10) };

        tombstones.Add("bng-01", "02:00:00:01:00:01", "100.64.0.10");

        Assert.True(tombstones.Contains("bng-01", "02:00:00:01:00:01"));
        Assert.True(tombstones.Contains("bng-01", "100.64.0.10"));
        Assert.False(tombstones.Contains("bng-02", "100.64.0.10"));
        time.Advance(TimeSpan.FromMinutes(11));
        Assert.False(tombstones.Contains("bng-01", "02:00:00:01:00:01"));
    }

    [Fact]
    public void A_tombstone_holds_back_the_lease_it_ended_until_that_lease_would_run_out_but_not_a_renewed_one()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-25T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var tombstones = new Tombstones(time) { Ttl = TimeSpan.FromMinutes(10) };
        var leaseGiven = time.GetUtcNow() - TimeSpan.FromMinutes(5);

        tombstones.Add("bng-01", "02:00:00:01:00:01", "100.64.0.10", leaseExpires: time.GetUtcNow() + TimeSpan.FromHours(1));

        Assert.True(tombstones.Holds("bng-01", "02:00:00:01:00:01", "100.64.0.10", leaseGiven));
        Assert.False(tombstones.Holds("bng-01", "02:00:00:01:00:01", "100.64.0.10", time.GetUtcNow() + TimeSpan.FromSeconds(30)));
        time.Advance(TimeSpan.FromMinutes(30));
        Assert.True(tombstones.Holds("bng-01", "02:00:00:01:00:01", "100.64.0.10", leaseGiven));
        time.Advance(TimeSpan.FromMinutes(31));
        Assert.False(tombstones.Holds("bng-01", "02:00:00:01:00:01", "100.64.0.10", leaseGiven));
    }
}
