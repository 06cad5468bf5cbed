using System.Globalization;
using System.Text;
using Aether.Contracts.Agent.V1;

namespace Aether.Agent.Kernel;

internal sealed partial class SessionKernel
{
    private async Task ApplyBatchAsync(List<KernelOperation> batch, CancellationToken cancellationToken)
    {
        var t = _options.NftTable;
        Dictionary<uint, Counters>? finalCounters = null;
        if (batch.Exists(op => op is RemoveSession))
        {
            // Read just before the removal: what the subscriber used up to the end of the session. Only the removed
            // addresses, over netlink (NftSetCounters): reading the whole sets cost every batch with a removal time
            // in proportion to all sessions, and libnftables' `get element` loads the whole set into its cache first.
            finalCounters = ReadCounters([.. batch.OfType<RemoveSession>().Select(r => r.Ip)]);
        }

        var nft = new StringBuilder();
        var tc = new StringBuilder();
        var tcRemovals = new StringBuilder();
        // The first line of each operation's tc lines, in script order: tc names refused lines by number.
        var tcLines = new List<(int First, KernelOperation Op)>();
        var tcLineCount = 0;
        foreach (var op in batch)
        {
            var ip = op.Ip.ToString();
            switch (op)
            {
                case InstallSession install:
                    // "add" is idempotent: an element that is already there keeps its counter.
                    nft.AppendLine(CultureInfo.InvariantCulture, $"add element inet {t} sub_up {{ {ip} }}")
                       .AppendLine(CultureInfo.InvariantCulture, $"add element inet {t} sub_down {{ {ip} }}");
                    tcLines.Add((tcLineCount, op));
                    tcLineCount += TcScript.AppendShaping(tc, install.Interface, _shards, install.Ip, install.ClassId, install.Policy, withFilter: true);
                    break;
                case ChangeRate change:
                    // The class is changed in place: the filter, the set elements and their counters stay.
                    tcLines.Add((tcLineCount, op));
                    tcLineCount += TcScript.AppendShaping(tc, change.Interface, _shards, change.Ip, change.ClassId, change.Policy, withFilter: false);
                    break;
                case RemoveSession remove:
                    nft.AppendLine(CultureInfo.InvariantCulture, $"delete element inet {t} sub_up {{ {ip} }}")
                       .AppendLine(CultureInfo.InvariantCulture, $"delete element inet {t} sub_down {{ {ip} }}");
                    var (download, upload) = DevicesOf(remove.Interface, remove.Ip);
                    TcScript.AppendRemoval(tcRemovals, download, remove.Ip, null);
                    TcScript.AppendRemoval(tcRemovals, upload, remove.Ip, null);
                    break;
            }
        }

        var nftError = nft.Length > 0 ? await ApplyNftAsync(nft.ToString(), cancellationToken) : null;
        if (tcRemovals.Length > 0)
        {
            // Absent state is already gone: removals never fail a batch.
            await _tc.RunAsync(tcRemovals.ToString(), cancellationToken);
        }
        var tcFailed = new HashSet<KernelOperation>();
        string? tcError = null;
        if (tc.Length > 0)
        {
            var result = await _tc.RunAsync(tc.ToString(), cancellationToken);
            if (!result.Succeeded)
            {
                tcError = result.Error;
                if (result.Completed)
                {
                    // tc went through the whole script: the refused lines name their operations.
                    foreach (var line in result.FailedLines)
                    {
                        var at = tcLines.FindLastIndex(l => l.First <= line);
                        if (at >= 0)
                        {
                            tcFailed.Add(tcLines[at].Op);
                        }
                    }
                }
                else
                {
                    // tc stopped part way: what ran after the last line it answered for is unknown.
                    await FindTcFailuresAsync(batch, tcFailed, cancellationToken);
                }
            }
        }
        LogBatchApplied(batch.Count);

        foreach (var op in batch)
        {
            Counters? counters = null;
            if (op is RemoveSession)
            {
                counters = finalCounters is not null && finalCounters.TryGetValue(op.Ip.Value, out var c) ? c : new Counters();
            }
            // A removal always succeeds from the subscriber's point of view.
            var error = op is RemoveSession ? null : op is InstallSession ? nftError : null;
            error ??= tcFailed.Contains(op) ? tcError : null;
            if (error is not null)
            {
                LogOperationFailed(op.GetType().Name, op.Ip.ToString(), op.Interface, error);
            }
            op.Completion.TrySetResult(new KernelResult(error is null, error, counters));
        }
    }

    /// <summary>
    /// One nft transaction for the whole batch; if it is refused (an element already gone), line by line so that
    /// one stale entry cannot hold up the others. Returns the error of a failed add, if any.
    /// </summary>
    private async Task<string?> ApplyNftAsync(string script, CancellationToken cancellationToken)
    {
        var result = await _nft.RunAsync(script, cancellationToken);
        if (result.Succeeded)
        {
            return null;
        }
        LogNftBatchRetried(result.StandardError.Trim());
        string? error = null;
        var lines = script.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var deletes = string.Join('\n', lines.Where(l => l.StartsWith("delete", StringComparison.Ordinal)));
        var adds = string.Join('\n', lines.Where(l => l.StartsWith("add", StringComparison.Ordinal)));
        foreach (var line in deletes.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            await _nft.RunAsync(line, cancellationToken);
        }
        if (adds.Length > 0)
        {
            var add = await _nft.RunAsync(adds, cancellationToken);
            if (!add.Succeeded)
            {
                error = add.StandardError.Trim();
            }
        }
        return error;
    }

    /// <summary>tc stopped part way through a batch: apply each operation's lines alone to find which ones fail (rare).</summary>
    private async Task FindTcFailuresAsync(List<KernelOperation> batch, HashSet<KernelOperation> failed, CancellationToken cancellationToken)
    {
        foreach (var op in batch)
        {
            var single = new StringBuilder();
            switch (op)
            {
                case InstallSession install:
                    TcScript.AppendShaping(single, install.Interface, _shards, install.Ip, install.ClassId, install.Policy, withFilter: true);
                    break;
                case ChangeRate change:
                    TcScript.AppendShaping(single, change.Interface, _shards, change.Ip, change.ClassId, change.Policy, withFilter: false);
                    break;
                default:
                    continue;
            }
            if (!(await _tc.RunAsync(single.ToString(), cancellationToken)).Succeeded)
            {
                failed.Add(op);
            }
        }
    }
}
