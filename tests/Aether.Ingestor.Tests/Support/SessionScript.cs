using Aether.Events;

namespace Aether.Ingestor.Tests.Support;

/// <summary>Builds the lifecycle events one BNG instance reports, with consecutive sequence numbers.</summary>
public sealed class SessionScript(string bngId = "bng-01", string instanceId = "i-1", DateTimeOffset? start = null)
{
    private ulong _seq;
    private DateTimeOffset _time = start ?? new DateTimeOffset(2030, 1, 15, 12, 0, 0, TimeSpan.Zero);

    public string BngId { get; } = bngId;

    public string InstanceId { get; } = instanceId;

    public static SessionInfo Info(int n, long downloadKbps = 20_000, long uploadKbps = 10_000, DateTimeOffset? started = null) => new()
    {
        Mac = $"02:00:00:00:{n / 256 % 256:x2}:{n % 256:x2}",
        Ip = $"100.64.{n / 256 % 256}.{n % 256}",
        CircuitId = $"eth0/1/{n}",
        RemoteId = $"cpe-{n}",
        RelayId = "relay-1",
        Username = $"user{n}",
        Interface = "eth1",
        DownloadKbps = downloadKbps,
        UploadKbps = uploadKbps,
        Started = started ?? new DateTimeOffset(2030, 1, 15, 12, 0, 0, TimeSpan.Zero),
    };

    public AetherEvent Start(string sessionId, int n) => Next(EventTypes.SessionStart) with { SessionId = sessionId, Session = Info(n, started: _time) };

    public AetherEvent Policy(string sessionId, int n, long downloadKbps, long uploadKbps) =>
        Next(EventTypes.PolicyApply) with { SessionId = sessionId, Session = Info(n, downloadKbps, uploadKbps) };

    public AetherEvent Update(string sessionId, long bytesUp, long bytesDown, long packetsUp, long packetsDown) =>
        Next(EventTypes.SessionUpdate) with { SessionId = sessionId, Counters = new TrafficCounters(bytesUp, bytesDown, packetsUp, packetsDown) };

    public AetherEvent Stop(string sessionId, long bytesUp, long bytesDown, long packetsUp, long packetsDown, string cause = "User-Request") =>
        Next(EventTypes.SessionStop) with { SessionId = sessionId, Counters = new TrafficCounters(bytesUp, bytesDown, packetsUp, packetsDown), Cause = cause };

    public AetherEvent Router(string routerId, string giaddr, string state) =>
        Next(EventTypes.RouterUpdate) with { Router = new AccessRouter(routerId, giaddr, BngId, state) };

    public AetherEvent Health(double cpu, long memory, int sessions) =>
        Next(EventTypes.BngHealthUpdate) with { Health = new BngHealth(cpu, memory, 1L << 30, sessions) };

    private AetherEvent Next(string type)
    {
        _time = _time.AddSeconds(10);
        return new AetherEvent { Type = type, BngId = BngId, InstanceId = InstanceId, Seq = ++_seq, Time = _time };
    }
}
