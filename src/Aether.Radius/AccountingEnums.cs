namespace Aether.Radius;

/// <summary>Acct-Status-Type values (RFC 2866 5.1).</summary>
public enum AcctStatusType : uint
{
    Start = 1,
    Stop = 2,
    InterimUpdate = 3,
    AccountingOn = 7,
    AccountingOff = 8,
}

/// <summary>Acct-Terminate-Cause values (RFC 2866 5.10, RFC 3580 3.16).</summary>
public enum AcctTerminateCause : uint
{
    UserRequest = 1,
    LostCarrier = 2,
    LostService = 3,
    IdleTimeout = 4,
    SessionTimeout = 5,
    AdminReset = 6,
    AdminReboot = 7,
    PortError = 8,
    NasError = 9,
    NasRequest = 10,
    NasReboot = 11,
    PortUnneeded = 12,
    PortPreempted = 13,
    PortSuspended = 14,
    ServiceUnavailable = 15,
    Callback = 16,
    UserError = 17,
    HostRequest = 18,
    SupplicantRestart = 19,
    ReauthenticationFailure = 20,
    PortReinitialized = 21,
    PortAdministrativelyDisabled = 22,
}

/// <summary>Error-Cause values carried in CoA/Disconnect ACK and NAK (RFC 5176 3.5).</summary>
public enum ErrorCause : uint
{
    ResidualSessionContextRemoved = 201,
    InvalidEapPacket = 202,
    UnsupportedAttribute = 401,
    MissingAttribute = 402,
    NasIdentificationMismatch = 403,
    InvalidRequest = 404,
    UnsupportedService = 405,
    UnsupportedExtension = 406,
    InvalidAttributeValue = 407,
    AdministrativelyProhibited = 501,
    RequestNotRoutable = 502,
    SessionContextNotFound = 503,
    SessionContextNotRemovable = 504,
    OtherProxyProcessingError = 505,
    ResourcesUnavailable = 506,
    RequestInitiated = 507,
    MultipleSessionSelectionUnsupported = 508,
}
