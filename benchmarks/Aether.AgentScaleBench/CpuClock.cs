using System.Globalization;

namespace Aether.AgentScaleBench;

/// <summary>
/// CPU seconds of this process and of its children, ended or running (nft, tc, ip: their system time is where the kernel
/// does the work), from /proc. Less skewed by other load on a shared machine than wall-clock time.
/// </summary>
internal readonly record struct CpuClock(double Own, double Children)
{
    private const double TicksPerSecond = 100.0; // USER_HZ on Linux

    public static CpuClock Now()
    {
        var (utime, stime, cutime, cstime) = Read("/proc/self/stat");
        // Children that ended are in cutime and cstime; the ones still running (the long-lived `tc -batch -`) are
        // read from their own stat.
        var running = 0.0;
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            string children;
            try
            {
                children = File.ReadAllText(Path.Combine(task, "children"));
            }
            catch (IOException)
            {
                continue;
            }
            foreach (var pid in children.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                try
                {
                    var (u, s, cu, cs) = Read($"/proc/{pid}/stat");
                    running += u + s + cu + cs;
                }
                catch (IOException)
                {
                    // Ended between the two reads: counted in cutime and cstime from the next reading on.
                }
            }
        }
        return new CpuClock(utime + stime, cutime + cstime + running);
    }

    private static (double UTime, double STime, double CuTime, double CsTime) Read(string path)
    {
        var stat = File.ReadAllText(path);
        // Fields after the command: utime, stime, cutime, cstime are fields 14 to 17 of the line.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        double Field(int n) => double.Parse(fields[n - 3], CultureInfo.InvariantCulture) / TicksPerSecond;
        return (Field(14), Field(15), Field(16), Field(17));
    }

    public static CpuClock operator -(CpuClock a, CpuClock b) => new(a.Own - b.Own, a.Children - b.Children);
}
