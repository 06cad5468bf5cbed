namespace Aether.Agent;

/// <summary>Configuration of one BNG agent (section "Agent"). Checked whole at start by <see cref="AgentOptionsValidator"/>.</summary>
internal sealed class AgentOptions
{
    public const string SectionName = "Agent";

    /// <summary>This BNG's identity; it is the relay-id (Option 82 sub-option 12) the agent writes.</summary>
    public string BngId { get; set; } = "";

    /// <summary>The controller's gRPC address, e.g. http://198.18.0.1:50051.</summary>
    public string Controller { get; set; } = "http://127.0.0.1:50051";

    /// <summary>
    /// The bearer token the controller expects for this BNG (its Controller:AgentTokens entry), sent as
    /// "authorization: Bearer &lt;token&gt;" on the stream. Empty: none is sent. Prefer <see cref="TokenFile"/>.
    /// </summary>
    public string Token { get; set; } = "";

    /// <summary>A file holding the token (surrounding whitespace trimmed); read at start and at every connect. Wins over <see cref="Token"/>.</summary>
    public string TokenFile { get; set; } = "";

    /// <summary>PEM file of the CA that signed the controller's certificate (https controller URL only); the platform's trust store when unset.</summary>
    public string? TlsCaFile { get; set; }

    /// <summary>PEM client certificate presented to the controller (its common name must be <see cref="BngId"/>), with <see cref="TlsKeyFile"/>.</summary>
    public string? TlsCertificateFile { get; set; }

    /// <summary>PEM private key of <see cref="TlsCertificateFile"/> (mode 600).</summary>
    public string? TlsKeyFile { get; set; }

    /// <summary>The DHCP server (Kea) the agent relays to.</summary>
    public string DhcpServer { get; set; } = "";

    public int DhcpServerPort { get; set; } = 67;

    public List<SubscriberInterfaceOptions> SubscriberInterfaces { get; set; } = [];

    /// <summary>Where the agent keeps its identity, session state and report journal.</summary>
    public string StateDirectory { get; set; } = "/var/lib/aether-agent";

    /// <summary>How long a DISCOVER waits for the controller's authorization before it is dropped.</summary>
    public TimeSpan AuthorizeTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often per-session counters are read from the kernel and reported.</summary>
    public TimeSpan CounterInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A session whose counters do not move for this long is ended (Idle-Timeout). Zero: never.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.Zero;

    /// <summary>How often CPU, memory, interface and unit state are reported.</summary>
    public TimeSpan HealthInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Requests arriving with more relay hops than this are dropped (RFC 1542 4.1.1).</summary>
    public int MaxHops { get; set; } = 16;

    /// <summary>
    /// IFB devices per subscriber interface and direction over which session classes are spread (by the third
    /// octet of the address): HTB's cost of adding a class grows with the classes on the device.
    /// </summary>
    public int ShapingShards { get; set; } = 16;

    /// <summary>
    /// Session classes per direction kept created in the kernel ahead of demand, spread evenly over the shards of
    /// the interfaces without a ClassPool of their own, so that new sessions re-use one instead of creating it
    /// (creating an HTB class costs more the more classes the host has). Created in the background after start;
    /// parked classes left by ended sessions count. 0: off.
    /// </summary>
    public int ClassPool { get; set; }

    /// <summary>Name of the agent's nftables table (family inet).</summary>
    public string NftTable { get; set; } = "aether";

    /// <summary>What new subscribers get while the controller is unreachable.</summary>
    public HeadlessOptions Headless { get; set; } = new();

    public JournalOptions Journal { get; set; } = new();

    /// <summary>systemd units whose state is reported with health (over D-Bus, where systemd runs).</summary>
    public List<string> SystemdUnits { get; set; } = [];
}

internal sealed class SubscriberInterfaceOptions
{
    public string Name { get; set; } = "";

    /// <summary>The BNG's address on this interface: giaddr of relayed requests, subscribers' default gateway.</summary>
    public string GatewayIp { get; set; } = "";

    /// <summary>How far Option 82 from this interface is trusted.</summary>
    public Option82Trust Option82 { get; set; } = Option82Trust.Trust;

    /// <summary>Circuit-id the agent inserts (Insert, Untrusted). Default: the interface name.</summary>
    public string CircuitId { get; set; } = "";

    /// <summary>Remote-id the agent inserts (Insert, Untrusted). Default: the BNG id.</summary>
    public string RemoteId { get; set; } = "";

    /// <summary>
    /// Session classes per direction kept ready on this interface's shards (see Agent:ClassPool), for an interface
    /// that carries more subscribers than its share of Agent:ClassPool would cover. 0: a share of Agent:ClassPool.
    /// </summary>
    public int ClassPool { get; set; }
}

/// <summary>Option 82 policy of one subscriber-facing interface (RFC 3046 2.1).</summary>
internal enum Option82Trust
{
    /// <summary>An access node inserts Option 82: a request without a circuit-id is dropped; what is there is kept.</summary>
    Trust,

    /// <summary>Option 82 from the access node is kept; the agent inserts its own when a request has none.</summary>
    Insert,

    /// <summary>Subscribers are attached directly: a request carrying Option 82 is dropped; the agent inserts its own.</summary>
    Untrusted,
}

/// <summary>What the agent does for subscribers it has no decision for while the controller is away.</summary>
internal enum HeadlessPolicy
{
    /// <summary>New subscribers get no lease until the controller is back; existing ones keep forwarding and renewing.</summary>
    FailClosed,

    /// <summary>New subscribers get a session with the default plan, reported as provisional on reconnect.</summary>
    FailOpen,
}

internal sealed class HeadlessOptions
{
    public HeadlessPolicy NewSubscribers { get; set; } = HeadlessPolicy.FailClosed;

    public ulong DownloadKbps { get; set; }

    public ulong UploadKbps { get; set; }

    /// <summary>How long a fail-open decision is reused before the controller is tried again.</summary>
    public TimeSpan DecisionLifetime { get; set; } = TimeSpan.FromSeconds(60);
}

internal sealed class JournalOptions
{
    /// <summary>Reports kept until the controller acks them; past this the oldest are dropped (and counted).</summary>
    public int MaxEntries { get; set; } = 200_000;

    /// <summary>Writes reach disk (fsync) at least this often.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMilliseconds(50);
}
