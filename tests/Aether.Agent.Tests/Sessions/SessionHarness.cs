using Aether.Agent.Kernel;
using Aether.Agent.Sessions;
using Aether.Agent.State;
using Aether.Agent.Tests.Support;
using Aether.Contracts.Agent.V1;
using Aether.Dhcp;
using Microsoft.Extensions.Time.Testing;

namespace Aether.Agent.Tests.Sessions;

/// <summary>
/// A session table over a fake kernel and controller, a fake clock and a real state directory; or over a real kernel
/// programmer (<paramref name="programmer"/>), <see cref="Kernel"/> then unused.
/// </summary>
internal sealed class SessionHarness : IDisposable
{
    private readonly TempDirectory? _ownDirectory;

    public SessionHarness(Action<AgentOptions>? configure = null, string? stateDirectory = null, FakeKernel? kernel = null, ISessionKernel? programmer = null)
    {
        if (stateDirectory is null)
        {
            _ownDirectory = new TempDirectory();
            stateDirectory = _ownDirectory.Path;
        }
        StateDirectory = stateDirectory;
        Options = TestOptions.Valid(stateDirectory, "sub0", "sub1");
        configure?.Invoke(Options);
        var options = TestOptions.Wrap(Options);
        Kernel = kernel ?? new FakeKernel();
        State = new AgentStateDirectory(options);
        Store = new SessionStore(State, options, TimeProvider.System);
        Manager = new SessionManager(options, Controller, programmer ?? Kernel, Store, Time, Log.For<SessionManager>());
    }

    public string StateDirectory { get; }

    public AgentOptions Options { get; }

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.Parse("2025-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    public FakeKernel Kernel { get; }

    public FakeController Controller { get; } = new();

    public TestLog Log { get; } = new();

    public AgentStateDirectory State { get; }

    public SessionStore Store { get; }

    public SessionManager Manager { get; }

    public static SubscriberKey Key(string mac = "02:00:00:00:00:01", string circuit = "1/0/1") => new(mac, circuit, "relay-01");

    public static SubscriberIdentity Identity(SubscriberKey key, string iface = "sub0") => new()
    {
        Mac = key.Mac,
        CircuitId = key.CircuitId,
        RemoteId = key.RemoteId,
        RelayId = "bng-test",
        Interface = iface,
        Giaddr = "100.64.0.1",
    };

    /// <summary>DISCOVER (authorization), then the server's ACK.</summary>
    public async Task<Session> OnlineAsync(SubscriberKey key, string ip, uint leaseSeconds = 3600, string iface = "sub0")
    {
        var decision = await Manager.AuthorizeAsync(key, Identity(key, iface), 1, TestTimeouts.Token()).WaitAsync(TestTimeouts.Await);
        Assert.True(decision.Accepted);
        Assert.True(await Manager.OnAckAsync(iface, key, Identity(key, iface), Ipv4Address.Parse(ip), leaseSeconds, TestTimeouts.Token()));
        return Manager.FindByMac(key.Mac)!;
    }

    public void Dispose()
    {
        Manager.Dispose();
        Store.Dispose();
        _ownDirectory?.Dispose();
    }
}
