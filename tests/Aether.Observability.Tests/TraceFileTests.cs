using Aether.Observability;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace Aether.Observability.Tests;

// One TracerProvider at a time: every provider in the process listens to the same ActivitySource.
[Collection("TracerProvider")]
public sealed class TraceFileTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"aether-traces-{Guid.NewGuid():N}.jsonl");

    private ServiceProvider Start()
    {
        var section = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["TraceFile"] = _file }).Build();
        var provider = new ServiceCollection().AddAetherTelemetry(section, "aether-test").BuildServiceProvider();
        _ = provider.GetRequiredService<TracerProvider>();
        return provider;
    }

    private static async Task<string[]> LinesAsync(string path, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var lines = File.Exists(path) ? await File.ReadAllLinesAsync(path) : [];
            if (lines.Length >= count || DateTime.UtcNow > deadline)
            {
                return lines;
            }

            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Spans_reach_the_file_while_the_process_runs()
    {
        using var provider = Start();
        using (AetherTracing.Source.StartActivity("test.first"))
        {
        }

        // Without shutting the provider down: the batch is written within its flush interval.
        var lines = await LinesAsync(_file, 1);
        Assert.Single(lines);
        Assert.Contains("\"name\":\"test.first\"", lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rotated_file_is_started_again_at_the_configured_path()
    {
        using var provider = Start();
        using (AetherTracing.Source.StartActivity("test.before"))
        {
        }

        Assert.Single(await LinesAsync(_file, 1));
        File.Move(_file, _file + ".1");
        using (AetherTracing.Source.StartActivity("test.after"))
        {
        }

        var lines = await LinesAsync(_file, 1);
        Assert.Single(lines);
        Assert.Contains("\"name\":\"test.after\"", lines[0], StringComparison.Ordinal);
        Assert.Single(await File.ReadAllLinesAsync(_file + ".1"));
    }

    public void Dispose()
    {
        File.Delete(_file);
        File.Delete(_file + ".1");
    }
}
