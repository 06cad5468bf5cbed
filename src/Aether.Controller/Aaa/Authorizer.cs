using System.Diagnostics;
using System.Net;
using System.Text;
using Aether.Contracts.Agent.V1;
using Aether.Observability;
using Aether.Radius;
using Microsoft.Extensions.Options;

namespace Aether.Controller.Aaa;

/// <summary>RFC 2865 Access-Request per subscriber; the reply becomes the agent's shaping policy.</summary>
internal sealed partial class Authorizer
{
    private const uint NasPortTypeEthernet = 15;
    private const uint ServiceTypeFramed = 2;

    private readonly RadiusClient _radius;
    private readonly ControllerOptions _options;
    private readonly ILogger<Authorizer> _logger;
    private readonly IPAddress _nasIp;

    public Authorizer(RadiusClient radius, IOptions<ControllerOptions> options, ILogger<Authorizer> logger)
    {
        _radius = radius;
        _options = options.Value;
        _logger = logger;
        _nasIp = IPAddress.Parse(_options.NasIpAddress);
    }

    public string UserName(string bngId, SubscriberIdentity s) => new StringBuilder(_options.UserNameTemplate)
        .Replace("{bng_id}", bngId)
        .Replace("{remote_id}", s.RemoteId)
        .Replace("{circuit_id}", s.CircuitId)
        .Replace("{relay_id}", s.RelayId)
        .Replace("{mac}", s.Mac)
        .Replace("{interface}", s.Interface)
        .ToString();

    public async Task<AuthorizeResult> AuthorizeAsync(string bngId, AuthorizeRequest request, CancellationToken cancellationToken)
    {
        var s = request.Subscriber;
        var userName = UserName(bngId, s);
        var radiusRequest = RadiusRequest.AccessRequest(userName, _options.SubscriberPassword)
            .Add(RadiusAttribute.FromIpv4(RadiusAttributeType.NasIpAddress, _nasIp))
            .Add(RadiusAttribute.FromString(RadiusAttributeType.NasIdentifier, bngId))
            .Add(RadiusAttribute.FromString(RadiusAttributeType.NasPortId, s.Interface))
            .Add(RadiusAttribute.FromUInt32(RadiusAttributeType.NasPortType, NasPortTypeEthernet))
            .Add(RadiusAttribute.FromUInt32(RadiusAttributeType.ServiceType, ServiceTypeFramed))
            .Add(RadiusAttribute.FromString(RadiusAttributeType.CallingStationId, s.Mac))
            .Add(RadiusAttribute.FromString(RadiusAttributeType.CalledStationId, bngId));
        RadiusResponse response;
        using (var span = AetherTracing.Source.StartActivity("radius.access-request", ActivityKind.Client))
        {
            span?.SetTag("aether.user_name", userName);
            try
            {
                response = await _radius.AuthenticateAsync(radiusRequest, cancellationToken);
                span?.SetTag("radius.code", response.Code.ToString());
            }
            catch (RadiusException ex)
            {
                span?.SetStatus(ActivityStatusCode.Error, ex.Message);
                LogRadiusUnavailable(userName, s.Mac, ex.Message);
                Count("radius-unavailable");
                // Not a reject: the subscriber is asked about again on its next DISCOVER.
                return new AuthorizeResult { RequestId = request.RequestId, Accepted = false, Reason = "RADIUS unavailable", CacheSeconds = 1 };
            }
        }

        if (response.Code != RadiusCode.AccessAccept)
        {
            var message = response.GetString(RadiusAttributeType.ReplyMessage) ?? response.Code.ToString();
            LogRejected(userName, s.Mac, s.CircuitId, message, response.RoundTrip.TotalMilliseconds);
            Count("reject");
            return new AuthorizeResult { RequestId = request.RequestId, Accepted = false, Reason = message, CacheSeconds = 30 };
        }

        var policy = ShapingPolicyParser.Parse(response.Attributes) ?? new ShapingPolicy
        {
            PolicyId = "default",
            DownloadKbps = (ulong)_options.DefaultDownloadKbps,
            UploadKbps = (ulong)_options.DefaultUploadKbps,
        };
        var cacheSeconds = response.GetUInt32(RadiusAttributeType.SessionTimeout) is { } timeout && timeout > 0
            ? Math.Min(timeout, (uint)_options.AuthorizationCacheSeconds)
            : (uint)_options.AuthorizationCacheSeconds;
        LogAccepted(userName, s.Mac, s.CircuitId, policy.DownloadKbps, policy.UploadKbps, response.RoundTrip.TotalMilliseconds);
        Count("accept");
        return new AuthorizeResult { RequestId = request.RequestId, Accepted = true, Policy = policy, CacheSeconds = cacheSeconds, Reason = "Access-Accept" };
    }

    private static void Count(string result) =>
        AetherMetrics.Authorizations.Add(1, new KeyValuePair<string, object?>(AetherMetrics.ResultLabel, result));

    [LoggerMessage(EventId = 2100, Level = LogLevel.Information, Message = "Access-Accept for {UserName} mac={Mac} circuit-id={CircuitId}: down {DownKbps} kbit/s up {UpKbps} kbit/s ({RoundTripMs:0.0} ms)")]
    private partial void LogAccepted(string userName, string mac, string circuitId, ulong downKbps, ulong upKbps, double roundTripMs);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "Access-Reject for {UserName} mac={Mac} circuit-id={CircuitId}: {Message} ({RoundTripMs:0.0} ms)")]
    private partial void LogRejected(string userName, string mac, string circuitId, string message, double roundTripMs);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Warning, Message = "RADIUS did not answer for {UserName} mac={Mac}: {Reason}")]
    private partial void LogRadiusUnavailable(string userName, string mac, string reason);
}
