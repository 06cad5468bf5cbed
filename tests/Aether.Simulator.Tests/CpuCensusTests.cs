using Aether.Simulator.Reporting;

namespace Aether.Simulator.Tests;

public sealed class CpuCensusTests : IDisposable
{
    private readonly string _proc = Directory.CreateTempSubdirectory("aether-proc-").FullName;

    public void Dispose() => Directory.Delete(_proc, recursive: true);

    // utime and stime are fields 14 and 15 of /proc/PID/stat, in ticks of 1/100 s.
    private void Process(int pid, string commandLine, long utime, long stime)
    {
        var dir = Directory.CreateDirectory(Path.Combine(_proc, pid.ToString(System.Globalization.CultureInfo.InvariantCulture))).FullName;
        File.WriteAllText(Path.Combine(dir, "cmdline"), commandLine.Replace(' ', '\0') + "\0");
        File.WriteAllText(Path.Combine(dir, "stat"), $"{pid} (postgres) S 1 1 1 0 -1 4194560 100 0 0 0 {utime} {stime} 0 0 20 0 1 0 100 1000 10 0\n");
    }

    private void Machine(long user, long system, long idle) =>
        File.WriteAllText(Path.Combine(_proc, "stat"), $"cpu  {user} 0 {system} {idle} 5 0 0 0 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\n");

    [Fact]
    public void A_group_counts_its_processes_differences_and_new_ones_whole()
    {
        var census = new CpuCensus([new CpuGroup("radius-pg", "postgres: radius "), new CpuGroup("kea-pg", "postgres: kea ")], _proc);
        Process(100, "postgres: radius radius 127.0.0.1(4000) idle", 100, 50);
        Process(101, "postgres: radius radius 127.0.0.1(4001) idle", 10, 0);
        Process(200, "postgres: kea kea 127.0.0.1(4002) idle", 7, 3);
        Process(300, "freeradius -d /x -f", 999, 999);
        Machine(1000, 500, 9000);
        var before = census.Take();

        Process(100, "postgres: radius radius 127.0.0.1(4000) idle", 130, 70); // +0.5 s
        Directory.Delete(Path.Combine(_proc, "101"), recursive: true);          // ended: its share is lost
        Process(102, "postgres: radius radius 127.0.0.1(4003) INSERT", 20, 5);  // new: 0.25 s whole
        Machine(1300, 600, 9100);                                                // 4 s busy
        var spent = census.Take().Since(before);

        Assert.Equal(0.75, spent["radius-pg"], 6);
        Assert.Equal(0, spent["kea-pg"], 6);
        Assert.Equal(4, census.Take().MachineSince(before)!.Value, 6);
    }

    [Theory]
    [InlineData("cpu  10 20 30 40 50 60 70 80 0 0", 2.7)]   // user nice system irq softirq steal; not idle or iowait
    [InlineData("cpu0 1 2 3 4 5 6 7 8", null)]
    [InlineData("cpu 1 2 x 4 5 6 7 8", null)]
    [InlineData("", null)]
    public void Machine_busy_time_is_read_from_the_first_line_of_proc_stat(string line, double? seconds) =>
        Assert.Equal(seconds, CpuCensus.ParseMachineBusySeconds(line));

    [Theory]
    [InlineData("postgres=postgres: radius ", true)]
    [InlineData("=prefix", false)]
    [InlineData("name=", false)]
    [InlineData("nothing", false)]
    public void Groups_are_name_equals_prefix(string text, bool valid) => Assert.Equal(valid, CpuGroup.TryParse(text, out _));
}
