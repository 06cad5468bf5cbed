using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Aether.Radius;
using Aether.Simulator.Load;
using Aether.Simulator.Radius;
using Aether.Simulator.Reporting;

namespace Aether.Simulator.Cli;

/// <summary>`aether-sim radius`: the RADIUS of N subscriber set-ups, straight to a server (the load test's RADIUS-alone baseline).</summary>
internal static class RadiusCommand
{
    public static Command Create()
    {
        var command = new Command(
            "radius",
            "N synthetic subscribers' RADIUS straight to a server: Access-Request then Accounting-Start each, then Accounting-Stop each; reports the rates and latency.");
        var server = new Option<string>("--server") { Description = "RADIUS server address", DefaultValueFactory = _ => "127.0.0.1" };
        var authPort = new Option<int>("--auth-port") { Description = "Authentication port", DefaultValueFactory = _ => 1812 };
        var acctPort = new Option<int>("--acct-port") { Description = "Accounting port", DefaultValueFactory = _ => 1813 };
        var secret = new Option<string>("--secret") { Description = "Shared secret", Required = true };
        var count = new Option<int>("--count", "-n") { Description = "Subscribers to set up and stop", DefaultValueFactory = _ => 1000 };
        var first = new Option<int>("--first") { Description = "Number of the first subscriber (circuit-id and MAC, as aether-sim load numbers them)", DefaultValueFactory = _ => 0 };
        var concurrency = new Option<int>("--concurrency", "-c") { Description = "Subscribers in flight at most", DefaultValueFactory = _ => 64 };
        var bngId = new Option<string>("--bng-id") { Description = "NAS-Identifier, and the first part of User-Name", DefaultValueFactory = _ => "bng-01" };
        var remoteId = new Option<string>("--remote-id") { Description = "Remote-id in User-Name ({bng_id}/{remote_id}/{circuit_id})", DefaultValueFactory = _ => "aether-sim" };
        var macPrefix = new Option<string>("--mac-prefix") { Description = "Leading MAC octets of Calling-Station-Id", DefaultValueFactory = _ => "02:5a" };
        var password = new Option<string>("--password") { Description = "User-Password of every subscriber", DefaultValueFactory = _ => "aether" };
        var nasIp = new Option<string>("--nas-ip") { Description = "NAS-IP-Address", DefaultValueFactory = _ => "127.0.0.1" };
        var portId = new Option<string>("--port-id") { Description = "NAS-Port-Id", DefaultValueFactory = _ => "ld0" };
        var framedBase = new Option<string>("--framed-base") { Description = "Framed-IP-Address of subscriber 0 in accounting; subscriber n gets base + n", DefaultValueFactory = _ => "100.96.0.0" };
        var timeout = OptionFactory.Duration("--timeout", "Wait for each answer before retransmitting", TimeSpan.FromSeconds(2));
        var retries = new Option<int>("--retries") { Description = "Retransmissions per request", DefaultValueFactory = _ => 3 };
        var cpu = new Option<string[]>("--cpu")
        {
            Description = "Processes whose CPU per subscriber to report, NAME=PREFIX of their command line (e.g. 'postgres=postgres: radius '); repeatable. The machine's is always reported.",
            AllowMultipleArgumentsPerToken = false,
        };
        var json = new Option<string?>("--json") { Description = "Write the report as JSON to this file", HelpName = "file" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No progress" };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Log the RADIUS client's warnings and debug" };
        foreach (Option option in new Option[] { server, authPort, acctPort, secret, count, first, concurrency, bngId, remoteId, macPrefix, password, nasIp, portId, framedBase, timeout.Option, retries, cpu, json, quiet, verbose })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (result, cancellationToken) =>
        {
            var errors = new List<string>();
            if (result.GetValue(count) < 1)
            {
                errors.Add("--count must be at least 1.");
            }

            if (result.GetValue(concurrency) is < 1 or > 16_384)
            {
                errors.Add("--concurrency must be 1 to 16384.");
            }

            if (SubscriberPlan.CheckMacPrefix(result.GetValue(macPrefix) ?? "", result.GetValue(first), result.GetValue(count), out var prefix) is { } macPrefixError)
            {
                errors.Add(macPrefixError);
            }

            if (result.GetValue(first) < 0)
            {
                errors.Add("--first must not be negative.");
            }

            if (!IPAddress.TryParse(result.GetValue(nasIp), out var nas) || nas.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
            {
                errors.Add($"--nas-ip '{result.GetValue(nasIp)}' is not an IPv4 address.");
            }

            if (!IPAddress.TryParse(result.GetValue(framedBase), out var framed) || framed.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
            {
                errors.Add($"--framed-base '{result.GetValue(framedBase)}' is not an IPv4 address.");
            }

            var groups = new List<CpuGroup>();
            foreach (var text in result.GetValue(cpu) ?? [])
            {
                if (CpuGroup.TryParse(text, out var group))
                {
                    groups.Add(group);
                }
                else
                {
                    errors.Add($"--cpu '{text}' is not NAME=PREFIX.");
                }
            }

            var endpoint = new RadiusServerEndpoint
            {
                Host = result.GetValue(server) ?? "",
                AuthPort = result.GetValue(authPort),
                AcctPort = result.GetValue(acctPort),
                Secret = result.GetValue(secret) ?? "",
            };
            errors.AddRange(new RadiusClientOptions { Servers = [endpoint], Timeout = timeout.Get(result), Retries = result.GetValue(retries) }.Validate());
            if (errors.Count > 0)
            {
                foreach (var error in errors)
                {
                    await Console.Error.WriteLineAsync($"aether-sim radius: {error}".AsMemory(), cancellationToken);
                }

                return 2;
            }

            var settings = new RadiusLoadSettings(
                endpoint,
                result.GetValue(count),
                result.GetValue(first),
                result.GetValue(concurrency),
                result.GetValue(bngId) ?? "bng-01",
                result.GetValue(remoteId) ?? "aether-sim",
                prefix,
                result.GetValue(password) ?? "",
                nas!,
                result.GetValue(portId) ?? "ld0",
                framed!,
                timeout.Get(result),
                result.GetValue(retries),
                groups);
            using var loggers = Logging.Create(result.GetValue(verbose));
            Action<string>? progress = result.GetValue(quiet) ? null : line => Console.Error.WriteLine($"[radius] {line}");
            RadiusLoadResult outcome;
            try
            {
                outcome = await new RadiusLoadRunner(loggers).RunAsync(settings, progress, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await Console.Error.WriteLineAsync("aether-sim radius: cancelled before every subscriber was set up and stopped; no report.");
                return 130;
            }

            await Console.Out.WriteAsync(Format(outcome).AsMemory(), cancellationToken);
            if (result.GetValue(json) is { } path)
            {
                await File.WriteAllTextAsync(path, JsonSerializer.Serialize(outcome, RadiusReportJsonContext.Default.RadiusLoadResult), cancellationToken);
            }

            return outcome.Complete ? 0 : 1;
        });
        return command;
    }

    internal static string Format(RadiusLoadResult r)
    {
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"aether-sim radius: {r.Server}");
        text.AppendLine(c, $"  subscribers   {r.Requested} requested, {r.Accepted} accepted and started, {r.Rejected} rejected, {r.Stopped} stopped, {r.Failed} failed");
        text.AppendLine(c, $"  setup rate    {r.SetupsPerSecond:F1} subscribers/s over {r.SetupSeconds:F3} s (Access-Request, then Accounting-Start)");
        var l = r.SetupLatency;
        text.AppendLine(c, $"  setup latency p50 {l.P50:0.###} ms  p95 {l.P95:0.###} ms  p99 {l.P99:0.###} ms  max {l.Max:0.###} ms");
        text.AppendLine(c, $"  stop rate     {r.StopsPerSecond:F1} Accounting-Stops/s over {r.StopSeconds:F3} s");
        text.AppendLine(c, $"  failures      {(r.Failures.Count == 0 ? "none" : string.Join(", ", r.Failures.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key} {f.Value}")))}");
        text.AppendLine(c, $"  client        {r.Retransmissions} retransmitted");
        foreach (var g in r.Cpu)
        {
            text.AppendLine(c, $"  cpu           {g.Name,-12} {g.SetupMsPerSubscriber:0.000} ms per setup, {g.StopMsPerSubscriber:0.000} ms per stop");
        }

        return text.ToString();
    }
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(RadiusLoadResult))]
internal sealed partial class RadiusReportJsonContext : JsonSerializerContext;
