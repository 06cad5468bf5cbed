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
    private long _failed;

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

    /// <summary>Datagrams whose handling failed unexpectedly, so that they got no answer.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>
    /// Every received datagram ends in exactly one of these outcomes; equal to <see cref="Received"/> once the
    /// server is idle.
    /// </summary>
    public long Accounted => UnknownClients + Malformed + UnsupportedCodes + InvalidAuthenticators + InvalidMessageAuthenticators
        + Duplicates + Acks + Naks + Failed;

    internal void CountReceived()
    {
        Interlocked.Increment(ref _received);
        RadiusMetrics.CoaReceived.Add(1);
    }

    internal void CountUnknownClient() => Interlocked.Increment(ref _unknownClients);

    internal void CountMalformed() => Interlocked.Increment(ref _malformed);

    internal void CountUnsupportedCode() => Interlocked.Increment(ref _unsupportedCodes);

    internal void CountInvalidAuthenticator() => Interlocked.Increment(ref _invalidAuthenticators);

    internal void CountInvalidMessageAuthenticator() => Interlocked.Increment(ref _invalidMessageAuthenticators);

    internal void CountDuplicate() => Interlocked.Increment(ref _duplicates);

    internal void CountAnswer(bool acknowledged) => Interlocked.Increment(ref acknowledged ? ref _acks : ref _naks);

    internal void CountHandlerFailure() => Interlocked.Increment(ref _handlerFailures);

    internal void CountFailed() => Interlocked.Increment(ref _failed);
}
