using System.Net;
using Aether.Contracts.Agent.V1;
using Aether.Controller.Agents;
using Aether.Events;
using Aether.Storage;

namespace Aether.Controller.Sessions;

/// <summary>
/// Access routers (relays) as subscribers' DHCP reveals them: the relay-id the access router wrote in Option 82
/// (RFC 6925), or without one the giaddr the agent relayed with. A ROUTER_UPDATE goes out the first time a router is
/// seen and when its attributes change, not for every packet. It is identified by the agent's instance and the seq of
/// the report that showed the router, under its own instance id ("routers-" + instance), so a replayed report
/// republishes the same message and JetStream drops it.
/// </summary>
internal sealed partial class AccessRouters
{
    public const string InstancePrefix = "routers-";
    public const string Up = "UP";
    private static readonly TimeSpan LoadTimeout = TimeSpan.FromSeconds(5);

    private readonly Dictionary<string, AccessRouter> _known = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _loading = new(1, 1);
    private readonly IEventPublisher _events;
    private readonly AgentReportLog _log;
    private readonly ILogger<AccessRouters> _logger;
    private volatile bool _loaded;

    public AccessRouters(IEventPublisher events, AgentReportLog log, ILogger<AccessRouters> logger)
    {
        _events = events;
        _log = log;
        _logger = logger;
    }

    /// <summary>The access router a subscriber's DHCP came through; null when neither a relay-id nor a giaddr names one.</summary>
    public static AccessRouter? From(string bngId, SubscriberIdentity? subscriber)
    {
        if (subscriber is null)
        {
            return null;
        }
        var giaddr = IPAddress.TryParse(subscriber.Giaddr, out var address) && !address.Equals(IPAddress.Any) ? address.ToString() : null;
        var routerId = !string.IsNullOrWhiteSpace(subscriber.AccessRelayId) ? subscriber.AccessRelayId : giaddr;
        return routerId is null ? null : new AccessRouter(routerId, giaddr, bngId, Up);
    }

    /// <summary>Publishes ROUTER_UPDATE when the router the subscriber came through is new or has changed.</summary>
    public async ValueTask ObserveAsync(AgentConnection connection, SubscriberIdentity? subscriber, ulong seq, DateTimeOffset time, CancellationToken ct)
    {
        if (From(connection.BngId, subscriber) is not { } router)
        {
            return;
        }
        await EnsureLoadedAsync(ct);
        AccessRouter? previous;
        lock (_lock)
        {
            if (_known.TryGetValue(router.RouterId, out previous) && previous == router)
            {
                return;
            }
            _known[router.RouterId] = router;
        }
        try
        {
            await _events.PublishAsync(new AetherEvent
            {
                Type = EventTypes.RouterUpdate,
                BngId = connection.BngId,
                InstanceId = InstancePrefix + connection.InstanceId,
                Seq = seq,
                Time = time,
                Router = router,
            }, ct);
        }
        catch
        {
            // Not published: the next sighting tries again.
            lock (_lock)
            {
                if (_known.GetValueOrDefault(router.RouterId) == router)
                {
                    if (previous is null)
                    {
                        _known.Remove(router.RouterId);
                    }
                    else
                    {
                        _known[router.RouterId] = previous;
                    }
                }
            }
            throw;
        }
        if (previous is null)
        {
            LogRouterNew(router.RouterId, router.BngId, router.Giaddr ?? "");
        }
        else
        {
            LogRouterChanged(router.RouterId, previous.BngId, router.BngId, previous.Giaddr ?? "", router.Giaddr ?? "");
        }
    }

    /// <summary>What the read model already holds, once, so a restarted controller does not announce every router again.</summary>
    private async ValueTask EnsureLoadedAsync(CancellationToken ct)
    {
        if (_loaded)
        {
            return;
        }
        await _loading.WaitAsync(ct);
        try
        {
            if (_loaded)
            {
                return;
            }
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(LoadTimeout);
            try
            {
                var rows = await _log.AccessRoutersAsync(timeout.Token);
                lock (_lock)
                {
                    foreach (var row in rows)
                    {
                        _known.TryAdd(row.RouterId, new AccessRouter(row.RouterId, row.Giaddr, row.BngId, row.State));
                    }
                }
                LogLoaded(rows.Count);
            }
            catch (Exception ex) when (ex is Npgsql.NpgsqlException or OperationCanceledException && !ct.IsCancellationRequested)
            {
                // Without them a known router is announced once more: harmless, the read model keeps the newest.
                LogLoadFailed(ex.Message);
            }
            _loaded = true;
        }
        finally
        {
            _loading.Release();
        }
    }

    [LoggerMessage(EventId = 2210, Level = LogLevel.Information, Message = "ROUTER_UPDATE: access router {RouterId} seen on {BngId} (giaddr {Giaddr})")]
    private partial void LogRouterNew(string routerId, string bngId, string giaddr);

    [LoggerMessage(EventId = 2211, Level = LogLevel.Information, Message = "ROUTER_UPDATE: access router {RouterId} changed: bng {OldBngId} -> {BngId}, giaddr {OldGiaddr} -> {Giaddr}")]
    private partial void LogRouterChanged(string routerId, string oldBngId, string bngId, string oldGiaddr, string giaddr);

    [LoggerMessage(EventId = 2212, Level = LogLevel.Debug, Message = "{Count} access routers known from the read model")]
    private partial void LogLoaded(int count);

    [LoggerMessage(EventId = 2213, Level = LogLevel.Warning, Message = "Access routers could not be read from the read model ({Reason}); routers already known are announced again")]
    private partial void LogLoadFailed(string reason);
}
