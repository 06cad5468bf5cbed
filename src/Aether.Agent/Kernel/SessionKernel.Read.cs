using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
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

    /// <summary>
    /// The counters of just these addresses (`get element`, through libnftables), for the final counters of a removal
    /// batch: reading both whole sets for a few ended sessions cost the agent about a second of CPU per batch at
    /// 50,000 sessions. Null when nft could not answer for all of them (an address with no element fails the whole
    /// get): the caller reads the whole sets instead.
    /// </summary>
    public async Task<Dictionary<uint, Counters>?> ReadCountersOfAsync(IReadOnlyCollection<Ipv4Address> addresses, CancellationToken cancellationToken)
    {
        if (addresses.Count == 0 || !await _nft.InProcess.WaitAsync(cancellationToken))
        {
            return null;
        }
        var counters = new Dictionary<uint, Counters>(addresses.Count);
        foreach (var chunk in addresses.Chunk(GetElementChunk))
        {
            var list = string.Join(", ", chunk.Select(a => a.ToString()));
            foreach (var (set, upload) in SetsAndDirections)
            {
                var result = await _nft.RunAsync($"get element inet {_options.NftTable} {set} {{ {list} }}", cancellationToken);
                if (!result.Succeeded || ReadElementCounters(result.StandardOutput, counters, upload) < chunk.Length)
                {
                    return null;
                }
            }
        }
        return counters;
    }

    private int _lastCountersRead;

    /// <summary>
    /// Addresses per `get element`. nftables 1.0.6 builds the request in a fixed 8 KiB buffer on the stack without
    /// a bound: about 280 IPv4 elements overflow it and kill the process (the nft command segfaults; in the agent,
    /// "stack smashing detected"). 64 keep the request near 1.5 KiB.
    /// </summary>
    internal const int GetElementChunk = 64;

    private static int ReadElementCounters(string output, Dictionary<uint, Counters> counters, bool upload)
    {
        var found = 0;
        foreach (Match m in ElementCounter().Matches(output))
        {
            if (!Ipv4Address.TryParse(m.Groups[1].ValueSpan, out var ip))
            {
                continue;
            }
            var packets = ulong.Parse(m.Groups[2].ValueSpan, CultureInfo.InvariantCulture);
            var bytes = ulong.Parse(m.Groups[3].ValueSpan, CultureInfo.InvariantCulture);
            if (!counters.TryGetValue(ip.Value, out var c))
            {
                c = new Counters();
                counters[ip.Value] = c;
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
            found++;
        }
        return found;
    }

    private static readonly (string Set, bool Upload)[] SetsAndDirections = [("sub_up", true), ("sub_down", false)];

    // nft prints `get element` as text even with JSON output (1.0.6): "elements = { 100.96.0.5 counter packets 3 bytes 252, ... }".
    [GeneratedRegex(@"(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}) counter packets (\d+) bytes (\d+)", RegexOptions.CultureInvariant)]
    private static partial Regex ElementCounter();

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
