using System.Globalization;
using Aether.GraphQLBench;

// Latency of the active-sessions page (50 rows, filtered and sorted, with customer and plan) through the GraphQL API
// hosted in process on Kestrel, over 100,000 live sessions on 2 BNGs, beside the same page read straight with
// SessionReadModel. Starts its own PostgreSQL and nats-server on free 127.0.0.1 ports.
//
//   dotnet run -c Release --project benchmarks/Aether.GraphQLBench -- [--sessions 100000] [--requests 1000]
//       [--warmup 100] [--concurrency 1]
var settings = BenchSettings.Parse(args);
if (settings is null)
{
    Console.Error.WriteLine("usage: Aether.GraphQLBench [--sessions N] [--requests N] [--warmup N] [--concurrency N]");
    return 2;
}

using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(20));
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cts.Cancel();
};

await using var bench = new SessionPageBenchmark(settings);
var results = await bench.RunAsync(cts.Token);

Console.WriteLine();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{"case",-52} {"p50 ms",7} {"p95 ms",7} {"p99 ms",7} {"max ms",7} {"req/s",7} {"SQL/req",7}"));
foreach (var r in results)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{r.Name,-52} {r.P50,7:F2} {r.P95,7:F2} {r.P99,7:F2} {r.Max,7:F2} {r.RequestsPerSecond,7:F0} {r.SqlPerRequest,7:F2}"));
}

var baseline = results.Single(r => r.IsBaseline);
var same = results.Single(r => r.SameAsBaseline);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"GraphQL / SessionReadModel for the same page (bngId, STARTED ASC): p50 {same.P50 / baseline.P50:F1}x, p99 {same.P99 / baseline.P99:F1}x"));
Console.WriteLine($"load average at the end: {File.ReadAllText("/proc/loadavg").Trim()}");
return 0;
