using System.Diagnostics;

namespace Aether.Observability;

/// <summary>
/// The ActivitySource every Aether process traces with, and W3C trace context (traceparent) carried where no
/// instrumentation carries it: inside agent stream messages (one long gRPC call) and in NATS headers.
/// </summary>
public static class AetherTracing
{
    public const string SourceName = "Aether";

    /// <summary>The NATS header and protobuf field name for W3C trace context.</summary>
    public const string TraceparentHeader = "traceparent";

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>The W3C traceparent of <paramref name="activity"/>, or an empty string when there is none.</summary>
    public static string Traceparent(Activity? activity) =>
        activity is { IdFormat: ActivityIdFormat.W3C, Id: { } id } ? id : string.Empty;

    /// <summary>Starts a span continuing <paramref name="traceparent"/> when it parses, else under the current activity (or as a root).</summary>
    public static Activity? StartActivity(string name, ActivityKind kind, string? traceparent)
    {
        if (!string.IsNullOrEmpty(traceparent) && ActivityContext.TryParse(traceparent, null, out var parent))
        {
            return Source.StartActivity(name, kind, parent);
        }

        return Source.StartActivity(name, kind);
    }
}
