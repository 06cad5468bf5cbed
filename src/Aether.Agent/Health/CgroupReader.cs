using System.Diagnostics;
using System.Globalization;

namespace Aether.Agent.Health;

/// <summary>CPU time used so far and memory in use by the agent's cgroup, and what it is allowed.</summary>
internal readonly record struct CgroupSample(string Version, TimeSpan CpuUsage, ulong MemoryBytes, ulong MemoryLimitBytes, double Cpus);

/// <summary>
/// Reads the agent's own cgroup: v2 (cpu.stat, memory.current, memory.max, cpu.max) where the unified hierarchy is
/// mounted at the root, else v1 (cpuacct.usage, memory.usage_in_bytes, memory.limit_in_bytes, cpu.cfs_quota_us),
/// as on hybrid hosts; without either, the process's own figures.
/// </summary>
internal sealed class CgroupReader(string cgroupRoot = "/sys/fs/cgroup", string procSelfCgroup = "/proc/self/cgroup")
{
    /// <summary>v1 reports "no limit" as a huge page-aligned number.</summary>
    private const ulong NoLimitThreshold = 1UL << 60;

    public CgroupSample Read()
    {
        var memberships = ReadMemberships();
        if (memberships.TryGetValue("", out var unified) && File.Exists(Path.Combine(cgroupRoot, "cgroup.controllers")))
        {
            var dir = Join(cgroupRoot, unified);
            if (File.Exists(Path.Combine(dir, "cpu.stat")))
            {
                return ReadV2(dir);
            }
        }
        var cpuDir = FindV1(memberships, "cpuacct");
        var memoryDir = FindV1(memberships, "memory");
        if (cpuDir is not null || memoryDir is not null)
        {
            return ReadV1(cpuDir, FindV1(memberships, "cpu"), memoryDir);
        }
        using var process = Process.GetCurrentProcess();
        return new CgroupSample("none", process.TotalProcessorTime, (ulong)process.WorkingSet64, 0, Environment.ProcessorCount);
    }

    private static CgroupSample ReadV2(string dir)
    {
        var usage = TimeSpan.Zero;
        foreach (var line in ReadLines(Path.Combine(dir, "cpu.stat")))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2 && parts[0] == "usage_usec" && ulong.TryParse(parts[1], CultureInfo.InvariantCulture, out var usec))
            {
                usage = TimeSpan.FromMicroseconds(usec);
            }
        }
        var memory = ReadNumber(Path.Combine(dir, "memory.current")) ?? 0;
        var limit = ReadNumber(Path.Combine(dir, "memory.max")) ?? 0;
        var cpus = (double)Environment.ProcessorCount;
        var max = ReadText(Path.Combine(dir, "cpu.max"))?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (max is { Length: 2 } && double.TryParse(max[0], CultureInfo.InvariantCulture, out var quota) && double.TryParse(max[1], CultureInfo.InvariantCulture, out var period) && period > 0)
        {
            cpus = Math.Min(cpus, quota / period);
        }
        return new CgroupSample("v2", usage, memory, limit, cpus);
    }

    private static CgroupSample ReadV1(string? cpuacctDir, string? cpuDir, string? memoryDir)
    {
        var usage = cpuacctDir is null ? TimeSpan.Zero : TimeSpan.FromTicks((long)((ReadNumber(Path.Combine(cpuacctDir, "cpuacct.usage")) ?? 0) / 100));
        var memory = memoryDir is null ? 0 : ReadNumber(Path.Combine(memoryDir, "memory.usage_in_bytes")) ?? 0;
        var limit = memoryDir is null ? 0 : ReadNumber(Path.Combine(memoryDir, "memory.limit_in_bytes")) ?? 0;
        if (limit >= NoLimitThreshold)
        {
            limit = 0;
        }
        var cpus = (double)Environment.ProcessorCount;
        if (cpuDir is not null
            && long.TryParse(ReadText(Path.Combine(cpuDir, "cpu.cfs_quota_us")), CultureInfo.InvariantCulture, out var quota) && quota > 0
            && long.TryParse(ReadText(Path.Combine(cpuDir, "cpu.cfs_period_us")), CultureInfo.InvariantCulture, out var period) && period > 0)
        {
            cpus = Math.Min(cpus, (double)quota / period);
        }
        return new CgroupSample("v1", usage, memory, limit, cpus);
    }

    /// <summary>Controller list ("" for the unified hierarchy) to the cgroup path, from /proc/self/cgroup.</summary>
    private Dictionary<string, string> ReadMemberships()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in ReadLines(procSelfCgroup))
        {
            // "hierarchy-id:controller-list:path"
            var first = line.IndexOf(':', StringComparison.Ordinal);
            var second = first < 0 ? -1 : line.IndexOf(':', first + 1);
            if (second < 0)
            {
                continue;
            }
            result[line[(first + 1)..second]] = line[(second + 1)..];
        }
        return result;
    }

    /// <summary>The v1 directory of a controller, whichever mount it shares ("cpu,cpuacct" or alone).</summary>
    private string? FindV1(Dictionary<string, string> memberships, string controller)
    {
        foreach (var (controllers, path) in memberships)
        {
            if (!controllers.Split(',').Contains(controller, StringComparer.Ordinal))
            {
                continue;
            }
            foreach (var mount in new[] { controllers, controller })
            {
                var dir = Join(Path.Combine(cgroupRoot, mount), path);
                if (Directory.Exists(dir))
                {
                    return dir;
                }
            }
        }
        return null;
    }

    private static string Join(string root, string cgroupPath) => Path.Combine(root, cgroupPath.TrimStart('/'));

    private static IEnumerable<string> ReadLines(string path) => File.Exists(path) ? File.ReadLines(path) : [];

    private static string? ReadText(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllText(path).Trim() : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static ulong? ReadNumber(string path) =>
        ulong.TryParse(ReadText(path), CultureInfo.InvariantCulture, out var value) ? value : null;
}
