using System.Text.Json;
using System.Xml.Linq;
using Aether.Simulator.Load;
using Aether.Simulator.Reporting;

namespace Aether.Simulator.Tests;

public sealed class ReportTests
{
    private static LoadReport Sample()
    {
        var counters = new LoadCounters { Started = 100, Bound = 98, Released = 98, DiscoverSent = 103, RequestSent = 98, Offers = 98, Acks = 98 };
        counters.Failures[(int)DoraFailure.NoOffer] = 2;
        var histogram = new LatencyHistogram();
        for (int i = 1; i <= 98; i++)
        {
            histogram.Record(i * 150);
        }

        var result = new LoadResult
        {
            Counters = counters,
            Latency = histogram,
            Timeline = [new TimelineSecond { Started = 100, Bound = 98 }],
            Sessions = [],
            SetupWindow = TimeSpan.FromSeconds(0.5),
            Elapsed = TimeSpan.FromSeconds(1),
            Cancelled = false,
            IgnoredFrames = 3,
        };
        var settings = new ReportSettings(100, 0, 0, 64, 2000, 3, 600, "end", 0, "aether-sim", "02:5a", 1, "veth0", null, null, null, null);
        var usage = new ProcessUsage("aether-agent", 42, false, 40, 80, 0.4, 100 << 20, 90 << 20, 110 << 20, [new ProcessSample(1, 40, 90 << 20)]);
        return LoadReport.Create("load", "l2", DateTimeOffset.UnixEpoch, settings, result, [usage], "l2 on veth0");
    }

    [Fact]
    public void Text_report_gives_rate_percentiles_and_failures()
    {
        string text = ReportWriter.ToText(Sample());

        Assert.Contains("196.0 sessions/s", text, StringComparison.Ordinal);
        Assert.Contains("p99 ", text, StringComparison.Ordinal);
        Assert.Contains("no-offer 2", text, StringComparison.Ordinal);
        Assert.Contains("aether-agent (pid 42)", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_report_has_the_documented_fields()
    {
        using var json = JsonDocument.Parse(ReportWriter.ToJson(Sample()));
        var root = json.RootElement;

        Assert.Equal(196.0, root.GetProperty("sessionsPerSecond").GetDouble());
        Assert.Equal(98, root.GetProperty("subscribers").GetProperty("bound").GetInt64());
        Assert.Equal(2, root.GetProperty("failures").GetProperty("no-offer").GetInt64());
        Assert.True(root.GetProperty("latencyMs").GetProperty("p99").GetDouble() > root.GetProperty("latencyMs").GetProperty("p50").GetDouble());
        Assert.Equal("aether-agent", root.GetProperty("processes")[0].GetProperty("name").GetString());
        Assert.Equal(98, root.GetProperty("histogram").EnumerateArray().Sum(b => b.GetProperty("count").GetInt64()));
        Assert.False(root.GetProperty("settings").TryGetProperty("server", out _));
    }

    [Fact]
    public void Svg_histogram_is_well_formed_and_marks_the_percentiles()
    {
        var svg = XDocument.Parse(ReportWriter.ToSvg(Sample()));

        XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.NotEmpty(svg.Descendants(ns + "rect").Skip(1));
        var labels = svg.Descendants(ns + "text").Select(t => t.Value).ToList();
        Assert.Contains(labels, l => l.StartsWith("p50 ", StringComparison.Ordinal));
        Assert.Contains(labels, l => l.StartsWith("p99 ", StringComparison.Ordinal));
    }

    [Fact]
    public void Html_histogram_is_self_contained()
    {
        string html = ReportWriter.ToHtml(Sample());

        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.Contains("<svg", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script src", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<link", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Axis_ticks_follow_one_two_five()
    {
        Assert.Equal([0.2, 0.5, 1, 2, 5, 10], ReportWriter.Ticks(0.15, 12));
    }

    [Fact]
    public void Progress_line_shows_the_bar_and_counts()
    {
        var line = ProgressLine.Format(new ProgressSnapshot(TimeSpan.FromSeconds(2), "admitting", 60, 50, 0, 10, 0, 1234, 1.5, 9.25), 100);

        Assert.StartsWith("[############............]", line, StringComparison.Ordinal);
        Assert.Contains("bound 50", line, StringComparison.Ordinal);
        Assert.Contains("1234/s", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Progress_line_while_holding_says_when_the_releases_start()
    {
        var holding = new ProgressSnapshot(TimeSpan.FromSeconds(14), "holding", 100, 100, 0, 0, 0, 0, 1.5, 9.25, TimeSpan.FromSeconds(587.2));

        var timed = ProgressLine.Format(holding, 100);
        var waiting = ProgressLine.Format(holding, 100, "/var/lib/aether-lab/load/checked");
        var admitting = ProgressLine.Format(holding with { Phase = "admitting", HoldLeft = null }, 100);

        Assert.Contains("holding   started 100", timed, StringComparison.Ordinal);
        Assert.EndsWith("| releasing in 9m48s", timed, StringComparison.Ordinal);
        Assert.EndsWith("| releasing when checked exists, or in 9m48s", waiting, StringComparison.Ordinal);
        Assert.DoesNotContain("releasing", admitting, StringComparison.Ordinal);
    }

    [Fact]
    public void Progress_rewrites_in_place_only_on_a_terminal()
    {
        var snapshot = new ProgressSnapshot(TimeSpan.Zero, "admitting", 1, 0, 0, 1, 0, 0, 0, 0);
        using var terminal = new StringWriter();
        using var file = new StringWriter();

        new ProgressLine(terminal, inPlace: true, 10, TimeSpan.FromSeconds(5), TimeProvider.System).Report(snapshot);
        var plain = new ProgressLine(file, inPlace: false, 10, TimeSpan.FromSeconds(5), TimeProvider.System);
        plain.Report(snapshot);
        plain.Report(snapshot);

        Assert.StartsWith("\r", terminal.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("\r", file.ToString(), StringComparison.Ordinal);
        Assert.Single(file.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
