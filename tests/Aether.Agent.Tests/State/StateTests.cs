using Aether.Agent.State;
using Aether.Agent.Tests.Support;
using Aether.Contracts.Agent.V1;
using Microsoft.Extensions.Logging.Abstractions;

namespace Aether.Agent.Tests.State;

public sealed class AppendLogTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    private string File => Path.Combine(_dir.Path, "log");

    [Fact]
    public async Task Records_read_back_in_order_once_durable()
    {
        using (var log = new AppendLog(File, TimeProvider.System, TimeSpan.FromMilliseconds(10)))
        {
            log.Append([1, 2, 3]);
            log.Append([4]);
            await log.WhenDurable().WaitAsync(TestTimeouts.Await);
        }

        var records = AppendLog.ReadAll(File);

        Assert.Equal([new byte[] { 1, 2, 3 }, new byte[] { 4 }], records);
    }

    [Fact]
    public async Task An_eager_log_is_durable_without_waiting_for_its_timer()
    {
        // The timer would only sync after an hour: every append below is made durable by the eager flusher.
        using var log = new AppendLog(File, TimeProvider.System, TimeSpan.FromHours(1), eager: true);
        var appenders = Enumerable.Range(0, 8).Select(t => Task.Run(async () =>
        {
            for (var i = 0; i < 50; i++)
            {
                log.Append([(byte)t, (byte)i]);
                await log.WhenDurable().WaitAsync(TestTimeouts.Await);
            }
        }));
        await Task.WhenAll(appenders);

        Assert.Null(log.FlushError);
        var records = AppendLog.ReadAll(File);
        Assert.Equal(400, records.Count);
        // Each appender's records are in its own order.
        foreach (var t in Enumerable.Range(0, 8))
        {
            Assert.Equal(Enumerable.Range(0, 50).Select(i => (byte)i), records.Where(r => r[0] == t).Select(r => r[1]));
        }
    }

    [Fact]
    public async Task An_eager_log_syncs_on_a_thread_of_its_own_that_ends_with_it()
    {
        var log = new AppendLog(Path.Combine(_dir.Path, "eager.log"), TimeProvider.System, TimeSpan.FromHours(1), eager: true);
        log.Append([1]);
        await log.WhenDurable().WaitAsync(TestTimeouts.Await);

        // fsync blocks its caller: a thread-pool worker held in it is one the relay does not have.
        Assert.Contains("state sync eage", ThreadNames.OfThisProcess());

        log.Dispose();
        await TestTimeouts.WaitUntilAsync(() => !ThreadNames.OfThisProcess().Contains("state sync eage"), "the sync thread to end with the log");
    }

    [Fact]
    public async Task A_lazy_log_waits_for_its_timer()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        using var log = new AppendLog(File, time, TimeSpan.FromMilliseconds(50));
        log.Append([7]);
        var durable = log.WhenDurable();
        await Task.Delay(200);
        Assert.False(durable.IsCompleted);

        time.Advance(TimeSpan.FromMilliseconds(50));
        await durable.WaitAsync(TestTimeouts.Await);
    }

    [Fact]
    public void A_torn_tail_is_ignored()
    {
        using (var log = new AppendLog(File, TimeProvider.System, TimeSpan.FromSeconds(1)))
        {
            log.Append([1, 2, 3]);
            log.Append([4, 5, 6]);
        }
        // A crash of the host in the middle of the second record: its tail is lost, or zero-filled.
        var bytes = System.IO.File.ReadAllBytes(File);
        System.IO.File.WriteAllBytes(File, [.. bytes.AsSpan(0, bytes.Length - 2), 0, 0]);

        Assert.Equal([new byte[] { 1, 2, 3 }], AppendLog.ReadAll(File));
    }

    [Fact]
    public void A_rewrite_replaces_the_records()
    {
        using (var log = new AppendLog(File, TimeProvider.System, TimeSpan.FromSeconds(1)))
        {
            log.Append([1]);
            log.Rewrite([[9, 9]]);
            log.Append([2]);
        }

        Assert.Equal([new byte[] { 9, 9 }, new byte[] { 2 }], AppendLog.ReadAll(File));
    }

    public void Dispose() => _dir.Dispose();
}

public sealed class AgentStateDirectoryTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public void A_restart_keeps_the_instance_id_and_never_reuses_a_sequence_number()
    {
        var options = TestOptions.Wrap(TestOptions.Valid(_dir.Path));
        var first = new AgentStateDirectory(options);
        var used = Enumerable.Range(0, 10).Select(_ => first.NextSeq()).ToList();

        var second = new AgentStateDirectory(options);

        Assert.True(second.Recovered);
        Assert.Equal(first.InstanceId, second.InstanceId);
        Assert.True(second.NextSeq() > used.Max());
    }

    [Fact]
    public void A_new_directory_gets_a_new_instance_id()
    {
        using var other = new TempDirectory();

        var a = new AgentStateDirectory(TestOptions.Wrap(TestOptions.Valid(_dir.Path)));
        var b = new AgentStateDirectory(TestOptions.Wrap(TestOptions.Valid(other.Path)));

        Assert.False(a.Recovered);
        Assert.NotEqual(a.InstanceId, b.InstanceId);
    }

    public void Dispose() => _dir.Dispose();
}

public sealed class SessionStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    private SessionStore Open()
    {
        var options = TestOptions.Wrap(TestOptions.Valid(_dir.Path));
        return new SessionStore(new AgentStateDirectory(options), options, TimeProvider.System);
    }

    private static StoredSession Stored(string id, string ip, ushort classId) => new(new SessionState
    {
        SessionId = id,
        Ip = ip,
        Subscriber = new SubscriberIdentity { Mac = "02:00:00:00:00:01", CircuitId = "1/0/1", Interface = "sub0" },
        Policy = new ShapingPolicy { DownloadKbps = 1000, UploadKbps = 500 },
    }, classId, Provisional: false);

    [Fact]
    public async Task Sessions_put_and_removed_are_what_a_restart_finds()
    {
        using (var store = Open())
        {
            await store.PutAsync(Stored("a", "100.64.0.10", 0x10)).WaitAsync(TestTimeouts.Await);
            await store.PutAsync(Stored("b", "100.64.0.11", 0x11)).WaitAsync(TestTimeouts.Await);
            await store.RemoveAsync("a").WaitAsync(TestTimeouts.Await);
        }

        using var reopened = Open();

        var session = Assert.Single(reopened.Load());
        Assert.Equal("b", session.State.SessionId);
        Assert.Equal((ushort)0x11, session.ClassId);
    }

    [Fact]
    public async Task The_file_is_compacted_when_it_holds_far_more_records_than_sessions()
    {
        using (var store = Open())
        {
            for (var i = 0; i < 3_000; i++)
            {
                _ = store.PutAsync(Stored("renewed", "100.64.0.10", 0x10));
            }
            await store.PutAsync(Stored("renewed", "100.64.0.10", 0x10)).WaitAsync(TestTimeouts.Await);
        }
        var records = AppendLog.ReadAll(Path.Combine(_dir.Path, AgentStateDirectory.SessionsFile));

        Assert.True(records.Count < 1_100, $"{records.Count} records for one session");
        using var reopened = Open();
        Assert.Single(reopened.Load());
    }

    public void Dispose() => _dir.Dispose();
}

public sealed class ReportJournalTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    private (ReportJournal Journal, AgentStateDirectory State) Open(int maxEntries = 1_000)
    {
        var agent = TestOptions.Valid(_dir.Path);
        agent.Journal.MaxEntries = maxEntries;
        var options = TestOptions.Wrap(agent);
        var state = new AgentStateDirectory(options);
        return (new ReportJournal(state, options, TimeProvider.System, NullLogger<ReportJournal>.Instance), state);
    }

    private static AgentMessage Stopped(ulong seq) => new() { Seq = seq, SessionStopped = new SessionStopped { SessionId = $"s{seq}", Cause = "User-Request" } };

    [Fact]
    public async Task Unacked_reports_survive_a_restart_with_their_sequence_numbers()
    {
        var (journal, state) = Open();
        using (journal)
        {
            foreach (var seq in new[] { state.NextSeq(), state.NextSeq(), state.NextSeq() })
            {
                journal.Append(Stopped(seq));
            }
            journal.Acknowledge(journal.Pending()[1].Seq);
            await journal.WhenDurable().WaitAsync(TestTimeouts.Await);
        }
        var before = AppendLog.ReadAll(Path.Combine(_dir.Path, AgentStateDirectory.JournalFile));

        var (reopened, reopenedState) = Open();
        using (reopened)
        {
            var pending = reopened.Pending();
            Assert.Equal(2, pending.Count);
            Assert.Equal(2, reopened.Replayed);
            Assert.True(pending[0].Seq < pending[1].Seq);
            Assert.True(reopenedState.NextSeq() > pending[1].Seq);
        }
        Assert.NotEmpty(before);
    }

    [Fact]
    public void A_full_journal_drops_the_oldest_and_counts_it()
    {
        var (journal, state) = Open(maxEntries: 100);
        using (journal)
        {
            var first = state.NextSeq();
            journal.Append(Stopped(first));
            for (var i = 0; i < 100; i++)
            {
                journal.Append(Stopped(state.NextSeq()));
            }

            Assert.Equal(100, journal.Count);
            Assert.Equal(1, journal.Dropped);
            Assert.DoesNotContain(journal.Pending(), m => m.Seq == first);
        }
    }

    public void Dispose() => _dir.Dispose();
}
