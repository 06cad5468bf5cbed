using Aether.Contracts.Agent.V1;
using Aether.Controller.Tests.Support;
using Aether.TestUtilities;

namespace Aether.Controller.Tests.Agents;

[Collection(ControllerServers.Name)]
public sealed class LastAckedSeqTests(PostgresServer postgres, NatsServer nats, FreeRadiusServer radius) : IAsyncLifetime
{
    private readonly TestLog _log = new();
    private InProcessController _controller = null!;

    public async Task InitializeAsync() => _controller = await InProcessController.StartAsync(postgres, nats, radius, _log);

    public async Task DisposeAsync() => await _controller.DisposeAsync();

    [Fact]
    public async Task A_new_instance_is_told_zero()
    {
        await using var stream = await RawAgentStream.ConnectAsync(_controller.GrpcUrl, "bng-test", "fresh-instance");

        Assert.Equal(0UL, stream.Accepted.LastAckedSeq);
        Assert.Equal("controller-test", stream.Accepted.ControllerId);
    }

    [Fact]
    public async Task The_highest_report_handled_for_the_instance_comes_back_on_reconnect()
    {
        await using (var first = await RawAgentStream.ConnectAsync(_controller.GrpcUrl, "bng-test", "instance-a"))
        {
            await first.SendAsync(10, m => m.SessionStarted = new SessionStarted { Session = RawAgentStream.Session("s-10", "100.64.0.10") });
            await first.SendAsync(12, m => m.SessionStopped = new SessionStopped { SessionId = "s-10", Ip = "100.64.0.10", Cause = "User-Request", Detail = "DHCPRELEASE" });
            // Counter reports are not journaled by the agent: their seq must not count.
            await first.SendAsync(40, m => m.Counters = new CounterReport { Sessions = { new SessionCounters { SessionId = "s-10", Seq = 40, Total = new Counters() } } });
            await first.WaitForAckAsync(12);
        }

        await using var second = await RawAgentStream.ConnectAsync(_controller.GrpcUrl, "bng-test", "instance-a");

        Assert.Equal(12UL, second.Accepted.LastAckedSeq);
        _log.AssertNoErrors();
    }

    [Fact]
    public async Task A_controller_that_never_saw_the_instance_answers_from_the_event_log()
    {
        await using (var first = await RawAgentStream.ConnectAsync(_controller.GrpcUrl, "bng-test", "instance-b"))
        {
            await first.SendAsync(7, m => m.SessionStarted = new SessionStarted { Session = RawAgentStream.Session("s-7", "100.64.0.7") });
            await first.SendAsync(8, m => m.PolicyApplied = new PolicyApplied { SessionId = "s-7", Ip = "100.64.0.7", Policy = new ShapingPolicy { DownloadKbps = 1, UploadKbps = 1 } });
            await first.WaitForAckAsync(8);
        }
        await TestTimeouts.WaitUntilAsync(async () => await _controller.ScalarAsync(
            "SELECT count(*) FROM session_events WHERE instance_id = 'instance-b'") == 2, "the events in the log");
        var name = _controller.Name;
        await _controller.DisposeAsync();

        // Another controller process on the same database and stream: nothing in memory, the log knows.
        _controller = await InProcessController.StartAsync(postgres, nats, radius, _log, restartOf: name);
        await using var second = await RawAgentStream.ConnectAsync(_controller.GrpcUrl, "bng-test", "instance-b");

        Assert.Equal(8UL, second.Accepted.LastAckedSeq);
    }

    [Fact]
    public async Task A_restarted_agent_replays_only_what_the_controller_has_not_handled()
    {
        var agentLog = new TestLog();
        var agent = await AgentLink.StartAsync(_controller.GrpcUrl, agentLog);
        await TestTimeouts.WaitUntilAsync(() => agent.Link.IsConnected, "the agent's stream");
        agent.Link.Report(m => m.SessionStarted = new SessionStarted { Session = RawAgentStream.Session("s-handled", "100.64.0.20") });
        await TestTimeouts.WaitUntilAsync(() => agent.Journal.Count == 0, "the ack");
        var instance = agent.State.InstanceId;
        var directory = agent.Options.StateDirectory;
        await agent.StopAsync();

        await TestTimeouts.WaitUntilAsync(async () => await _controller.ScalarAsync(
            "SELECT count(*) FROM session_events WHERE instance_id = @i", ("i", instance)) > 0, "the start in the log");

        // The agent's journal still holds a report the controller handled (its ack was lost) and one it never saw.
        var handledSeq = (ulong)await _controller.ScalarAsync("SELECT max(seq) FROM session_events WHERE instance_id = @i", ("i", instance));
        var journal = new Aether.Agent.State.ReportJournal(new Aether.Agent.State.AgentStateDirectory(Microsoft.Extensions.Options.Options.Create(agent.Options)),
            Microsoft.Extensions.Options.Options.Create(agent.Options), TimeProvider.System, agentLog.For<Aether.Agent.State.ReportJournal>());
        journal.Append(new AgentMessage { Seq = handledSeq, SessionStarted = new SessionStarted { Session = RawAgentStream.Session("s-handled", "100.64.0.20") } });
        journal.Append(new AgentMessage { Seq = handledSeq + 1000, SessionStopped = new SessionStopped { SessionId = "s-handled", Ip = "100.64.0.20", Cause = "User-Request" } });
        await journal.WhenDurable();
        journal.Dispose();

        await using var restarted = await AgentLink.StartAsync(_controller.GrpcUrl, agentLog, stateDirectory: directory);
        await TestTimeouts.WaitUntilAsync(() => restarted.Journal.Count == 0, "the replay to be acked");

        Assert.Equal(instance, restarted.State.InstanceId);
        Assert.True(agentLog.Logged(1105), "the agent says what it did not replay");
        var replayLine = agentLog.Entries.Last(e => e.EventId.Id == 1102).Message;
        Assert.Contains("Replaying 1 journaled reports", replayLine, StringComparison.Ordinal);
        Assert.Contains($"seq {handledSeq + 1000} to {handledSeq + 1000}", replayLine, StringComparison.Ordinal);
        await TestTimeouts.WaitUntilAsync(async () => await _controller.ScalarAsync(
            "SELECT count(*) FROM sessions_history WHERE session_id = 's-handled'") == 1, "the stop in the read model");
        agentLog.AssertNoErrors();
        _log.AssertNoErrors();
    }
}
