using Aether.Contracts.Agent.V1;
using Aether.Controller.Agents;
using Aether.Storage;

namespace Aether.Controller.Sessions;

/// <summary>
/// Commands for live sessions (Disconnect, rate change), delivered to the agent that holds the session:
/// directly when it is connected to this controller, otherwise through the command bus to the controller
/// that has it.
/// </summary>
internal sealed partial class SessionCommands
{
    private readonly SessionDirectory _directory;
    private readonly SessionReadModel _readModel;
    private readonly AgentCommandBus _bus;
    private readonly Tombstones _tombstones;
    private readonly ILogger<SessionCommands> _logger;

    public SessionCommands(SessionDirectory directory, SessionReadModel readModel, AgentCommandBus bus, Tombstones tombstones, ILogger<SessionCommands> logger)
    {
        _directory = directory;
        _readModel = readModel;
        _bus = bus;
        _tombstones = tombstones;
        _logger = logger;
    }

    public async Task<SessionLocation> DisconnectAsync(string sessionId, string? cause, CancellationToken ct)
    {
        var location = await LocateAsync(sessionId, ct);
        var effectiveCause = string.IsNullOrWhiteSpace(cause) ? "Admin-Reset" : cause;
        _tombstones.Add(location.BngId, location.Mac, location.Ip);
        await _bus.SendAsync(location.BngId, new ControllerMessage
        {
            PolicyRemove = new PolicyRemove { SessionId = sessionId, Ip = location.Ip, Cause = effectiveCause },
        }, ct);
        LogDisconnect(sessionId, location.BngId, location.Mac, location.Ip, effectiveCause);
        return location;
    }

    public async Task<SessionLocation> ChangeRateAsync(string sessionId, ShapingPolicy policy, CancellationToken ct)
    {
        var location = await LocateAsync(sessionId, ct);
        await _bus.SendAsync(location.BngId, new ControllerMessage
        {
            PolicyApply = new PolicyApply { SessionId = sessionId, Ip = location.Ip, Policy = policy },
        }, ct);
        LogChangeRate(sessionId, location.BngId, policy.DownloadKbps, policy.UploadKbps);
        return location;
    }

    public async Task<SessionLocation> LocateAsync(string sessionId, CancellationToken ct)
    {
        if (_directory.Find(sessionId) is { } live)
        {
            return new SessionLocation(sessionId, live.BngId, live.State.Subscriber.Mac, live.State.Ip);
        }
        var row = await _readModel.GetActiveAsync(sessionId, ct)
            ?? throw new SessionNotFoundException(sessionId);
        return new SessionLocation(sessionId, row.BngId, row.Mac, row.Ip);
    }

    [LoggerMessage(EventId = 2400, Level = LogLevel.Information, Message = "Disconnect session {SessionId} on {BngId}: mac={Mac} ip={Ip} cause={Cause}")]
    private partial void LogDisconnect(string sessionId, string bngId, string mac, string ip, string cause);

    [LoggerMessage(EventId = 2401, Level = LogLevel.Information, Message = "Rate change for session {SessionId} on {BngId}: down {DownKbps} kbit/s up {UpKbps} kbit/s")]
    private partial void LogChangeRate(string sessionId, string bngId, ulong downKbps, ulong upKbps);
}

internal sealed record SessionLocation(string SessionId, string BngId, string Mac, string Ip);

internal sealed class SessionNotFoundException(string sessionId) : Exception($"no active session {sessionId}")
{
    public string SessionId { get; } = sessionId;
}

internal sealed class AgentUnavailableException(string bngId) : Exception($"agent {bngId} is not connected to any controller")
{
    public string BngId { get; } = bngId;
}
