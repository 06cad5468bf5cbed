using System.CommandLine;
using Aether.Simulator.Load;

namespace Aether.Simulator.Cli;

/// <summary>`aether-sim load` and `aether-sim churn`: one set of options, two schedules.</summary>
internal static class LoadCommand
{
    public static Command CreateLoad(Func<LoadRequest, bool, CancellationToken, Task<int>> run) => Create(churn: false, run);

    public static Command CreateChurn(Func<LoadRequest, bool, CancellationToken, Task<int>> run) => Create(churn: true, run);

    private static Command Create(bool churn, Func<LoadRequest, bool, CancellationToken, Task<int>> run)
    {
        var command = new Command(
            churn ? "churn" : "load",
            churn
                ? "Subscribers from a pool join (DORA) and leave (RELEASE) at a rate for a bounded time."
                : "N synthetic subscribers run DHCP DORA then RELEASE; reports sessions/s, latency percentiles and failures.");

        var mode = new Option<string>("--mode")
        {
            Description = "l2: broadcast frames with Option 82 and giaddr 0 on --interface, as behind an access node; relay: UDP to --server from --giaddr:67, as a relay (the Kea-alone baseline)",
            DefaultValueFactory = _ => "l2",
        };
        mode.AcceptOnlyFromAmong("l2", "relay");
        var iface = new Option<string?>("--interface", "-i") { Description = "Interface to inject on and capture from (l2 mode)" };
        var server = new Option<string?>("--server") { Description = "DHCP server address (relay mode)" };
        var giaddr = new Option<string?>("--giaddr") { Description = "Relay address: set as giaddr, the socket binds to it on port 67 (relay mode)" };
        var count = new Option<int>(churn ? "--pool" : "--count", churn ? [] : ["-n"])
        {
            Description = churn ? "Subscribers in the pool that join and leave" : "Subscribers to bring up",
            DefaultValueFactory = _ => 1000,
        };
        var first = new Option<int>("--first") { Description = "Number of the first subscriber (MAC suffix and circuit-id); runs with distinct ranges never collide", DefaultValueFactory = _ => 0 };
        var rate = new Option<double>("--rate", "-r")
        {
            Description = churn ? "Joins per second" : "New subscribers per second (token bucket); 0 starts them as fast as exchanges complete",
            DefaultValueFactory = _ => churn ? 50 : 0,
        };
        var burst = new Option<double?>("--burst") { Description = "Starts the token bucket may bank (default 20 ms worth)" };
        var concurrency = new Option<int>("--concurrency", "-c") { Description = "Exchanges in flight at most", DefaultValueFactory = _ => 256 };
        var timeout = OptionFactory.Duration("--timeout", "Wait for each reply before retransmitting", TimeSpan.FromSeconds(2));
        var retries = new Option<int>("--retries") { Description = "Retransmissions per message before a subscriber fails", DefaultValueFactory = _ => 3 };
        var remoteId = new Option<string>("--remote-id") { Description = "Option 82 remote-id (sub-option 2) of every subscriber", DefaultValueFactory = _ => "aether-sim" };
        var macPrefix = new Option<string>("--mac-prefix") { Description = "Leading MAC octets; the subscriber number fills the rest", DefaultValueFactory = _ => "02:5a" };
        var seed = new Option<int>("--seed") { Description = "Seeds transaction ids and churn's choices", DefaultValueFactory = _ => 1 };
        var duration = OptionFactory.Duration(
            "--duration",
            churn ? "How long subscribers keep joining" : "Cap on the time new subscribers start",
            churn ? TimeSpan.FromSeconds(60) : TimeSpan.FromMinutes(10));
        var release = new Option<string>("--release")
        {
            Description = "end: release every lease after the last DORA; immediate: right after each ACK; none: keep the leases",
            DefaultValueFactory = _ => "end",
        };
        release.AcceptOnlyFromAmong("end", "immediate", "none");
        var releaseRate = new Option<double?>("--release-rate") { Description = "RELEASEs per second in the end phase (default: --rate, else 2000)" };
        var hold = OptionFactory.Duration("--hold", "Pause before the end-phase releases, e.g. to check sessions; with --hold-until the longest it waits (10m unless given)", TimeSpan.Zero);
        var holdUntil = new Option<string?>("--hold-until")
        {
            Description = "End the hold as soon as this file exists (with --release end); --leases is written as the hold begins",
            HelpName = "file",
        };
        var holdMin = OptionFactory.Duration("--hold-min", "Shortest time a joined subscriber stays", TimeSpan.FromSeconds(5));
        var holdMax = OptionFactory.Duration("--hold-max", "Longest time a joined subscriber stays", TimeSpan.FromSeconds(30));
        var broadcast = new Option<bool>("--broadcast") { Description = "Set the BROADCAST flag so servers broadcast their replies" };
        var noOption82 = new Option<bool>("--no-option82") { Description = "Leave Option 82 out (for an interface where the agent inserts it)" };
        var pids = new Option<string[]>("--pid")
        {
            Description = "Process to sample for CPU and memory, NAME=PID or PID; repeatable",
            AllowMultipleArgumentsPerToken = false,
        };
        var sampleInterval = OptionFactory.Duration("--sample-interval", "How often --pid processes are sampled", TimeSpan.FromSeconds(1));
        var json = new Option<string?>("--json") { Description = "Write the report as JSON to this file", HelpName = "file" };
        var histogram = new Option<string?>("--histogram") { Description = "Write the latency histogram: SVG when the name ends in .svg, else HTML", HelpName = "file" };
        var leases = new Option<string?>("--leases") { Description = "Write every bound subscriber as CSV: mac,circuit_id,remote_id,ip,state", HelpName = "file" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No progress line" };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Log the engine's phases" };

        foreach (Option option in new Option[] { mode, iface, server, giaddr, count, first, rate, burst, concurrency, timeout.Option, retries, remoteId, macPrefix, seed, duration.Option, release, releaseRate, hold.Option, holdUntil })
        {
            command.Options.Add(option);
        }

        if (churn)
        {
            command.Options.Add(holdMin.Option);
            command.Options.Add(holdMax.Option);
        }

        foreach (Option option in new Option[] { broadcast, noOption82, pids, sampleInterval.Option, json, histogram, leases, quiet, verbose })
        {
            command.Options.Add(option);
        }

        command.SetAction((result, cancellationToken) =>
        {
            var request = new LoadRequest
            {
                Churn = churn,
                Mode = result.GetValue(mode) == "relay" ? TransportMode.Relay : TransportMode.L2,
                Interface = result.GetValue(iface),
                Server = result.GetValue(server),
                Giaddr = result.GetValue(giaddr),
                Count = result.GetValue(count),
                FirstIndex = result.GetValue(first),
                Rate = result.GetValue(rate),
                Burst = result.GetValue(burst),
                Concurrency = result.GetValue(concurrency),
                Timeout = timeout.Get(result),
                Retries = result.GetValue(retries),
                RemoteId = result.GetValue(remoteId) ?? "",
                MacPrefix = result.GetValue(macPrefix) ?? "",
                Seed = result.GetValue(seed),
                Duration = duration.Get(result),
                Release = result.GetValue(release) switch
                {
                    "immediate" => ReleaseMode.Immediate,
                    "none" => ReleaseMode.None,
                    _ => ReleaseMode.End,
                },
                ReleaseRate = result.GetValue(releaseRate),
                Hold = result.GetValue(hold.Option),
                HoldUntil = result.GetValue(holdUntil),
                HoldMin = churn ? holdMin.Get(result) : TimeSpan.Zero,
                HoldMax = churn ? holdMax.Get(result) : TimeSpan.Zero,
                Broadcast = result.GetValue(broadcast),
                Option82 = !result.GetValue(noOption82),
                Pids = result.GetValue(pids) ?? [],
                SampleInterval = sampleInterval.Get(result),
                JsonPath = result.GetValue(json),
                HistogramPath = result.GetValue(histogram),
                LeasesPath = result.GetValue(leases),
                Progress = !result.GetValue(quiet),
            };
            return run(request, result.GetValue(verbose), cancellationToken);
        });
        return command;
    }
}
