using System.Text;
using Aether.Events;
using Aether.Ingestor.Tests.Support;
using Aether.TestUtilities;
using Microsoft.Extensions.DependencyInjection;
using NATS.Client.JetStream;

namespace Aether.Ingestor.Tests;

[Collection(PipelineCollection.Name)]
public sealed class RejectTests(PostgresServer postgres, NatsServer nats) : PipelineTestBase(postgres, nats)
{
    [Fact]
    public async Task A_malformed_event_is_set_aside_and_the_stream_goes_on()
    {
        var host = await StartHostAsync();
        var bng = new SessionScript();
        var js = host.Services.GetRequiredService<INatsJSContext>();
        await PublishAllAsync(host, [bng.Start("s-1", 1)]);

        await js.PublishAsync($"{SubjectPrefix}.bng-01.session_start", Encoding.UTF8.GetBytes("{\"type\":\"SESSION_START\"}")).AsTask().WaitAsync(Timeout);
        var badIp = bng.Start("s-2", 2) with { Session = SessionScript.Info(2) with { Ip = "999.1.1.1" } };
        await js.PublishAsync($"{SubjectPrefix}.bng-01.session_start", AetherEventJson.Serialize(badIp)).AsTask().WaitAsync(Timeout);
        await PublishAllAsync(host, [bng.Update("s-1", 10, 20, 1, 2)]);

        await WaitForAsync("SELECT count(*) FROM ingest_rejects", 2);
        await WaitForAsync("SELECT bytes_up FROM sessions_active WHERE session_id = 's-1'", 10);
        Assert.Equal(2, await ScalarAsync("SELECT count(*) FROM session_events"));
        Log.AssertNoErrors();
    }
}
