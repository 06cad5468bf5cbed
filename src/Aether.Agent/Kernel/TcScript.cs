using System.Globalization;
using System.Text;
using Aether.Contracts.Agent.V1;
using Aether.Dhcp;

namespace Aether.Agent.Kernel;

/// <summary>
/// The tc layout of a subscriber interface and the lines that change it. HTB slows down as one device holds more
/// classes (adding a class costs time in proportion to the classes already there), so sessions are spread over
/// shards: per interface, N IFB devices for download ("&lt;iface&gt;-dNN") and N for upload ("&lt;iface&gt;-uNN"),
/// chosen by the third octet of the subscriber's address. The interface's clsact hook redirects each IPv4 packet
/// to its shard through a u32 hash on that octet; on the shard, a u32 hash on the fourth octet finds the session's
/// filter, which puts the packet in the session's HTB class 1:&lt;minor&gt;. Unmatched packets (DHCP before a lease,
/// unknown addresses) go to the shard's default class 1:ffff. Classifying a packet, and adding or removing a
/// session, cost the same however many sessions there are.
/// </summary>
internal static class TcScript
{
    public const string Root = "1:";
    public const string LinkClass = "1:1";
    public const string DefaultMinor = "ffff";
    public const string Prio = "10";
    public const string Egress = "ffff:fff3";
    public const string Ingress = "ffff:fff2";
    public const int Divisor = 256;
    public const int SessionTable = 0x100;
    public const int EgressTable = 0x200;
    public const int IngressTable = 0x201;
    private const string LinkRate = "10gbit";
    private const ulong MaxQuantum = 60_000;
    private const ulong MinQuantum = 1_514;

    /// <summary>A pooled class's rate until a session takes it: the lowest a session class gets.</summary>
    public const ulong PooledRateKbps = 8;
    private const int DestinationOffset = 16;
    private const int SourceOffset = 12;

    /// <summary>The marker of a complete layout in `tc filter get ... handle 800::800`: the root's link into the hash table.</summary>
    public static string LinkMarker(int table) => $"link {table:x}:";

    public static int Shard(Ipv4Address ip, int shards) => (int)((ip.Value >> 8) & 0xff) % shards;

    public static string DownloadDevice(string iface, int shard) => string.Create(CultureInfo.InvariantCulture, $"{iface}-d{shard:x2}");

    public static string UploadDevice(string iface, int shard) => string.Create(CultureInfo.InvariantCulture, $"{iface}-u{shard:x2}");

    public static string DownloadDevice(string iface, Ipv4Address ip, int shards) => DownloadDevice(iface, Shard(ip, shards));

    public static string UploadDevice(string iface, Ipv4Address ip, int shards) => UploadDevice(iface, Shard(ip, shards));

    /// <summary>Every shard device of an interface: download then upload.</summary>
    public static IEnumerable<(string Device, bool Upload)> Devices(string iface, int shards) =>
        Enumerable.Range(0, shards).Select(k => (DownloadDevice(iface, k), false)).Concat(Enumerable.Range(0, shards).Select(k => (UploadDevice(iface, k), true)));

    /// <summary>
    /// The interface's clsact redirects: egress (download) by destination through table 200:, ingress (upload) by
    /// source through 201: (the two hooks share one u32 handle space). The root links omit "ht" and so land in each
    /// hook's own root table.
    /// </summary>
    public static void AppendRedirects(StringBuilder tc, string iface, int shards)
    {
        tc.AppendLine(CultureInfo.InvariantCulture, $"qdisc add dev {iface} clsact");
        foreach (var (parent, table, at, upload) in new[] { (Egress, EgressTable, DestinationOffset, false), (Ingress, IngressTable, SourceOffset, true) })
        {
            tc.AppendLine(CultureInfo.InvariantCulture, $"filter add dev {iface} parent {parent} protocol ip prio {Prio} handle {table:x}: u32 divisor {Divisor}");
            for (var b = 0; b < Divisor; b++)
            {
                var device = upload ? UploadDevice(iface, b % shards) : DownloadDevice(iface, b % shards);
                tc.AppendLine(CultureInfo.InvariantCulture, $"filter add dev {iface} parent {parent} protocol ip prio {Prio} u32 ht {table:x}:{b:x}: match u32 0 0 action mirred egress redirect dev {device}");
            }
            tc.AppendLine(CultureInfo.InvariantCulture, $"filter add dev {iface} parent {parent} protocol ip prio {Prio} u32 match u32 0 0 hashkey mask 0x0000ff00 at {at} link {table:x}:");
        }
    }

    /// <summary>A shard's HTB root, link and default classes, and its hash table on the fourth octet.</summary>
    public static void AppendShardLayout(StringBuilder tc, string dev, bool upload)
    {
        var at = upload ? SourceOffset : DestinationOffset;
        tc.AppendLine(CultureInfo.InvariantCulture, $"qdisc add dev {dev} root handle {Root} htb default {DefaultMinor}")
          .AppendLine(CultureInfo.InvariantCulture, $"class add dev {dev} parent {Root} classid {LinkClass} htb rate {LinkRate} quantum {MaxQuantum}")
          .AppendLine(CultureInfo.InvariantCulture, $"class add dev {dev} parent {LinkClass} classid 1:{DefaultMinor} htb rate {LinkRate} quantum {MaxQuantum}")
          .AppendLine(CultureInfo.InvariantCulture, $"filter add dev {dev} parent {Root} protocol ip prio {Prio} handle {SessionTable:x}: u32 divisor {Divisor}")
          .AppendLine(CultureInfo.InvariantCulture, $"filter add dev {dev} parent {Root} protocol ip prio {Prio} u32 ht 800:: match u32 0 0 hashkey mask 0x000000ff at {at} link {SessionTable:x}:");
    }

    /// <summary>A session's class on one shard (created or changed in place) and, unless only the rate changes, its filter; returns the lines written.</summary>
    public static int AppendSession(StringBuilder tc, string dev, Ipv4Address ip, ushort classId, ulong rateKbps, ulong burstKbytes, bool upload, bool withFilter)
    {
        var minor = Minor(classId);
        var rate = Math.Max(rateKbps, 8UL);
        var burst = BurstBytes(burstKbytes, rate);
        tc.AppendLine(CultureInfo.InvariantCulture, $"class replace dev {dev} parent {LinkClass} classid 1:{minor} htb rate {rate}kbit ceil {rate}kbit burst {burst} cburst {burst} quantum {Quantum(rate)}");
        if (withFilter)
        {
            tc.AppendLine(CultureInfo.InvariantCulture, $"filter replace dev {dev} parent {Root} protocol ip prio {Prio} handle {Handle(ip)} u32 ht {SessionTable:x}:{ip.Value & 0xff:x}: match ip {(upload ? "src" : "dst")} {ip}/32 flowid 1:{minor}");
            return 2;
        }
        return 1;
    }

    /// <summary>
    /// A class created ahead of any session (Agent:ClassPool), at <see cref="PooledRateKbps"/>. No filter points at it
    /// until a session takes it (its filter and its rate come in that session's batch), so no packet goes through it
    /// and its rate limits nothing; an idle HTB class is never scheduled. "replace": re-running the pool is harmless.
    /// </summary>
    public static void AppendPooledClass(StringBuilder tc, string dev, ushort classId)
    {
        var burst = BurstBytes(0, PooledRateKbps);
        tc.AppendLine(CultureInfo.InvariantCulture, $"class replace dev {dev} parent {LinkClass} classid 1:{Minor(classId)} htb rate {PooledRateKbps}kbit ceil {PooledRateKbps}kbit burst {burst} cburst {burst} quantum {Quantum(PooledRateKbps)}");
    }

    /// <summary>Both directions of a session: download on its download shard, upload on its upload shard; returns the lines written.</summary>
    public static int AppendShaping(StringBuilder tc, string iface, int shards, Ipv4Address ip, ushort classId, ShapingPolicy policy, bool withFilter) =>
        AppendSession(tc, DownloadDevice(iface, ip, shards), ip, classId, policy.DownloadKbps, policy.DownloadBurstKbytes, upload: false, withFilter)
        + AppendSession(tc, UploadDevice(iface, ip, shards), ip, classId, policy.UploadKbps, policy.UploadBurstKbytes, upload: true, withFilter);

    /// <summary>A session's filter, then its class (HTB refuses to delete a class a filter points at).</summary>
    public static void AppendRemoval(StringBuilder tc, string dev, Ipv4Address ip, ushort? classId)
    {
        tc.AppendLine(CultureInfo.InvariantCulture, $"filter del dev {dev} parent {Root} protocol ip prio {Prio} handle {Handle(ip)} u32");
        if (classId is { } id)
        {
            AppendClassRemoval(tc, dev, id);
        }
    }

    public static void AppendClassRemoval(StringBuilder tc, string dev, ushort classId) =>
        tc.AppendLine(CultureInfo.InvariantCulture, $"class del dev {dev} classid 1:{Minor(classId)}");

    public static string Minor(ushort classId) => classId.ToString("x", CultureInfo.InvariantCulture);

    /// <summary>
    /// An address's filter handle on its shard: bucket by the fourth octet, node id from the upper 24 bits (unique
    /// within the bucket for pools spanning fewer than 4095 /24s per shard), so it follows from the address alone.
    /// </summary>
    public static string Handle(Ipv4Address ip)
    {
        var node = ((ip.Value >> 8) % 0xfff) + 1;
        return string.Create(CultureInfo.InvariantCulture, $"{SessionTable:x}:{ip.Value & 0xff:x}:{node:x}");
    }

    /// <summary>The class minors in `tc class show` output, other than the link and default classes.</summary>
    public static HashSet<ushort> ParseClasses(string output)
    {
        var classes = new HashSet<ushort>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // "class htb 1:10 parent 1:1 prio 0 rate ..."
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 3 || parts[0] != "class" || !parts[2].StartsWith(Root, StringComparison.Ordinal))
            {
                continue;
            }
            if (ushort.TryParse(parts[2].AsSpan(Root.Length), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var minor) && minor is not 1 and not 0xffff)
            {
                classes.Add(minor);
            }
        }
        return classes;
    }

    /// <summary>HTB's quantum (bytes per round) from rate/r2q overflows its limits at high rates; pin it to one to a few MTUs.</summary>
    public static ulong Quantum(ulong rateKbps) => Math.Clamp(rateKbps * 1000 / 8 / 100, MinQuantum, MaxQuantum);

    /// <summary>The policy's burst, or 100 ms at the rate and at least 16 KB so that one full-size TCP burst passes.</summary>
    public static ulong BurstBytes(ulong burstKbytes, ulong rateKbps) =>
        burstKbytes > 0 ? burstKbytes * 1000 : Math.Max(rateKbps * 1000 / 8 / 10, 16_000);
}
