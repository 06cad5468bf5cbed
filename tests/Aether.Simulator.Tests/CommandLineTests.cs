using Aether.Simulator.Cli;
using Aether.Simulator.Load;
using Aether.Simulator.Reporting;
using Microsoft.Extensions.Logging.Abstractions;

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

    [Theory]
    [InlineData("Immediate")]
    [InlineData("None")]
    public void Hold_until_needs_release_end(string release)
    {
        var request = Valid() with { Release = Enum.Parse<ReleaseMode>(release), HoldUntil = "/tmp/go", Count = 0 };

        var errors = request.Validate();

        Assert.Contains(errors, e => e.Contains("--hold-until needs --release end", StringComparison.Ordinal));
        Assert.Equal(2, errors.Count); // reported with the other problems
    }

    [Fact]
    public void Hold_until_needs_a_hold_to_bound_it()
    {
        Assert.Empty((Valid() with { HoldUntil = "/tmp/go" }).Validate());
        Assert.Contains((Valid() with { HoldUntil = "/tmp/go", Hold = TimeSpan.Zero }).Validate(), e => e.Contains("--hold-until", StringComparison.Ordinal));
        Assert.Contains((Valid() with { HoldUntil = "" }).Validate(), e => e.Contains("--hold-until must name a file", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Hold_until_with_another_release_mode_exits_with_usage()
    {
        var request = Valid() with { Release = ReleaseMode.Immediate, HoldUntil = "/tmp/go" };

        int exit = await new LoadRunner(NullLoggerFactory.Instance, TextWriter.Null, TimeProvider.System).RunAsync(request, CancellationToken.None);

        Assert.Equal(LoadRunner.ExitUsage, exit);
    }

    [Theory]
    [InlineData(new[] { "--hold-until", "/tmp/go" }, 600, "/tmp/go")]
    [InlineData(new[] { "--hold-until", "/tmp/go", "--hold", "30s" }, 30, "/tmp/go")]
    [InlineData(new[] { "--hold", "5s" }, 5, null)]
    [InlineData(new string[0], 0, null)]
    public async Task Hold_defaults_to_ten_minutes_only_with_hold_until(string[] options, double holdSeconds, string? holdUntil)
    {
        LoadRequest? parsed = null;
        var command = LoadCommand.CreateLoad((request, _, _) =>
        {
            parsed = request;
            return Task.FromResult(0);
        });

        int exit = await command.Parse(["-i", "veth0", .. options]).InvokeAsync();

        Assert.Equal(0, exit);
        Assert.NotNull(parsed);
        Assert.Equal(TimeSpan.FromSeconds(holdSeconds), parsed.EffectiveHold);
        Assert.Equal(holdUntil, parsed.HoldUntil);
        Assert.Empty(parsed.Validate());
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
