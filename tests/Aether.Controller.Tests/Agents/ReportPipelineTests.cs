using System.Collections.Concurrent;
using Aether.Contracts.Agent.V1;
using Aether.Controller.Agents;
using Aether.Controller.Sessions;
using Aether.Controller.Tests.Support;

namespace Aether.Controller.Tests.Agents;

/// <summary>The per-stream report pipeline with a handler whose publishes the test completes by hand.</summary>
public sealed class ReportPipelineTests : IDisposable
{
    private readonly CancellationTokenSource _lifetime = new();
    private readonly AgentConnection _connection;
    private readonly FakeHandler _handler = new();

    public ReportPipelineTests()
    {
        _connection = new AgentConnection(new Hello { BngId = "bng-test", InstanceId = "instance" }, "test", DateTimeOffset.UtcNow, 1_000, _lifetime);
    }

    public void Dispose()
    {
        _lifetime.Cancel();
        _lifetime.Dispose();
    }

    private static AgentMessage Report(ulong seq) => new()
    {
        Seq = seq,
        SessionStopped = new SessionStopped { SessionId = "s" + seq, Ip = "100.64.0.1", Cause = "User-Request" },
    };

    private List<ulong> AckedSoFar()
    {
        var acked = new List<ulong>();
        while (_connection.Outbound.Reader.TryRead(out var message))
        {
            acked.Add(message.Ack.Seq);
        }

        return acked;
    }

    [Fact]
    public async Task Reports_are_sent_in_the_agents_order_without_waiting_for_earlier_ones_to_be_stored()
    {
        var pipeline = new ReportPipeline(_connection, _handler, 16, 8);
        var running = pipeline.RunAsync(_lifetime.Token);

        for (var seq = 1UL; seq <= 5; seq++)
        {
            await pipeline.EnqueueAsync(Report(seq), TestTimeouts.Token());
        }
        await TestTimeouts.WaitUntilAsync(() => _handler.Sent.Count == 5, "five reports sent");

        Assert.Equal([1UL, 2, 3, 4, 5], _handler.Sent);
        Assert.Empty(AckedSoFar());
        _handler.StoreAll();
        pipeline.Complete();
        await running.WaitAsync(TestTimeouts.Await);
    }

    [Fact]
    public async Task A_report_is_acked_only_once_it_and_every_earlier_report_are_stored_and_in_seq_order()
    {
        var pipeline = new ReportPipeline(_connection, _handler, 16, 8);
        var running = pipeline.RunAsync(_lifetime.Token);
        for (var seq = 1UL; seq <= 3; seq++)
        {
            await pipeline.EnqueueAsync(Report(seq), TestTimeouts.Token());
        }
        await TestTimeouts.WaitUntilAsync(() => _handler.Sent.Count == 3, "three reports sent");

        // Stored out of order: 3 then 2; nothing may be acked while 1 is not stored.
        _handler.Store(3);
        _handler.Store(2);
        await Task.Delay(100);
        Assert.Empty(AckedSoFar());
        Assert.Empty(_handler.Completed);

        _handler.Store(1);
        pipeline.Complete();
        await running.WaitAsync(TestTimeouts.Await);

        Assert.Equal([1UL, 2, 3], AckedSoFar());
        Assert.Equal([1UL, 2, 3], _handler.Completed);
    }

    [Fact]
    public async Task Counter_reports_are_published_in_order_but_not_acked()
    {
        var pipeline = new ReportPipeline(_connection, _handler, 16, 8);
        var running = pipeline.RunAsync(_lifetime.Token);
        await pipeline.EnqueueAsync(Report(1), TestTimeouts.Token());
        await pipeline.EnqueueAsync(new AgentMessage { Seq = 2, Counters = new CounterReport() }, TestTimeouts.Token());
        await pipeline.EnqueueAsync(Report(3), TestTimeouts.Token());
        await TestTimeouts.WaitUntilAsync(() => _handler.Sent.Count == 3, "three reports sent");
        _handler.StoreAll();
        pipeline.Complete();
        await running.WaitAsync(TestTimeouts.Await);

        Assert.Equal([1UL, 2, 3], _handler.Completed);
        Assert.Equal([1UL, 3], AckedSoFar());
    }

    [Fact]
    public async Task No_more_reports_than_the_in_flight_limit_wait_for_storage_and_then_the_queue_fills_and_enqueue_waits()
    {
        // In flight: one awaited by the completing loop, maxInFlight queued for it, one waiting for room; then the queue.
        const int maxInFlight = 2;
        const int capacity = 1;
        var pipeline = new ReportPipeline(_connection, _handler, capacity, maxInFlight);
        var running = pipeline.RunAsync(_lifetime.Token);
        const int absorbed = 1 + maxInFlight + 1 + capacity;
        for (var seq = 1UL; seq <= absorbed; seq++)
        {
            await pipeline.EnqueueAsync(Report(seq), TestTimeouts.Token()).AsTask().WaitAsync(TestTimeouts.Await);
        }
        await TestTimeouts.WaitUntilAsync(() => _handler.Sent.Count == 1 + maxInFlight + 1, "the in-flight limit reached");

        var waiting = pipeline.EnqueueAsync(Report(absorbed + 1), TestTimeouts.Token()).AsTask();
        await Task.Delay(100);
        Assert.False(waiting.IsCompleted);
        Assert.Equal(1 + maxInFlight + 1, _handler.Sent.Count);

        // One stored and acked makes room for exactly one more.
        _handler.Store(1);
        await waiting.WaitAsync(TestTimeouts.Await);
        await TestTimeouts.WaitUntilAsync(() => _handler.Sent.Count == 1 + maxInFlight + 2, "one more sent");
        Assert.Equal([1UL], AckedSoFar());

        _handler.StoreAll();
        pipeline.Complete();
        await running.WaitAsync(TestTimeouts.Await);
        Assert.Equal(Enumerable.Range(2, absorbed).Select(i => (ulong)i), AckedSoFar());
    }

    [Fact]
    public async Task A_failure_stops_the_pipeline_and_nothing_after_the_failed_report_is_acked()
    {
        var pipeline = new ReportPipeline(_connection, _handler, 16, 8);
        var running = pipeline.RunAsync(_lifetime.Token);
        for (var seq = 1UL; seq <= 3; seq++)
        {
            await pipeline.EnqueueAsync(Report(seq), TestTimeouts.Token());
        }
        await TestTimeouts.WaitUntilAsync(() => _handler.Sent.Count == 3, "three reports sent");

        _handler.Store(1);
        _handler.Fail(2, new InvalidOperationException("boom"));
        _handler.Store(3);

        await Assert.ThrowsAsync<InvalidOperationException>(() => running.WaitAsync(TestTimeouts.Await));
        Assert.Equal([1UL], AckedSoFar());
    }

    /// <summary>Records what the pipeline asks of it; each report's events are stored when the test says so.</summary>
    private sealed class FakeHandler : IReportHandler
    {
        private readonly ConcurrentDictionary<ulong, TaskCompletionSource> _stored = new();

        public List<ulong> Sent { get; } = [];

        public List<ulong> Completed { get; } = [];

        public void Store(ulong seq) => Publish(seq).TrySetResult();

        public void Fail(ulong seq, Exception exception) => Publish(seq).TrySetException(exception);

        public void StoreAll()
        {
            for (var seq = 1UL; seq <= 1_000; seq++)
            {
                Store(seq);
            }
        }

        public ValueTask<ReportInFlight> SendReportAsync(AgentConnection connection, AgentMessage message, CancellationToken cancellationToken)
        {
            lock (Sent)
            {
                Sent.Add(message.Seq);
            }

            return ValueTask.FromResult(new ReportInFlight(message, Publish(message.Seq).Task, null, null));
        }

        public ValueTask CompleteReportAsync(AgentConnection connection, ReportInFlight report, CancellationToken cancellationToken)
        {
            Assert.True(report.Stored.IsCompletedSuccessfully);
            lock (Completed)
            {
                Completed.Add(report.Message.Seq);
            }

            return ValueTask.CompletedTask;
        }

        private TaskCompletionSource Publish(ulong seq) => _stored.GetOrAdd(seq, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
    }
}
