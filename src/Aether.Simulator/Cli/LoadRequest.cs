using Aether.Dhcp;
using Aether.Simulator.Load;
using Aether.Simulator.Reporting;

namespace Aether.Simulator.Cli;

internal enum TransportMode
{
    /// <summary>Broadcast frames on an interface, as subscribers behind an access node.</summary>
    L2,

    /// <summary>UDP to the server as a layer-3 relay would send it.</summary>
    Relay,
}

/// <summary>A load or churn run as the command line asked for it; <see cref="Validate"/> reports every problem at once.</summary>
internal sealed record LoadRequest
{
    /// <summary>The hold when only <see cref="HoldUntil"/> is given: long enough for a check, still bounded.</summary>
    public static readonly TimeSpan DefaultHoldUntilHold = TimeSpan.FromMinutes(10);

    public required bool Churn { get; init; }

    public required TransportMode Mode { get; init; }

    public string? Interface { get; init; }

    public string? Server { get; init; }

    public string? Giaddr { get; init; }

    public required int Count { get; init; }

    public int FirstIndex { get; init; }

    public double Rate { get; init; }

    public double? Burst { get; init; }

    public required int Concurrency { get; init; }

    public required TimeSpan Timeout { get; init; }

    public required int Retries { get; init; }

    public required string RemoteId { get; init; }

    public required string MacPrefix { get; init; }

    public int Seed { get; init; }

    public required TimeSpan Duration { get; init; }

    public ReleaseMode Release { get; init; }

    public double? ReleaseRate { get; init; }

    /// <summary>As given on the command line; null when it was not (see <see cref="EffectiveHold"/>).</summary>
    public TimeSpan? Hold { get; init; }

    /// <summary>A file whose appearance ends the hold before <see cref="EffectiveHold"/> elapses.</summary>
    public string? HoldUntil { get; init; }

    public TimeSpan HoldMin { get; init; }

    public TimeSpan HoldMax { get; init; }

    public bool Broadcast { get; init; }

    public bool Option82 { get; init; } = true;

    public IReadOnlyList<string> Pids { get; init; } = [];

    public TimeSpan SampleInterval { get; init; } = TimeSpan.FromSeconds(1);

    public string? JsonPath { get; init; }

    public string? HistogramPath { get; init; }

    public string? LeasesPath { get; init; }

    public bool Progress { get; init; } = true;

    public string Command => Churn ? "churn" : "load";

    /// <summary>The release rate in force: as asked, else the admission rate, else 2,000/s.</summary>
    public double EffectiveReleaseRate => ReleaseRate ?? (Rate > 0 ? Rate : 2000);

    /// <summary>The hold in force: as asked, else 10 minutes when <see cref="HoldUntil"/> ends it, else none.</summary>
    public TimeSpan EffectiveHold => Hold ?? (HoldUntil is null ? TimeSpan.Zero : DefaultHoldUntilHold);

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Mode == TransportMode.L2 && string.IsNullOrWhiteSpace(Interface))
        {
            errors.Add("--interface is required in l2 mode.");
        }

        if (Mode == TransportMode.Relay)
        {
            if (!Ipv4Address.TryParse(Server, out _))
            {
                errors.Add("--server must be the DHCP server's IPv4 address in relay mode.");
            }

            if (!Ipv4Address.TryParse(Giaddr, out var giaddr) || giaddr.IsAny)
            {
                errors.Add("--giaddr must be a local IPv4 address in relay mode (the socket binds to it, port 67).");
            }
        }

        if (Count < 1 || Count > LoadEngine.MaxSubscribers)
        {
            errors.Add($"--{(Churn ? "pool" : "count")} must be between 1 and {LoadEngine.MaxSubscribers}.");
        }

        if (FirstIndex < 0)
        {
            errors.Add("--first must not be negative.");
        }

        if (SubscriberPlan.CheckMacPrefix(MacPrefix, FirstIndex, Count, out _) is { } macPrefixError)
        {
            errors.Add(macPrefixError);
        }

        if (string.IsNullOrEmpty(RemoteId) || RemoteId.Length > byte.MaxValue || RemoteId.Any(c => c > 0x7e || c < 0x20))
        {
            errors.Add("--remote-id must be 1 to 255 printable ASCII characters.");
        }

        if (Rate < 0 || double.IsNaN(Rate) || double.IsInfinity(Rate))
        {
            errors.Add("--rate must be 0 (as fast as exchanges complete) or a positive number per second.");
        }

        if (Churn && Rate <= 0)
        {
            errors.Add("churn needs --rate (joins per second).");
        }

        if (Burst is <= 0)
        {
            errors.Add("--burst must be positive.");
        }

        if (ReleaseRate is <= 0)
        {
            errors.Add("--release-rate must be positive.");
        }

        if (Concurrency < 1)
        {
            errors.Add("--concurrency must be at least 1.");
        }

        if (Timeout <= TimeSpan.Zero || Timeout > TimeSpan.FromMinutes(1))
        {
            errors.Add("--timeout must be above 0 and at most 1m.");
        }

        if (Retries is < 0 or > 10)
        {
            errors.Add("--retries must be between 0 and 10.");
        }

        if (Duration <= TimeSpan.Zero || Duration > TimeSpan.FromHours(24))
        {
            errors.Add("--duration must be above 0 and at most 24h.");
        }

        if (EffectiveHold < TimeSpan.Zero || EffectiveHold > TimeSpan.FromHours(1))
        {
            errors.Add("--hold must be between 0 and 1h.");
        }

        if (HoldUntil is not null)
        {
            if (string.IsNullOrWhiteSpace(HoldUntil))
            {
                errors.Add("--hold-until must name a file.");
            }

            if (Release != ReleaseMode.End)
            {
                errors.Add("--hold-until needs --release end (it ends the hold before the end-phase releases).");
            }
            else if (EffectiveHold == TimeSpan.Zero)
            {
                errors.Add("--hold-until needs a --hold above 0 (the longest it waits).");
            }
        }

        if (Churn && (HoldMin < TimeSpan.Zero || HoldMax < HoldMin))
        {
            errors.Add("--hold-min must be at least 0 and at most --hold-max.");
        }

        if (SampleInterval < TimeSpan.FromMilliseconds(100))
        {
            errors.Add("--sample-interval must be at least 100ms.");
        }

        foreach (var pid in Pids)
        {
            if (!WatchedProcess.TryParse(pid, out _))
            {
                errors.Add($"--pid '{pid}' is not NAME=PID or PID.");
            }
        }

        return errors;
    }
}
