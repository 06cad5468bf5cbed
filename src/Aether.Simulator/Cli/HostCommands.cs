using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Aether.Simulator.Hosts;
using Aether.Simulator.Provisioning;
using Aether.Simulator.Traffic;

namespace Aether.Simulator.Cli;

/// <summary>`online`, `traffic` and `provision`: the lab's subscriber drivers.</summary>
internal static class HostCommands
{
    private static Option<bool> Verbose() => new("--verbose", "-v") { Description = "Log each step" };

    public static Command CreateOnline()
    {
        var verbose = Verbose();
        var command = new Command("online", "Bring lab hosts online with dhclient in their network namespaces, with retries.");
        var hosts = new Option<string[]>("--host") { Description = "Network namespace of a host; repeatable", Required = true };
        var iface = new Option<string>("--interface", "-i") { Description = "The host's interface", DefaultValueFactory = _ => "eth0" };
        var attempts = new Option<int>("--attempts") { Description = "dhclient runs per host before giving up", DefaultValueFactory = _ => 3 };
        var timeout = OptionFactory.Duration("--timeout", "Wait for one dhclient run", TimeSpan.FromSeconds(30));
        var retryDelay = OptionFactory.Duration("--retry-delay", "Pause between attempts", TimeSpan.FromSeconds(2));
        var concurrency = new Option<int>("--concurrency") { Description = "Hosts brought up at once", DefaultValueFactory = _ => 8 };
        var state = new Option<string>("--state-dir") { Description = "Where dhclient's pid and lease files go", DefaultValueFactory = _ => "/run/aether-sim" };
        var release = new Option<bool>("--release") { Description = "Release the leases and stop the clients instead" };
        foreach (Option option in new Option[] { hosts, iface, attempts, timeout.Option, retryDelay.Option, concurrency, state, release, verbose })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (result, cancellationToken) =>
        {
            var request = new OnlineRequest(
                result.GetValue(hosts) ?? [],
                result.GetValue(iface) ?? "eth0",
                result.GetValue(attempts),
                timeout.Get(result),
                retryDelay.Get(result),
                result.GetValue(concurrency),
                result.GetValue(state) ?? "/run/aether-sim",
                result.GetValue(release));
            if (await ReportErrorsAsync("online", request.Validate(), cancellationToken))
            {
                return 2;
            }

            using var loggers = Logging.Create(result.GetValue(verbose));
            var outcome = await new OnlineRunner(loggers.CreateLogger<OnlineRunner>()).RunAsync(request, cancellationToken);
            await Console.Out.WriteAsync(OnlineRunner.Format(outcome).AsMemory(), cancellationToken);
            return request.Release ? (outcome.All(h => h.Error is null) ? 0 : 1) : (outcome.All(h => h.Online) ? 0 : 1);
        });
        return command;
    }

    public static Command CreateTraffic()
    {
        var verbose = Verbose();
        var command = new Command("traffic", "Run weighted random traffic (curl, dig, iperf3, ...) per host from a JSON config, for a bounded time.");
        var config = new Option<string>("--config") { Description = "The traffic config (see lab/sim/traffic.json)", Required = true, HelpName = "file" };
        var duration = new Option<TimeSpan?>("--duration") { Description = "Overrides the config's duration (e.g. 30s, 5m)", HelpName = "duration", CustomParser = OptionFactory.ParseDuration };
        var hosts = new Option<string[]>("--host") { Description = "Overrides the config's hosts; repeatable" };
        var seed = new Option<int>("--seed") { Description = "Seeds each host's choices", DefaultValueFactory = _ => 1 };
        var json = new Option<string?>("--json") { Description = "Write the report as JSON to this file", HelpName = "file" };
        foreach (Option option in new Option[] { config, duration, hosts, seed, json, verbose })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (result, cancellationToken) =>
        {
            TrafficConfig loaded;
            try
            {
                loaded = TrafficConfig.Load(result.GetValue(config)!);
            }
            catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
            {
                await ReportErrorsAsync("traffic", [e.Message], cancellationToken);
                return 2;
            }

            if (result.GetValue(hosts) is { Length: > 0 } overrides)
            {
                loaded = loaded with { Hosts = overrides };
            }

            if (result.GetValue(duration) is { } overrideDuration)
            {
                loaded = loaded with { Duration = Durations.Format(overrideDuration) };
            }

            if (await ReportErrorsAsync("traffic", loaded.Validate(), cancellationToken))
            {
                return 2;
            }

            _ = Durations.TryParse(loaded.Duration, out var runFor);
            using var loggers = Logging.Create(result.GetValue(verbose));
            var report = await new TrafficRunner(loggers.CreateLogger<TrafficRunner>()).RunAsync(loaded, runFor, result.GetValue(seed), cancellationToken);
            await Console.Out.WriteAsync(TrafficRunner.Format(report).AsMemory(), cancellationToken);
            if (result.GetValue(json) is { } path)
            {
                await File.WriteAllTextAsync(path, JsonSerializer.Serialize(report, TrafficJsonContext.Default.TrafficReport), cancellationToken);
            }

            // Every host must have got something through; individual failures are in the report.
            return report.Actions.GroupBy(a => a.Host).All(h => h.Sum(a => a.Succeeded) > 0) ? 0 : 1;
        });
        return command;
    }

    public static Command CreateProvision()
    {
        var verbose = Verbose();
        var command = new Command("provision", "Create plans, Bogus customers and their services through the GraphQL API (which syncs RADIUS).");
        var api = new Option<string>("--api") { Description = "GraphQL endpoint", DefaultValueFactory = _ => "http://127.0.0.1:8080/graphql" };
        var token = new Option<string?>("--token") { Description = "Bearer token for an operator role (default: $AETHER_API_TOKEN)" };
        var customers = new Option<int>("--customers", "-n") { Description = "Customers to create, one service each", DefaultValueFactory = _ => 16 };
        var remoteId = new Option<string>("--remote-id") { Description = "Remote-id of the services' lines (the access node's)", DefaultValueFactory = _ => "relay-01" };
        var bngId = new Option<string>("--bng-id") { Description = "BNG the services' lines hang off (part of the RADIUS User-Name)", DefaultValueFactory = _ => "bng-01" };
        var firstCircuit = new Option<int>("--first-circuit") { Description = "Circuit-ids are 1/0/<n> from this n", DefaultValueFactory = _ => 1 };
        var seed = new Option<int>("--seed") { Description = "Seeds the generated data", DefaultValueFactory = _ => 1 };
        var circuits = new Option<string[]>("--circuit") { Description = "Circuit-id of a line to provision; repeatable (instead of --customers and --first-circuit)" };
        var plan = new Option<string?>("--plan") { Description = "Put every customer on this plan, NAME=DOWN/UP in kbit/s (created when missing); default: a random pick of three plans" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print what would be created as JSON and call nothing" };
        var timeout = OptionFactory.Duration("--timeout", "Per-request timeout", TimeSpan.FromSeconds(10));
        foreach (Option option in new Option[] { api, token, customers, bngId, remoteId, firstCircuit, circuits, plan, seed, dryRun, timeout.Option, verbose })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (result, cancellationToken) =>
        {
            int count = result.GetValue(customers);
            var errors = new List<string>();
            if (count is < 1 or > 100_000)
            {
                errors.Add("--customers must be between 1 and 100000.");
            }

            if (!Uri.TryCreate(result.GetValue(api), UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https"))
            {
                errors.Add("--api must be an http(s) URL.");
            }

            IReadOnlyList<PlanSpec> plans = Provisioner.DefaultPlans;
            if (result.GetValue(plan) is { } planText)
            {
                if (Provisioner.TryParsePlan(planText, out var single))
                {
                    plans = [single];
                }
                else
                {
                    errors.Add($"--plan '{planText}' must be NAME=DOWN/UP in kbit/s, e.g. residential-20=20000/10000.");
                }
            }

            if (await ReportErrorsAsync("provision", errors, cancellationToken))
            {
                return 2;
            }

            var lines = result.GetValue(circuits) is { Length: > 0 } explicitCircuits
                ? explicitCircuits
                : Enumerable.Range(result.GetValue(firstCircuit), count).Select(n => string.Create(CultureInfo.InvariantCulture, $"1/0/{n}")).ToArray();
            var data = Provisioner.Generate(lines, result.GetValue(seed), result.GetValue(bngId) ?? "bng-01", result.GetValue(remoteId) ?? "relay-01", plans);
            if (result.GetValue(dryRun))
            {
                await Console.Out.WriteLineAsync(JsonSerializer.Serialize(data, ProvisioningJsonContext.Default.ProvisioningData).AsMemory(), cancellationToken);
                return 0;
            }

            using var loggers = Logging.Create(result.GetValue(verbose));
            using var http = new HttpClient { Timeout = timeout.Get(result) };
            var provisioner = new Provisioner(http, endpoint!, result.GetValue(token) ?? Environment.GetEnvironmentVariable("AETHER_API_TOKEN"), loggers.CreateLogger<Provisioner>());
            try
            {
                int services = await provisioner.ProvisionAsync(data, cancellationToken);
                await Console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"provisioned {data.Plans.Count} plans, {services} customers with a service each").AsMemory(), cancellationToken);
                return 0;
            }
            catch (Exception e) when (e is HttpRequestException or InvalidOperationException or JsonException or TaskCanceledException)
            {
                await ReportErrorsAsync("provision", [e.Message], CancellationToken.None);
                return 1;
            }
        });
        return command;
    }

    private static async Task<bool> ReportErrorsAsync(string command, IReadOnlyList<string> errors, CancellationToken cancellationToken)
    {
        foreach (var error in errors)
        {
            await Console.Error.WriteLineAsync($"aether-sim {command}: {error}".AsMemory(), cancellationToken);
        }

        return errors.Count > 0;
    }
}
