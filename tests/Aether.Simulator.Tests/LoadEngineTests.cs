using System.Diagnostics;
using Aether.Dhcp;
using Aether.Simulator.Cli;
using Aether.Simulator.Load;
using Microsoft.Extensions.Logging.Abstractions;

namespace Aether.Simulator.Tests;

/// <summary>The engine against an in-process server that answers, drops or refuses on cue.</summary>
public sealed class LoadEngineTests
{
    private static readonly TimeSpan s_runTimeout = TimeSpan.FromSeconds(60);
    private static readonly SubscriberPlan s_plan = new([0x02, 0x5a], "test", 0);

    [Fact]
    public async Task Every_subscriber_binds_and_is_released_at_the_end()
    {
        var server = new FakeServer();

        var result = await RunAsync(server, count: 300, release: ReleaseMode.End);

        Assert.Equal(300, result.Counters.Bound);
        Assert.Equal(300, result.Counters.Released);
        Assert.Equal(0, result.Counters.Failed);
        Assert.Equal(300, result.Latency.Count);
        Assert.Equal(300, server.Releases);
        Assert.Equal(300, result.Sessions.Select(s => s.OfferedIp).Distinct().Count());
    }

    [Fact]
    public async Task Dropped_discovers_are_retransmitted_until_answered()
    {
        var server = new FakeServer { DropEveryNthDiscover = 3 };

        var result = await RunAsync(server, count: 90, release: ReleaseMode.None);

        Assert.Equal(90, result.Counters.Bound);
        Assert.True(result.Counters.DiscoverRetransmitted > 0);
        Assert.Equal(0, result.Counters.Released);
    }

    [Fact]
    public async Task Silent_server_fails_every_subscriber_as_no_offer()
    {
        var server = new FakeServer { Silent = true };

        var result = await RunAsync(server, count: 20, release: ReleaseMode.End);

        Assert.Equal(20, result.Counters.Failures[(int)DoraFailure.NoOffer]);
        Assert.Equal(0, result.Counters.Bound);
        Assert.Equal(20 * 2, result.Counters.DiscoverSent); // first send and one retry
    }

    [Fact]
    public async Task Naks_are_counted_as_failures()
    {
        var server = new FakeServer { Nak = true };

        var result = await RunAsync(server, count: 25, release: ReleaseMode.End);

        Assert.Equal(25, result.Counters.Failures[(int)DoraFailure.Nak]);
        Assert.Equal(25, result.Counters.Naks);
    }

    [Fact]
    public async Task Refused_sends_are_counted_as_send_errors()
    {
        var server = new FakeServer { RefuseSends = true };

        var result = await RunAsync(server, count: 10, release: ReleaseMode.End);

        Assert.Equal(10, result.Counters.Failures[(int)DoraFailure.SendError]);
    }

    [Fact]
    public async Task Immediate_release_frees_each_lease_after_its_ack()
    {
        var server = new FakeServer();

        var result = await RunAsync(server, count: 50, release: ReleaseMode.Immediate, concurrency: 4);

        Assert.Equal(50, result.Counters.Released);
        Assert.InRange(result.Counters.PeakBound, 1, 4);
    }

    [Fact]
    public async Task Rate_limited_run_keeps_its_count()
    {
        var server = new FakeServer();

        var result = await RunAsync(server, count: 100, release: ReleaseMode.None, rate: 2_000);

        Assert.Equal(100, result.Counters.Started);
        Assert.Equal(100, result.Counters.Bound);
    }

    [Fact]
    public async Task Churn_rejoins_released_subscribers_until_the_duration_ends()
    {
        var server = new FakeServer();
        long frequency = TimeProvider.System.TimestampFrequency;
        var schedule = new ChurnSchedule(10, new Random(1), frequency / 100, frequency / 50);

        var result = await RunAsync(server, count: 10, release: ReleaseMode.End, rate: 500, schedule: schedule, duration: TimeSpan.FromMilliseconds(600));

        Assert.True(result.Counters.Bound > 10, $"only {result.Counters.Bound} joins");
        Assert.Equal(result.Counters.Bound, result.Counters.Released);
        Assert.Equal(0, result.Counters.Failed);
        Assert.Equal(10, schedule.IdleCount);
    }

    [Fact]
    public async Task Quiet_churn_sleeps_between_events_instead_of_spinning()
    {
        // Guards against a busy main loop: `aether-sim churn --quiet` once burned a whole core at 15 joins/s because,
        // with no progress line, the wait took the never-advanced progress time as due and returned at once, pass
        // after pass. A loop that sleeps until its next token, reply, deadline or phase end makes a few passes per
        // join (plus one per 50 ms at most when idle); a spinning one makes hundreds of thousands in these 2 s. The
        // bound counts passes, not time, so a slow or busy machine cannot make it fail.
        var server = new FakeServer();
        long frequency = TimeProvider.System.TimestampFrequency;
        var schedule = new ChurnSchedule(100, new Random(1), frequency / 10, frequency * 3 / 10);
        var engine = Engine(server, count: 100, release: ReleaseMode.End, rate: 20, schedule: schedule, duration: TimeSpan.FromSeconds(2));

        var result = await RunAsync(engine);

        Assert.True(result.Counters.Bound >= 20, $"only {result.Counters.Bound} joins");
        Assert.Equal(result.Counters.Bound, result.Counters.Released);
        long events = result.Counters.Started + result.Counters.Released;
        Assert.True(engine.LoopPasses <= 2_000 + (10 * events), $"{engine.LoopPasses} loop passes for {events} joins and releases in {result.Elapsed}");
    }

    [Fact]
    public async Task Cancellation_stops_admission_and_reports_it()
    {
        var server = new FakeServer { Silent = true };
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        var result = await RunAsync(server, count: 1_000, release: ReleaseMode.End, rate: 100, timeout: TimeSpan.FromSeconds(5), cancellationToken: cts.Token);

        Assert.True(result.Cancelled);
        Assert.True(result.Counters.Started < 1_000);
        Assert.Equal(result.Counters.Started, result.Counters.Failures[(int)DoraFailure.Cancelled]);
    }

    [Fact]
    public async Task Leases_file_lists_every_bound_subscriber_before_the_first_release()
    {
        using var directory = new TemporaryDirectory();
        var leases = Path.Combine(directory.Path, "leases.csv");
        string[]? seenAtFirstRelease = null;
        var server = new FakeServer { BeforeFirstRelease = () => seenAtFirstRelease = File.Exists(leases) ? File.ReadAllLines(leases) : [] };

        var result = await RunAsync(
            server, count: 120, release: ReleaseMode.End, hold: TimeSpan.FromMilliseconds(300), hooks: Hooks(leases, holdUntil: null));

        Assert.Equal(120, result.Counters.Released);
        Assert.NotNull(seenAtFirstRelease);
        Assert.Equal("mac,circuit_id,remote_id,ip,state", seenAtFirstRelease[0]);
        var expected = result.Sessions.Select(s => $"{SubscriberPlan.FormatMac(s_plan.Mac(s.Slot))},{s_plan.CircuitId(s.Slot)},test,{s.OfferedIp},bound");
        Assert.Equal(expected.Order(StringComparer.Ordinal), seenAtFirstRelease.Skip(1).Order(StringComparer.Ordinal));
        Assert.False(File.Exists(leases + ".tmp"));
    }

    [Fact]
    public async Task Hold_ends_when_the_hold_until_file_appears()
    {
        using var directory = new TemporaryDirectory();
        var leases = Path.Combine(directory.Path, "leases.csv");
        var go = Path.Combine(directory.Path, "go");
        var server = new FakeServer();
        var snapshots = new List<ProgressSnapshot>();
        long releasedBeforeGo = -1;
        var watcher = Task.Run(async () =>
        {
            // What the lab's load script does: wait for the held leases, check them, then let the simulator go.
            while (!File.Exists(leases))
            {
                await Task.Delay(50);
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
            releasedBeforeGo = server.Releases;
            await File.WriteAllTextAsync(go, "");
        });
        var clock = Stopwatch.StartNew();

        var result = await RunAsync(
            server, count: 80, release: ReleaseMode.End, hold: TimeSpan.FromSeconds(60), hooks: Hooks(leases, go), progress: snapshots.Add);

        await watcher.WaitAsync(s_runTimeout);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"the run took {clock.Elapsed} with a 60 s hold");
        Assert.Equal(0, releasedBeforeGo);
        Assert.Equal(80, result.Counters.Released);
        Assert.Equal(80, server.Releases);
        Assert.False(result.Cancelled);
        Assert.Contains(snapshots, s => s.Phase == "holding" && s.HoldLeft > TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Hold_without_its_file_ends_when_the_hold_elapses()
    {
        using var directory = new TemporaryDirectory();
        var server = new FakeServer();
        var clock = Stopwatch.StartNew();

        var result = await RunAsync(
            server, count: 40, release: ReleaseMode.End, hold: TimeSpan.FromSeconds(1.5),
            hooks: Hooks(Path.Combine(directory.Path, "leases.csv"), Path.Combine(directory.Path, "never")));

        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(30));
        Assert.Equal(40, result.Counters.Released);
        Assert.False(result.Cancelled);
    }

    [Fact]
    public async Task Cancellation_ends_a_hold_that_waits_for_its_file()
    {
        using var directory = new TemporaryDirectory();
        var never = Path.Combine(directory.Path, "never");
        using var cts = new CancellationTokenSource();
        var server = new FakeServer();
        var clock = Stopwatch.StartNew();

        var result = await RunAsync(
            server, count: 40, release: ReleaseMode.End, hold: TimeSpan.FromSeconds(60),
            hooks: new HoldHooks(_ => cts.CancelAfter(TimeSpan.FromMilliseconds(300)), () => File.Exists(never)),
            cancellationToken: cts.Token);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"the run took {clock.Elapsed} with a 60 s hold");
        Assert.True(result.Cancelled);
        Assert.Equal(40, result.Counters.Bound);
        Assert.Equal(40, result.Counters.Released);
    }

    /// <summary>The hooks the command wires for --leases and --hold-until.</summary>
    private static HoldHooks Hooks(string leases, string? holdUntil)
    {
        var request = new LoadRequest
        {
            Churn = false,
            Mode = TransportMode.L2,
            Interface = "fake",
            Count = 1,
            Concurrency = 1,
            Timeout = TimeSpan.FromSeconds(1),
            Retries = 1,
            RemoteId = "test",
            MacPrefix = "02:5a",
            Duration = TimeSpan.FromSeconds(30),
            LeasesPath = leases,
            HoldUntil = holdUntil,
        };
        return new LoadRunner(NullLoggerFactory.Instance, TextWriter.Null, TimeProvider.System).Hooks(request, s_plan);
    }

    private static async Task<LoadResult> RunAsync(
        FakeServer server,
        int count,
        ReleaseMode release,
        double rate = 0,
        int concurrency = 32,
        SubscriberSchedule? schedule = null,
        TimeSpan? duration = null,
        TimeSpan? timeout = null,
        TimeSpan? hold = null,
        HoldHooks? hooks = null,
        Action<ProgressSnapshot>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var engine = Engine(server, count, release, rate, concurrency, schedule, duration, timeout, hold, hooks, progress);
        return await RunAsync(engine, cancellationToken);
    }

    private static async Task<LoadResult> RunAsync(LoadEngine engine, CancellationToken cancellationToken = default) =>
        await Task.Run(() => engine.Run(cancellationToken), CancellationToken.None).WaitAsync(s_runTimeout, CancellationToken.None);

    private static LoadEngine Engine(
        FakeServer server,
        int count,
        ReleaseMode release,
        double rate = 0,
        int concurrency = 32,
        SubscriberSchedule? schedule = null,
        TimeSpan? duration = null,
        TimeSpan? timeout = null,
        TimeSpan? hold = null,
        HoldHooks? hooks = null,
        Action<ProgressSnapshot>? progress = null)
    {
        var messages = new ClientMessages(s_plan, new ClientMessageShape(Ipv4Address.Any, 0, false, true));
        var settings = new EngineSettings(
            count, concurrency, rate, TokenBucket.DefaultBurst(rate), timeout ?? TimeSpan.FromMilliseconds(30), 1,
            duration ?? TimeSpan.FromSeconds(30), release, 5_000, hold ?? TimeSpan.Zero, 7, TimeSpan.FromMilliseconds(100));
        return new LoadEngine(
            settings, schedule ?? new SequentialSchedule(count, release == ReleaseMode.Immediate), messages, server, TimeProvider.System, NullLogger.Instance, progress, hooks);
    }

    private sealed class TemporaryDirectory : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("aether-sim-hold-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }

    /// <summary>Answers DISCOVER with OFFER and REQUEST with ACK (or NAK) on the caller's thread, as a fast server would.</summary>
    private sealed class FakeServer : IDhcpTransport
    {
        private static readonly Ipv4Address s_serverId = Ipv4Address.Parse("198.18.0.1");
        private Action<DoraReply>? _onReply;
        private readonly HashSet<uint> _dropped = [];
        private uint _nextAddress = Ipv4Address.Parse("100.64.0.10").Value;
        private int _releases;

        public bool Silent { get; init; }

        public bool Nak { get; init; }

        public bool RefuseSends { get; init; }

        public int DropEveryNthDiscover { get; init; }

        /// <summary>Called on the engine thread as the first RELEASE arrives.</summary>
        public Action? BeforeFirstRelease { get; init; }

        /// <summary>RELEASEs received; read from any thread.</summary>
        public int Releases => Volatile.Read(ref _releases);

        public string Description => "fake";

        public long Ignored => 0;

        public void Start(Action<DoraReply> onReply) => _onReply = onReply;

        public bool Send(DoraSession session, DhcpMessageType type, ReadOnlySpan<byte> payload)
        {
            if (RefuseSends)
            {
                return false;
            }

            Assert.Equal(DhcpParseError.None, DhcpPacket.TryParse(payload, out var packet));
            Assert.Equal(type, packet.MessageType);
            ulong mac = Load.SubscriberPlan.PackMac(packet.ClientHardwareAddress);
            long now = TimeProvider.System.GetTimestamp();
            switch (type)
            {
                case DhcpMessageType.Discover when Silent:
                    break;
                case DhcpMessageType.Discover:
                    // The first DISCOVER of every n-th subscriber is lost; its retransmission gets through.
                    if (DropEveryNthDiscover > 0 && (packet.TransactionId & 0xFFFFF) % DropEveryNthDiscover == 0 && _dropped.Add(packet.TransactionId))
                    {
                        break;
                    }

                    _onReply!(new DoraReply(packet.TransactionId, mac, DhcpMessageType.Offer, new Ipv4Address(_nextAddress++), s_serverId, 1, now));
                    break;
                case DhcpMessageType.Request:
                    Assert.True(packet.TryGetIpv4Option(DhcpOptionCode.RequestedIpAddress, out var requested));
                    _onReply!(new DoraReply(packet.TransactionId, mac, Nak ? DhcpMessageType.Nak : DhcpMessageType.Ack, Nak ? Ipv4Address.Any : requested, s_serverId, 1, now));
                    break;
                case DhcpMessageType.Release:
                    if (_releases == 0)
                    {
                        BeforeFirstRelease?.Invoke();
                    }

                    Interlocked.Increment(ref _releases);
                    break;
            }

            return true;
        }

        public void Dispose()
        {
        }
    }
}
