using Aether.Observability;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace Aether.Observability.Tests;

// One TracerProvider at a time: every provider in the process listens to the same ActivitySource.
[Collection("TracerProvider")]
public sealed class TraceSamplingTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"aether-traces-{Guid.NewGuid():N}.jsonl");

    private int Record(string? ratio, int traces)
    {
        var settings = new Dictionary<string, string?> { ["TraceFile"] = _file };
        if (ratio is not null)
        {
            settings["TraceSampleRatio"] = ratio;
        }
        var section = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using (var provider = new ServiceCollection().AddAetherTelemetry(section, "aether-test").BuildServiceProvider())
        {
            _ = provider.GetRequiredService<TracerProvider>();
            for (var i = 0; i < traces; i++)
            {
                using var root = AetherTracing.Source.StartActivity("test.root");
                using var child = AetherTracing.Source.StartActivity("test.child");
            }
        }
        return File.Exists(_file) ? File.ReadAllLines(_file).Length : 0;
    }

    [Fact]
    public void Every_trace_is_recorded_by_default()
    {
        Assert.Equal(400, Record(null, 200));
    }

    [Fact]
    public void A_ratio_records_about_that_share_of_traces_whole()
    {
        var spans = Record("0.25", 2000);

        // Each trace is kept or dropped whole (root and child), about a quarter of them.
        Assert.Equal(0, spans % 2);
        Assert.InRange(spans / 2, 350, 650);
    }

    [Fact]
    public void A_ratio_outside_0_to_1_is_refused_at_start()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => Record("1.5", 1));
        Assert.Contains("TraceSampleRatio", ex.Message, StringComparison.Ordinal);
    }

    public void Dispose() => File.Delete(_file);
}
