namespace Aether.Lab.Tests;

/// <summary>
/// The dashboard and the provisioning console in Debian's Chromium (playwright-core, web/e2e/run.mjs) against the
/// lab's controller: provision a customer for the lab's unsubscribed host, watch it come online live, move it to a
/// faster plan and see the new rate, disconnect it; a screenshot of every page.
/// </summary>
[Collection(LabCollection.Name)]
[Trait("Category", "Lab")]
public sealed class WebConsoleLabTests
{
    // ae-h02-5 (relay-02 port 5 on bng-01) has no subscription in the lab's RADIUS seed. It gets a MAC of its own for
    // the test, so that no decision the agent cached for the host earlier (a reject) stands in the way.
    private const string Host = "ae-h02-5";
    private const string TestMac = "02:00:00:ef:00:09";
    private readonly LabFixture _lab;

    public WebConsoleLabTests(LabFixture lab) => _lab = lab;

    [Fact]
    public async Task An_operator_provisions_a_subscriber_sees_it_online_changes_its_plan_and_disconnects_it_in_the_browser()
    {
        var operatorKey = File.ReadAllLines(Path.Combine(_lab.LabDir, "api-keys"))
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Single(f => f.Length == 3 && f[0] == "lab-operator")[2];
        var original = (await Shell.InNamespace(Host, TimeSpan.FromSeconds(10), "cat", "/sys/class/net/eth0/address")).Output.Trim();
        var artifacts = Path.Combine(LabFixture.RepoRoot, "web", "e2e-artifacts");
        if (Directory.Exists(artifacts))
        {
            Directory.Delete(artifacts, recursive: true);
        }
        await _lab.ReleaseAsync(Host);
        await LabProbes.SetMacAsync(Host, TestMac);
        try
        {
            // Started by the browser test once the service exists: DHCP until the host has a lease (bounded).
            var dhcp = $"ip netns exec {Host} timeout 12 dhclient -1 -pf {_lab.LabDir}/dhclient/{Host}.pid -lf {_lab.LabDir}/dhclient/{Host}.leases eth0";
            var kick = $"for i in 1 2 3 4; do {dhcp} && exit 0; sleep 2; done; exit 0";
            var e2e = await RunAsync(new Dictionary<string, string>
            {
                ["AETHER_WEB_E2E_URL"] = "http://127.0.0.1:8080",
                ["AETHER_WEB_E2E_API_KEY"] = operatorKey,
                ["AETHER_WEB_E2E_BNG_ID"] = "bng-01",
                ["AETHER_WEB_E2E_REMOTE_ID"] = "relay-02",
                ["AETHER_WEB_E2E_CIRCUIT_ID"] = "1/0/5",
                ["AETHER_WEB_E2E_KICK"] = kick,
                ["AETHER_WEB_E2E_ONLINE_TIMEOUT_MS"] = "90000",
            });

            Assert.True(e2e.ExitCode == 0, "browser test failed:\n" + e2e.Describe() + "\ncontroller log:\n" + Tail(_lab.ReadLog("controller")));
            var screenshots = Directory.GetFiles(artifacts, "*.png");
            Assert.True(screenshots.Length >= 5, $"{screenshots.Length} screenshots in {artifacts}: " + string.Join(", ", screenshots.Select(Path.GetFileName)));
            Assert.All(screenshots, s => Assert.True(new FileInfo(s).Length > 10_000, s + " is too small to be a page"));
        }
        finally
        {
            await LabProbes.KillHostProcessesAsync(Host);
            await LabProbes.SetMacAsync(Host, original);
            await Shell.InNamespace(Host, TimeSpan.FromSeconds(10), "ip", "-4", "addr", "flush", "dev", "eth0");
            File.Delete(Path.Combine(_lab.LabDir, "dhclient", Host + ".leases"));
        }
    }

    private static async Task<ShellResult> RunAsync(Dictionary<string, string> environment)
    {
        var start = new System.Diagnostics.ProcessStartInfo("node")
        {
            WorkingDirectory = Path.Combine(LabFixture.RepoRoot, "web"),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("e2e/run.mjs");
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        using var process = System.Diagnostics.Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("the browser test did not finish within 5 minutes:\n" + await stdout);
        }
        return new ShellResult(process.ExitCode, await stdout, await stderr);
    }

    private static string Tail(string log) => log.Length > 4000 ? log[^4000..] : log;
}
