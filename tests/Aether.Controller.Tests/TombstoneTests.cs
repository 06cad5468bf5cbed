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
}
