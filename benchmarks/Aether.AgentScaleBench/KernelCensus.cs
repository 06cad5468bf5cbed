using Aether.Agent.Kernel;

namespace Aether.AgentScaleBench;

/// <summary>What the namespace's kernel holds, counted with nft and tc themselves rather than through the agent.</summary>
internal sealed record KernelCensus(int UpElements, int DownElements, int Classes, int Filters)
{
    public static async Task<KernelCensus> TakeAsync(BenchNamespace ns, string table, int shards)
    {
        var up = await ElementsAsync(ns, table, "sub_up");
        var down = await ElementsAsync(ns, table, "sub_down");
        int classes = 0, filters = 0;
        foreach (var (device, _) in TcScript.Devices(BenchNamespace.Interface, shards))
        {
            classes += TcScript.ParseClasses((await ns.InAsync("tc", "class", "show", "dev", device)).StandardOutput).Count;
            // A session's filter names its class ("flowid 1:2a"); the shard's hash tables and link do not.
            filters += (await ns.InAsync("tc", "filter", "show", "dev", device)).StandardOutput
                .Split('\n').Count(l => l.Contains("flowid 1:", StringComparison.Ordinal));
        }
        return new KernelCensus(up, down, classes, filters);
    }

    private static async Task<int> ElementsAsync(BenchNamespace ns, string table, string set)
    {
        // nft's own listing, streamed and counted as it comes (one "counter packets" per element), so that counting
        // 50,000 elements does not itself add to the process's memory figures.
        var count = 0;
        var result = await new CommandRunner(ns.Name).RunStreamingAsync("nft", ["list", "set", "inet", table, set],
            async (output, ct) => count = await CountAsync(output, "counter packets "u8.ToArray(), ct), CancellationToken.None);
        return result.Succeeded ? count : throw new InvalidOperationException($"nft list set {set}: {result.StandardError}");
    }

    private static async Task<int> CountAsync(Stream output, byte[] needle, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        var count = 0;
        var kept = 0;
        int read;
        while ((read = await output.ReadAsync(buffer.AsMemory(kept), ct)) > 0)
        {
            var data = buffer.AsSpan(0, kept + read);
            int at;
            while ((at = data.IndexOf(needle)) >= 0)
            {
                count++;
                data = data[(at + needle.Length)..];
            }
            // The tail may hold the start of a match cut by the read.
            kept = Math.Min(data.Length, needle.Length - 1);
            data[^kept..].CopyTo(buffer);
        }
        return count;
    }
}
