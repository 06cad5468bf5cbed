using Aether.Agent.Kernel;
using Aether.Agent.Tests.Support;
using Aether.Dhcp;

namespace Aether.Agent.Tests.Sessions;

public sealed class RecoveryTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task A_restart_rebuilds_the_table_from_the_state_file_and_the_kernel_with_counters_kept()
    {
        var kernel = new FakeKernel();
        string sessionId;
        ushort classId;
        using (var before = new SessionHarness(stateDirectory: _dir.Path, kernel: kernel))
        {
            var session = await before.OnlineAsync(SessionHarness.Key(), "100.64.0.10");
            (sessionId, classId) = (session.SessionId, session.ClassId);
            kernel.Count(session.Ip, 4_000, 40_000);
        }
        var installsBefore = kernel.Applied.Count;

        using var after = new SessionHarness(stateDirectory: _dir.Path, kernel: kernel);
        var result = await after.Manager.RecoverAsync(TestTimeouts.Token());

        Assert.Equal(1, result.Recovered);
        var recovered = after.Manager.FindById(sessionId)!;
        Assert.Equal(classId, recovered.ClassId);
        Assert.Equal(40_000UL, recovered.LastTotals.BytesDown);
        Assert.Equal(installsBefore, kernel.Applied.Count);
        Assert.Empty(after.Controller.Stops);
        Assert.Equal(sessionId, Assert.Single(after.Manager.SnapshotSessions()).SessionId);
    }

    [Fact]
    public async Task A_session_whose_classes_went_missing_is_re_shaped()
    {
        var kernel = new FakeKernel();
        using (var before = new SessionHarness(stateDirectory: _dir.Path, kernel: kernel))
        {
            await before.OnlineAsync(SessionHarness.Key(), "100.64.0.10");
        }
        kernel.Classes.Clear();

        using var after = new SessionHarness(stateDirectory: _dir.Path, kernel: kernel);
        var result = await after.Manager.RecoverAsync(TestTimeouts.Token());

        Assert.Equal(1, result.Reinstalled);
        Assert.IsType<InstallSession>(kernel.Applied.Last());
    }

    [Fact]
    public async Task A_session_the_kernel_lost_is_reported_stopped_as_a_reboot()
    {
        var kernel = new FakeKernel();
        string sessionId;
        using (var before = new SessionHarness(stateDirectory: _dir.Path, kernel: kernel))
        {
            sessionId = (await before.OnlineAsync(SessionHarness.Key(), "100.64.0.10")).SessionId;
        }
        kernel.Elements.Clear();

        using var after = new SessionHarness(stateDirectory: _dir.Path, kernel: kernel);
        var result = await after.Manager.RecoverAsync(TestTimeouts.Token());

        Assert.Equal(1, result.Lost);
        var stop = Assert.Single(after.Controller.Stops);
        Assert.Equal(sessionId, stop.SessionId);
        Assert.Equal("NAS-Reboot", stop.Cause);
        Assert.Equal(0, after.Manager.Count);
        Assert.Empty(after.Store.Load());
    }

    [Fact]
    public async Task Kernel_state_that_belongs_to_no_session_is_removed()
    {
        var kernel = new FakeKernel();
        kernel.Elements[Ipv4Address.Parse("100.64.0.99").Value] = new();

        using var h = new SessionHarness(stateDirectory: _dir.Path, kernel: kernel);
        var result = await h.Manager.RecoverAsync(TestTimeouts.Token());

        Assert.Equal(1, result.Orphans);
        Assert.Equal(Ipv4Address.Parse("100.64.0.99"), Assert.Single(kernel.RemovedOrphans));
        Assert.Empty(h.Controller.Stops);
    }

    [Fact]
    public async Task Recovered_class_ids_are_not_handed_out_again()
    {
        var kernel = new FakeKernel();
        ushort first;
        using (var before = new SessionHarness(stateDirectory: _dir.Path, kernel: kernel))
        {
            first = (await before.OnlineAsync(SessionHarness.Key("02:00:00:00:00:01", "1/0/1"), "100.64.0.10")).ClassId;
        }

        using var after = new SessionHarness(stateDirectory: _dir.Path, kernel: kernel);
        await after.Manager.RecoverAsync(TestTimeouts.Token());
        var second = await after.OnlineAsync(SessionHarness.Key("02:00:00:00:00:02", "1/0/2"), "100.64.0.11");

        Assert.NotEqual(first, second.ClassId);
    }

    [Fact]
    public async Task Classes_no_session_holds_are_kept_parked_for_re_use()
    {
        var kernel = new FakeKernel();
        ushort parked;
        using (var before = new SessionHarness(stateDirectory: _dir.Path, kernel: kernel))
        {
            var key = SessionHarness.Key();
            var session = await before.OnlineAsync(key, "100.64.0.10");
            parked = session.ClassId;
            await before.Manager.OnClientEndAsync(key, session.Ip, Aether.Dhcp.DhcpMessageType.Release, TestTimeouts.Token());
        }

        using var after = new SessionHarness(stateDirectory: _dir.Path, kernel: kernel);
        await after.Manager.RecoverAsync(TestTimeouts.Token());
        var next = await after.OnlineAsync(SessionHarness.Key("02:00:00:00:00:02", "1/0/2"), "100.64.0.20");

        Assert.Contains(kernel.Kept, k => k.ClassId == parked);
        Assert.Equal(parked, next.ClassId);
    }

    public void Dispose() => _dir.Dispose();
}
