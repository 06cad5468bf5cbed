using System.Globalization;

namespace Aether.GraphQLBench;

internal sealed record BenchSettings(int Sessions, int Requests, int Warmup, int Concurrency)
{
    public static BenchSettings? Parse(string[] args)
    {
        var settings = new BenchSettings(100_000, 1000, 100, 1);
        for (var i = 0; i < args.Length; i++)
        {
            if (i + 1 >= args.Length || !int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value <= 0)
            {
                return null;
            }

            switch (args[i++])
            {
                case "--sessions":
                    settings = settings with { Sessions = value };
                    break;
                case "--requests":
                    settings = settings with { Requests = value };
                    break;
                case "--warmup":
                    settings = settings with { Warmup = value };
                    break;
                case "--concurrency":
                    settings = settings with { Concurrency = value };
                    break;
                default:
                    return null;
            }
        }

        return settings;
    }
}
