using System.Globalization;
using System.Text;
using Aether.Contracts.Agent.V1;
using Aether.Dhcp;

namespace Aether.Agent.Kernel;

internal sealed partial class SessionKernel
{
    /// <summary>Reads every session's counters in one call per set.</summary>
    public async Task<Dictionary<uint, Counters>> ReadCountersAsync(CancellationToken cancellationToken)
    {
        // Sized as the last read was: grown from empty, a dictionary of 50,000 leaves its outgrown arrays behind.
        var counters = new Dictionary<uint, Counters>(_lastCountersRead);
        await ReadSetAsync("sub_up", counters, upload: true, cancellationToken);
        await ReadSetAsync("sub_down", counters, upload: false, cancellationToken);
        _lastCountersRead = counters.Count;
        return counters;
    }

    private int _lastCountersRead;

    public async Task<KernelSnapshot> ReadSnapshotAsync(CancellationToken cancellationToken)
    {
        var elements = await ReadCountersAsync(cancellationToken);
        var classes = new Dictionary<string, HashSet<ushort>>(StringComparer.Ordinal);
        foreach (var iface in _options.SubscriberInterfaces)
        {
            foreach (var (dev, _) in TcScript.Devices(iface.Name, _shards))
            {
                var result = await _runner.RunAsync("tc", ["class", "show", "dev", dev], null, cancellationToken);
                classes[dev] = result.Succeeded ? TcScript.ParseClasses(result.StandardOutput) : [];
            }
        }
        return new KernelSnapshot(elements, classes, _shards);
    }

    public async Task RemoveOrphansAsync(IReadOnlyCollection<Ipv4Address> addresses, IReadOnlyCollection<ShapedClass> keep, CancellationToken cancellationToken)
    {
        var t = _options.NftTable;
        if (addresses.Count > 0)
        {
            var nft = new StringBuilder();
            foreach (var ip in addresses)
            {
                nft.AppendLine(CultureInfo.InvariantCulture, $"delete element inet {t} sub_up {{ {ip} }}")
                   .AppendLine(CultureInfo.InvariantCulture, $"delete element inet {t} sub_down {{ {ip} }}");
            }
            await ApplyNftAsync(nft.ToString(), cancellationToken);
        }
        var snapshot = await ReadSnapshotAsync(cancellationToken);
        var owned = new HashSet<(string, ushort)>();
        foreach (var kept in keep)
        {
            owned.Add((TcScript.DownloadDevice(kept.Interface, kept.Shard), kept.ClassId));
            owned.Add((TcScript.UploadDevice(kept.Interface, kept.Shard), kept.ClassId));
        }
        var tc = new StringBuilder();
        foreach (var iface in _options.SubscriberInterfaces)
        {
            // An orphan's filter handle follows from its address and its shard; its class is whatever no session owns.
            foreach (var ip in addresses)
            {
                var (download, upload) = DevicesOf(iface.Name, ip);
                TcScript.AppendRemoval(tc, download, ip, null);
                TcScript.AppendRemoval(tc, upload, ip, null);
            }
            foreach (var (dev, _) in TcScript.Devices(iface.Name, _shards))
            {
                foreach (var classId in snapshot.Classes.GetValueOrDefault(dev) ?? [])
                {
                    if (!owned.Contains((dev, classId)))
                    {
                        TcScript.AppendClassRemoval(tc, dev, classId);
                    }
                }
            }
        }
        if (tc.Length > 0)
        {
            await _tc.RunAsync(tc.ToString(), cancellationToken);
        }
        LogOrphansRemoved(addresses.Count);
    }

    private async Task ReadSetAsync(string set, Dictionary<uint, Counters> into, bool upload, CancellationToken cancellationToken)
    {
        var result = await _runner.RunStreamingAsync("nft", ["-j", "list", "set", "inet", _options.NftTable, set],
            (output, ct) => NftSetReader.ReadAsync(output, (ip, packets, bytes) =>
            {
                if (!into.TryGetValue(ip.Value, out var c))
                {
                    c = new Counters();
                    into[ip.Value] = c;
                }
                if (upload)
                {
                    c.BytesUp = bytes;
                    c.PacketsUp = packets;
                }
                else
                {
                    c.BytesDown = bytes;
                    c.PacketsDown = packets;
                }
            }, ct), cancellationToken);
        if (!result.Succeeded)
        {
            LogNftFailed(result.StandardError.Trim());
        }
    }
}
