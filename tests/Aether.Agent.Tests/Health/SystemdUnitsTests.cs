using System.Diagnostics;
using Aether.Agent.Health;
using Aether.Agent.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Tmds.DBus;

namespace Aether.Agent.Tests.Health;

public sealed class SystemdUnitsTests
{
    [Fact]
    public async Task Without_a_system_bus_no_units_are_reported_and_the_reader_says_so_once()
    {
        var log = new TestLog();
        var time = new FakeTimeProvider();
        using var units = new SystemdUnits(["kea-dhcp4-server.service"], "unix:path=/nonexistent/aether-test-bus", time, log.For<SystemdUnits>());

        var first = await units.ReadAsync(TestTimeouts.Token());
        var second = await units.ReadAsync(TestTimeouts.Token());

        Assert.Empty(first);
        Assert.Empty(second);
        Assert.False(units.Available);
        Assert.Single(log.Entries, e => e.EventId.Id == 1800);
        log.AssertNoErrors();
    }

    [Fact]
    public async Task With_no_units_configured_the_bus_is_not_touched()
    {
        using var units = new SystemdUnits([], "unix:path=/nonexistent/aether-test-bus", TimeProvider.System, new TestLog().For<SystemdUnits>());

        Assert.Empty(await units.ReadAsync(TestTimeouts.Token()));
    }

    [Fact]
    public async Task A_bus_without_systemd_on_it_degrades_cleanly()
    {
        await using var bus = await PrivateBus.StartAsync();
        var log = new TestLog();
        using var units = new SystemdUnits(["aether-agent.service"], bus.Address, TimeProvider.System, log.For<SystemdUnits>());

        Assert.Empty(await units.ReadAsync(TestTimeouts.Token()));
        Assert.False(units.Available);
        Assert.True(log.Logged(1800));
    }

    [Fact]
    public async Task Unit_state_is_read_from_systemd_over_d_bus()
    {
        await using var bus = await PrivateBus.StartAsync();
        using var systemd = new Connection(bus.Address);
        await systemd.ConnectAsync();
        await systemd.RegisterObjectAsync(new FakeManager());
        await systemd.RegisterObjectAsync(new FakeUnit(new ObjectPath("/org/freedesktop/systemd1/unit/kea"), "active", "running"));
        await systemd.RegisterServiceAsync("org.freedesktop.systemd1");
        using var units = new SystemdUnits(["kea-dhcp4-server.service"], bus.Address, TimeProvider.System, new TestLog().For<SystemdUnits>());

        var unit = Assert.Single(await units.ReadAsync(TestTimeouts.Token()));

        Assert.True(units.Available);
        Assert.Equal("kea-dhcp4-server.service", unit.Name);
        Assert.Equal("active", unit.ActiveState);
        Assert.Equal("running", unit.SubState);
    }

    [DBusInterface("org.freedesktop.systemd1.Manager")]
    public interface IFakeManager : IDBusObject
    {
        Task<ObjectPath> LoadUnitAsync(string name);
    }

    [DBusInterface("org.freedesktop.systemd1.Unit")]
    public interface IFakeUnit : IDBusObject
    {
        Task<object> GetAsync(string prop);

        Task<IDictionary<string, object>> GetAllAsync();

        Task SetAsync(string prop, object val);

        Task<IDisposable> WatchPropertiesAsync(Action<PropertyChanges> handler);
    }

    private sealed class FakeManager : IFakeManager
    {
        public ObjectPath ObjectPath => new("/org/freedesktop/systemd1");

        public Task<ObjectPath> LoadUnitAsync(string name) => Task.FromResult(new ObjectPath("/org/freedesktop/systemd1/unit/kea"));
    }

    private sealed class FakeUnit(ObjectPath path, string active, string sub) : IFakeUnit
    {
        public ObjectPath ObjectPath => path;

        public Task<object> GetAsync(string prop) => Task.FromResult<object>(prop == "ActiveState" ? active : sub);

        public Task<IDictionary<string, object>> GetAllAsync() => Task.FromResult<IDictionary<string, object>>(new Dictionary<string, object> { ["ActiveState"] = active, ["SubState"] = sub });

        public Task SetAsync(string prop, object val) => Task.CompletedTask;

        public Task<IDisposable> WatchPropertiesAsync(Action<PropertyChanges> handler) => Task.FromResult<IDisposable>(new MemoryStream());
    }

    /// <summary>A private dbus-daemon (no systemd on it) on a socket in a temporary directory.</summary>
    private sealed class PrivateBus : IAsyncDisposable
    {
        private readonly Process _daemon;
        private readonly TempDirectory _dir;

        private PrivateBus(Process daemon, TempDirectory dir, string address)
        {
            _daemon = daemon;
            _dir = dir;
            Address = address;
        }

        public string Address { get; }

        public static async Task<PrivateBus> StartAsync()
        {
            var dir = new TempDirectory();
            var config = Path.Combine(dir.Path, "bus.conf");
            await File.WriteAllTextAsync(config, $"""
                <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
                <busconfig>
                  <type>custom</type>
                  <listen>unix:path={dir.Path}/bus</listen>
                  <auth>EXTERNAL</auth>
                  <policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy>
                </busconfig>
                """);
            var daemon = Process.Start(new ProcessStartInfo("dbus-daemon", ["--config-file", config, "--nofork", "--print-address"])
            {
                RedirectStandardOutput = true,
                UseShellExecute = false,
            })!;
            var address = await daemon.StandardOutput.ReadLineAsync().WaitAsync(TestTimeouts.Await);
            return new PrivateBus(daemon, dir, address!.Trim());
        }

        public async ValueTask DisposeAsync()
        {
            _daemon.Kill();
            await _daemon.WaitForExitAsync();
            _daemon.Dispose();
            _dir.Dispose();
        }
    }
}
