namespace Aether.Radius.DynamicAuthorization;

/// <summary>Counters of a <see cref="DynamicAuthorizationServer"/>, safe to read at any time.</summary>
public sealed class DynamicAuthorizationStatistics
{
    private long _received;
    private long _unknownClients;
    private long _malformed;
    private long _unsupportedCodes;
    private long _invalidAuthenticators;
    private long _invalidMessageAuthenticators;
    private long _duplicates;
    private long _acks;
    private long _naks;
    private long _handlerFailures;

    public long Received => Interlocked.Read(ref _received);

    public long UnknownClients => Interlocked.Read(ref _unknownClients);

    public long Malformed => Interlocked.Read(ref _malformed);

    public long UnsupportedCodes => Interlocked.Read(ref _unsupportedCodes);

    public long InvalidAuthenticators => Interlocked.Read(ref _invalidAuthenticators);

    /// <summary>Wrong Message-Authenticator, or none when one is required.</summary>
    public long InvalidMessageAuthenticators => Interlocked.Read(ref _invalidMessageAuthenticators);

    public long Duplicates => Interlocked.Read(ref _duplicates);

    public long Acks => Interlocked.Read(ref _acks);

    public long Naks => Interlocked.Read(ref _naks);

    public long HandlerFailures => Interlocked.Read(ref _handlerFailures);

    internal void CountReceived()
    {
        Interlocked.Increment(ref _received);
        RadiusMetrics.DynamicAuthorizationReceived.Add(1);
    }

    internal void CountUnknownClient()
    {
        Interlocked.Increment(ref _unknownClients);
        RadiusMetrics.CountDropped("unknown-client");
    }

    internal void CountMalformed()
    {
        Interlocked.Increment(ref _malformed);
        RadiusMetrics.CountDropped("malformed");
    }

    internal void CountUnsupportedCode()
    {
        Interlocked.Increment(ref _unsupportedCodes);
        RadiusMetrics.CountDropped("unsupported-code");
    }

    internal void CountInvalidAuthenticator()
    {
        Interlocked.Increment(ref _invalidAuthenticators);
        RadiusMetrics.CountDropped("bad-authenticator");
    }

    internal void CountInvalidMessageAuthenticator()
    {
        Interlocked.Increment(ref _invalidMessageAuthenticators);
        RadiusMetrics.CountDropped("bad-message-authenticator");
    }

    internal void CountDuplicate()
    {
        Interlocked.Increment(ref _duplicates);
        RadiusMetrics.CountDropped("duplicate");
    }

    internal void CountAnswer(bool acknowledged) => Interlocked.Increment(ref acknowledged ? ref _acks : ref _naks);

    internal void CountHandlerFailure() => Interlocked.Increment(ref _handlerFailures);
}
