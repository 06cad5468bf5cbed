using System.Net;
using System.Text;
using System.Text.Json;
using Aether.Events;
using Aether.Storage;

namespace Aether.Ingestor.Internal;

/// <summary>Turns a message body into an <see cref="EventRecord"/>, or says why it cannot be one.</summary>
internal static class EventDecoder
{
    public static bool TryDecode(ReadOnlySpan<byte> body, out EventRecord? record, out string? error)
    {
        record = null;
        AetherEvent e;
        try
        {
            e = AetherEventJson.Deserialize(body);
        }
        catch (JsonException ex)
        {
            error = $"not an event: {ex.Message}";
            return false;
        }

        error = Validate(e);
        if (error is not null)
        {
            return false;
        }

        // The body is logged as published (members this version does not know included); PostgreSQL's jsonb cannot
        // hold a NUL character, which no valid event carries.
        var json = Encoding.UTF8.GetString(body);
        if (json.Contains("\\u0000", StringComparison.Ordinal))
        {
            error = "contains a NUL character";
            return false;
        }

        record = EventRecord.From(e, json);
        return true;
    }

    private static string? Validate(AetherEvent e)
    {
        if (string.IsNullOrEmpty(e.BngId) || string.IsNullOrEmpty(e.InstanceId) || string.IsNullOrEmpty(e.Type))
        {
            return "bng_id, instance_id and type must be non-empty";
        }

        if (e.Seq > long.MaxValue)
        {
            return "seq is beyond the range the log stores";
        }

        switch (e.Type)
        {
            case EventTypes.SessionStart or EventTypes.PolicyApply:
                if (string.IsNullOrEmpty(e.SessionId) || e.Session is null)
                {
                    return $"{e.Type} needs session_id and session";
                }

                if (!IPAddress.TryParse(e.Session.Ip, out _))
                {
                    return $"session ip '{e.Session.Ip}' is not an IP address";
                }

                if (e.Session.DownloadKbps < 0 || e.Session.UploadKbps < 0)
                {
                    return "rates must not be negative";
                }

                break;
            case EventTypes.SessionUpdate:
                if (string.IsNullOrEmpty(e.SessionId) || e.Counters is null)
                {
                    return $"{e.Type} needs session_id and counters";
                }

                break;
            case EventTypes.SessionStop:
                if (string.IsNullOrEmpty(e.SessionId))
                {
                    return $"{e.Type} needs session_id";
                }

                break;
            case EventTypes.RouterUpdate:
                if (e.Router is null || string.IsNullOrEmpty(e.Router.RouterId))
                {
                    return $"{e.Type} needs router with router_id";
                }

                if (e.Router.Giaddr is not null && !IPAddress.TryParse(e.Router.Giaddr, out _))
                {
                    return $"router giaddr '{e.Router.Giaddr}' is not an IP address";
                }

                break;
            case EventTypes.BngHealthUpdate:
                if (e.Health is null || !double.IsFinite(e.Health.CpuPercent))
                {
                    return $"{e.Type} needs health";
                }

                break;
        }

        return null;
    }
}
