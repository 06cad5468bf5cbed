namespace Aether.Storage.Internal;

// The event type names as they appear in the log (Aether.Events.EventTypes; this library does not depend on it).
internal static class StoredEventTypes
{
    public const string SessionStart = "SESSION_START";
    public const string SessionUpdate = "SESSION_UPDATE";
    public const string SessionStop = "SESSION_STOP";
    public const string PolicyApply = "POLICY_APPLY";
    public const string RouterUpdate = "ROUTER_UPDATE";
    public const string BngHealthUpdate = "BNG_HEALTH_UPDATE";
}
