namespace Aether.Events;

/// <summary>The subscriber lifecycle event types carried on the event stream.</summary>
public static class EventTypes
{
    public const string SessionStart = "SESSION_START";
    public const string SessionUpdate = "SESSION_UPDATE";
    public const string SessionStop = "SESSION_STOP";
    public const string PolicyApply = "POLICY_APPLY";
    public const string RouterUpdate = "ROUTER_UPDATE";
    public const string BngHealthUpdate = "BNG_HEALTH_UPDATE";

    /// <summary>Every type this version knows, in a stable order.</summary>
    public static IReadOnlyList<string> All { get; } =
        [SessionStart, SessionUpdate, SessionStop, PolicyApply, RouterUpdate, BngHealthUpdate];
}
