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
    public async Task A_foreign_cursor_is_an_argument_error()
    {
        var model = new SessionReadModel(DataSource);

        await Assert.ThrowsAsync<ArgumentException>(() => model.ListActiveAsync(new SessionFilter(), 10, "!!not a cursor", CancellationToken.None));
    }
}
