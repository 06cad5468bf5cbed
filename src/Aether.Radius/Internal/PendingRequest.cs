using System.Net;

namespace Aether.Radius.Internal;

/// <summary>A request in flight on one socket and Identifier; answered once, by the server it was last sent to.</summary>
internal sealed class PendingRequest
{
    private Attempt? _current;
    private int _invalidResponses;

    public PendingRequest(RadiusCode code)
    {
        Code = code;
    }

    public RadiusCode Code { get; }

    public TaskCompletionSource<RadiusResponse> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Attempt? Current
    {
        get => Volatile.Read(ref _current);
        set => Volatile.Write(ref _current, value);
    }

    public int InvalidResponses => Volatile.Read(ref _invalidResponses);

    public void CountInvalidResponse() => Interlocked.Increment(ref _invalidResponses);

    /// <summary>The server a request is addressed to and what its answer is checked against.</summary>
    internal sealed class Attempt(ServerState server, IPEndPoint endpoint, byte[] requestAuthenticator)
    {
        private long _sentAt;

        public ServerState Server { get; } = server;

        public IPEndPoint Endpoint { get; } = endpoint;

        public byte[] RequestAuthenticator { get; } = requestAuthenticator;

        public long SentAt
        {
            get => Volatile.Read(ref _sentAt);
            set => Volatile.Write(ref _sentAt, value);
        }
    }
}
