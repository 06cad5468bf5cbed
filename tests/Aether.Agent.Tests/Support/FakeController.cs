using System.Collections.Concurrent;
using Aether.Agent.Control;
using Aether.Contracts.Agent.V1;

namespace Aether.Agent.Tests.Support;

/// <summary>The controller link as a recorder: decisions the test sets, reports and messages it can read.</summary>
internal sealed class FakeController : IControllerLink
{
    private long _seq;

    public bool IsConnected { get; set; } = true;

    public int OutboxCount { get; set; }

    public Func<SubscriberIdentity, AuthorizeResult> Decide { get; set; } = _ => new AuthorizeResult
    {
        Accepted = true,
        CacheSeconds = 60,
        Policy = new ShapingPolicy { PolicyId = "plan-10", DownloadKbps = 10_000, UploadKbps = 2_000 },
    };

    public int AuthorizeCalls;

    public ConcurrentQueue<AgentMessage> Reports { get; } = new();

    public ConcurrentQueue<AgentMessage> Sent { get; } = new();

    public Task<AuthorizeResult> AuthorizeAsync(SubscriberIdentity subscriber, uint xid, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref AuthorizeCalls);
        return IsConnected
            ? Task.FromResult(Decide(subscriber))
            : Task.FromException<AuthorizeResult>(new ControllerUnavailableException("not connected to the controller"));
    }

    public void Report(Action<AgentMessage> fill)
    {
        var message = new AgentMessage { Seq = ReserveSeq() };
        fill(message);
        Reports.Enqueue(message);
    }

    public void Send(Action<AgentMessage> fill)
    {
        var message = new AgentMessage { Seq = ReserveSeq() };
        fill(message);
        Sent.Enqueue(message);
    }

    public ulong ReserveSeq() => (ulong)Interlocked.Increment(ref _seq);

    public List<SessionStopped> Stops => [.. Reports.Where(r => r.BodyCase == AgentMessage.BodyOneofCase.SessionStopped).Select(r => r.SessionStopped)];

    public List<SessionStarted> Starts => [.. Reports.Where(r => r.BodyCase == AgentMessage.BodyOneofCase.SessionStarted).Select(r => r.SessionStarted)];
}
