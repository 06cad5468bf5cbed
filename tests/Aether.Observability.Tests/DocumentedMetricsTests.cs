using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Aether.Radius;

namespace Aether.Observability.Tests;

/// <summary>
/// docs/operations.md and docs/alerts/aether-alerts.yml name only series the code registers, and the docs list every
/// instrument: the Prometheus names are derived from the instruments exactly as the exporter derives them.
/// </summary>
[Collection(nameof(MetricsCollection))]
public sealed partial class DocumentedMetricsTests
{
    private static readonly string[] s_meters = [AetherMetrics.MeterName, AgentMetrics.MeterName, RadiusMetrics.MeterName];

    [Fact]
    public void Every_series_in_the_alert_rules_is_registered()
    {
        var registered = SeriesNames();
        var rules = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "alerts", "aether-alerts.yml"));

        var used = Expressions(rules).SelectMany(e => SeriesPattern().Matches(e).Select(m => m.Value)).ToHashSet(StringComparer.Ordinal);

        Assert.NotEmpty(used);
        Assert.All(used, name => Assert.Contains(name, registered));
        Assert.Contains("aether_radius_server_up", used);
        Assert.Contains("aether_ingestor_consumer_lag", used);
        Assert.Contains("aether_agent_connected", used);
    }

    [Fact]
    public void Operations_guide_lists_exactly_the_registered_instruments()
    {
        var instruments = Instruments().Select(PrometheusName).ToHashSet(StringComparer.Ordinal);
        var guide = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "operations.md"));
        var section = guide[guide.IndexOf("### Series", StringComparison.Ordinal)..];
        section = section[..section.IndexOf("\n### ", 1, StringComparison.Ordinal)];

        // Table rows whose first cell is a series name.
        var documented = section.Split('\n')
            .Select(l => TableRowPattern().Match(l))
            .Where(m => m.Success)
            .Select(m => m.Groups[1].Value)
            .ToHashSet(StringComparer.Ordinal);

        Assert.Empty(documented.Except(instruments));
        Assert.Empty(instruments.Except(documented));
    }

    /// <summary>The `expr:` of each rule, single-line or a block scalar (`expr: |` and the more indented lines after it).</summary>
    internal static IEnumerable<string> Expressions(string yaml)
    {
        var lines = yaml.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var trimmed = lines[i].TrimStart();
            if (!trimmed.StartsWith("expr:", StringComparison.Ordinal))
            {
                continue;
            }

            var value = trimmed["expr:".Length..].Trim();
            if (value is "|" or ">" or "|-" or ">-")
            {
                var indent = lines[i].Length - trimmed.Length;
                var block = new List<string>();
                while (i + 1 < lines.Length && (lines[i + 1].Trim().Length == 0 || lines[i + 1].Length - lines[i + 1].TrimStart().Length > indent))
                {
                    block.Add(lines[++i].Trim());
                }

                value = string.Join(' ', block);
            }

            yield return value;
        }
    }

    /// <summary>Every series name a scrape can show: histograms as _bucket, _sum and _count too.</summary>
    private static HashSet<string> SeriesNames()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var instrument in Instruments())
        {
            var name = PrometheusName(instrument);
            names.Add(name);
            if (instrument.GetType().Name.StartsWith("Histogram", StringComparison.Ordinal))
            {
                names.UnionWith([name + "_bucket", name + "_sum", name + "_count"]);
            }
        }

        return names;
    }

    private static List<Instrument> Instruments()
    {
        // The instruments are statics: make sure each class has created its own.
        RuntimeHelpers.RunClassConstructor(typeof(AetherMetrics).TypeHandle);
        RuntimeHelpers.RunClassConstructor(typeof(AgentMetrics).TypeHandle);
        RuntimeHelpers.RunClassConstructor(typeof(RadiusMetrics).TypeHandle);
        var instruments = new List<Instrument>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (s_meters.Contains(instrument.Meter.Name))
                {
                    instruments.Add(instrument);
                }
            },
        };
        listener.Start();
        Assert.NotEmpty(instruments);
        return instruments;
    }

    /// <summary>OpenTelemetry's Prometheus naming: dots to underscores, the unit as a suffix ({annotations} dropped), _total on counters.</summary>
    internal static string PrometheusName(Instrument instrument)
    {
        var name = instrument.Name.Replace('.', '_');
        var unit = instrument.Unit switch
        {
            "s" => "seconds",
            "By" => "bytes",
            null or "" => null,
            var u when u.StartsWith('{') => null,
            var u => u,
        };
        if (unit is not null && !name.EndsWith("_" + unit, StringComparison.Ordinal))
        {
            name += "_" + unit;
        }

        var monotonic = instrument.GetType().Name.StartsWith("Counter", StringComparison.Ordinal)
            || instrument.GetType().Name.StartsWith("ObservableCounter", StringComparison.Ordinal);
        return monotonic ? name + "_total" : name;
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Aether.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new DirectoryNotFoundException("Aether.sln above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"\baether_[a-z0-9_]+")]
    private static partial Regex SeriesPattern();

    [GeneratedRegex(@"^\|\s*`(aether_[a-z0-9_]+)`\s*\|")]
    private static partial Regex TableRowPattern();
}
