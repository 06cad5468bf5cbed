using Aether.GraphQL.Internal.Data;

namespace Aether.GraphQL.Internal.Provisioning;

internal sealed record CustomerInput(string Name, string Email, string? Phone, string? Address);

internal sealed record PlanInput(string Name, long DownloadKbps, long UploadKbps, long? BurstKbps);

/// <summary>A subscriber identity: an explicit RADIUS User-Name, or the parts the User-Name template is made of.</summary>
internal sealed record SubscriberIdentity(string? Username, string? BngId, string? RemoteId, string? CircuitId);

internal sealed record ServiceInput(long CustomerId, long PlanId, SubscriberIdentity Identity, string Status);

internal sealed record SessionFailure(string SessionId, string Message);

internal sealed record RateChangeReport(int SessionsUpdated, IReadOnlyList<SessionFailure> Failures)
{
    public static readonly RateChangeReport None = new(0, []);
}

internal sealed record PlanUpdateResult(PlanRow Plan, int RadiusUsersUpdated, RateChangeReport Rates);

internal sealed record PlanAssignmentResult(ServiceRow Service, bool Created, RateChangeReport Rates);

internal sealed record RadiusSyncResult(int Written, int Removed);

/// <summary>Rows to write to and remove from RADIUS after an OSS change.</summary>
internal sealed record RadiusChange(IReadOnlyCollection<RadiusSubscriber> Write, IReadOnlyCollection<string> Remove)
{
    public static readonly RadiusChange None = new([], []);

    public bool IsEmpty => Write.Count == 0 && Remove.Count == 0;
}

internal static class ServiceStatus
{
    public const string Active = "ACTIVE";
    public const string Suspended = "SUSPENDED";

    public static bool IsValid(string status) => status is Active or Suspended;
}
