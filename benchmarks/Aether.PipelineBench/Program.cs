using System.Globalization;
using Aether.PipelineBench;

// Events per second from publish to commit through the real pipeline (publisher → JetStream → ingestor →
// PostgreSQL), at several ingestor batch sizes, beside a raw JetStream publish-and-consume baseline measured in the
// same run on the same servers. Starts its own nats-server and PostgreSQL on free 127.0.0.1 ports.
//
//   dotnet run -c Release --project benchmarks/Aether.PipelineBench -- [--events N] [--batch-sizes 1,100,1000]
//       [--in-flight 500] [--small-batch-events N] [--fsync on|off] [--drain on] [--writer-only on]
//
// --drain adds, per batch size, the ingestor alone draining a published backlog; --writer-only measures the storage
// write path without NATS. Each case also prints CPU time per event for this process (publisher and ingestor),
// nats-server and PostgreSQL, which other load on the machine skews less than the wall-clock rate.
// BENCH_LOG_STATEMENTS=0 makes PostgreSQL log every statement's duration; BENCH_KEEP_LOG=FILE keeps its log.
var settings = BenchSettings.Parse(args);
if (settings is null)
{
    Console.Error.WriteLine("usage: Aether.PipelineBench [--events N] [--small-batch-events N] [--batch-sizes 1,100,1000] [--in-flight N] [--fsync on|off]");
    return 2;
}

using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(20));
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cts.Cancel();
};

await using var bench = new EventPipelineBenchmark(settings);
var results = await bench.RunAsync(cts.Token);

Console.WriteLine();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"case",-34} {"events",8} {"seconds",8} {"events/s",10}"));
foreach (var r in results)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{r.Name,-34} {r.Events,8} {r.Elapsed.TotalSeconds,8:F2} {r.EventsPerSecond,10:F0}"));
}

return results.All(r => r.Verified) ? 0 : 1;
