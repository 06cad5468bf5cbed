using System.Globalization;
using System.Text;
using Aether.Contracts.Agent.V1;
using Aether.Dhcp;

namespace Aether.Agent.Kernel;

internal sealed partial class SessionKernel
{
    /// <summary>Reads every session's counters: one netlink dump per set (<see cref="NftSetCounters"/>).</summary>
    public Task<Dictionary<uint, Counters>> ReadCountersAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        // Sized as the last read was: grown from empty, a dictionary of 50,000 leaves its outgrown arrays behind.
        var counters = new Dictionary<uint, Counters>(_lastCountersRead);
        ReadSet("sub_up", counters, null, upload: true);
        ReadSet("sub_down", counters, null, upload: false);
        _lastCountersRead = counters.Count;
        return Task.FromResult(counters);
    }

    private int _lastCountersRead;

    /// <summary>The counters of just these addresses (sessions that end), asked for one by one.</summary>
    private Dictionary<uint, Counters> ReadCounters(IReadOnlyList<Ipv4Address> addresses)
    {
        var counters = new Dictionary<uint, Counters>(addresses.Count);
        ReadSet("sub_up", counters, addresses, upload: true);
        ReadSet("sub_down", counters, addresses, upload: false);
        return counters;
    }

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

    private void ReadSet(string set, Dictionary<uint, Counters> into, IReadOnlyList<Ipv4Address>? only, bool upload)
    {
        SetCounterSink sink = (ip, packets, bytes) =>
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
        };
        try
        {
            if (only is null)
            {
                _setCounters.Dump(_options.NftTable, set, sink);
            }
            else
            {
                _setCounters.Get(_options.NftTable, set, only, sink);
            }
        }
        catch (IOException ex)
        {
            LogCounterReadFailed(set, ex.Message);
        }
    }
}
