using Microsoft.Extensions.Logging;

namespace Aether.GraphQL.Internal.Provisioning;

internal sealed partial class Provisioning
{
    [LoggerMessage(EventId = 3100, Level = LogLevel.Information, Message = "Customer {CustomerId} created ({Email})")]
    private partial void LogCustomerCreated(long customerId, string email);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "Customer {CustomerId} deleted with {Services} service(s)")]
    private partial void LogCustomerDeleted(long customerId, int services);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Information, Message = "Plan {PlanId} '{Name}' created: down {DownKbps} kbit/s up {UpKbps} kbit/s")]
    private partial void LogPlanCreated(long planId, string name, long downKbps, long upKbps);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Information, Message = "Plan {PlanId} '{Name}' changed: down {DownKbps} kbit/s up {UpKbps} kbit/s, {Subscribers} RADIUS subscriber(s) rewritten")]
    private partial void LogPlanUpdated(long planId, string name, long downKbps, long upKbps, int subscribers);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Information, Message = "Plan {PlanId} deleted")]
    private partial void LogPlanDeleted(long planId);

    [LoggerMessage(EventId = 3105, Level = LogLevel.Information, Message = "Service {ServiceId} created for customer {CustomerId} on plan {PlanId}: User-Name {UserName}")]
    private partial void LogServiceCreated(long serviceId, long customerId, long planId, string userName);

    [LoggerMessage(EventId = 3106, Level = LogLevel.Information, Message = "Service {ServiceId} changed: plan {PlanId}, User-Name {UserName}, {Status}")]
    private partial void LogServiceUpdated(long serviceId, long planId, string userName, string status);

    [LoggerMessage(EventId = 3107, Level = LogLevel.Information, Message = "Service {ServiceId} deleted (User-Name {UserName})")]
    private partial void LogServiceDeleted(long serviceId, string userName);

    [LoggerMessage(EventId = 3108, Level = LogLevel.Information, Message = "Plan {PlanId} assigned to customer {CustomerId} for User-Name {UserName} (service {ServiceId}, new: {Created})")]
    private partial void LogPlanAssigned(long serviceId, long customerId, long planId, string userName, bool created);

    [LoggerMessage(EventId = 3109, Level = LogLevel.Information, Message = "RADIUS synchronised for {Scope}: {Written} subscriber(s) written, {Removed} removed")]
    private partial void LogRadiusSynced(string scope, int written, int removed);

    [LoggerMessage(EventId = 3110, Level = LogLevel.Information, Message = "New plan rates sent to {Updated} live session(s), {Failed} unreachable")]
    private partial void LogSessionsReshaped(int updated, int failed);

    [LoggerMessage(EventId = 3111, Level = LogLevel.Warning, Message = "Rate change for session {SessionId} (User-Name {UserName}) failed: {Reason}")]
    private partial void LogRateChangeFailed(string sessionId, string userName, string reason);

    [LoggerMessage(EventId = 3112, Level = LogLevel.Warning, Message = "The RADIUS database cannot be reached; the change was not made")]
    private partial void LogRadiusUnavailable(Exception exception);

    [LoggerMessage(EventId = 3113, Level = LogLevel.Error, Message = "The OSS change committed but the RADIUS commit failed ({Write} to write, {Remove} to remove); run syncRadius")]
    private partial void LogRadiusCommitFailed(int write, int remove, Exception exception);
}
