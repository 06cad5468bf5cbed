using System.Globalization;

namespace Aether.AgentScaleBench;

/// <summary>
/// CPU seconds of this process and of the children it has reaped (nft, tc, ip: their system time is where the kernel
/// does the work), from /proc/self/stat. Less skewed by other load on a shared machine than wall-clock time.
/// </summary>
internal readonly record struct CpuClock(double Own, double Children)
{
    private const double TicksPerSecond = 100.0; // USER_HZ on Linux

    public static CpuClock Now()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        // Fields after the command: utime, stime, cutime, cstime are fields 14 to 17 of the line.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        double Field(int n) => double.Parse(fields[n - 3], CultureInfo.InvariantCulture) / TicksPerSecond;
        return new CpuClock(Field(14) + Field(15), Field(16) + Field(17));
    }

    public static CpuClock operator -(CpuClock a, CpuClock b) => new(a.Own - b.Own, a.Children - b.Children);
}
