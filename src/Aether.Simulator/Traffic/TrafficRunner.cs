using System.Globalization;
using System.Text;
using Aether.Simulator.Cli;
using Aether.Simulator.Hosts;

namespace Aether.Simulator.Traffic;

/// <summary>
/// Weighted random traffic per host: each host, on its own, picks an action by weight, runs it in its namespace
/// under the action's timeout, sleeps a random time in the configured range, and goes on until the duration
/// ends or it has run <see cref="TrafficConfig.MaxActionsPerHost"/> actions.
/// </summary>
internal sealed partial class TrafficRunner(ILogger logger)
{
    public async Task<TrafficReport> RunAsync(TrafficConfig config, TimeSpan duration, int seed, CancellationToken cancellationToken)
    {
        _ = Durations.TryParse(config.Sleep.Min, out var sleepMin);
        _ = Durations.TryParse(config.Sleep.Max, out var sleepMax);
        var started = DateTimeOffset.UtcNow;
        var deadline = started + duration;
        var tasks = config.Hosts.Select((host, index) =>
            RunHostAsync(config, host, new Random(seed + index), deadline, sleepMin, sleepMax, cancellationToken));
        var perHost = await Task.WhenAll(tasks);
        return new TrafficReport(
            Math.Round((DateTimeOffset.UtcNow - started).TotalSeconds, 3),
            seed,
            [.. perHost.SelectMany(h => h)]);
    }

    private async Task<IReadOnlyList<ActionTotals>> RunHostAsync(
        TrafficConfig config, string host, Random random, DateTimeOffset deadline, TimeSpan sleepMin, TimeSpan sleepMax, CancellationToken cancellationToken)
    {
        var tallies = config.Actions.ToDictionary(a => a.Name, a => new Tally());
        double totalWeight = config.Actions.Sum(a => a.Weight);
        for (int run = 0; run < config.MaxActionsPerHost && !cancellationToken.IsCancellationRequested; run++)
        {
            var remaining = deadline - DateTimeOffset.UtcNow;
            if (remaining <= TimeSpan.Zero)
            {
                break;
            }

            var action = Pick(config.Actions, totalWeight, random.NextDouble());
            _ = Durations.TryParse(action.Timeout, out var timeout);
            var command = action.Command.Select(a => a.Replace("{host}", host, StringComparison.Ordinal)).ToList();
            CommandOutcome outcome;
            try
            {
                outcome = await NetnsCommand.RunAsync(host, command, timeout < remaining ? timeout : remaining, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            tallies[action.Name].Add(outcome);
            if (!outcome.Succeeded)
            {
                LogActionFailed(host, action.Name, outcome.TimedOut ? "timed out" : $"exit {outcome.ExitCode}");
            }

            var pause = sleepMin + ((sleepMax - sleepMin) * random.NextDouble());
            remaining = deadline - DateTimeOffset.UtcNow;
            if (remaining <= TimeSpan.Zero)
            {
                break;
            }

            try
            {
                await Task.Delay(pause < remaining ? pause : remaining, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return [.. config.Actions.Select(a => tallies[a.Name].Totals(host, a.Name))];
    }

    /// <summary>The action whose cumulative weight first exceeds <paramref name="draw"/> × total.</summary>
    internal static TrafficAction Pick(IReadOnlyList<TrafficAction> actions, double totalWeight, double draw)
    {
        double target = draw * totalWeight;
        double cumulative = 0;
        foreach (var action in actions)
        {
            cumulative += action.Weight;
            if (target < cumulative)
            {
                return action;
            }
        }

        return actions[^1];
    }

    public static string Format(TrafficReport report)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"aether-sim traffic: {report.DurationSeconds:0.0} s, seed {report.Seed}\n");
        text.Append(CultureInfo.InvariantCulture, $"  {"host",-16} {"action",-12} {"runs",5} {"ok",5} {"failed",6} {"timeout",7} {"mean s",7}\n");
        foreach (var a in report.Actions)
        {
            text.Append(CultureInfo.InvariantCulture, $"  {a.Host,-16} {a.Action,-12} {a.Runs,5} {a.Succeeded,5} {a.Failed,6} {a.TimedOut,7} {a.MeanSeconds,7:0.000}{(a.LastError is null ? "" : "  last error: " + a.LastError)}\n");
        }

        return text.ToString();
    }

    private sealed class Tally
    {
        private int _runs;
        private int _succeeded;
        private int _failed;
        private int _timedOut;
        private double _seconds;
        private string? _lastError;

        public void Add(CommandOutcome outcome)
        {
            _runs++;
            _seconds += outcome.Elapsed.TotalSeconds;
            if (outcome.Succeeded)
            {
                _succeeded++;
            }
            else if (outcome.TimedOut)
            {
                _timedOut++;
            }
            else
            {
                _failed++;
                _lastError = outcome.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? $"exit {outcome.ExitCode}";
            }
        }

        public ActionTotals Totals(string host, string action) =>
            new(host, action, _runs, _succeeded, _failed, _timedOut, _runs == 0 ? 0 : Math.Round(_seconds / _runs, 3), _lastError);
    }

    [LoggerMessage(EventId = 400, Level = LogLevel.Debug, Message = "{Host}: {Action} failed ({Reason})")]
    private partial void LogActionFailed(string host, string action, string reason);
}
