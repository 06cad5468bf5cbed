namespace Aether.Lab.Tests;

/// <summary>
/// Several controllers behind one address: bng-02's agent is moved to a second controller process, and a CoA and a
/// Disconnect sent to the first one reach it over NATS. Afterwards the agent goes back to the first controller.
/// </summary>
[Collection(LabCollection.Name)]
[Trait("Category", "Lab")]
public sealed class MultiControllerLabTests
{
    private const string Host = "ae-h11-1";
    private const string CoaSecret = "aether-coa-secret";
    private static readonly TimeSpan HopTimeout = TimeSpan.FromSeconds(45);
    private readonly LabFixture _lab;

    public MultiControllerLabTests(LabFixture lab) => _lab = lab;

    [Fact]
    public async Task A_CoA_and_a_Disconnect_sent_to_one_controller_reach_an_agent_connected_to_the_other()
    {
        await Shell.RunChecked(_lab.LabScript, ["start-controller", "2"], TimeSpan.FromSeconds(120));
        try
        {
            await Shell.RunChecked(_lab.LabScript, ["kill", "agent-bng-02"], TimeSpan.FromSeconds(20));
            await Shell.RunChecked(_lab.LabScript, ["start-agent", "bng-02", "https://198.18.0.1:50052"], TimeSpan.FromSeconds(30));
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            await Poll.UntilAsync(async () => (await http.GetStringAsync("http://127.0.0.1:8081/healthz/agents")).Contains("\"bng-02\"", StringComparison.Ordinal) ? "here" : null,
                HopTimeout, "bng-02 on the second controller");
            await Poll.UntilAsync(async () => (await http.GetStringAsync("http://127.0.0.1:8080/healthz/agents")).Contains("\"bng-02\"", StringComparison.Ordinal) ? null : "gone",
                HopTimeout, "bng-02 no longer on the first controller");

            var since = DateTime.UtcNow.AddSeconds(-1);
            var (dhclient, ip) = await _lab.BringOnlineAsync(Host);
            Assert.True(dhclient.ExitCode == 0, dhclient.Describe());
            var session = await LabProbes.SessionOfAsync(_lab.AetherConnectionString, ip, since, HopTimeout);

            // CoA to the first controller (port 3799): the second one holds the agent.
            var coa = await RadclientAsync(3799, "coa", $"Acct-Session-Id = \"{session}\", Filter-Id = \"7M/3M\"");
            Assert.True(coa.Output.Contains("Received CoA-ACK", StringComparison.Ordinal), coa.Describe() + "\n" + Tail(_lab.ReadLog("controller")));
            await Poll.UntilAsync(async () => await WalkingSkeletonTests.SessionClassRateAsync("ae-bng2", "eth1", ip, upload: false) == 7000 ? "ok" : null,
                HopTimeout, "the download class at 7 Mbit/s on bng-02");
            Assert.Equal(3000, await WalkingSkeletonTests.SessionClassRateAsync("ae-bng2", "eth1", ip, upload: true));

            // And a Disconnect the same way: the session ends everywhere.
            var disconnect = await RadclientAsync(3799, "disconnect", $"Acct-Session-Id = \"{session}\"");
            Assert.Contains("Received Disconnect-ACK", disconnect.Output, StringComparison.Ordinal);
            var stop = await Poll.UntilAsync(() => LabProbes.QueryRowAsync(_lab.AetherConnectionString,
                "SELECT payload->>'cause' AS cause FROM session_events WHERE session_id = @s AND type = 'SESSION_STOP'", ("s", session)), HopTimeout, "SESSION_STOP");
            Assert.Equal("Admin-Reset", stop.Text("cause"));
            Assert.Equal(-1, (await LabProbes.NftCountersAsync("ae-bng2", ip)).BytesUp);
            await _lab.ReleaseAsync(Host);
        }
        finally
        {
            await Shell.RunAsync(_lab.LabScript, ["kill", "agent-bng-02"], TimeSpan.FromSeconds(20));
            await Shell.RunAsync(_lab.LabScript, ["kill", "controller-2"], TimeSpan.FromSeconds(20));
            await Shell.RunAsync(_lab.LabScript, ["start-agent", "bng-02"], TimeSpan.FromSeconds(30));
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            await Poll.UntilAsync(async () => (await http.GetStringAsync("http://127.0.0.1:8080/healthz/agents")).Contains("\"bng-02\"", StringComparison.Ordinal) ? "back" : null,
                HopTimeout, "bng-02 back on the first controller");
        }
    }

    private static Task<ShellResult> RadclientAsync(int port, string kind, string attributes) =>
        Shell.RunAsync("bash", ["-c", $"echo '{attributes}' | radclient -r 2 -t 3 -x 127.0.0.1:{port} {kind} {CoaSecret}"], TimeSpan.FromSeconds(30));

    private static string Tail(string log) => log.Length > 3000 ? log[^3000..] : log;
}
