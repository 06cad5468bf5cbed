using Aether.AgentScaleBench;

// One agent's session path at scale against the real kernel: the session table (authorization from a stub
// controller that accepts everyone and acks every report), the real kernel programmer (nftables sets with counters,
// HTB on IFB shards) and the real state file and report journal on disk, in a network namespace of its own.
// Installs sessions as concurrent DHCPACKs in batches, sweeps the counters once, releases and replaces some
// (classes re-used), lets every lease expire, and checks that nothing is left in the kernel. With --pool N, N
// classes per direction are created first (Agent:ClassPool) and timed on their own.
//
//   sudo dotnet run -c Release --project benchmarks/Aether.AgentScaleBench -- [--sessions 50000] [--batch 1000]
//       [--churn 5000] [--shards 16] [--pool 0]
var settings = BenchSettings.Parse(args);
if (settings is null)
{
    Console.Error.WriteLine($"usage: Aether.AgentScaleBench [--sessions N (at most {BenchSettings.MaxSessions})] [--batch N] [--churn N] [--shards N] [--pool N]");
    return 2;
}

using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(60));
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cts.Cancel();
};

await using var bench = new AgentScaleBenchmark(settings, Console.Out);
var ok = await bench.RunAsync(cts.Token);
return ok ? 0 : 1;
