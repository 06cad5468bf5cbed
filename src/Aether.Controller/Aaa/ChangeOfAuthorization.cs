using System.Net;
using Aether.Contracts.Agent.V1;
using Aether.Controller.Sessions;
using Aether.Observability;
using Aether.Radius;
using Aether.Radius.DynamicAuthorization;

namespace Aether.Controller.Aaa;

/// <summary>
/// RFC 5176 requests from FreeRADIUS or radclient: Disconnect-Request ends the session on the agent that
/// holds it; CoA-Request changes its rate (same attributes as an Access-Accept). The session is found by
/// Acct-Session-Id, else Framed-IP-Address, else User-Name.
/// </summary>
internal sealed partial class ChangeOfAuthorization
{
    private readonly SessionCommands _commands;
    private readonly SessionDirectory _directory;
    private readonly ILogger<ChangeOfAuthorization> _logger;

    public ChangeOfAuthorization(SessionCommands commands, SessionDirectory directory, ILogger<ChangeOfAuthorization> logger)
    {
        _commands = commands;
        _directory = directory;
        _logger = logger;
    }

    public async ValueTask<DynamicAuthorizationResult> HandleAsync(DynamicAuthorizationRequest request, CancellationToken ct)
    {
        var result = await DecideAsync(request, ct);
        AetherMetrics.DynamicAuthorizations.Add(1,
            new KeyValuePair<string, object?>(AetherMetrics.KindLabel, request.IsDisconnect ? "disconnect" : "coa"),
            new KeyValuePair<string, object?>(AetherMetrics.ResultLabel, result.Acknowledged ? "ack" : "nak"),
            new KeyValuePair<string, object?>(AetherMetrics.ErrorCauseLabel, result.ErrorCause is { } cause ? ((uint)cause).ToString(System.Globalization.CultureInfo.InvariantCulture) : ""));
        return result;
    }

    private async ValueTask<DynamicAuthorizationResult> DecideAsync(DynamicAuthorizationRequest request, CancellationToken ct)
    {
        var sessionId = FindSessionId(request);
        if (sessionId is null)
        {
            LogNotFound(request.Code.ToString(), request.ClientName, request.AcctSessionId ?? request.UserName ?? "(no identity)");
            return DynamicAuthorizationResult.Nak(ErrorCause.SessionContextNotFound);
        }
        try
        {
            if (request.IsDisconnect)
            {
                await _commands.DisconnectAsync(sessionId, "Admin-Reset", ct);
                LogHandled("Disconnect-Request", sessionId, request.ClientName);
                return DynamicAuthorizationResult.Ack();
            }
            var policy = ShapingPolicyParser.Parse(request.Attributes);
            if (policy is null)
            {
                LogNoPolicy(sessionId, request.ClientName);
                return DynamicAuthorizationResult.Nak(ErrorCause.UnsupportedAttribute);
            }
            await _commands.ChangeRateAsync(sessionId, policy, ct);
            LogHandled("CoA-Request", sessionId, request.ClientName);
            return DynamicAuthorizationResult.Ack();
        }
        catch (SessionNotFoundException)
        {
            return DynamicAuthorizationResult.Nak(ErrorCause.SessionContextNotFound);
        }
        catch (AgentUnavailableException ex)
        {
            LogAgentUnavailable(sessionId, ex.BngId);
            return DynamicAuthorizationResult.Nak(ErrorCause.ResourcesUnavailable);
        }
    }

    private string? FindSessionId(DynamicAuthorizationRequest request)
    {
        if (!string.IsNullOrWhiteSpace(request.AcctSessionId))
        {
            return request.AcctSessionId;
        }
        var framed = request.Attributes.FirstOrDefault(a => !a.IsVendor && a.Type == RadiusAttributeType.FramedIpAddress);
        if (framed.Value.Length == 4)
        {
            var ip = new IPAddress(framed.Value.Span).ToString();
            return _directory.All.FirstOrDefault(s => s.State.Ip == ip && (request.NasIdentifier is null || s.BngId == request.NasIdentifier))?.SessionId;
        }
        if (!string.IsNullOrWhiteSpace(request.UserName))
        {
            return _directory.All.FirstOrDefault(s => s.UserName == request.UserName)?.SessionId;
        }
        return null;
    }

    [LoggerMessage(EventId = 2600, Level = LogLevel.Information, Message = "{Kind} for session {SessionId} from {Client}: ACK")]
    private partial void LogHandled(string kind, string sessionId, string client);

    [LoggerMessage(EventId = 2601, Level = LogLevel.Warning, Message = "{Kind} from {Client} for {Identity}: no such session, NAK 503")]
    private partial void LogNotFound(string kind, string client, string identity);

    [LoggerMessage(EventId = 2602, Level = LogLevel.Warning, Message = "CoA-Request for session {SessionId} from {Client} carries no rate attribute: NAK 401")]
    private partial void LogNoPolicy(string sessionId, string client);

    [LoggerMessage(EventId = 2603, Level = LogLevel.Warning, Message = "Session {SessionId} is on agent {BngId}, which is not connected: NAK 506")]
    private partial void LogAgentUnavailable(string sessionId, string bngId);
}
