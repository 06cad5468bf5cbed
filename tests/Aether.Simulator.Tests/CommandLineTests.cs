using Aether.Simulator.Cli;
using Aether.Simulator.Reporting;

namespace Aether.Simulator.Tests;

public sealed class CommandLineTests
{
    private static LoadRequest Valid() => new()
    {
        Churn = false,
        Mode = TransportMode.L2,
        Interface = "veth0",
        Count = 1_000,
        Concurrency = 64,
        Timeout = TimeSpan.FromSeconds(2),
        Retries = 3,
        RemoteId = "aether-sim",
        MacPrefix = "02:5a",
        Duration = TimeSpan.FromMinutes(10),
    };

    [Theory]
    [InlineData("250ms", 0.25)]
    [InlineData("2s", 2)]
    [InlineData("1.5s", 1.5)]
    [InlineData("5m", 300)]
    [InlineData("1h", 3600)]
    [InlineData("30", 30)]
    public void Durations_accept_units(string text, double seconds)
    {
        Assert.True(Durations.TryParse(text, out var value));
        Assert.Equal(seconds, value.TotalSeconds, 6);
    }

    [Theory]
    [InlineData("")]
    [InlineData("fast")]
    [InlineData("-1s")]
    [InlineData("2d")]
    public void Durations_refuse_nonsense(string text) => Assert.False(Durations.TryParse(text, out _));

    [Fact]
    public void Valid_request_has_no_errors() => Assert.Empty(Valid().Validate());

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var request = Valid() with { Interface = null, Count = 0, MacPrefix = "03", Retries = 50, Pids = ["agent=abc"] };

        var errors = request.Validate();

        Assert.Equal(5, errors.Count);
    }

    [Fact]
    public void Relay_mode_needs_server_and_giaddr()
    {
        var request = Valid() with { Mode = TransportMode.Relay, Interface = null };

        var errors = request.Validate();

        Assert.Contains(errors, e => e.Contains("--server", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("--giaddr", StringComparison.Ordinal));
    }

    [Fact]
    public void Churn_needs_a_rate()
    {
        var request = Valid() with { Churn = true, Rate = 0, HoldMin = TimeSpan.FromSeconds(1), HoldMax = TimeSpan.FromSeconds(2) };

        Assert.Contains(request.Validate(), e => e.Contains("--rate", StringComparison.Ordinal));
    }

    [Fact]
    public void Run_too_large_for_the_mac_prefix_is_refused()
    {
        var request = Valid() with { MacPrefix = "02:00:00:00", Count = 65_537 };

        Assert.Contains(request.Validate(), e => e.Contains("does not fit", StringComparison.Ordinal));
    }

    [Fact]
    public void Proc_stat_gives_user_plus_system_time()
    {
        const string stat = "1234 (aether agent) S 1 1234 1234 0 -1 4194560 500 0 0 0 250 150 0 0 20 0 12 0 100 200000000 5000 18446744073709551615";

        Assert.Equal(4.0, ProcFs.ParseCpuSeconds(stat));
    }

    [Fact]
    public void Proc_status_gives_rss_and_peak()
    {
        const string status = "Name:\tdotnet\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\nThreads:\t12\n";

        Assert.Equal((100L << 20, 200L << 20), ProcFs.ParseMemory(status));
    }

    [Fact]
    public void Watched_process_reads_name_and_pid()
    {
        Assert.True(WatchedProcess.TryParse("agent=4242", out var named));
        Assert.Equal(new WatchedProcess("agent", 4242), named);
        Assert.True(WatchedProcess.TryParse(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), out var bare));
        Assert.False(string.IsNullOrEmpty(bare.Name));
        Assert.False(WatchedProcess.TryParse("agent=", out _));
    }
}
