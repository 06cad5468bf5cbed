using Aether.Events;

namespace Aether.GraphQL.Internal.Events;

/// <summary>A counter report of one session, with the rate since the previous report this server saw.</summary>
internal sealed record TrafficUpdate(
    string SessionId, string BngId, DateTimeOffset Time, long BytesUp, long BytesDown, long PacketsUp, long PacketsDown,
    double? UpBps, double? DownBps, bool Final);

/// <summary>A BNG agent's health report.</summary>
internal sealed record BngHealthReport(
    string BngId, string InstanceId, DateTimeOffset Time, double CpuPercent, long MemoryBytes, long MemoryLimitBytes, int SessionCount);

/// <summary>One event from the stream, with what the subscriptions derive from it computed once.</summary>
internal sealed record LiveEvent(AetherEvent Event, TrafficUpdate? Traffic, BngHealthReport? Health);
