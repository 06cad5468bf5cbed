using System.Text.Json;
using System.Text.Json.Serialization;
using Aether.Simulator.Cli;

namespace Aether.Simulator.Traffic;

/// <summary>One kind of traffic a host generates: a command and how often it is picked relative to the others.</summary>
internal sealed record TrafficAction
{
    public string Name { get; set; } = "";

    public double Weight { get; set; } = 1;

    /// <summary>Killed and counted as timed out after this long (e.g. "10s").</summary>
    public string Timeout { get; set; } = "30s";

    /// <summary>The command and its arguments; "{host}" is replaced by the host's name.</summary>
    public IReadOnlyList<string> Command { get; set; } = [];
}

/// <summary>A pause range between two actions of one host.</summary>
internal sealed record SleepRange
{
    public string Min { get; set; } = "500ms";

    public string Max { get; set; } = "3s";
}

/// <summary>The traffic config file (lab/sim/traffic.json is the example). Settable properties, not init-only:
/// the JSON source generator would otherwise overwrite every default a file leaves out.</summary>
internal sealed record TrafficConfig
{
    public string Duration { get; set; } = "60s";

    /// <summary>Network namespaces to run the actions in; "-" runs them here.</summary>
    public IReadOnlyList<string> Hosts { get; set; } = [];

    public SleepRange Sleep { get; set; } = new();

    /// <summary>Upper bound on actions per host, whatever the duration.</summary>
    public int MaxActionsPerHost { get; set; } = 10_000;

    public IReadOnlyList<TrafficAction> Actions { get; set; } = [];

    public static TrafficConfig Load(string path) =>
        JsonSerializer.Deserialize(File.ReadAllText(path), TrafficJsonContext.Default.TrafficConfig)
        ?? throw new JsonException($"{path} holds no traffic config.");

    /// <summary>Every problem with the config, at once.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!Durations.TryParse(Duration, out var duration) || duration <= TimeSpan.Zero || duration > TimeSpan.FromHours(24))
        {
            errors.Add($"duration '{Duration}' must be a duration above 0 and at most 24h.");
        }

        if (Hosts.Count == 0)
        {
            errors.Add("hosts must name at least one network namespace (or \"-\" for this one).");
        }

        if (!Durations.TryParse(Sleep.Min, out var min) || !Durations.TryParse(Sleep.Max, out var max) || max < min)
        {
            errors.Add("sleep.min and sleep.max must be durations with min <= max.");
        }

        if (MaxActionsPerHost < 1)
        {
            errors.Add("maxActionsPerHost must be at least 1.");
        }

        if (Actions.Count == 0)
        {
            errors.Add("actions must list at least one action.");
        }

        foreach (var action in Actions)
        {
            string name = string.IsNullOrEmpty(action.Name) ? "(unnamed)" : action.Name;
            if (string.IsNullOrEmpty(action.Name))
            {
                errors.Add("every action needs a name.");
            }

            if (action.Weight <= 0 || double.IsNaN(action.Weight) || double.IsInfinity(action.Weight))
            {
                errors.Add($"action {name}: weight must be positive.");
            }

            if (action.Command.Count == 0 || string.IsNullOrEmpty(action.Command[0]))
            {
                errors.Add($"action {name}: command must name a program.");
            }

            if (!Durations.TryParse(action.Timeout, out var timeout) || timeout <= TimeSpan.Zero)
            {
                errors.Add($"action {name}: timeout '{action.Timeout}' must be a positive duration.");
            }
        }

        return errors;
    }
}

/// <summary>What one action did on one host over the run.</summary>
internal sealed record ActionTotals(string Host, string Action, int Runs, int Succeeded, int Failed, int TimedOut, double MeanSeconds, string? LastError);

/// <summary>The traffic report.</summary>
internal sealed record TrafficReport(double DurationSeconds, int Seed, IReadOnlyList<ActionTotals> Actions);

[JsonSourceGenerationOptions(
    WriteIndented = true,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TrafficConfig))]
[JsonSerializable(typeof(TrafficReport))]
internal sealed partial class TrafficJsonContext : JsonSerializerContext;
