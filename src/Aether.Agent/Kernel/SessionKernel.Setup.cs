using System.Globalization;
using System.Text;

namespace Aether.Agent.Kernel;

internal sealed partial class SessionKernel
{
    /// <summary>
    /// Puts the base ruleset, the shard devices and their qdiscs in place without touching what sessions already
    /// have: set elements (and their counters), classes and filters survive a restart of the agent. The forward chain
    /// is rebuilt in the same nft transaction that flushes it, so no packet sees it empty.
    /// </summary>
    private async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var t = _options.NftTable;
        var ifaces = string.Join(", ", _options.SubscriberInterfaces.Select(i => $"\"{i.Name}\""));
        var script = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"add table inet {t}")
            .AppendLine(CultureInfo.InvariantCulture, $"add set inet {t} sub_up {{ type ipv4_addr; counter; }}")
            .AppendLine(CultureInfo.InvariantCulture, $"add set inet {t} sub_down {{ type ipv4_addr; counter; }}")
            .AppendLine(CultureInfo.InvariantCulture, $"add chain inet {t} forward {{ type filter hook forward priority 0; policy accept; }}")
            .AppendLine(CultureInfo.InvariantCulture, $"flush chain inet {t} forward")
            // DHCP from subscribers is relayed by the agent itself, never routed by the kernel.
            .AppendLine(CultureInfo.InvariantCulture, $"add rule inet {t} forward iifname {{ {ifaces} }} udp dport 67 counter drop comment \"dhcp-relayed-by-agent\"")
            .AppendLine(CultureInfo.InvariantCulture, $"add rule inet {t} forward iifname {{ {ifaces} }} ip saddr @sub_up accept")
            .AppendLine(CultureInfo.InvariantCulture, $"add rule inet {t} forward iifname {{ {ifaces} }} counter drop comment \"walled-garden-up\"")
            .AppendLine(CultureInfo.InvariantCulture, $"add rule inet {t} forward oifname {{ {ifaces} }} ip daddr @sub_down accept")
            .AppendLine(CultureInfo.InvariantCulture, $"add rule inet {t} forward oifname {{ {ifaces} }} counter drop comment \"walled-garden-down\"")
            .ToString();
        var nft = await _runner.RunAsync("nft", ["-f", "-"], script, cancellationToken);
        if (!nft.Succeeded)
        {
            throw new InvalidOperationException($"nft rejected the agent's base ruleset: {nft.StandardError.Trim()}");
        }

        var links = await ListLinksAsync(cancellationToken);
        foreach (var iface in _options.SubscriberInterfaces)
        {
            var batch = new StringBuilder();
            var rebuilt = 0;
            foreach (var (dev, upload) in TcScript.Devices(iface.Name, _shards))
            {
                if (links.Contains(dev) && await HasShardLayoutAsync(dev, cancellationToken))
                {
                    continue;
                }
                await EnsureIfbAsync(iface.Name, dev, links, cancellationToken);
                // No layout, or a partial one: built afresh (sessions on it are re-shaped by recovery).
                await _runner.RunAsync("tc", ["qdisc", "del", "dev", dev, "root"], null, cancellationToken);
                TcScript.AppendShardLayout(batch, dev, upload);
                rebuilt++;
            }
            // Checked before surplus shards go: a redirect to a deleted device no longer names it.
            var redirects = await HasRedirectsAsync(iface.Name, cancellationToken);
            if (!redirects)
            {
                // Older layouts (a root HTB, an ingress qdisc) go; clsact takes over both directions.
                await _runner.RunAsync("tc", ["qdisc", "del", "dev", iface.Name, "root"], null, cancellationToken);
                await _runner.RunAsync("tc", ["qdisc", "del", "dev", iface.Name, "ingress"], null, cancellationToken);
                await _runner.RunAsync("tc", ["qdisc", "del", "dev", iface.Name, "clsact"], null, cancellationToken);
            }
            await RemoveSurplusShardsAsync(iface.Name, links, cancellationToken);
            if (batch.Length > 0)
            {
                await RunTcOrThrowAsync(batch.ToString(), iface.Name, cancellationToken);
            }
            if (!redirects)
            {
                var redirect = new StringBuilder();
                TcScript.AppendRedirects(redirect, iface.Name, _shards);
                await RunTcOrThrowAsync(redirect.ToString(), iface.Name, cancellationToken);
            }
            if (rebuilt == 0 && redirects)
            {
                LogLayoutKept(iface.Name, _shards);
            }
            else
            {
                LogLayoutBuilt(iface.Name, rebuilt, _shards, !redirects);
            }
        }
        LogInitialized(t, ifaces, _shards);
    }

    private async Task RunTcOrThrowAsync(string script, string iface, CancellationToken cancellationToken)
    {
        var tc = await _runner.RunAsync("tc", ["-batch", "-"], script, cancellationToken);
        if (!tc.Succeeded)
        {
            throw new InvalidOperationException($"tc rejected the agent's shaping layout on {iface}: {tc.StandardError.Trim()}");
        }
    }

    /// <summary>Names of the links that exist (one `ip -o link show`).</summary>
    private async Task<HashSet<string>> ListLinksAsync(CancellationToken cancellationToken)
    {
        var result = await _runner.RunAsync("ip", ["-o", "link", "show"], null, cancellationToken);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // "12: sub0-d00: <BROADCAST,NOARP,UP,LOWER_UP> ..."; veths read "sub0@if3".
            var parts = line.Split(':', 3);
            if (parts.Length >= 2)
            {
                names.Add(parts[1].Trim().Split('@')[0]);
            }
        }
        return names;
    }

    private async Task EnsureIfbAsync(string iface, string ifb, HashSet<string> links, CancellationToken cancellationToken)
    {
        if (!links.Contains(ifb))
        {
            var add = await _runner.RunAsync("ip", ["link", "add", ifb, "type", "ifb"], null, cancellationToken);
            if (!add.Succeeded)
            {
                throw new InvalidOperationException($"could not create {ifb} for shaping on {iface}: {add.StandardError.Trim()}");
            }
            links.Add(ifb);
        }
        var up = await _runner.RunAsync("ip", ["link", "set", "dev", ifb, "up"], null, cancellationToken);
        if (!up.Succeeded)
        {
            throw new InvalidOperationException($"could not bring {ifb} up: {up.StandardError.Trim()}");
        }
    }

    /// <summary>Shard devices beyond the configured count (it was lowered) and the single IFB of older layouts.</summary>
    private async Task RemoveSurplusShardsAsync(string iface, HashSet<string> links, CancellationToken cancellationToken)
    {
        var wanted = TcScript.Devices(iface, _shards).Select(d => d.Device).ToHashSet(StringComparer.Ordinal);
        var surplus = links.Where(l => !wanted.Contains(l) && (l == "ifb-" + iface
            || ((l.StartsWith(iface + "-d", StringComparison.Ordinal) || l.StartsWith(iface + "-u", StringComparison.Ordinal)) && l.Length == iface.Length + 4))).ToList();
        foreach (var dev in surplus)
        {
            await _runner.RunAsync("ip", ["link", "del", dev], null, cancellationToken);
            links.Remove(dev);
        }
    }

    private async Task<bool> HasShardLayoutAsync(string dev, CancellationToken cancellationToken)
    {
        var qdisc = await _runner.RunAsync("tc", ["qdisc", "show", "dev", dev, "root"], null, cancellationToken);
        if (!qdisc.Succeeded || !qdisc.StandardOutput.Contains("qdisc htb 1: root", StringComparison.Ordinal))
        {
            return false;
        }
        var filter = await _runner.RunAsync("tc", ["filter", "get", "dev", dev, "parent", TcScript.Root, "protocol", "ip", "prio", TcScript.Prio, "handle", "800::800", "u32"], null, cancellationToken);
        return filter.Succeeded && filter.StandardOutput.Contains(TcScript.LinkMarker(TcScript.SessionTable), StringComparison.Ordinal);
    }

    /// <summary>Both clsact hooks hash into their tables and redirect to exactly the configured shards.</summary>
    private async Task<bool> HasRedirectsAsync(string iface, CancellationToken cancellationToken)
    {
        var egress = await _runner.RunAsync("tc", ["filter", "show", "dev", iface, "egress"], null, cancellationToken);
        var ingress = await _runner.RunAsync("tc", ["filter", "show", "dev", iface, "ingress"], null, cancellationToken);
        return egress.Succeeded && ingress.Succeeded
            && egress.StandardOutput.Contains(TcScript.LinkMarker(TcScript.EgressTable), StringComparison.Ordinal)
            && ingress.StandardOutput.Contains(TcScript.LinkMarker(TcScript.IngressTable), StringComparison.Ordinal)
            && egress.StandardOutput.Contains($"Redirect to device {TcScript.DownloadDevice(iface, _shards - 1)})", StringComparison.Ordinal)
            && !egress.StandardOutput.Contains($"Redirect to device {TcScript.DownloadDevice(iface, _shards)})", StringComparison.Ordinal)
            && ingress.StandardOutput.Contains($"Redirect to device {TcScript.UploadDevice(iface, _shards - 1)})", StringComparison.Ordinal);
    }
}
