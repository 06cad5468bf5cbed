using System.Diagnostics;
using System.Globalization;

namespace Aether.AuthorizationBench;

/// <summary>
/// CPU time used by this process (the bench and the controller in it), FreeRADIUS, nats-server and PostgreSQL, from
/// /proc: a measure of cost per operation that other load on the machine does not skew as it skews wall-clock rates.
/// </summary>
internal sealed class CpuMeter
{
    private static readonly double s_ticksPerSecond = 100.0; // USER_HZ on Linux
    private readonly Dictionary<(string Component, int Pid), double> _start;

    private CpuMeter(Dictionary<(string Component, int Pid), double> start) => _start = start;

    public static CpuMeter Start() => new(Sample());

    /// <summary>Seconds of CPU per component since <see cref="Start"/>, over the processes alive at both ends.</summary>
    public Dictionary<string, double> Stop()
    {
        var used = new Dictionary<string, double> { ["bench+controller"] = 0, ["freeradius"] = 0, ["nats-server"] = 0, ["postgres"] = 0 };
        foreach (var ((component, pid), seconds) in Sample())
        {
            // A process started meanwhile counts from zero; one that ended meanwhile is not counted.
            used[component] += seconds - _start.GetValueOrDefault((component, pid));
        }

        return used;
    }

    public static string Format(Dictionary<string, double> used, int operations) =>
        string.Join(", ", used.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv =>
            string.Create(CultureInfo.InvariantCulture, $"{kv.Key} {kv.Value * 1e6 / operations:F0} µs")))
        + string.Create(CultureInfo.InvariantCulture, $" CPU per operation (total {used.Values.Sum() * 1e6 / operations:F0} µs: {operations / used.Values.Sum():F0}/s per fully used core)");

    private static Dictionary<(string Component, int Pid), double> Sample()
    {
        var totals = new Dictionary<(string Component, int Pid), double>
        {
            [("bench+controller", Environment.ProcessId)] = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds,
        };
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(dir, "stat"));
            }
            catch (IOException)
            {
                continue;
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }

            var open = stat.IndexOf('(', StringComparison.Ordinal);
            var close = stat.LastIndexOf(')');
            var comm = stat[(open + 1)..close];
            var key = comm switch
            {
                "postgres" => "postgres",
                "nats-server" => "nats-server",
                "freeradius" => "freeradius",
                _ => null,
            };
            if (key is null)
            {
                continue;
            }

            // Fields after the command: state is field 3; utime and stime are fields 14 and 15.
            var fields = stat[(close + 2)..].Split(' ');
            var ticks = double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture);
            totals[(key, pid)] = ticks / s_ticksPerSecond;
        }

        return totals;
    }
}
