using System.Globalization;
using System.Text.RegularExpressions;

namespace Aether.Simulator.Hosts;

/// <summary>`aether-sim online`'s settings.</summary>
internal sealed record OnlineRequest(
    IReadOnlyList<string> Hosts,
    string Interface,
    int Attempts,
    TimeSpan Timeout,
    TimeSpan RetryDelay,
    int Concurrency,
    string StateDirectory,
    bool Release)
{
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Hosts.Count == 0)
        {
            errors.Add("--host is required (a network namespace; repeat for several).");
        }

        if (Hosts.Any(h => h == NetnsCommand.RootNamespace || h.Contains('/', StringComparison.Ordinal)))
        {
            errors.Add("--host must name a network namespace.");
        }

        if (Attempts is < 1 or > 20)
        {
            errors.Add("--attempts must be between 1 and 20.");
        }

        if (Timeout <= TimeSpan.Zero || Timeout > TimeSpan.FromMinutes(10))
        {
            errors.Add("--timeout must be above 0 and at most 10m.");
        }

        if (Concurrency < 1)
        {
            errors.Add("--concurrency must be at least 1.");
        }

        return errors;
    }
}

/// <summary>One host's outcome.</summary>
internal sealed record HostOnline(string Host, bool Online, string? Address, int Attempts, TimeSpan Elapsed, string? Error);

/// <summary>
/// Brings lab hosts online with the real DHCP client: <c>ip netns exec HOST dhclient -1 IFACE</c> with a pid and
/// lease file per host, retried with a pause; then reads the address the client configured. dhclient stays
/// running in the namespace to renew, as on a real host; <c>--release</c> releases and stops it.
/// </summary>
internal sealed partial class OnlineRunner(ILogger logger)
{
    public async Task<IReadOnlyList<HostOnline>> RunAsync(OnlineRequest request, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(request.StateDirectory);
        using var gate = new SemaphoreSlim(request.Concurrency);
        var tasks = request.Hosts.Select(async host =>
        {
            await gate.WaitAsync(cancellationToken);
            try
            {
                return request.Release
                    ? await ReleaseAsync(request, host, cancellationToken)
                    : await BringUpAsync(request, host, cancellationToken);
            }
            finally
            {
                gate.Release();
            }
        });
        return await Task.WhenAll(tasks);
    }

    private async Task<HostOnline> BringUpAsync(OnlineRequest request, string host, CancellationToken cancellationToken)
    {
        EnsurePrivateResolvConf(host);
        var started = DateTimeOffset.UtcNow;
        string? error = null;
        for (int attempt = 1; attempt <= request.Attempts; attempt++)
        {
            var outcome = await NetnsCommand.RunAsync(host, Dhclient(request, host, "-1"), request.Timeout, cancellationToken);
            var address = await ReadAddressAsync(host, request.Interface, cancellationToken);
            if (outcome.Succeeded && address is not null)
            {
                LogOnline(host, request.Interface, address, attempt);
                return new HostOnline(host, true, address, attempt, DateTimeOffset.UtcNow - started, null);
            }

            error = outcome.TimedOut ? $"dhclient gave no lease within {request.Timeout.TotalSeconds:0.#} s" : LastLine(outcome.Output);
            LogAttemptFailed(host, attempt, request.Attempts, error);
            if (attempt < request.Attempts)
            {
                await Task.Delay(request.RetryDelay, cancellationToken);
            }
        }

        return new HostOnline(host, false, null, request.Attempts, DateTimeOffset.UtcNow - started, error);
    }

    private static async Task<HostOnline> ReleaseAsync(OnlineRequest request, string host, CancellationToken cancellationToken)
    {
        var outcome = await NetnsCommand.RunAsync(host, Dhclient(request, host, "-r"), request.Timeout, cancellationToken);
        return new HostOnline(host, false, null, 1, outcome.Elapsed, outcome.Succeeded ? null : LastLine(outcome.Output));
    }

    private static List<string> Dhclient(OnlineRequest request, string host, string mode) =>
    [
        "dhclient", mode, "-v",
        "-pf", Path.Combine(request.StateDirectory, $"{host}.pid"),
        "-lf", Path.Combine(request.StateDirectory, $"{host}.leases"),
        request.Interface,
    ];

    /// <summary>The IPv4 address and prefix on the interface, e.g. "100.64.0.23/24"; null when it has none.</summary>
    internal static async Task<string?> ReadAddressAsync(string host, string iface, CancellationToken cancellationToken)
    {
        var outcome = await NetnsCommand.RunAsync(host, ["ip", "-4", "-o", "addr", "show", "dev", iface], TimeSpan.FromSeconds(10), cancellationToken);
        return outcome.Succeeded ? ParseAddress(outcome.Output) : null;
    }

    internal static string? ParseAddress(string ipAddrOutput)
    {
        var match = InetPattern().Match(ipAddrOutput);
        return match.Success ? match.Groups[1].Value : null;
    }

    /// <summary>
    /// `ip netns exec` bind-mounts /etc/netns/HOST/resolv.conf over /etc/resolv.conf; without it dhclient-script
    /// would rewrite the machine's own resolver configuration.
    /// </summary>
    private static void EnsurePrivateResolvConf(string host)
    {
        var directory = Path.Combine("/etc/netns", host);
        var file = Path.Combine(directory, "resolv.conf");
        if (!File.Exists(file))
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(file, "");
        }
    }

    private static string LastLine(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "no output";

    public static string Format(IReadOnlyList<HostOnline> hosts) =>
        string.Concat(hosts.Select(h => string.Create(
            CultureInfo.InvariantCulture,
            $"{h.Host,-16} {(h.Online ? "online " + h.Address : h.Error is null ? "released" : "FAILED  " + h.Error)} ({h.Attempts} attempt{(h.Attempts == 1 ? "" : "s")}, {h.Elapsed.TotalSeconds:0.0} s)\n")));

    [GeneratedRegex(@"\binet ([0-9.]+/[0-9]+)")]
    private static partial Regex InetPattern();

    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "{Host} is online on {Interface} with {Address} (attempt {Attempt})")]
    private partial void LogOnline(string host, string @interface, string address, int attempt);

    [LoggerMessage(EventId = 301, Level = LogLevel.Warning, Message = "{Host}: DHCP attempt {Attempt} of {Attempts} failed: {Reason}")]
    private partial void LogAttemptFailed(string host, int attempt, int attempts, string reason);
}
