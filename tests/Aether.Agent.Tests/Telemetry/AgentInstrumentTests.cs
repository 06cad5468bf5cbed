using System.Diagnostics;
using Aether.Agent.Dhcp;
using Aether.Agent.Sessions;
using Aether.Agent.Telemetry;
using Aether.Agent.Tests.Sessions;
using Aether.Agent.Tests.Support;
using Aether.Contracts.Agent.V1;
using Aether.Observability;

namespace Aether.Agent.Tests.Telemetry;

[Collection(AgentMetricsCollection.Name)]
public sealed class AgentInstrumentTests
{
    [Fact]
    public void A_setup_from_DISCOVER_to_ACK_records_its_duration_and_ends_its_span()
    {
        using var log = new MeasurementLog();
        var stopped = new List<Activity>();
        using var tracing = Listen(stopped);
        const string mac = "02:00:00:00:aa:01";

        using (SetupTrace.OnRequest(mac, discover: true, "1/0/1"))
        {
        }
        var elapsed = SetupTrace.Elapsed(mac);
        using (SetupTrace.OnAck(mac))
        {
        }
        SetupTrace.Completed(mac);

        Assert.NotNull(elapsed);
        Assert.NotEmpty(log.Of("aether.agent.session.setup.duration"));
        Assert.Null(SetupTrace.Elapsed(mac));
        var span = Assert.Single(stopped, a => a.DisplayName == "dhcp.setup" && (string?)a.GetTagItem("aether.mac") == mac);
        Assert.Equal("1/0/1", span.GetTagItem("aether.circuit_id"));
        Assert.Equal(["discover", "ack"], span.Events.Select(e => e.Name));
    }

    [Fact]
    public async Task A_session_started_during_a_setup_reports_the_setup_time_to_the_controller()
    {
        using var h = new SessionHarness();
        var key = SessionHarness.Key("02:00:00:00:aa:02", "1/0/2");
        using (SetupTrace.OnRequest(key.Mac, discover: true, key.CircuitId))
        {
        }

        await h.OnlineAsync(key, "100.64.0.20");
        SetupTrace.Completed(key.Mac);

        var started = Assert.Single(h.Controller.Starts);
        Assert.True(started.SetupSeconds > 0);
    }

    [Fact]
    public async Task A_counter_sweep_records_its_duration()
    {
        using var log = new MeasurementLog();
        using var h = new SessionHarness();
        await h.OnlineAsync(SessionHarness.Key("02:00:00:00:aa:03", "1/0/3"), "100.64.0.21");

        await h.Manager.SweepCountersAsync(TestTimeouts.Token());

        Assert.NotEmpty(log.Of("aether.agent.counter.sweep.duration"));
    }

    [Fact]
    public async Task Observable_gauges_read_the_relay_counters_the_session_table_and_the_controller_link()
    {
        using var log = new MeasurementLog();
        using var h = new SessionHarness();
        await h.OnlineAsync(SessionHarness.Key("02:00:00:00:aa:04", "1/0/4"), "100.64.0.22");
        var counters = new RelayCounters();
        counters.RelayedToServer();
        counters.Drop("sub1", DropReason.Rejected);
        h.Controller.IsConnected = false;
        h.Controller.OutboxCount = 3;
        var binding = new AgentMetricsBinding(counters, h.Manager, h.Controller);
        await binding.StartAsync(TestTimeouts.Token());

        log.Collect();
        await binding.StopAsync(TestTimeouts.Token());

        Assert.Contains(log.Of("aether.agent.sessions"), m => m.Value == 1);
        Assert.Contains(log.Of("aether.agent.dhcp.relayed"), m => m.Value == 1 && m.Tags[AgentMetrics.DirectionLabel] == "to-server");
        Assert.Contains(log.Of("aether.agent.dhcp.dropped"), m => m.Value == 1 && m.Tags[AgentMetrics.InterfaceLabel] == "sub1" && m.Tags[AgentMetrics.ReasonLabel] == DropReason.Rejected.Name());
        Assert.Contains(log.Of("aether.agent.controller.connected"), m => m.Value == 0);
        Assert.Contains(log.Of("aether.agent.outbox.depth"), m => m.Value == 3);
        Assert.Contains(log.Of("aether.agent.classes.parked"), m => m.Value == 0);
        Assert.Contains(log.Of("aether.agent.memory.usage"), m => m.Value > 0);
        Assert.Contains(log.Of("aether.agent.cpu.time"), m => m.Value > 0);
    }

    private static ActivityListener Listen(List<Activity> stopped)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == AetherTracing.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                lock (stopped)
                {
                    stopped.Add(a);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }
}
