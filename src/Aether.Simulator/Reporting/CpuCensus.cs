using System.Globalization;

namespace Aether.Simulator.Reporting;

/// <summary>
/// A group of processes known by how their command line starts (<c>NAME=PREFIX</c>): a server with its workers, or
/// PostgreSQL's backends of one user (<c>postgres: radius </c>), which come and go with their clients' pools.
/// </summary>
internal sealed record CpuGroup(string Name, string Prefix)
{
    public static bool TryParse(string text, out CpuGroup group)
    {
        group = new CpuGroup("", "");
        int eq = text.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0 || eq == text.Length - 1)
        {
            return false;
        }

        group = new CpuGroup(text[..eq], text[(eq + 1)..]);
        return true;
    }
}

/// <summary>CPU time of process groups and of the machine, read from /proc, to tell what a run cost and who paid it.</summary>
internal sealed class CpuCensus
{
    private readonly IReadOnlyList<CpuGroup> _groups;
    private readonly string _procRoot;

    public CpuCensus(IReadOnlyList<CpuGroup> groups, string procRoot = "/proc")
    {
        _groups = groups;
        _procRoot = procRoot;
    }

    /// <summary>CPU seconds of each process of each group, and the machine's busy seconds, now.</summary>
    public Snapshot Take()
    {
        var perGroup = _groups.ToDictionary(g => g.Name, _ => new Dictionary<int, double>(), StringComparer.Ordinal);
        if (_groups.Count > 0)
        {
            foreach (var dir in Directory.EnumerateDirectories(_procRoot))
            {
                if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
                {
                    continue;
                }

                string commandLine;
                string stat;
                try
                {
                    commandLine = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                    stat = File.ReadAllText(Path.Combine(dir, "stat"));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    continue; // gone since the listing, or not ours to read
                }

                foreach (var group in _groups)
                {
                    if (commandLine.StartsWith(group.Prefix, StringComparison.Ordinal) && ProcFs.ParseCpuSeconds(stat) is { } seconds)
                    {
                        perGroup[group.Name][pid] = seconds;
                    }
                }
            }
        }

        return new Snapshot(perGroup, ReadMachineBusySeconds(Path.Combine(_procRoot, "stat")));
    }

    /// <summary>
    /// Busy CPU seconds of the whole machine (user, nice, system, irq, softirq, steal) from the first line of
    /// /proc/stat; null where it cannot be read.
    /// </summary>
    internal static double? ReadMachineBusySeconds(string path)
    {
        try
        {
            return ParseMachineBusySeconds(File.ReadLines(path).FirstOrDefault() ?? "");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    internal static double? ParseMachineBusySeconds(string line)
    {
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 9 || fields[0] != "cpu")
        {
            return null;
        }

        long busy = 0;
        foreach (int i in new[] { 1, 2, 3, 6, 7, 8 })
        {
            if (!long.TryParse(fields[i], NumberStyles.None, CultureInfo.InvariantCulture, out long ticks))
            {
                return null;
            }

            busy += ticks;
        }

        return busy / (double)ProcFs.ClockTicksPerSecond;
    }

    /// <summary>What the groups and the machine had spent at one moment.</summary>
    internal sealed record Snapshot(IReadOnlyDictionary<string, Dictionary<int, double>> Groups, double? MachineBusySeconds)
    {
        /// <summary>
        /// CPU seconds each group spent since <paramref name="earlier"/>: a process there both times counts its
        /// difference, one that started since counts whole. One that ended in between is missing, so a group's figure
        /// is at most what it spent.
        /// </summary>
        public IReadOnlyDictionary<string, double> Since(Snapshot earlier)
        {
            var spent = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var (name, now) in Groups)
            {
                var before = earlier.Groups.TryGetValue(name, out var b) ? b : [];
                spent[name] = now.Sum(p => Math.Max(0, p.Value - before.GetValueOrDefault(p.Key)));
            }

            return spent;
        }

        public double? MachineSince(Snapshot earlier) => MachineBusySeconds - earlier.MachineBusySeconds;
    }
}
