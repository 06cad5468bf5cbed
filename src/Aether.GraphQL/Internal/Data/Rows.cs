namespace Aether.GraphQL.Internal.Data;

/// <summary>One page of a keyset-paged list; <see cref="TotalCount"/> is counted only when asked for.</summary>
internal sealed record Connection<T>(IReadOnlyList<T> Nodes, PageInfo PageInfo, int? TotalCount);

internal sealed record PageInfo(bool HasNextPage, string? EndCursor);

internal sealed record HistoricSessionRow(
    string SessionId, string BngId, string Mac, string Ip, string CircuitId, string RemoteId, string? RelayId, string? Username,
    long DownloadKbps, long UploadKbps, long BytesUp, long BytesDown, long PacketsUp, long PacketsDown,
    DateTime Started, DateTime Stopped, string? Cause);

internal sealed record BngRow(string BngId, string InstanceId, DateTime FirstSeen, DateTime LastSeen, BngHealthSampleRow? Health, int ActiveSessions);

internal sealed record BngHealthSampleRow(DateTime Time, double CpuPercent, long MemoryBytes, long MemoryLimitBytes, int SessionCount);

internal sealed record AccessRouterRow(string RouterId, string? Giaddr, string BngId, string State, DateTime UpdatedAt);

internal sealed record CustomerRow(long CustomerId, string Name, string Email, string? Phone, string? Address, DateTime CreatedAt, DateTime UpdatedAt);

internal sealed record PlanRow(long PlanId, string Name, long DownloadKbps, long UploadKbps, long? BurstKbps, DateTime CreatedAt);

internal sealed record ServiceRow(
    long ServiceId, long CustomerId, long PlanId, string? CircuitId, string? RemoteId, string? Username, string Status,
    DateTime CreatedAt, DateTime UpdatedAt);

internal sealed record TrafficPointRow(DateTime Time, long BytesUp, long BytesDown, double UpBps, double DownBps, double UpBpsAvg5m, double DownBpsAvg5m);

internal sealed record TrafficRateRow(double UpBps, double DownBps, double UpPps, double DownPps, DateTime? LastSample)
{
    public static readonly TrafficRateRow Idle = new(0, 0, 0, 0, null);
}

internal sealed record RadiusAttributeRow(int Id, string Username, string Attribute, string Op, string Value);

internal sealed record RadiusGroupRow(int Id, string Username, string GroupName, int Priority);

internal sealed record RadiusProfile(
    long CustomerId, IReadOnlyList<string> Usernames, IReadOnlyList<RadiusAttributeRow> Check,
    IReadOnlyList<RadiusAttributeRow> Reply, IReadOnlyList<RadiusGroupRow> Groups);

internal enum SessionSortField
{
    Started,
    UpdatedAt,
    Ip,
    Mac,
    BngId,
    CircuitId,
    BytesDown,
    BytesUp,
}

internal enum SortDirection
{
    Asc,
    Desc,
}

internal sealed record SessionQuery(
    string? BngId = null, long? CustomerId = null, string? State = null, string? Ip = null, string? Mac = null,
    SessionSortField Sort = SessionSortField.Started, SortDirection Direction = SortDirection.Asc);

internal sealed record HistoryQuery(string? BngId, long? CustomerId, string? Ip, string? Mac, DateTime? From, DateTime? To);

internal sealed record EventQuery(string? SessionId, string? BngId, IReadOnlyList<string>? Types, DateTime? From, DateTime? To);

internal readonly record struct HealthSeriesKey(string BngId, DateTime From, DateTime To);
