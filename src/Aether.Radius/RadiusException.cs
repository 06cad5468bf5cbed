namespace Aether.Radius;

/// <summary>A RADIUS exchange failed.</summary>
public class RadiusException : Exception
{
    public RadiusException(string message)
        : base(message)
    {
    }

    public RadiusException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Every server and every retransmission timed out.</summary>
public sealed class RadiusTimeoutException : RadiusException
{
    public RadiusTimeoutException(string message)
        : base(message)
    {
    }
}

/// <summary>
/// No valid response came, but responses failing the Response Authenticator or Message-Authenticator checks did
/// (a wrong shared secret or a forged packet). Such responses are counted and dropped, never returned.
/// </summary>
public sealed class RadiusProtocolException : RadiusException
{
    public RadiusProtocolException(string message)
        : base(message)
    {
    }
}
