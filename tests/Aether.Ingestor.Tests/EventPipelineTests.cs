using Aether.Ingestor.Tests.Support;
using Aether.TestUtilities;

namespace Aether.Ingestor.Tests;

[Collection(PipelineCollection.Name)]
public sealed class EventPipelineTests(PostgresServer postgres, NatsServer nats) : PipelineTestBase(postgres, nats)
{
    [Fact]
    public async Task Session_lifecycle_ends_in_history_with_final_counters()
    {
        var host = await StartHostAsync();
        var bng = new SessionScript();

        await PublishAllAsync(host,
        [
            bng.Start("s-1", 1),
            bng.Policy("s-1", 1, 50_000, 25_000),
            bng.Update("s-1", 1_000, 5_000, 10, 50),
            bng.Stop("s-1", 2_000, 9_000, 20, 90, "Lost-Carrier"),
        ]);

        await WaitForAsync("SELECT count(*) FROM sessions_history", 1);
        Assert.Equal(4, await ScalarAsync("SELECT count(*) FROM session_events"));
        Assert.Equal(0, await ScalarAsync("SELECT count(*) FROM sessions_active"));
        var row = Assert.Single(await RowsAsync(
            "SELECT session_id, bytes_up, bytes_down, packets_up, packets_down, download_kbps, upload_kbps, cause, host(ip) FROM sessions_history"));
        Assert.Equal(["s-1", 2_000L, 9_000L, 20L, 90L, 50_000L, 25_000L, "Lost-Carrier", "100.64.0.1"], row);
        Log.AssertNoErrors();
    }
}
