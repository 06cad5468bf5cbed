using Aether.Agent.Health;
using Aether.Agent.Tests.Support;

namespace Aether.Agent.Tests.Health;

public sealed class CgroupReaderTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    private string Root => Path.Combine(_dir.Path, "cgroup");

    private string ProcSelf => Path.Combine(_dir.Path, "self-cgroup");

    private void Write(string relative, string content)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    [Fact]
    public void Cgroup_v2_gives_usage_memory_limit_and_cpu_quota()
    {
        File.WriteAllText(ProcSelf, "0::/system.slice/aether-agent.service\n");
        Write("cgroup.controllers", "cpu memory");
        Write("system.slice/aether-agent.service/cpu.stat", "usage_usec 2500000\nuser_usec 2000000\n");
        Write("system.slice/aether-agent.service/memory.current", "73400320\n");
        Write("system.slice/aether-agent.service/memory.max", "536870912\n");
        Write("system.slice/aether-agent.service/cpu.max", "50000 100000\n");

        var sample = new CgroupReader(Root, ProcSelf).Read();

        Assert.Equal("v2", sample.Version);
        Assert.Equal(TimeSpan.FromSeconds(2.5), sample.CpuUsage);
        Assert.Equal(73_400_320UL, sample.MemoryBytes);
        Assert.Equal(536_870_912UL, sample.MemoryLimitBytes);
        Assert.Equal(0.5, sample.Cpus);
    }

    [Fact]
    public void Cgroup_v2_without_a_limit_reports_none()
    {
        File.WriteAllText(ProcSelf, "0::/\n");
        Write("cgroup.controllers", "cpu memory");
        Write("cpu.stat", "usage_usec 1\n");
        Write("memory.current", "1\n");
        Write("memory.max", "max\n");
        Write("cpu.max", "max 100000\n");

        var sample = new CgroupReader(Root, ProcSelf).Read();

        Assert.Equal(0UL, sample.MemoryLimitBytes);
        Assert.Equal(Environment.ProcessorCount, sample.Cpus);
    }

    [Fact]
    public void Cgroup_v1_is_read_on_hybrid_hosts()
    {
        File.WriteAllText(ProcSelf, "4:memory:/agents/bng\n2:cpu,cpuacct:/agents/bng\n0::/\n");
        Write("unified/cgroup.procs", "");
        Write("memory/agents/bng/memory.usage_in_bytes", "1048576\n");
        Write("memory/agents/bng/memory.limit_in_bytes", "9223372036854771712\n");
        Write("cpu,cpuacct/agents/bng/cpuacct.usage", "3000000000\n");
        Write("cpu,cpuacct/agents/bng/cpu.cfs_quota_us", "-1\n");
        Write("cpu,cpuacct/agents/bng/cpu.cfs_period_us", "100000\n");

        var sample = new CgroupReader(Root, ProcSelf).Read();

        Assert.Equal("v1", sample.Version);
        Assert.Equal(TimeSpan.FromSeconds(3), sample.CpuUsage);
        Assert.Equal(1_048_576UL, sample.MemoryBytes);
        Assert.Equal(0UL, sample.MemoryLimitBytes);
    }

    [Fact]
    public void Without_a_cgroup_the_process_figures_are_used()
    {
        File.WriteAllText(ProcSelf, "");

        var sample = new CgroupReader(Root, ProcSelf).Read();

        Assert.Equal("none", sample.Version);
        Assert.True(sample.MemoryBytes > 0);
    }

    [Fact]
    public void This_hosts_cgroup_is_readable()
    {
        var sample = new CgroupReader().Read();

        Assert.True(sample.MemoryBytes > 0);
        Assert.True(sample.CpuUsage > TimeSpan.Zero);
    }

    public void Dispose() => _dir.Dispose();
}
