using System.Collections.Concurrent;
using Aether.Agent.State;
using Aether.Contracts.Agent.V1;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Options;

namespace Aether.Agent.Control;

/// <summary>
/// The agent's end of the bidirectional stream to the controller. Reports go through the on-disk journal and
/// stay there until the controller acks them; they are sent again, with their original sequence numbers, after
/// a reconnect or a restart. Authorizations are request/response and fail fast while the controller is away.
/// </summary>
internal sealed partial class ControllerLink : BackgroundService, IControllerLink
{
    private readonly AgentOptions _options;
    private readonly AgentIdentity _identity;
    private readonly AgentStateDirectory _state;
    private readonly ReportJournal _journal;
    private readonly Lazy<IControllerCommandHandler> _commands;
    private readonly ILogger<ControllerLink> _logger;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<ulong, TaskCompletionSource<AuthorizeResult>> _pendingAuthorizations = new();
    private readonly Lock _sendLock = new();
    private long _requestId;

    public ControllerLink(
        IOptions<AgentOptions> options,
        AgentIdentity identity,
        AgentStateDirectory state,
        ReportJournal journal,
        Lazy<IControllerCommandHandler> commands,
        ILogger<ControllerLink> logger,
        TimeProvider time)
    {
        _options = options.Value;
        _identity = identity;
        _state = state;
        _journal = journal;
        _commands = commands;
        _logger = logger;
        _time = time;
    }

    public bool IsConnected => _current is not null;

    public int OutboxCount => _journal.Count;

    public async Task<AuthorizeResult> AuthorizeAsync(SubscriberIdentity subscriber, uint xid, CancellationToken cancellationToken)
    {
        var channel = _current ?? throw new ControllerUnavailableException("not connected to the controller");
        var requestId = (ulong)Interlocked.Increment(ref _requestId);
        var tcs = new TaskCompletionSource<AuthorizeResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pendingAuthorizations[requestId] = tcs;
        try
        {
            var message = NewMessage();
            message.Authorize = new AuthorizeRequest { RequestId = requestId, Subscriber = subscriber, Xid = xid };
            if (!channel.Writer.TryWrite(message))
            {
                throw new ControllerUnavailableException("the stream to the controller is full or closed");
            }
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.AuthorizeTimeout);
            return await tcs.Task.WaitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ControllerUnavailableException($"no authorization from the controller within {_options.AuthorizeTimeout.TotalSeconds:0.#}s");
        }
        finally
        {
            _pendingAuthorizations.TryRemove(requestId, out _);
        }
    }

    public void Report(Action<AgentMessage> fill)
    {
        var message = NewMessage(reserveSeq: false);
        fill(message);
        // Under the lock that a (re)connect takes to replay the journal: a report is either replayed or sent, never lost in between.
        // The seq is taken under it too, so reports are journaled and sent in seq order: the controller's
        // last_acked_seq then covers every report up to it.
        lock (_sendLock)
        {
            message.Seq = _state.NextSeq();
            _journal.Append(message);
            _current?.Writer.TryWrite(message);
        }
    }

    public void Send(Action<AgentMessage> fill)
    {
        var channel = _current;
        if (channel is null)
        {
            return;
        }
        var message = NewMessage();
        fill(message);
        channel.Writer.TryWrite(message);
    }

    public ulong ReserveSeq() => _state.NextSeq();

    private AgentMessage NewMessage(bool reserveSeq = true) => new()
    {
        Seq = reserveSeq ? _state.NextSeq() : 0,
        Time = Timestamp.FromDateTimeOffset(_time.GetUtcNow()),
        // The subscriber setup this message belongs to, if any (see Telemetry/SetupTrace.cs).
        Traceparent = Aether.Observability.AetherTracing.Traceparent(System.Diagnostics.Activity.Current),
    };
}
