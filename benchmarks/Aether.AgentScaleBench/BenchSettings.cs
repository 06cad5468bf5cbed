using System.Globalization;

namespace Aether.AgentScaleBench;

/// <param name="Sessions">Sessions installed on the one agent.</param>
/// <param name="Batch">DHCPACKs handled concurrently per step (one step is timed as one install figure).</param>
/// <param name="Churn">Sessions released and replaced by new subscribers on their classes.</param>
/// <param name="Shards">Agent:ShapingShards.</param>
/// <param name="Pool">Agent:ClassPool: classes per direction created before the first session (0: none).</param>
internal sealed record BenchSettings(int Sessions, int Batch, int Churn, int Shards, int Pool = 0)
{
    /// <summary>Addresses come from one /16 (as one pool of that size hands them out).</summary>
    public const int MaxSessions = 65_000;

    public static BenchSettings? Parse(string[] args)
    {
        var settings = new BenchSettings(50_000, 1_000, 5_000, 16);
        for (var i = 0; i < args.Length; i += 2)
        {
            if (i + 1 >= args.Length || !int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var value) || value < 0 || (value == 0 && args[i] != "--pool"))
            {
                return null;
            }
            settings = args[i] switch
            {
                "--sessions" => settings with { Sessions = value },
                "--batch" => settings with { Batch = value },
                "--churn" => settings with { Churn = value },
                "--shards" => settings with { Shards = value },
                "--pool" => settings with { Pool = value },
                _ => null,
            };
            if (settings is null)
            {
                return null;
            }
        }
        return settings.Sessions > MaxSessions || settings.Shards > 256 || settings.Pool > Agent.Sessions.ClassIdAllocator.Capacity ? null : settings with { Churn = Math.Min(settings.Churn, settings.Sessions) };
    }
}
