using System.Threading.Channels;
using Aether.Contracts.Agent.V1;
using Aether.Controller.Sessions;

namespace Aether.Controller.Agents;

/// <summary>
/// One agent stream's reports (SessionStarted, SessionStopped, PolicyApplied, Health, Counters), handled off the
/// stream's reader so that authorizations never wait behind event publishing. Reports are taken in the order the
/// agent sent them and each one's events are sent to JetStream after the previous one's, without waiting for them to
/// be stored, up to <c>maxInFlight</c> reports at a time; a second loop waits for each in the same order, finishes it
/// and only then acks it, so an ack (and the last handled seq) never covers a report whose events are not stored.
/// Both queues are bounded: when JetStream falls behind, <see cref="EnqueueAsync"/> waits and the reader stops
/// reading the stream.
/// </summary>
internal sealed class ReportPipeline
{
    private readonly AgentConnection _connection;
    private readonly IReportHandler _handler;
    private readonly Channel<AgentMessage> _received;
    private readonly Channel<ReportInFlight> _inFlight;

    public ReportPipeline(AgentConnection connection, IReportHandler handler, int capacity, int maxInFlight)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxInFlight, 1);
        _connection = connection;
        _handler = handler;
        _received = Channel.CreateBounded<AgentMessage>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _inFlight = Channel.CreateBounded<ReportInFlight>(new BoundedChannelOptions(maxInFlight)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>Queues a report; waits while the queue is full.</summary>
    public ValueTask EnqueueAsync(AgentMessage report, CancellationToken cancellationToken) => _received.Writer.WriteAsync(report, cancellationToken);

    /// <summary>No more reports: <see cref="RunAsync"/> completes once those queued are acked.</summary>
    public void Complete() => _received.Writer.TryComplete();

    /// <summary>Handles reports until <see cref="Complete"/> and the queue is drained, or until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        // When one loop fails the other must not wait for it forever (a full queue, an empty one).
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sending = SendLoopAsync(failed.Token);
        var completing = CompleteLoopAsync(failed.Token);
        if (await Task.WhenAny(sending, completing) is { IsCompletedSuccessfully: false })
        {
            await failed.CancelAsync();
        }

        await Task.WhenAll(sending, completing);
    }

    private async Task SendLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var message in _received.Reader.ReadAllAsync(cancellationToken))
            {
                var report = await _handler.SendReportAsync(_connection, message, cancellationToken);
                await _inFlight.Writer.WriteAsync(report, cancellationToken);
            }

            _inFlight.Writer.TryComplete();
        }
        catch (Exception ex)
        {
            _inFlight.Writer.TryComplete(ex);
            throw;
        }
    }

    private async Task CompleteLoopAsync(CancellationToken cancellationToken)
    {
        await foreach (var report in _inFlight.Reader.ReadAllAsync(cancellationToken))
        {
            try
            {
                await report.Stored;
            }
            catch
            {
                report.Span?.Dispose();
                throw;
            }

            await _handler.CompleteReportAsync(_connection, report, cancellationToken);
            if (report.Acked)
            {
                await _connection.SendAckAsync(report.Message.Seq, cancellationToken);
            }
        }
    }
}

/// <summary>The two halves of handling a report (<see cref="SessionReports"/>), as <see cref="ReportPipeline"/> calls them.</summary>
internal interface IReportHandler
{
    /// <summary>Updates what the controller knows and sends the report's events; the result's task completes once they are stored.</summary>
    ValueTask<ReportInFlight> SendReportAsync(AgentConnection connection, AgentMessage message, CancellationToken cancellationToken);

    /// <summary>What follows once the report's events are stored; the report is acked after it.</summary>
    ValueTask CompleteReportAsync(AgentConnection connection, ReportInFlight report, CancellationToken cancellationToken);
}
