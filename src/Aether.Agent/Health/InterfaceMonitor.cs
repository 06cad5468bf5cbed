using System.Text.Json;
using Aether.Agent.Kernel;
using Aether.Contracts.Agent.V1;
using Microsoft.Extensions.Options;

namespace Aether.Agent.Health;

/// <summary>
/// State and traffic of the subscriber-facing interfaces, in one `ip -j -s link show`; their shaping IFB shards
/// are listed only when one is missing or down (dozens of healthy ones would say nothing).
/// </summary>
internal sealed class InterfaceMonitor(IOptions<AgentOptions> options, CommandRunner runner)
{
    public const string Missing = "missing";

    public async Task<List<InterfaceHealth>> ReadAsync(CancellationToken cancellationToken)
    {
        var result = await runner.RunAsync("ip", ["-j", "-s", "link", "show"], null, cancellationToken);
        var links = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        using var doc = result.Succeeded ? JsonDocument.Parse(result.StandardOutput) : null;
        if (doc is not null)
        {
            foreach (var link in doc.RootElement.EnumerateArray())
            {
                if (link.TryGetProperty("ifname", out var name) && name.GetString() is { } n)
                {
                    links[n] = link;
                }
            }
        }
        var health = new List<InterfaceHealth>();
        foreach (var iface in options.Value.SubscriberInterfaces)
        {
            health.Add(Describe(iface.Name, "subscriber", links));
            foreach (var (dev, _) in TcScript.Devices(iface.Name, options.Value.ShapingShards))
            {
                var shard = Describe(dev, "ifb", links);
                if (shard.OperState is not ("up" or "unknown"))
                {
                    health.Add(shard);
                }
            }
        }
        return health;
    }

    private static InterfaceHealth Describe(string name, string role, Dictionary<string, JsonElement> links)
    {
        var item = new InterfaceHealth { Name = name, Role = role, OperState = Missing };
        if (!links.TryGetValue(name, out var link))
        {
            return item;
        }
        item.OperState = link.TryGetProperty("operstate", out var state) ? (state.GetString() ?? "unknown").ToLowerInvariant() : "unknown";
        item.Mtu = link.TryGetProperty("mtu", out var mtu) ? mtu.GetUInt32() : 0;
        if (link.TryGetProperty("stats64", out var stats))
        {
            item.RxBytes = Read(stats, "rx", "bytes");
            item.TxBytes = Read(stats, "tx", "bytes");
            item.RxDropped = Read(stats, "rx", "dropped");
            item.TxDropped = Read(stats, "tx", "dropped");
        }
        return item;
    }

    private static ulong Read(JsonElement stats, string direction, string field) =>
        stats.TryGetProperty(direction, out var d) && d.TryGetProperty(field, out var v) ? v.GetUInt64() : 0;
}
