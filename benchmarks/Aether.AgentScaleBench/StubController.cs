using System.Collections.Concurrent;
using Aether.Agent.Control;
using Aether.Agent.State;
using Aether.Contracts.Agent.V1;
using Google.Protobuf.WellKnownTypes;

namespace Aether.AgentScaleBench;

/// <summary>
/// A connected controller that accepts every subscriber with one plan. Reports go through the agent's real journal
/// on disk, as <see cref="ControllerLink"/> sends them, and are acked shortly after, as a controller acks them;
/// counter reports are counted.
/// </summary>
internal sealed class StubController : IControllerLink, IAsyncDisposable
{
    private static readonly TimeSpan AckInterval = TimeSpan.FromMilliseconds(50);

    private readonly AgentStateDirectory _state;
    private readonly ReportJournal _journal;
    private readonly TimeProvider _time;
    private readonly Lock _sendLock = new();
    private readonly ConcurrentQueue<ulong> _unacked = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acks;
    private long _countedSessions;
    private long _reports;

    public StubController(AgentStateDirectory state, ReportJournal journal, TimeProvider time)
    {
        _state = state;
        _journal = journal;
        _time = time;
        _acks = AckLoopAsync(_stop.Token);
    }

    public bool IsConnected => true;

    public int OutboxCount => _journal.Count;

    /// <summary>Sessions carried in counter reports so far.</summary>
    public long CountedSessions => Interlocked.Read(ref _countedSessions);

    /// <summary>Reports journaled so far.</summary>
    public long Reports => Interlocked.Read(ref _reports);

    public Task<AuthorizeResult> AuthorizeAsync(SubscriberIdentity subscriber, uint xid, CancellationToken cancellationToken) =>
        Task.FromResult(new AuthorizeResult
        {
            Accepted = true,
            CacheSeconds = 60,
            // Each decision carries its own policy, as one decoded from the controller's stream does.
            Policy = new ShapingPolicy { PolicyId = "plan-100", DownloadKbps = 100_000, UploadKbps = 20_000 },
        });

    public void Report(Action<AgentMessage> fill)
    {
        var message = new AgentMessage { Time = Timestamp.FromDateTimeOffset(_time.GetUtcNow()) };
        fill(message);
        lock (_sendLock)
        {
            message.Seq = _state.NextSeq();
            _journal.Append(message);
        }
        _unacked.Enqueue(message.Seq);
        Interlocked.Increment(ref _reports);
    }

    public void Send(Action<AgentMessage> fill)
    {
        var message = new AgentMessage { Seq = _state.NextSeq(), Time = Timestamp.FromDateTimeOffset(_time.GetUtcNow()) };
        fill(message);
        if (message.BodyCase == AgentMessage.BodyOneofCase.Counters)
        {
            Interlocked.Add(ref _countedSessions, message.Counters.Sessions.Count);
        }
    }

    public ulong ReserveSeq() => _state.NextSeq();

    /// <summary>Acks everything journaled so far (the end of a phase).</summary>
    public void AckAll()
    {
        while (_unacked.TryDequeue(out var seq))
        {
            _journal.Acknowledge(seq);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _acks;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }

    private async Task AckLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(AckInterval);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            AckAll();
        }
    }
}
