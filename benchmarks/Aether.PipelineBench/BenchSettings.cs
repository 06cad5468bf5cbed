using System.Globalization;

namespace Aether.PipelineBench;

internal sealed record BenchSettings(int Events, int SmallBatchEvents, IReadOnlyList<int> BatchSizes, int InFlight, bool Fsync, bool WriterOnly = false, bool Drain = false)
{
    public static BenchSettings? Parse(string[] args)
    {
        var settings = new BenchSettings(100_000, 5_000, [1, 100, 1000], 500, true);
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            if (value is null)
            {
                return null;
            }

            switch (args[i])
            {
                case "--events":
                    settings = settings with { Events = int.Parse(value, CultureInfo.InvariantCulture) };
                    break;
                case "--small-batch-events":
                    settings = settings with { SmallBatchEvents = int.Parse(value, CultureInfo.InvariantCulture) };
                    break;
                case "--batch-sizes":
                    settings = settings with { BatchSizes = value.Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToList() };
                    break;
                case "--in-flight":
                    settings = settings with { InFlight = int.Parse(value, CultureInfo.InvariantCulture) };
                    break;
                case "--writer-only":
                    settings = settings with { WriterOnly = value == "on" };
                    break;
                case "--drain":
                    settings = settings with { Drain = value == "on" };
                    break;
                case "--fsync":
                    settings = settings with { Fsync = value == "on" };
                    break;
                default:
                    return null;
            }

            i++;
        }

        return settings;
    }
}

internal sealed record BenchResult(string Name, int Events, TimeSpan Elapsed, bool Verified)
{
    public double EventsPerSecond => Events / Elapsed.TotalSeconds;
}
