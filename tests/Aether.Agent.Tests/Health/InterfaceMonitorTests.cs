using Aether.Agent.Health;
using Aether.Agent.Kernel;
using Aether.Agent.Tests.Kernel;
using Aether.Agent.Tests.Support;

namespace Aether.Agent.Tests.Health;

[Collection(KernelCollection.Name)]
public sealed class InterfaceMonitorTests : IAsyncLifetime
{
    private readonly NetworkLab _lab = new();

    public Task InitializeAsync() => _lab.InitializeAsync();

    public Task DisposeAsync() => _lab.DisposeAsync();

    [Fact]
    public async Task Subscriber_interfaces_report_their_state_and_a_missing_ifb_says_so()
    {
        var options = TestOptions.Valid("/tmp/unused", "sub0", "sub1");
        var monitor = new InterfaceMonitor(TestOptions.Wrap(options), new CommandRunner(_lab.Bng));
        await NetworkLab.In(_lab.Bng, "ip", "link", "set", "sub1", "down");

        var health = await monitor.ReadAsync(TestTimeouts.Token());

        Assert.Equal("up", health.Single(h => h.Name == "sub0").OperState);
        Assert.Equal("down", health.Single(h => h.Name == "sub1").OperState);
        Assert.Equal(InterfaceMonitor.Missing, health.Single(h => h.Name == "sub0-d00").OperState);
        Assert.Equal("ifb", health.Single(h => h.Name == "sub1-u0f").Role);
        Assert.Equal(1500U, health.Single(h => h.Name == "sub0").Mtu);
    }
}
