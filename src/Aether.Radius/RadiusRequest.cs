namespace Aether.Radius;

/// <summary>
/// A request to send. User-Password is given in clear: the client hides it (RFC 2865 5.2) with the secret of the
/// server it goes to. Message-Authenticator is always added by the client (RFC 3579 3.2); one given here is ignored.
/// </summary>
public sealed class RadiusRequest
{
    public RadiusRequest(RadiusCode code)
    {
        Code = code;
    }

    public RadiusCode Code { get; }

    public List<RadiusAttribute> Attributes { get; } = [];

    public RadiusRequest Add(RadiusAttribute attribute)
    {
        Attributes.Add(attribute);
        return this;
    }

    public static RadiusRequest AccessRequest(string userName, string password) =>
        new RadiusRequest(RadiusCode.AccessRequest)
            .Add(RadiusAttribute.FromString(RadiusAttributeType.UserName, userName))
            .Add(RadiusAttribute.FromString(RadiusAttributeType.UserPassword, password));

    public static RadiusRequest Accounting(AcctStatusType status, string acctSessionId) =>
        new RadiusRequest(RadiusCode.AccountingRequest)
            .Add(RadiusAttribute.FromUInt32(RadiusAttributeType.AcctStatusType, (uint)status))
            .Add(RadiusAttribute.FromString(RadiusAttributeType.AcctSessionId, acctSessionId));

    /// <summary>Accounting Start (RFC 2866 5.1).</summary>
    public static RadiusRequest AccountingStart(string acctSessionId) => Accounting(AcctStatusType.Start, acctSessionId);

    /// <summary>Accounting Interim-Update with the session's counters so far (RFC 2869 5.1).</summary>
    public static RadiusRequest AccountingInterim(string acctSessionId, AccountingCounters counters) =>
        Accounting(AcctStatusType.InterimUpdate, acctSessionId).AddCounters(counters);

    /// <summary>Accounting Stop with the final counters and why the session ended (RFC 2866 5.10).</summary>
    public static RadiusRequest AccountingStop(string acctSessionId, AccountingCounters counters, AcctTerminateCause cause) =>
        Accounting(AcctStatusType.Stop, acctSessionId)
            .AddCounters(counters)
            .Add(RadiusAttribute.FromUInt32(RadiusAttributeType.AcctTerminateCause, (uint)cause));

    /// <summary>
    /// Adds octets split into the 32-bit counter and its Gigawords (RFC 2869 5.1, 5.2), packets and Acct-Session-Time.
    /// Packet counters have no Gigawords attribute: they wrap at 2^32 as a NAS's would.
    /// </summary>
    public RadiusRequest AddCounters(AccountingCounters counters)
    {
        Add(RadiusAttribute.FromUInt32(RadiusAttributeType.AcctInputOctets, (uint)counters.InputOctets));
        Add(RadiusAttribute.FromUInt32(RadiusAttributeType.AcctOutputOctets, (uint)counters.OutputOctets));
        Add(RadiusAttribute.FromUInt32(RadiusAttributeType.AcctInputGigawords, (uint)(counters.InputOctets >> 32)));
        Add(RadiusAttribute.FromUInt32(RadiusAttributeType.AcctOutputGigawords, (uint)(counters.OutputOctets >> 32)));
        Add(RadiusAttribute.FromUInt32(RadiusAttributeType.AcctInputPackets, (uint)counters.InputPackets));
        Add(RadiusAttribute.FromUInt32(RadiusAttributeType.AcctOutputPackets, (uint)counters.OutputPackets));
        var seconds = Math.Clamp(counters.SessionTime.Ticks / TimeSpan.TicksPerSecond, 0, uint.MaxValue);
        return Add(RadiusAttribute.FromUInt32(RadiusAttributeType.AcctSessionTime, (uint)seconds));
    }
}

/// <summary>A session's counters for accounting; octets are 64-bit and sent with Gigawords.</summary>
public readonly record struct AccountingCounters(ulong InputOctets, ulong OutputOctets, ulong InputPackets, ulong OutputPackets, TimeSpan SessionTime);
