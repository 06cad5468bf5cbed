using Aether.Dhcp;
using Aether.Simulator.Load;
using Microsoft.Extensions.Logging.Abstractions;

namespace Aether.Simulator.Tests;

/// <summary>The engine against an in-process server that answers, drops or refuses on cue.</summary>
public sealed class LoadEngineTests
{
    private static readonly TimeSpan s_runTimeout = TimeSpan.FromSeconds(60);

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
    public async Task Cancellation_stops_admission_and_reports_it()
    {
        var server = new FakeServer { Silent = true };
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        var result = await RunAsync(server, count: 1_000, release: ReleaseMode.End, rate: 100, timeout: TimeSpan.FromSeconds(5), cancellationToken: cts.Token);

        Assert.True(result.Cancelled);
        Assert.True(result.Counters.Started < 1_000);
        Assert.Equal(result.Counters.Started, result.Counters.Failures[(int)DoraFailure.Cancelled]);
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
        CancellationToken cancellationToken = default)
    {
        var plan = new SubscriberPlan([0x02, 0x5a], "test", 0);
        var messages = new ClientMessages(plan, new ClientMessageShape(Ipv4Address.Any, 0, false, true));
        var settings = new EngineSettings(
            count, concurrency, rate, TokenBucket.DefaultBurst(rate), timeout ?? TimeSpan.FromMilliseconds(30), 1,
            duration ?? TimeSpan.FromSeconds(30), release, 5_000, TimeSpan.Zero, 7, TimeSpan.FromMilliseconds(100));
        var engine = new LoadEngine(
            settings, schedule ?? new SequentialSchedule(count, release == ReleaseMode.Immediate), messages, server, TimeProvider.System, NullLogger.Instance);
        return await Task.Run(() => engine.Run(cancellationToken), CancellationToken.None).WaitAsync(s_runTimeout, CancellationToken.None);
    }

    /// <summary>Answers DISCOVER with OFFER and REQUEST with ACK (or NAK) on the caller's thread, as a fast server would.</summary>
    private sealed class FakeServer : IDhcpTransport
    {
        private static readonly Ipv4Address s_serverId = Ipv4Address.Parse("198.18.0.1");
        private Action<DoraReply>? _onReply;
        private readonly HashSet<uint> _dropped = [];
        private uint _nextAddress = Ipv4Address.Parse("100.64.0.10").Value;

        public bool Silent { get; init; }

        public bool Nak { get; init; }

        public bool RefuseSends { get; init; }

        public int DropEveryNthDiscover { get; init; }

        public int Releases { get; private set; }

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
                    Releases++;
                    break;
            }

            return true;
        }

        public void Dispose()
        {
        }
    }
}
