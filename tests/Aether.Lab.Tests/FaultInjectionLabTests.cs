using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Aether.Lab.Tests;

/// <summary>
/// Each part killed with SIGKILL and restarted while synthetic subscribers come online through bng-01 at a moderate
/// rate and a lab subscriber pings through the same BNG. After each recovery: every subscriber that got a lease has
/// exactly one session (in the agent's kernel, in sessions_active, one SESSION_START in the event log), accounting is
/// balanced in radacct, and the ping lost nothing (the data plane itself never restarts here).
/// </summary>
[Collection(LabCollection.Name)]
[Trait("Category", "Lab")]
public sealed partial class FaultInjectionLabTests
{
    private const int Subscribers = 120;
    private const double Rate = 12;
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(60);
    private readonly LabFixture _lab;
    private readonly ITestOutputHelper _output;

    public FaultInjectionLabTests(LabFixture lab, ITestOutputHelper output)
    {
        _lab = lab;
        _output = output;
    }

    public static TheoryData<string, string[]> Faults => new()
    {
        { "controller", ["start-controller"] },
        { "agent-bng-01", ["start-agent", "bng-01"] },
        { "ingestor", ["start-ingestor"] },
        { "nats", ["services"] },
        { "postgres", ["services"] },
        { "freeradius", ["services"] },
        { "kea-dhcp4", ["services"] },
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task Killing_one_part_under_load_loses_no_session_event_or_accounting_record_and_no_forwarded_packet(string part, string[] restart)
    {
        // The lab's RADIUS accepts remote-ids load-<n> (lab/radius/load-users): one of its own per fault run.
        var run = $"load-{(long)(DateTime.UtcNow - DateTime.UnixEpoch).TotalSeconds}";
        // Each run releases its leases at the end, so runs may reuse the same MACs.
        const int first = 5_000;
        var csv = Path.Combine(_lab.LabDir, run + ".csv");

        // A lab subscriber on bng-01 pings the upstream host five times a second throughout.
        var (online, _) = await _lab.BringOnlineAsync("ae-h01-1");
        Assert.True(online.ExitCode == 0, online.Describe());
        var ping = Shell.InNamespace("ae-h01-1", TimeSpan.FromSeconds(120), "ping", "-i", "0.2", "-W", "1", "-w", "28", LabProbes.Upstream);

        var simulator = Path.Combine(LabFixture.RepoRoot, "src", "Aether.Simulator", "bin", "Release", "net10.0", "aether-sim.dll");
        var load = Shell.InNamespace("ae-load", TimeSpan.FromSeconds(150), "dotnet", simulator, "load", "--interface", "ld0",
            "--count", Subscribers.ToString(CultureInfo.InvariantCulture), "--first", first.ToString(CultureInfo.InvariantCulture),
            "--rate", Rate.ToString(CultureInfo.InvariantCulture), "--concurrency", "32", "--retries", "8",
            "--remote-id", run, "--mac-prefix", "02:6f", "--release", "end", "--hold", "8s", "--release-rate", "100", "--leases", csv, "--quiet");

        await Task.Delay(TimeSpan.FromSeconds(3));
        var killed = Stopwatch.StartNew();
        await Shell.RunChecked(_lab.LabScript, ["kill", part], TimeSpan.FromSeconds(20));
        await Task.Delay(TimeSpan.FromSeconds(2));
        var back = await Shell.RunAsync(_lab.LabScript, restart, TimeSpan.FromSeconds(120));
        Assert.True(back.ExitCode == 0, $"{part} did not come back: " + back.Describe());
        var downFor = killed.Elapsed;

        var loaded = await load;
        Assert.True(loaded.ExitCode is 0 or 1, "load: " + loaded.Describe());
        var pinged = await ping;

        // Every subscriber that got a lease (and released it at the end of the run).
        var bound = File.ReadAllLines(csv).Skip(1).Select(l => l.Split(',')).Where(f => f.Length >= 5).Select(f => (Mac: f[0], Ip: f[3])).ToList();
        Assert.True(bound.Count > Subscribers / 2, $"only {bound.Count} of {Subscribers} subscribers bound around the {part} fault:\n" + loaded.Describe());

        // Settled: each of them had exactly one session, started and stopped once in the event log. A subscriber the
        // load harness gave up on (no reply within its retries) may still have completed on the BNG: its session
        // stays active, and must be whole too (one start, accounted).
        var macs = bound.Select(b => b.Mac).ToArray();
        var events = await Poll.UntilAsync(async () =>
        {
            var row = await LabProbes.QueryRowAsync(_lab.AetherConnectionString,
                """
                WITH s AS (SELECT session_id, mac, false AS active FROM sessions_history WHERE remote_id = @r
                           UNION ALL SELECT session_id, mac, true FROM sessions_active WHERE remote_id = @r)
                SELECT (SELECT count(*) FROM s WHERE NOT active AND mac = ANY(@macs)) AS ended,
                       (SELECT count(DISTINCT mac) FROM s WHERE mac = ANY(@macs)) AS macs,
                       (SELECT count(*) FROM s WHERE active AND mac = ANY(@macs)) AS active_bound,
                       (SELECT count(*) FROM s WHERE NOT (mac = ANY(@macs))) AS unreported,
                       (SELECT count(*) FROM s) AS sessions,
                       (SELECT count(*) FROM session_events e JOIN s USING (session_id) WHERE e.type = 'SESSION_START') AS starts,
                       (SELECT count(DISTINCT e.session_id) FROM session_events e JOIN s USING (session_id) WHERE e.type = 'SESSION_START') AS started,
                       (SELECT count(*) FROM session_events e JOIN s USING (session_id) WHERE e.type = 'SESSION_STOP') AS stops
                """, ("r", run), ("macs", macs));
            return row is not null && row.Long("ended") == bound.Count && row.Long("active_bound") == 0 && row.Long("stops") == bound.Count
                && row.Long("starts") == row.Long("sessions") ? row : null;
        }, Settle, $"{bound.Count} ended sessions of {run} (started and stopped once each)");
        Assert.Equal(bound.Count, events.Long("macs"));
        Assert.Equal(events.Long("sessions"), events.Long("started"));
        var kernel = await KernelAddressesAsync();
        Assert.DoesNotContain(kernel, ip => bound.Exists(b => b.Ip == ip));

        // Accounting balanced: a Start per session and a Stop per ended one in radacct (the queue retries while
        // FreeRADIUS or its database is away).
        var ids = await SessionIdsAsync(run);
        var accounting = await Poll.UntilAsync(async () =>
        {
            var row = await LabProbes.QueryRowAsync(_lab.RadiusConnectionString,
                "SELECT count(*) AS rows, count(DISTINCT acctsessionid) AS sessions, count(acctstoptime) AS stopped FROM radacct WHERE acctsessionid = ANY(@ids)",
                ("ids", ids));
            return row is not null && row.Long("stopped") == bound.Count && row.Long("rows") == ids.Length ? row : null;
        }, Settle, $"accounting Start for each of the {ids.Length} sessions and Stop for the {bound.Count} ended ones in radacct");
        Assert.Equal(ids.Length, accounting.Long("sessions"));
        _output.WriteLine(loaded.Output);

        var lost = PingLoss(pinged.Output);
        _output.WriteLine($"{part}: down for {downFor.TotalSeconds:0.0} s; {bound.Count}/{Subscribers} bound; ping {lost.Sent} sent, {lost.Lost} lost; " +
            $"{events.Long("starts")} SESSION_START, {events.Long("stops")} SESSION_STOP, {events.Long("unreported")} sessions of subscribers the harness gave up on; " +
            $"{accounting.Long("rows")} radacct rows, {accounting.Long("stopped")} stopped");
        Assert.True(lost.Sent >= 60 && lost.Lost == 0, $"forwarding through bng-01 was interrupted while {part} was down: {pinged.Output}");
    }

    private async Task<string[]> SessionIdsAsync(string run)
    {
        await using var connection = new Npgsql.NpgsqlConnection(_lab.AetherConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT session_id FROM sessions_history WHERE remote_id = @r UNION ALL SELECT session_id FROM sessions_active WHERE remote_id = @r", connection);
        command.Parameters.AddWithValue("r", run);
        var ids = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetString(0));
        }
        return [.. ids];
    }

    private static async Task<HashSet<string>> KernelAddressesAsync()
    {
        var r = await Shell.InNamespace("ae-bng1", TimeSpan.FromSeconds(20), "nft", "-j", "list", "set", "inet", "aether", "sub_up");
        return AddressInJson().Matches(r.Output).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
    }

    private static (int Sent, int Lost) PingLoss(string output)
    {
        var m = PingSummary().Match(output);
        if (!m.Success)
        {
            return (0, 0);
        }
        var sent = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        return (sent, sent - int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"(\d+) packets transmitted, (\d+) received")]
    private static partial Regex PingSummary();

    [GeneratedRegex("\"val\":\\s*\"(\\d+\\.\\d+\\.\\d+\\.\\d+)\"")]
    private static partial Regex AddressInJson();
}
