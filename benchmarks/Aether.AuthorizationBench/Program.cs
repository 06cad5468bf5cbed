using System.Globalization;
using Aether.AuthorizationBench;

// Subscriber setups per second through the real controller in process (one agent stream: AuthorizeRequest →
// Access-Request to FreeRADIUS → AuthorizeResult, then SessionStarted → SESSION_START in JetStream → Ack, with
// Accounting-Start queued), beside the same Access-Requests from the same RADIUS client straight to the same
// FreeRADIUS at the same concurrency, measured in the same run. Starts its own PostgreSQL, nats-server and FreeRADIUS
// on free 127.0.0.1 ports.
//
//   dotnet run -c Release --project benchmarks/Aether.AuthorizationBench -- [--count 5000] [--concurrency 64]
//       [--warmup 500] [--rounds 1] [--rate R] [--log-level Information] [--radius-sql on|off] [--fsync on|off]
//       [--ingestor on|off] [--budget-minutes 10]
//
// Without --rate a new subscriber starts as soon as one of the C in flight completes (the top rate); with it,
// subscriber i starts i/R seconds after the first (still at most C in flight), for latencies at a given load.
// --radius-sql on gives FreeRADIUS the lab's rlm_sql on the bench's PostgreSQL (user lookups, a radpostauth row per
// answer, a radacct row per accounting record); --fsync on makes PostgreSQL durable, as the lab's is.
// The controller logs at --log-level (Information, as it runs in the lab) to a file whose path is printed; --ingestor on runs the
// ingestor in the controller's process (the lab runs it as a process of its own).
var settings = BenchSettings.Parse(args);
if (settings is null)
{
    Console.Error.WriteLine("usage: Aether.AuthorizationBench [--count N] [--concurrency N] [--warmup N] [--rounds N] [--rate R] [--log-level LEVEL] [--radius-sql on|off] [--fsync on|off] [--ingestor on|off] [--budget-minutes M]");
    return 2;
}

using var cts = new CancellationTokenSource(settings.Budget);
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cts.Cancel();
};

// The controller's console log goes to a file; this program's report to the real standard output.
var output = Console.Out;
List<BenchResult> results;
await using (var bench = new AuthorizationBenchmark(settings, output))
{
    await using var log = new StreamWriter(bench.LogFile);
    Console.SetOut(TextWriter.Synchronized(log));
    try
    {
        results = await bench.RunAsync(cts.Token);
    }
    finally
    {
        Console.SetOut(output);
    }
}

output.WriteLine();
output.WriteLine("| case | subscribers | ok | seconds | per s | p50 ms | p95 ms | p99 ms | max ms |");
output.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
foreach (var r in results)
{
    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {r.Name} | {r.Count} | {r.Succeeded} | {r.Elapsed.TotalSeconds:F2} | {r.PerSecond:F0} | {r.Latency.P50:F1} | {r.Latency.P95:F1} | {r.Latency.P99:F1} | {r.Latency.Max:F1} |"));
}

output.WriteLine();
var baselines = results.Where(r => r.Name.StartsWith("RADIUS", StringComparison.Ordinal)).ToList();
var setups = results.Where(r => r.Name.Contains("full setup", StringComparison.Ordinal)).ToList();
for (var i = 0; i < Math.Min(baselines.Count, setups.Count); i++)
{
    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"round {i + 1}: controller setups {setups[i].PerSecond:F0}/s vs RADIUS alone {baselines[i].PerSecond:F0}/s: ratio {setups[i].PerSecond / baselines[i].PerSecond:F2}"));
}

return results.All(r => r.Succeeded == r.Count) ? 0 : 1;
