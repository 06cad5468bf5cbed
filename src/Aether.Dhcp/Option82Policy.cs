namespace Aether.Dhcp;

/// <summary>What a relay does with the Relay Agent Information option of a client request (RFC 3046 section 2.1).</summary>
public enum Option82Policy
{
    /// <summary>Forward whatever came in (possibly nothing); only the relay-id is added or replaced.</summary>
    Keep,

    /// <summary>Insert ours when the request has none; keep the one present otherwise (RFC 3046 section 2.1.1, trusted downstream relay).</summary>
    Insert,

    /// <summary>Drop what came in and write ours (untrusted subscriber port).</summary>
    Replace,

    /// <summary>Remove option 82 entirely; nothing is written, not even the relay-id.</summary>
    Strip,
}
