namespace Aether.Events;

/// <summary>Where lifecycle events are published and how the JetStream stream that keeps them is shaped.</summary>
public sealed class EventStreamOptions
{
    public string Url { get; set; } = "nats://127.0.0.1:4222";
    public string StreamName { get; set; } = "AETHER_EVENTS";
    public string SubjectPrefix { get; set; } = "aether.events";

    /// <summary>How long JetStream remembers message ids to drop a republished event.</summary>
    public TimeSpan DuplicateWindow { get; set; } = TimeSpan.FromMinutes(10);

    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(7);
    public int Replicas { get; set; } = 1;

    /// <summary>Upper bound of the stream's size on disk; -1 for none.</summary>
    public long MaxBytes { get; set; } = -1;

    /// <summary>Connection name shown by the server's monitoring.</summary>
    public string ClientName { get; set; } = "aether";

    /// <summary>First delay between publish attempts while NATS is unreachable; it doubles up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Every problem with these options, so one start reports them all.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!Uri.TryCreate(Url, UriKind.Absolute, out var url) || (url.Scheme is not ("nats" or "tls" or "ws" or "wss")))
        {
            errors.Add($"Url '{Url}' is not a nats://, tls://, ws:// or wss:// address.");
        }

        if (string.IsNullOrWhiteSpace(StreamName) || StreamName.AsSpan().IndexOfAny(". *>/\\") >= 0)
        {
            errors.Add($"StreamName '{StreamName}' must be non-empty without '.', ' ', '*', '>', '/' or '\\'.");
        }

        if (!EventSubjects.IsValidPrefix(SubjectPrefix))
        {
            errors.Add($"SubjectPrefix '{SubjectPrefix}' must be dot-separated non-empty tokens without wildcards or spaces.");
        }

        if (DuplicateWindow <= TimeSpan.Zero)
        {
            errors.Add("DuplicateWindow must be positive.");
        }

        if (MaxAge <= TimeSpan.Zero)
        {
            errors.Add("MaxAge must be positive.");
        }
        else if (MaxAge < DuplicateWindow)
        {
            errors.Add("MaxAge must not be shorter than DuplicateWindow.");
        }

        if (Replicas is < 1 or > 5)
        {
            errors.Add("Replicas must be between 1 and 5.");
        }

        if (MaxBytes is 0 or < -1)
        {
            errors.Add("MaxBytes must be positive, or -1 for no limit.");
        }

        if (RetryDelay <= TimeSpan.Zero || MaxRetryDelay < RetryDelay)
        {
            errors.Add("RetryDelay must be positive and not above MaxRetryDelay.");
        }

        return errors;
    }
}
