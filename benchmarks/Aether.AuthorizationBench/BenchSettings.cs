using System.Globalization;

namespace Aether.AuthorizationBench;

internal sealed record BenchSettings(int Count, int Concurrency, int Warmup, int Rounds, bool Ingestor, TimeSpan Budget, double Rate = 0, string LogLevel = "Information", bool RadiusSql = false, bool Fsync = false)
{
    public static BenchSettings? Parse(string[] args)
    {
        var settings = new BenchSettings(5_000, 64, 500, 1, false, TimeSpan.FromMinutes(10));
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            if (value is null)
            {
                return null;
            }

            switch (args[i])
            {
                case "--count":
                    settings = settings with { Count = int.Parse(value, CultureInfo.InvariantCulture) };
                    break;
                case "--concurrency":
                    settings = settings with { Concurrency = int.Parse(value, CultureInfo.InvariantCulture) };
                    break;
                case "--warmup":
                    settings = settings with { Warmup = int.Parse(value, CultureInfo.InvariantCulture) };
                    break;
                case "--rounds":
                    settings = settings with { Rounds = int.Parse(value, CultureInfo.InvariantCulture) };
                    break;
                case "--ingestor":
                    settings = settings with { Ingestor = value == "on" };
                    break;
                case "--rate":
                    settings = settings with { Rate = double.Parse(value, CultureInfo.InvariantCulture) };
                    break;
                case "--log-level":
                    settings = settings with { LogLevel = value };
                    break;
                case "--radius-sql":
                    settings = settings with { RadiusSql = value == "on" };
                    break;
                case "--fsync":
                    settings = settings with { Fsync = value == "on" };
                    break;
                case "--budget-minutes":
                    settings = settings with { Budget = TimeSpan.FromMinutes(double.Parse(value, CultureInfo.InvariantCulture)) };
                    break;
                default:
                    return null;
            }

            i++;
        }

        return settings.Count > 0 && settings.Concurrency > 0 && settings.Rounds > 0 && settings.Warmup >= 0 && settings.Rate >= 0 ? settings : null;
    }
}

/// <summary>One measured case: how many operations, how many succeeded, over how long, and their latencies.</summary>
internal sealed record BenchResult(string Name, int Count, int Succeeded, TimeSpan Elapsed, LatencySummary Latency, string? Cpu = null)
{
    public double PerSecond => Succeeded / Elapsed.TotalSeconds;
}

internal sealed record LatencySummary(double P50, double P95, double P99, double Max)
{
    public static readonly LatencySummary Empty = new(double.NaN, double.NaN, double.NaN, double.NaN);
}

/// <summary>Latencies of concurrent operations, in milliseconds; one slot per operation, written once.</summary>
internal sealed class LatencyRecorder(int capacity)
{
    private readonly double[] _milliseconds = new double[capacity];
    private int _count;

    public void Add(TimeSpan elapsed) => _milliseconds[Interlocked.Increment(ref _count) - 1] = elapsed.TotalMilliseconds;

    public LatencySummary Summarize()
    {
        var count = Volatile.Read(ref _count);
        if (count == 0)
        {
            return LatencySummary.Empty;
        }

        var sorted = _milliseconds.AsSpan(0, count).ToArray();
        Array.Sort(sorted);
        return new LatencySummary(At(sorted, 0.50), At(sorted, 0.95), At(sorted, 0.99), sorted[^1]);
    }

    // Nearest rank: the smallest value with at least p of the samples at or below it.
    private static double At(double[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
