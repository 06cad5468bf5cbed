namespace Aether.Ingestor;

/// <summary>How the ingestor consumes the event stream.</summary>
public sealed class IngestorOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>Durable consumer name; processes sharing it share the work.</summary>
    public string Durable { get; set; } = "ingestor";

    /// <summary>Most events written in one transaction.</summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>Longest wait for a batch to fill before writing what has arrived.</summary>
    public TimeSpan MaxWait { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How long the server waits for an ack before redelivering. Progress is signalled while a write retries.</summary>
    public TimeSpan AckWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Most events delivered and not yet acknowledged, across every process sharing the durable.</summary>
    public int MaxAckPending { get; set; } = 20_000;

    /// <summary>First delay after a failed write or fetch; doubles up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Durable) || Durable.AsSpan().IndexOfAny(". *>/\\") >= 0)
        {
            errors.Add($"Durable '{Durable}' must be non-empty without '.', ' ', '*', '>', '/' or '\\'.");
        }

        if (BatchSize is < 1 or > 10_000)
        {
            errors.Add("BatchSize must be between 1 and 10000.");
        }

        if (MaxWait <= TimeSpan.Zero)
        {
            errors.Add("MaxWait must be positive.");
        }

        if (AckWait < TimeSpan.FromSeconds(1))
        {
            errors.Add("AckWait must be at least one second.");
        }

        if (MaxAckPending < BatchSize)
        {
            errors.Add("MaxAckPending must not be below BatchSize.");
        }

        if (RetryDelay <= TimeSpan.Zero || MaxRetryDelay < RetryDelay)
        {
            errors.Add("RetryDelay must be positive and not above MaxRetryDelay.");
        }

        return errors;
    }
}
