namespace Aether.GraphQL.Internal.Provisioning;

/// <summary>A field of an update: left out (unchanged) or given, possibly as null (cleared).</summary>
internal readonly record struct Optional<T>(bool IsSet, T Value)
{
    public static Optional<T> Unset => default;

    public static Optional<T> Of(T value) => new(true, value);
}

internal sealed record CustomerUpdate(Optional<string?> Name, Optional<string?> Email, Optional<string?> Phone, Optional<string?> Address);

internal sealed record PlanUpdate(Optional<string?> Name, Optional<long?> DownloadKbps, Optional<long?> UploadKbps, Optional<long?> BurstKbps);

internal sealed record ServiceUpdate(Optional<long?> PlanId, SubscriberIdentity? Identity, Optional<string?> Status);
