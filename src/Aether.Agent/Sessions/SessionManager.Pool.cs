using System.Diagnostics;
using Aether.Agent.Kernel;

namespace Aether.Agent.Sessions;

internal sealed partial class SessionManager
{
    /// <summary>Classes per pool batch: one `tc -batch` of twice as many lines (download and upload).</summary>
    internal const int PoolBatch = 500;

    /// <summary>How often the pool looks again while the kernel is busy with sessions.</summary>
    internal static readonly TimeSpan PoolIdlePoll = TimeSpan.FromMilliseconds(50);

    /// <summary>Classes parked in the kernel, ready for a new session without creating one.</summary>
    public int ParkedClasses => _classIds.Parked;

    /// <summary>
    /// Creates session classes ahead of demand until <paramref name="target"/> are parked (per direction), spread
    /// evenly over the shards of every interface without a ClassPool of its own, and each interface's own ClassPool
    /// over its shards, so that new sessions take a class with `class replace` instead of
    /// creating one: creating an HTB class costs more the more classes the host has, changing one does not.
    /// Classes already parked count (a restart keeps the pool: recovery parks what it finds). Runs once, after
    /// recovery; each batch waits until the kernel has no session work, so it never holds up a DHCPACK. Sessions
    /// that take pooled classes meanwhile are not replaced.
    /// </summary>
    public async Task<ClassPoolResult> FillClassPoolAsync(int target, CancellationToken cancellationToken)
    {
        var plan = PlanPool(target);
        target += _options.SubscriberInterfaces.Sum(i => i.ClassPool);
        var parkedBefore = _classIds.Parked;
        var shards = _options.SubscriberInterfaces.Count * _options.ShapingShards;
        if (plan.Count == 0)
        {
            LogPoolReady(target, 0, 0, parkedBefore, shards);
            return new ClassPoolResult(0, parkedBefore, Complete: true);
        }
        LogPoolFilling(target, plan.Count, parkedBefore, shards);
        var clock = Stopwatch.StartNew();
        var created = 0;
        var nextProgress = plan.Count / 10;
        for (var start = 0; start < plan.Count; start += PoolBatch)
        {
            while (!_kernel.IsIdle)
            {
                await Task.Delay(PoolIdlePoll, _time, cancellationToken);
            }
            var shardsOfBatch = plan.GetRange(start, Math.Min(PoolBatch, plan.Count - start));
            var ids = _classIds.ReserveForPool(shardsOfBatch.Count);
            var classes = ids.Select((id, i) => new ShapedClass(shardsOfBatch[i].Interface, shardsOfBatch[i].Shard, id)).ToList();
            KernelResult result;
            try
            {
                result = await _kernel.CreateClassesAsync(classes, cancellationToken);
            }
            catch
            {
                _classIds.CancelPending(ids);
                throw;
            }
            if (!result.Succeeded)
            {
                _classIds.CancelPending(ids);
                LogPoolStopped(created, plan.Count, result.Error ?? "unknown");
                return new ClassPoolResult(created, _classIds.Parked, Complete: false);
            }
            foreach (var c in classes)
            {
                _classIds.ParkCreated(c.ClassId, new ShardKey(c.Interface, c.Shard));
            }
            created += classes.Count;
            if (ids.Count < shardsOfBatch.Count)
            {
                LogPoolStopped(created, plan.Count, "no tc class id left on this agent");
                return new ClassPoolResult(created, _classIds.Parked, Complete: false);
            }
            if (created >= nextProgress && created < plan.Count)
            {
                LogPoolProgress(created, plan.Count, Math.Round(clock.Elapsed.TotalSeconds, 1));
                nextProgress += Math.Max(plan.Count / 10, 1);
            }
        }
        LogPoolReady(target, created, Math.Round(clock.Elapsed.TotalSeconds, 1), _classIds.Parked, shards);
        return new ClassPoolResult(created, _classIds.Parked, Complete: true);
    }

    /// <summary>
    /// The shard of every class to create: each shard's share of its target (the first shards one more when it
    /// does not divide) less what is parked there, interleaved so that a pool cut short is still even.
    /// </summary>
    private List<ShardKey> PlanPool(int target)
    {
        var all = new List<ShardKey>();
        var shares = new List<int>();
        void Spread(IEnumerable<SubscriberInterfaceOptions> interfaces, int total)
        {
            var shards = interfaces.SelectMany(i => Enumerable.Range(0, _options.ShapingShards).Select(k => new ShardKey(i.Name, k))).ToList();
            for (var s = 0; s < shards.Count; s++)
            {
                all.Add(shards[s]);
                shares.Add(total / shards.Count + (s < total % shards.Count ? 1 : 0));
            }
        }
        Spread(_options.SubscriberInterfaces.Where(i => i.ClassPool == 0), target);
        foreach (var own in _options.SubscriberInterfaces.Where(i => i.ClassPool > 0))
        {
            Spread([own], own.ClassPool);
        }
        var needs = new int[all.Count];
        for (var s = 0; s < all.Count; s++)
        {
            needs[s] = Math.Max(0, shares[s] - _classIds.ParkedOn(all[s]));
        }
        var plan = new List<ShardKey>(needs.Sum());
        for (var round = 0; plan.Count < plan.Capacity; round++)
        {
            for (var s = 0; s < all.Count; s++)
            {
                if (needs[s] > round)
                {
                    plan.Add(all[s]);
                }
            }
        }
        return plan;
    }
}

/// <summary>What one fill of the class pool did: classes created (per direction), classes parked after it, whether it reached the target.</summary>
internal readonly record struct ClassPoolResult(int Created, int Parked, bool Complete);
