using Aether.Ingestor.Tests.Support;
using Aether.Storage;
using Aether.TestUtilities;

namespace Aether.Ingestor.Tests;

[Collection(PipelineCollection.Name)]
public sealed class SessionReadModelTests(PostgresServer postgres, NatsServer nats) : StorageTestBase(postgres, nats)
{
    [Fact]
    public async Task Pages_walk_every_active_session_once_in_start_order()
    {
        var bng = new SessionScript();
        await AppendAsync([.. Enumerable.Range(0, 23).Select(n => bng.Start($"s{n:d2}", n))]);
        var model = new SessionReadModel(DataSource);

        var seen = new List<string>();
        string? after = null;
        Page<ActiveSession> page;
        do
        {
            page = await model.ListActiveAsync(new SessionFilter(), 10, after, CancellationToken.None).WaitAsync(Timeout);
            Assert.Equal(23, page.TotalCount);
            seen.AddRange(page.Items.Select(s => s.SessionId));
            after = page.EndCursor;
        }
        while (page.HasNextPage);

        Assert.Equal(Enumerable.Range(0, 23).Select(n => $"s{n:d2}"), seen);
    }

    [Fact]
    public async Task Filters_match_ip_mac_and_bng()
    {
        var bng1 = new SessionScript("bng-01");
        var bng2 = new SessionScript("bng-02");
        await AppendAsync(bng1.Start("a", 1), bng1.Start("b", 2), bng2.Start("c", 3));
        var model = new SessionReadModel(DataSource);

        var byIp = await model.ListActiveAsync(new SessionFilter(Ip: "100.64.0.2"), 10, null, CancellationToken.None);
        var byMac = await model.ListActiveAsync(new SessionFilter(Mac: "02:00:00:00:00:03".ToUpperInvariant()), 10, null, CancellationToken.None);
        var byBng = await model.ListActiveAsync(new SessionFilter(BngId: "bng-01", State: "ACTIVE"), 10, null, CancellationToken.None);
        var badIp = await model.ListActiveAsync(new SessionFilter(Ip: "not-an-ip"), 10, null, CancellationToken.None);

        Assert.Equal(["b"], byIp.Items.Select(s => s.SessionId));
        Assert.Equal(["c"], byMac.Items.Select(s => s.SessionId));
        Assert.Equal(["a", "b"], byBng.Items.Select(s => s.SessionId));
        Assert.Empty(badIp.Items);
    }

    [Fact]
    public async Task Get_returns_the_session_with_its_counters_and_rates()
    {
        var bng = new SessionScript();
        await AppendAsync(bng.Start("s", 7), bng.Policy("s", 7, 30_000, 15_000), bng.Update("s", 1, 2, 3, 4));
        var model = new SessionReadModel(DataSource);

        var session = await model.GetActiveAsync("s", CancellationToken.None);
        var missing = await model.GetActiveAsync("nope", CancellationToken.None);

        Assert.NotNull(session);
        Assert.Equal(("100.64.0.7", "eth0/1/7", "cpe-7", 30_000L, 15_000L, 1L, 2L, 3L, 4L, "ACTIVE"),
            (session.Ip, session.CircuitId, session.RemoteId, session.DownloadKbps, session.UploadKbps, session.BytesUp, session.BytesDown, session.PacketsUp, session.PacketsDown, session.State));
        Assert.Null(missing);
    }

    [Fact]
    public async Task Sessions_ended_on_purpose_are_found_by_MAC_or_address_since_a_time_and_lost_ones_are_not()
    {
        // Events 10 s apart from 2030-01-15 12:00:00: starts at +10..+50 s, stops at +60, +70, +80, +90 s.
        var bng = new SessionScript("bng-01");
        var other = new SessionScript("bng-02");
        await AppendAsync(
            bng.Start("released", 1), bng.Start("disconnected", 2), bng.Start("rebooted", 3), bng.Start("timed-out", 4), bng.Start("up", 5),
            bng.Stop("released", 0, 0, 0, 0, "User-Request"), bng.Stop("disconnected", 0, 0, 0, 0, "Admin-Reset"),
            bng.Stop("rebooted", 0, 0, 0, 0, "NAS-Reboot"), bng.Stop("timed-out", 0, 0, 0, 0, "Session-Timeout"),
            other.Start("elsewhere", 1), other.Stop("elsewhere", 0, 0, 0, 0, "User-Request"));
        var model = new SessionReadModel(DataSource);
        var epoch = new DateTimeOffset(2030, 1, 15, 12, 0, 0, TimeSpan.Zero);
        static string Mac(int n) => SessionScript.Info(n).Mac;
        static string Ip(int n) => SessionScript.Info(n).Ip;

        // By MAC (1) and by address (2, 3, 4, 5): the RELEASE and the Disconnect, not the reboot, the lease that ran
        // out, the live session or the same subscriber's session on another BNG.
        var found = await model.ListEndedOnPurposeAsync("bng-01", epoch, [Mac(1)], [Ip(2), Ip(3), Ip(4), Ip(5)], CancellationToken.None);
        Assert.Equal(["disconnected", "released"], found.Select(s => s.SessionId).Order(StringComparer.Ordinal));
        var disconnected = Assert.Single(found, s => s.SessionId == "disconnected");
        Assert.Equal((Mac(2), Ip(2), "Admin-Reset", epoch.AddSeconds(70)), (disconnected.Mac, disconnected.Ip, disconnected.Cause, disconnected.Stopped));

        // Only what ended at or after the time asked for.
        var later = await model.ListEndedOnPurposeAsync("bng-01", epoch.AddSeconds(70), [Mac(1), Mac(2)], [], CancellationToken.None);
        Assert.Equal(["disconnected"], later.Select(s => s.SessionId));
        Assert.Empty(await model.ListEndedOnPurposeAsync("bng-01", epoch, [], ["not-an-address"], CancellationToken.None));
    }

    [Fact]
    public async Task A_foreign_cursor_is_an_argument_error()
    {
        var model = new SessionReadModel(DataSource);

        await Assert.ThrowsAsync<ArgumentException>(() => model.ListActiveAsync(new SessionFilter(), 10, "!!not a cursor", CancellationToken.None));
    }
}
