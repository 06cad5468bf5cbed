using System.Text.Json;
using Aether.Contracts.Agent.V1;
using Aether.Controller.Tests.Support;
using Aether.TestUtilities;

namespace Aether.Controller.Tests.Sessions;

[Collection(ControllerServers.Name)]
public sealed class ReportMappingTests(PostgresServer postgres, NatsServer nats, FreeRadiusServer radius) : IAsyncLifetime
{
    private readonly TestLog _log = new();
    private InProcessController _controller = null!;

    public async Task InitializeAsync() => _controller = await InProcessController.StartAsync(postgres, nats, radius, _log);

    public async Task DisposeAsync() => await _controller.DisposeAsync();

    [Fact]
    public async Task A_stops_detail_reaches_the_event_and_the_session_history()
    {
        await using var agent = await RawAgentStream.ConnectAsync(_controller.GrpcUrl, "bng-test", "instance-m1");

        await agent.SendAsync(5, m => m.SessionStarted = new SessionStarted { Session = RawAgentStream.Session("s-5", "100.64.0.5") });
        await agent.SendAsync(6, m => m.SessionStopped = new SessionStopped
        {
            SessionId = "s-5",
            Ip = "100.64.0.5",
            Cause = "User-Request",
            Detail = "DHCPRELEASE",
            FinalCounters = new Counters { BytesUp = 100, BytesDown = 200, PacketsUp = 1, PacketsDown = 2 },
        });
        await agent.WaitForAckAsync(6);

        await TestTimeouts.WaitUntilAsync(async () => await _controller.ScalarAsync("SELECT count(*) FROM sessions_history WHERE session_id = 's-5'") == 1, "the stop in history");
        Assert.Equal(["User-Request", "DHCPRELEASE", 200L], await _controller.RowAsync("SELECT cause, detail, bytes_down FROM sessions_history WHERE session_id = 's-5'"));
        Assert.Equal(["DHCPRELEASE"], await _controller.RowAsync("SELECT payload ->> 'detail' FROM session_events WHERE type = 'SESSION_STOP' AND session_id = 's-5'"));
        _log.AssertNoErrors();
    }

    [Fact]
    public async Task The_whole_health_report_reaches_the_event_and_the_bng_registry()
    {
        await using var agent = await RawAgentStream.ConnectAsync(_controller.GrpcUrl, "bng-test", "instance-m2");

        await agent.SendAsync(9, m => m.Health = new HealthReport
        {
            CpuPercent = 12.5,
            MemoryBytes = 50_000_000,
            MemoryLimitBytes = 200_000_000,
            SessionCount = 3,
            Cgroup = "v2",
            SystemdAvailable = false,
            Interfaces = { new InterfaceHealth { Name = "eth1", Role = "subscriber", OperState = "up", Mtu = 1500, RxBytes = 1000, TxBytes = 2000, RxDropped = 1, TxDropped = 2 } },
            Units = { new UnitHealth { Name = "kea-dhcp4-server.service", ActiveState = "active", SubState = "running" } },
            Relay = new RelayHealth { RelayedToServer = 40, RelayedToClient = 39, CaptureDropped = 4, Drops = { new RelayDrop { Interface = "eth1", Reason = "hop-limit", Count = 2 } } },
            Journal = new JournalHealth { Pending = 7, Dropped = 1, Bytes = 4096 },
        });
        await agent.WaitForAckAsync(9);

        await TestTimeouts.WaitUntilAsync(async () => await _controller.ScalarAsync("SELECT count(*) FROM bng_registry WHERE bng_id = 'bng-test' AND health_time IS NOT NULL") == 1, "the health in the registry");
        Assert.Equal([12.5, "v2", false, 7, 1L], await _controller.RowAsync("SELECT cpu_percent, cgroup, systemd_available, journal_pending, journal_dropped FROM bng_registry WHERE bng_id = 'bng-test'"));
        var detail = (await _controller.RowAsync("SELECT health_detail::text FROM bng_registry WHERE bng_id = 'bng-test'"))![0] as string;
        using var health = JsonDocument.Parse(detail!);
        Assert.Equal("up", health.RootElement.GetProperty("interfaces")[0].GetProperty("oper_state").GetString());
        Assert.Equal(1500, health.RootElement.GetProperty("interfaces")[0].GetProperty("mtu").GetInt32());
        Assert.Equal("running", health.RootElement.GetProperty("units")[0].GetProperty("sub_state").GetString());
        Assert.Equal(4, health.RootElement.GetProperty("relay").GetProperty("capture_dropped").GetInt64());
        Assert.Equal("hop-limit", health.RootElement.GetProperty("relay").GetProperty("drops")[0].GetProperty("reason").GetString());
        Assert.Equal(4096, health.RootElement.GetProperty("journal").GetProperty("bytes").GetInt64());
        Assert.Equal(["v2"], await _controller.RowAsync("SELECT payload #>> '{health,cgroup}' FROM session_events WHERE type = 'BNG_HEALTH_UPDATE'"));
        _log.AssertNoErrors();
    }
}
