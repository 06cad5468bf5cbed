namespace Aether.Radius;

/// <summary>Counters of a <see cref="RadiusClient"/>, safe to read at any time.</summary>
public sealed class RadiusClientStatistics
{
    private long _requests;
    private long _retransmissions;
    private long _timeouts;
    private long _invalidResponses;
    private long _unexpectedResponses;
    private long _malformedResponses;
    private LastOutcome? _last;

    public long Requests => Interlocked.Read(ref _requests);

    public long Retransmissions => Interlocked.Read(ref _retransmissions);

    /// <summary>Requests that no server answered.</summary>
    public long Timeouts => Interlocked.Read(ref _timeouts);

    /// <summary>Responses dropped for a wrong Response Authenticator or a missing or wrong Message-Authenticator.</summary>
    public long InvalidResponses => Interlocked.Read(ref _invalidResponses);

    /// <summary>Responses matching no request in flight, from the wrong address, or with a code not answering the request.</summary>
    public long UnexpectedResponses => Interlocked.Read(ref _unexpectedResponses);

    public long MalformedResponses => Interlocked.Read(ref _malformedResponses);

    /// <summary>Whether the last request was answered by some server, and when it ended; null before the first request.</summary>
    public LastOutcome? Last => Volatile.Read(ref _last);

    internal void Outcome(bool succeeded, DateTimeOffset at) => Volatile.Write(ref _last, new LastOutcome(succeeded, at));

    internal void Request() => Interlocked.Increment(ref _requests);

    internal void Retransmission() => Interlocked.Increment(ref _retransmissions);

    internal void Timeout() => Interlocked.Increment(ref _timeouts);

    internal void InvalidResponse() => Interlocked.Increment(ref _invalidResponses);

    internal void UnexpectedResponse() => Interlocked.Increment(ref _unexpectedResponses);

    internal void MalformedResponse() => Interlocked.Increment(ref _malformedResponses);
}

/// <summary>The outcome of a RADIUS client's most recent request: answered (by any server) or not.</summary>
public sealed record LastOutcome(bool Answered, DateTimeOffset At);
