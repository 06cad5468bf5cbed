using System.Globalization;

namespace Aether.Simulator.Reporting;

/// <summary>A process to watch during a run: a label for the report and its PID.</summary>
internal readonly record struct WatchedProcess(string Name, int Pid)
{
    /// <summary>"NAME=PID" or a bare PID (named after /proc/PID/comm).</summary>
    public static bool TryParse(string text, out WatchedProcess process)
    {
        process = default;
        int equals = text.IndexOf('=', StringComparison.Ordinal);
        string name = equals > 0 ? text[..equals] : "";
        string pidText = equals > 0 ? text[(equals + 1)..] : text;
        if (!int.TryParse(pidText, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) || pid <= 0)
        {
            return false;
        }

        if (name.Length == 0)
        {
            name = ProcFs.ReadComm(pid) ?? pidText;
        }

        process = new WatchedProcess(name, pid);
        return true;
    }
}

/// <summary>One reading of one process.</summary>
/// <param name="At">Seconds since the sampler started.</param>
/// <param name="CpuPercent">CPU over the last interval, 100 = one core busy.</param>
internal readonly record struct ProcessSample(double At, double CpuPercent, long RssBytes);

/// <summary>What a process did over the run.</summary>
internal sealed record ProcessUsage(
    string Name,
    int Pid,
    bool Exited,
    double CpuPercentMean,
    double CpuPercentMax,
    double CpuSeconds,
    long RssBytesMax,
    long RssBytesLast,
    long RssPeakBytes,
    IReadOnlyList<ProcessSample> Samples);

/// <summary>Reads CPU time and memory of processes from /proc (proc(5)).</summary>
internal static class ProcFs
{
    /// <summary>USER_HZ, the unit of /proc/PID/stat times; 100 on every Linux ABI in use.</summary>
    public const int ClockTicksPerSecond = 100;

    // /proc/PID/stat fields after the ")" closing comm: state is field 3, utime 14, stime 15 (1-based).
    private const int UtimeAfterComm = 11;
    private const int StimeAfterComm = 12;

    public static string? ReadComm(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").Trim();
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>User plus system CPU time in seconds; null when the process is gone.</summary>
    public static double? ReadCpuSeconds(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }

        return ParseCpuSeconds(stat);
    }

    internal static double? ParseCpuSeconds(string stat)
    {
        // comm may hold spaces and parentheses: split after the last ')'.
        int close = stat.LastIndexOf(')');
        if (close < 0)
        {
            return null;
        }

        var fields = stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length <= StimeAfterComm
            || !long.TryParse(fields[UtimeAfterComm], NumberStyles.None, CultureInfo.InvariantCulture, out long utime)
            || !long.TryParse(fields[StimeAfterComm], NumberStyles.None, CultureInfo.InvariantCulture, out long stime))
        {
            return null;
        }

        return (utime + stime) / (double)ClockTicksPerSecond;
    }

    /// <summary>VmRSS and VmHWM (peak RSS) in bytes; null when the process is gone.</summary>
    public static (long Rss, long Peak)? ReadMemory(int pid)
    {
        string status;
        try
        {
            status = File.ReadAllText($"/proc/{pid}/status");
        }
        catch (IOException)
        {
            return null;
        }

        return ParseMemory(status);
    }

    internal static (long Rss, long Peak)? ParseMemory(string status)
    {
        long rss = -1;
        long peak = -1;
        foreach (var line in status.AsSpan().EnumerateLines())
        {
            if (line.StartsWith("VmRSS:"))
            {
                rss = ParseKilobytes(line["VmRSS:".Length..]);
            }
            else if (line.StartsWith("VmHWM:"))
            {
                peak = ParseKilobytes(line["VmHWM:".Length..]);
            }
        }

        return rss < 0 ? null : (rss, Math.Max(peak, rss));
    }

    private static long ParseKilobytes(ReadOnlySpan<char> text)
    {
        text = text.Trim();
        if (text.EndsWith(" kB"))
        {
            text = text[..^3];
        }

        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long kb) ? kb * 1024 : -1;
    }
}

/// <summary>
/// Samples CPU and memory of the watched processes (and of the simulator itself) once per interval on a timer,
/// from start until disposed.
/// </summary>
internal sealed class ProcessSampler : IDisposable
{
    private readonly Lock _lock = new();
    private readonly List<Track> _tracks;
    private readonly TimeProvider _time;
    private readonly ITimer _timer;
    private readonly long _start;

    public ProcessSampler(IEnumerable<WatchedProcess> processes, TimeSpan interval, TimeProvider time)
    {
        _time = time;
        _start = time.GetTimestamp();
        _tracks = [.. processes.Select(p => new Track(p)), new Track(new WatchedProcess("aether-sim", Environment.ProcessId))];
        foreach (var track in _tracks)
        {
            track.LastCpu = ProcFs.ReadCpuSeconds(track.Process.Pid);
            track.LastAt = _start;
        }

        _timer = time.CreateTimer(_ => Sample(), null, interval, interval);
    }

    public IReadOnlyList<ProcessUsage> Stop()
    {
        _timer.Dispose();
        Sample();
        lock (_lock)
        {
            return [.. _tracks.Select(t => t.Summarize())];
        }
    }

    private void Sample()
    {
        lock (_lock)
        {
            long now = _time.GetTimestamp();
            foreach (var track in _tracks)
            {
                if (track.Exited)
                {
                    continue;
                }

                var cpu = ProcFs.ReadCpuSeconds(track.Process.Pid);
                var memory = ProcFs.ReadMemory(track.Process.Pid);
                if (cpu is null || memory is null)
                {
                    track.Exited = true;
                    continue;
                }

                double seconds = _time.GetElapsedTime(track.LastAt, now).TotalSeconds;
                if (track.LastCpu is { } last && seconds > 0)
                {
                    track.Samples.Add(new ProcessSample(
                        Math.Round(_time.GetElapsedTime(_start, now).TotalSeconds, 3),
                        Math.Round((cpu.Value - last) / seconds * 100, 1),
                        memory.Value.Rss));
                    track.CpuSeconds += cpu.Value - last;
                }

                track.Peak = Math.Max(track.Peak, memory.Value.Peak);
                track.LastCpu = cpu;
                track.LastAt = now;
            }
        }
    }

    public void Dispose() => _timer.Dispose();

    private sealed class Track(WatchedProcess process)
    {
        public WatchedProcess Process { get; } = process;

        public List<ProcessSample> Samples { get; } = [];

        public double? LastCpu { get; set; }

        public long LastAt { get; set; }

        public double CpuSeconds { get; set; }

        public long Peak { get; set; }

        public bool Exited { get; set; }

        public ProcessUsage Summarize() => new(
            Process.Name,
            Process.Pid,
            Exited,
            Samples.Count == 0 ? 0 : Math.Round(Samples.Average(s => s.CpuPercent), 1),
            Samples.Count == 0 ? 0 : Samples.Max(s => s.CpuPercent),
            Math.Round(CpuSeconds, 2),
            Samples.Count == 0 ? 0 : Samples.Max(s => s.RssBytes),
            Samples.Count == 0 ? 0 : Samples[^1].RssBytes,
            Peak,
            Samples);
    }
}
