using System.Diagnostics;

namespace Aether.AgentScaleBench;

/// <summary>
/// The process's memory with this many sessions: resident set, the GC heap as the last collection left it, and
/// the live managed bytes after a full collection (what the session table and its indexes hold).
/// </summary>
internal sealed record MemorySample(int Sessions, long ResidentBytes, long HeapBytes, long LiveBytes)
{
    public static MemorySample Take(int sessions)
    {
        var live = GC.GetTotalMemory(forceFullCollection: true);
        using var process = Process.GetCurrentProcess();
        return new MemorySample(sessions, process.WorkingSet64, GC.GetGCMemoryInfo().HeapSizeBytes, live);
    }

    /// <summary>The most the process has had resident so far (VmHWM).</summary>
    public static long PeakResidentBytes()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }
}
