using System.Diagnostics;
using System.Globalization;

namespace Aether.TestUtilities;

/// <summary>
/// CPU time used by this process and by the named peer processes (PostgreSQL, nats-server, FreeRADIUS ...), read from
/// /proc: a measure of cost per operation that other load on the machine does not skew as it skews wall-clock rates.
/// </summary>
public sealed class ProcessCpuMeter
{
    private const double TicksPerSecond = 100.0; // USER_HZ on Linux
    private readonly string _self;
    private readonly HashSet<string> _peers;
    private readonly Dictionary<(string Component, int Pid), double> _start;

    private ProcessCpuMeter(string self, HashSet<string> peers)
    {
        _self = self;
        _peers = peers;
        _start = Sample();
    }

    /// <summary>Starts counting: this process under <paramref name="self"/>, peers by their command name (/proc/PID/stat).</summary>
    public static ProcessCpuMeter Start(string self, params string[] peers) => new(self, new HashSet<string>(peers, StringComparer.Ordinal));

    /// <summary>Seconds of CPU per component since <see cref="Start"/>, over the processes alive at both ends.</summary>
    public Dictionary<string, double> Stop()
    {
        var used = new Dictionary<string, double>(StringComparer.Ordinal) { [_self] = 0 };
        foreach (var peer in _peers)
        {
            used[peer] = 0;
        }
        foreach (var ((component, pid), seconds) in Sample())
        {
            // A process started meanwhile counts from zero; one that ended meanwhile is not counted.
            used[component] += seconds - _start.GetValueOrDefault((component, pid));
        }
        return used;
    }

    /// <summary>"component N µs, ..." per <paramref name="unit"/> (e.g. "event"), the total, and the rate one core would give.</summary>
    public static string Format(Dictionary<string, double> used, int count, string unit) =>
        string.Join(", ", used.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv =>
            string.Create(CultureInfo.InvariantCulture, $"{kv.Key} {kv.Value * 1e6 / count:F0} µs")))
        + string.Create(CultureInfo.InvariantCulture, $" CPU per {unit} (total {used.Values.Sum() * 1e6 / count:F0} µs: {count / used.Values.Sum():F0} {unit}s/s per fully used core)");

    private Dictionary<(string Component, int Pid), double> Sample()
    {
        var totals = new Dictionary<(string Component, int Pid), double>
        {
            [(_self, Environment.ProcessId)] = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds,
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
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            var open = stat.IndexOf('(', StringComparison.Ordinal);
            var close = stat.LastIndexOf(')');
            var comm = stat[(open + 1)..close];
            if (!_peers.Contains(comm))
            {
                continue;
            }
            // Fields after the command: state is field 3; utime and stime are fields 14 and 15.
            var fields = stat[(close + 2)..].Split(' ');
            var ticks = double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture);
            totals[(comm, pid)] = ticks / TicksPerSecond;
        }
        return totals;
    }
}
