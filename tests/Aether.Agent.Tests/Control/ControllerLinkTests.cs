using System.Collections.Concurrent;
using Aether.Agent.Control;
using Aether.Agent.State;
using Aether.Agent.Tests.Support;
using Aether.Contracts.Agent.V1;

namespace Aether.Agent.Tests.Control;

public sealed class ControllerLinkTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private readonly TestController _controller = new();
    private readonly List<(ControllerLink Link, ReportJournal Journal)> _links = [];
    private readonly Commands _commands = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var (link, journal) in _links)
        {
            await link.StopAsync(CancellationToken.None);
            link.Dispose();
            journal.Dispose();
        }
        await _controller.DisposeAsync();
        _dir.Dispose();
    }

    private async Task<(ControllerLink Link, ReportJournal Journal, AgentStateDirectory State)> StartLinkAsync(TestLog log)
    {
        var agent = TestOptions.Valid(_dir.Path);
        agent.Controller = _controller.Url;
        var options = TestOptions.Wrap(agent);
        var state = new AgentStateDirectory(options);
        var journal = new ReportJournal(state, options, TimeProvider.System, log.For<ReportJournal>());
        var link = new ControllerLink(options, new AgentIdentity(options, state), state, journal, new Lazy<IControllerCommandHandler>(_commands), log.For<ControllerLink>(), TimeProvider.System);
        _links.Add((link, journal));
        await link.StartAsync(TestTimeouts.Token());
        return (link, journal, state);
    }

    private static Action<AgentMessage> Stop(string sessionId) => m => m.SessionStopped = new SessionStopped { SessionId = sessionId, Cause = "User-Request" };

    [Fact]
    public async Task Reports_made_while_the_controller_is_away_are_replayed_with_their_original_sequence_numbers()
    {
        var log = new TestLog();
        var (link, journal, _) = await StartLinkAsync(log);
        link.Report(Stop("a"));
        link.Report(Stop("b"));
        var journaled = journal.Pending().Select(m => m.Seq).ToList();

        await _controller.StartAsync();
        await TestTimeouts.WaitUntilAsync(() => _controller.Of(AgentMessage.BodyOneofCase.SessionStopped).Count() == 2, "the replay");
        await TestTimeouts.WaitUntilAsync(() => journal.Count == 0, "the acks to empty the journal");

        Assert.Equal(journaled, _controller.Of(AgentMessage.BodyOneofCase.SessionStopped).Select(m => m.Seq));
        Assert.Equal(AgentMessage.BodyOneofCase.Hello, _controller.Received.First().BodyCase);
        log.AssertNoErrors();
    }

    [Fact]
    public async Task A_restarted_agent_replays_its_journal_from_disk_as_the_same_instance()
    {
        _controller.AckReports = false;
        await _controller.StartAsync();
        var log = new TestLog();
        var (first, firstJournal, _) = await StartLinkAsync(log);
        first.Report(Stop("a"));
        await TestTimeouts.WaitUntilAsync(() => _controller.Of(AgentMessage.BodyOneofCase.SessionStopped).Any(), "the report");
        var sent = _controller.Of(AgentMessage.BodyOneofCase.SessionStopped).Single();
        var instance = _controller.Of(AgentMessage.BodyOneofCase.Hello).Single().Hello.InstanceId;
        await first.StopAsync(CancellationToken.None);
        await firstJournal.WhenDurable();
        firstJournal.Dispose();
        _controller.AckReports = true;

        var (_, journal, state) = await StartLinkAsync(log);
        await TestTimeouts.WaitUntilAsync(() => _controller.Of(AgentMessage.BodyOneofCase.Hello).Count() == 2, "the second hello");
        await TestTimeouts.WaitUntilAsync(() => _controller.Of(AgentMessage.BodyOneofCase.SessionStopped).Count() == 2, "the replay");

        Assert.Equal(instance, _controller.Of(AgentMessage.BodyOneofCase.Hello).Last().Hello.InstanceId);
        var replayed = _controller.Of(AgentMessage.BodyOneofCase.SessionStopped).Last();
        Assert.Equal(sent.Seq, replayed.Seq);
        Assert.Equal("a", replayed.SessionStopped.SessionId);
        Assert.True(state.NextSeq() > sent.Seq);
        await TestTimeouts.WaitUntilAsync(() => journal.Count == 0, "the ack");
    }

    [Fact]
    public async Task Reports_up_to_the_controllers_last_acked_seq_are_dropped_and_the_rest_replayed_as_they_were()
    {
        var log = new TestLog();
        var (link, journal, _) = await StartLinkAsync(log);
        link.Report(Stop("a"));
        link.Report(Stop("b"));
        link.Report(Stop("c"));
        var journaled = journal.Pending().Select(m => m.Seq).ToList();
        _controller.LastAckedSeq = journaled[1];

        await _controller.StartAsync();
        await TestTimeouts.WaitUntilAsync(() => _controller.Of(AgentMessage.BodyOneofCase.SessionStopped).Any(), "the replay");
        await TestTimeouts.WaitUntilAsync(() => journal.Count == 0, "the ack");

        var replayed = Assert.Single(_controller.Of(AgentMessage.BodyOneofCase.SessionStopped));
        Assert.Equal(journaled[2], replayed.Seq);
        Assert.Equal("c", replayed.SessionStopped.SessionId);
        Assert.True(log.Logged(1105));
        log.AssertNoErrors();
    }

    [Fact]
    public async Task The_token_goes_to_the_controller_as_a_bearer_authorization()
    {
        await _controller.StartAsync();
        var agent = TestOptions.Valid(_dir.Path);
        agent.Controller = _controller.Url;
        agent.Token = "  t0ken ";
        var options = TestOptions.Wrap(agent);
        var log = new TestLog();
        var state = new AgentStateDirectory(options);
        var journal = new ReportJournal(state, options, TimeProvider.System, log.For<ReportJournal>());
        var link = new ControllerLink(options, new AgentIdentity(options, state), state, journal, new Lazy<IControllerCommandHandler>(_commands), log.For<ControllerLink>(), TimeProvider.System);
        _links.Add((link, journal));

        await link.StartAsync(TestTimeouts.Token());
        await TestTimeouts.WaitUntilAsync(() => _controller.Connected, "the connection");

        Assert.Equal("Bearer t0ken", _controller.Authorization);
        Assert.DoesNotContain(log.Entries, e => e.Message.Contains("t0ken", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_hello_carries_the_sessions_the_agent_holds()
    {
        _commands.Sessions.Add(new SessionState { SessionId = "held", Ip = "100.64.0.10" });
        await _controller.StartAsync();

        await StartLinkAsync(new TestLog());
        await TestTimeouts.WaitUntilAsync(() => _controller.Of(AgentMessage.BodyOneofCase.Hello).Any(), "the hello");

        Assert.Equal("held", _controller.Of(AgentMessage.BodyOneofCase.Hello).Single().Hello.Sessions.Single().SessionId);
    }

    [Fact]
    public async Task Commands_from_the_controller_reach_the_session_table()
    {
        await _controller.StartAsync();
        await StartLinkAsync(new TestLog());
        await TestTimeouts.WaitUntilAsync(() => _controller.Connected, "the connection");

        _controller.Push(new ControllerMessage { PolicyApply = new PolicyApply { SessionId = "s1", Policy = new ShapingPolicy { DownloadKbps = 1 } } });
        _controller.Push(new ControllerMessage { PolicyRemove = new PolicyRemove { SessionId = "s1", Cause = "Admin-Reset" } });
        _controller.Push(new ControllerMessage { SessionAdopt = new SessionAdopt { Ip = "100.64.0.9" } });

        await TestTimeouts.WaitUntilAsync(() => _commands.Received.Count == 3, "the commands");
        Assert.Equal(["apply s1", "remove s1", "adopt 100.64.0.9"], _commands.Received);
    }

    [Fact]
    public async Task An_authorization_fails_fast_while_the_controller_is_away()
    {
        var (link, _, _) = await StartLinkAsync(new TestLog());

        await Assert.ThrowsAsync<ControllerUnavailableException>(() => link.AuthorizeAsync(new SubscriberIdentity { Mac = "02:00:00:00:00:01" }, 1, TestTimeouts.Token()));
    }

    private sealed class Commands : IControllerCommandHandler
    {
        public List<SessionState> Sessions { get; } = [];

        public ConcurrentQueue<string> Received { get; } = new();

        public IReadOnlyList<SessionState> SnapshotSessions() => Sessions;

        public void OnPolicyApply(PolicyApply command) => Received.Enqueue("apply " + command.SessionId);

        public void OnPolicyRemove(PolicyRemove command) => Received.Enqueue("remove " + command.SessionId);

        public void OnSessionAdopt(SessionAdopt command) => Received.Enqueue("adopt " + command.Ip);
    }
}
