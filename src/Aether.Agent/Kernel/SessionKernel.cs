using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Aether.Contracts.Agent.V1;
using Aether.Dhcp;
using Microsoft.Extensions.Options;

namespace Aether.Agent.Kernel;

/// <summary>
/// Programs the BNG's kernel for subscriber sessions. nftables: an inet table whose sets hold every
/// authorized address with a per-element counter (sub_up matched on source, sub_down on destination), so
/// one rule serves every session and the walled garden drops all else. tc: an HTB class per session on the
/// subscriber-facing egress (download) and an ingress police action per session (upload).
/// Operations queue up and are applied in batches: one `nft -f -` and one `tc -batch -` per batch.
/// </summary>
internal sealed partial class SessionKernel : BackgroundService
{
    private const int MaxBatch = 2_000;
    private const string RootHandle = "1:";
    private const string ParentClass = "1:1";
    private const string DefaultClassMinor = "ffff";
    private const string LinkRate = "10gbit";

    private readonly AgentOptions _options;
    private readonly CommandRunner _runner;
    private readonly ILogger<SessionKernel> _logger;
    private readonly Channel<KernelOperation> _queue = Channel.CreateUnbounded<KernelOperation>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public SessionKernel(IOptions<AgentOptions> options, CommandRunner runner, ILogger<SessionKernel> logger)
    {
        _options = options.Value;
        _runner = runner;
        _logger = logger;
    }

    public Task Ready => _ready.Task;

    public Task<KernelResult> ApplyAsync(KernelOperation operation, CancellationToken cancellationToken)
    {
        if (!_queue.Writer.TryWrite(operation))
        {
            return Task.FromResult(new KernelResult(false, "the kernel programmer has stopped", null));
        }
        return operation.Completion.Task.WaitAsync(cancellationToken);
    }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken);
        _ready.TrySetResult();
        await base.StartAsync(cancellationToken);
    }

    /// <summary>Creates the table, sets, chain and root qdiscs; keeps set elements that already exist.</summary>
    private async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var t = _options.NftTable;
        var ifaces = string.Join(", ", _options.SubscriberInterfaces.Select(i => $"\"{i.Name}\""));
        var script = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"add table inet {t}")
            .AppendLine(CultureInfo.InvariantCulture, $"add set inet {t} sub_up {{ type ipv4_addr; counter; }}")
            .AppendLine(CultureInfo.InvariantCulture, $"add set inet {t} sub_down {{ type ipv4_addr; counter; }}")
            // Sessions are rebuilt from the controller's view on connect; start from a clean data plane.
            .AppendLine(CultureInfo.InvariantCulture, $"flush set inet {t} sub_up")
            .AppendLine(CultureInfo.InvariantCulture, $"flush set inet {t} sub_down")
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

        foreach (var iface in _options.SubscriberInterfaces)
        {
            var ifb = IfbName(iface.Name);
            // Remove what an earlier run left (errors for absent qdiscs and links are expected), then build afresh.
            await _runner.RunAsync("tc", ["-force", "-batch", "-"], $"qdisc del dev {iface.Name} root\nqdisc del dev {iface.Name} ingress\n", cancellationToken);
            await _runner.RunAsync("ip", ["link", "del", ifb], null, cancellationToken);
            var link = await _runner.RunAsync("ip", ["link", "add", ifb, "type", "ifb"], null, cancellationToken);
            if (!link.Succeeded || !(await _runner.RunAsync("ip", ["link", "set", ifb, "up"], null, cancellationToken)).Succeeded)
            {
                throw new InvalidOperationException($"could not create {ifb} for upload shaping on {iface.Name}: {link.StandardError.Trim()}");
            }
            var batch = new StringBuilder();
            foreach (var dev in new[] { iface.Name, ifb })
            {
                batch.AppendLine(CultureInfo.InvariantCulture, $"qdisc add dev {dev} root handle {RootHandle} htb default {DefaultClassMinor}")
                    .AppendLine(CultureInfo.InvariantCulture, $"class add dev {dev} parent {RootHandle} classid {ParentClass} htb rate {LinkRate}")
                    .AppendLine(CultureInfo.InvariantCulture, $"class add dev {dev} parent {ParentClass} classid 1:{DefaultClassMinor} htb rate {LinkRate}");
            }
            // Upload: everything the subscribers send goes through the IFB, where each session has its class.
            batch.AppendLine(CultureInfo.InvariantCulture, $"qdisc add dev {iface.Name} handle ffff: ingress")
                .AppendLine(CultureInfo.InvariantCulture, $"filter add dev {iface.Name} parent ffff: protocol ip prio 100 u32 match u32 0 0 action mirred egress redirect dev {ifb}");
            var tc = await _runner.RunAsync("tc", ["-batch", "-"], batch.ToString(), cancellationToken);
            if (!tc.Succeeded)
            {
                throw new InvalidOperationException($"tc rejected the agent's root qdiscs on {iface.Name}: {tc.StandardError.Trim()}");
            }
        }
        LogInitialized(t, ifaces);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<KernelOperation>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync(stoppingToken))
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var op))
            {
                batch.Add(op);
            }
            try
            {
                await ApplyBatchAsync(batch, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogBatchFailed(batch.Count, ex.Message);
                foreach (var op in batch)
                {
                    op.Completion.TrySetResult(new KernelResult(false, ex.Message, null));
                }
            }
        }
    }

    private async Task ApplyBatchAsync(List<KernelOperation> batch, CancellationToken cancellationToken)
    {
        var t = _options.NftTable;
        Dictionary<uint, Counters>? finalCounters = null;
        if (batch.Exists(op => op is RemoveSession))
        {
            finalCounters = await ReadCountersAsync(cancellationToken);
        }

        var nft = new StringBuilder();
        var tc = new StringBuilder();
        foreach (var op in batch)
        {
            var ip = op.Ip.ToString();
            switch (op)
            {
                case InstallSession install:
                    // "add" is idempotent: an element that is already there keeps its counter.
                    nft.AppendLine(CultureInfo.InvariantCulture, $"add element inet {t} sub_up {{ {ip} }}")
                       .AppendLine(CultureInfo.InvariantCulture, $"add element inet {t} sub_down {{ {ip} }}");
                    AppendShaping(tc, install.Interface, install.ClassId, ip, install.Policy, replace: false);
                    break;
                case ChangeRate change:
                    AppendShaping(tc, change.Interface, change.ClassId, ip, change.Policy, replace: true);
                    break;
                case RemoveSession remove:
                    nft.AppendLine(CultureInfo.InvariantCulture, $"delete element inet {t} sub_up {{ {ip} }}")
                       .AppendLine(CultureInfo.InvariantCulture, $"delete element inet {t} sub_down {{ {ip} }}");
                    var minor = remove.ClassId.ToString("x", CultureInfo.InvariantCulture);
                    foreach (var dev in new[] { remove.Interface, IfbName(remove.Interface) })
                    {
                        tc.AppendLine(CultureInfo.InvariantCulture, $"filter del dev {dev} parent {RootHandle} protocol ip prio 10 handle 800::{minor} u32")
                          .AppendLine(CultureInfo.InvariantCulture, $"class del dev {dev} classid 1:{minor}");
                    }
                    break;
            }
        }

        string? nftError = null;
        if (nft.Length > 0)
        {
            // One nft transaction for the whole batch; if it is refused (an element already gone),
            // apply line by line so that one stale entry cannot hold up the others.
            var result = await _runner.RunAsync("nft", ["-f", "-"], nft.ToString(), cancellationToken);
            if (!result.Succeeded)
            {
                LogNftBatchRetried(result.StandardError.Trim());
                foreach (var line in nft.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    var single = await _runner.RunAsync("nft", ["-f", "-"], line, cancellationToken);
                    if (!single.Succeeded && line.StartsWith("add", StringComparison.Ordinal))
                    {
                        nftError = single.StandardError.Trim();
                    }
                }
            }
        }
        string? tcError = null;
        if (tc.Length > 0)
        {
            var result = await _runner.RunAsync("tc", ["-force", "-batch", "-"], tc.ToString(), cancellationToken);
            if (!result.Succeeded)
            {
                tcError = result.StandardError.Trim();
            }
        }
        LogBatchApplied(batch.Count);

        foreach (var op in batch)
        {
            Counters? counters = null;
            if (op is RemoveSession && finalCounters is not null)
            {
                finalCounters.TryGetValue(op.Ip.Value, out counters);
                counters ??= new Counters();
            }
            // A removal always succeeds from the subscriber's point of view: absent state is already gone.
            var error = op is RemoveSession ? null : nftError ?? (op is ChangeRate or InstallSession ? tcError : null);
            if (error is not null && op is not RemoveSession)
            {
                LogOperationFailed(op.GetType().Name, op.Ip.ToString(), error);
            }
            op.Completion.TrySetResult(new KernelResult(error is null, error, counters));
        }
    }

    private static void AppendShaping(StringBuilder tc, string dev, ushort classId, string ip, ShapingPolicy policy, bool replace)
    {
        var minor = classId.ToString("x", CultureInfo.InvariantCulture);
        var down = Math.Max(policy.DownloadKbps, 8UL);
        var up = Math.Max(policy.UploadKbps, 8UL);
        var ifb = IfbName(dev);
        // Download: HTB class on the subscriber-facing egress, selected by destination address.
        tc.AppendLine(CultureInfo.InvariantCulture, $"class replace dev {dev} parent {ParentClass} classid 1:{minor} htb rate {down}kbit ceil {down}kbit burst {BurstBytes(policy.DownloadBurstKbytes, down)} quantum {Quantum(down)}");
        // Upload: HTB class on the interface's IFB, selected by source address.
        tc.AppendLine(CultureInfo.InvariantCulture, $"class replace dev {ifb} parent {ParentClass} classid 1:{minor} htb rate {up}kbit ceil {up}kbit burst {BurstBytes(policy.UploadBurstKbytes, up)} quantum {Quantum(up)}");
        if (!replace)
        {
            tc.AppendLine(CultureInfo.InvariantCulture, $"filter replace dev {dev} parent {RootHandle} protocol ip prio 10 handle 800::{minor} u32 match ip dst {ip}/32 flowid 1:{minor}")
              .AppendLine(CultureInfo.InvariantCulture, $"filter replace dev {ifb} parent {RootHandle} protocol ip prio 10 handle 800::{minor} u32 match ip src {ip}/32 flowid 1:{minor}");
        }
    }

    /// <summary>The IFB device that carries an interface's ingress (upload) traffic; names are at most 15 bytes.</summary>
    internal static string IfbName(string iface)
    {
        var name = "ifb-" + iface;
        return name.Length <= 15 ? name : name[..15];
    }

    // HTB's quantum (bytes per round) from rate/r2q overflows its limits at high rates; pin it to one
    // to a few MTUs so that tc does not warn and sharing stays fair.
    private static ulong Quantum(ulong rateKbps) => Math.Clamp(rateKbps * 1000 / 8 / 100, 1514UL, 60_000UL);

    private static ulong BurstBytes(ulong burstKbytes, ulong rateKbps)
    {
        if (burstKbytes > 0)
        {
            return burstKbytes * 1000;
        }
        // Default: 100 ms at the configured rate, at least 16 KB so that one full-size TCP burst passes.
        return Math.Max(rateKbps * 1000 / 8 / 10, 16_000);
    }

    /// <summary>Reads every session's counters in one call per set.</summary>
    public async Task<Dictionary<uint, Counters>> ReadCountersAsync(CancellationToken cancellationToken)
    {
        var counters = new Dictionary<uint, Counters>();
        await ReadSetAsync("sub_up", counters, upload: true, cancellationToken);
        await ReadSetAsync("sub_down", counters, upload: false, cancellationToken);
        return counters;
    }

    private async Task ReadSetAsync(string set, Dictionary<uint, Counters> into, bool upload, CancellationToken cancellationToken)
    {
        var result = await _runner.RunAsync("nft", ["-j", "list", "set", "inet", _options.NftTable, set], null, cancellationToken);
        if (!result.Succeeded)
        {
            LogNftFailed(result.StandardError.Trim());
            return;
        }
        using var doc = JsonDocument.Parse(result.StandardOutput);
        foreach (var item in doc.RootElement.GetProperty("nftables").EnumerateArray())
        {
            if (!item.TryGetProperty("set", out var s) || !s.TryGetProperty("elem", out var elems))
            {
                continue;
            }
            foreach (var e in elems.EnumerateArray())
            {
                if (!e.TryGetProperty("elem", out var elem) || !Ipv4Address.TryParse(elem.GetProperty("val").GetString(), out var ip))
                {
                    continue;
                }
                var counter = elem.GetProperty("counter");
                var bytes = counter.GetProperty("bytes").GetUInt64();
                var packets = counter.GetProperty("packets").GetUInt64();
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
            }
        }
    }

    [LoggerMessage(EventId = 1300, Level = LogLevel.Information, Message = "Kernel ready: nftables table inet {Table}; HTB on {Interfaces} (download) and their IFBs (upload)")]
    private partial void LogInitialized(string table, string interfaces);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Debug, Message = "Applied a kernel batch of {Count} operations")]
    private partial void LogBatchApplied(int count);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Error, Message = "nft failed: {Error}")]
    private partial void LogNftFailed(string error);

    [LoggerMessage(EventId = 1305, Level = LogLevel.Warning, Message = "nft refused a batch ({Error}); applying it line by line")]
    private partial void LogNftBatchRetried(string error);

    [LoggerMessage(EventId = 1303, Level = LogLevel.Error, Message = "Kernel batch of {Count} operations failed: {Error}")]
    private partial void LogBatchFailed(int count, string error);

    [LoggerMessage(EventId = 1304, Level = LogLevel.Error, Message = "{Operation} for {Ip} failed in the kernel: {Error}")]
    private partial void LogOperationFailed(string operation, string ip, string error);
}
