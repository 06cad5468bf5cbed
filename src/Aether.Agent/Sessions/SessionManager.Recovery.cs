using Aether.Agent.Kernel;
using Aether.Dhcp;

namespace Aether.Agent.Sessions;

internal sealed partial class SessionManager
{
    /// <summary>
    /// Rebuilds the session table after a restart, before any DHCP is relayed or the controller hears the Hello.
    /// A session in the state file whose address is still in the kernel's sets carries on with its counters (its
    /// classes are re-created if they went missing); one whose address is gone was lost with the kernel state (a
    /// reboot) and is reported stopped (NAS-Reboot); kernel state that belongs to no session is removed.
    /// </summary>
    public async Task<RecoveryResult> RecoverAsync(CancellationToken cancellationToken)
    {
        await _kernel.Ready.WaitAsync(cancellationToken);
        var stored = _store.Load();
        var snapshot = await _kernel.ReadSnapshotAsync(cancellationToken);
        var now = _time.GetUtcNow();
        var interfaces = _options.SubscriberInterfaces.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var leftovers = new List<Ipv4Address>();
        var reinstalls = new List<Task<KernelResult>>();
        int recovered = 0, lost = 0;
        foreach (var item in stored)
        {
            var session = Session.FromStored(item, now);
            var inKernel = snapshot.Elements.TryGetValue(session.Ip.Value, out var counters);
            if (!inKernel || !interfaces.Contains(session.Interface) || _byIp.ContainsKey(session.Ip.Value) || !_classIds.Reserve(session.ClassId))
            {
                lost++;
                leftovers.Add(session.Ip);
                _ = _store.RemoveAsync(session.SessionId);
                var reason = !inKernel ? "not in the kernel after the restart" : !interfaces.Contains(session.Interface) ? "interface no longer configured" : "conflicting state";
                LogSessionLost(session.SessionId, session.Mac, session.Ip.ToString(), session.Subscriber.CircuitId, reason);
                ReportStopped(session, TerminateCause.NasReboot, reason, session.LastTotals);
                continue;
            }
            session.LastTotals = counters!;
            Add(session);
            recovered++;
            if (!snapshot.IsShaped(session.Interface, session.Ip, session.ClassId))
            {
                reinstalls.Add(_kernel.ApplyAsync(new InstallSession(session.Ip, session.Interface, session.ClassId, session.Policy), cancellationToken));
            }
        }
        await Task.WhenAll(reinstalls);

        var orphans = snapshot.Elements.Keys.Where(ip => !_byIp.ContainsKey(ip)).Select(ip => new Ipv4Address(ip)).Concat(leftovers).Distinct().ToList();
        // Classes on both devices of a shard that no session holds are parked for re-use; the rest goes.
        foreach (var iface in interfaces)
        {
            for (var shard = 0; shard < _options.ShapingShards; shard++)
            {
                var download = snapshot.Classes.GetValueOrDefault(TcScript.DownloadDevice(iface, shard)) ?? [];
                var upload = snapshot.Classes.GetValueOrDefault(TcScript.UploadDevice(iface, shard)) ?? [];
                foreach (var id in download.Where(upload.Contains))
                {
                    _classIds.ParkFound(id, new ShardKey(iface, shard));
                }
            }
        }
        var keep = _byId.Values.Select(s => new ShapedClass(s.Interface, TcScript.Shard(s.Ip, _options.ShapingShards), s.ClassId))
            .Concat(_classIds.ParkedClasses().Select(p => new ShapedClass(p.Shard.Interface, p.Shard.Shard, p.Id)))
            .ToList();
        await _kernel.RemoveOrphansAsync(orphans, keep, cancellationToken);
        var result = new RecoveryResult(recovered, lost, orphans.Count - leftovers.Count, reinstalls.Count);
        LogRecovered(result.Recovered, result.Lost, result.Orphans, result.Reinstalled);
        return result;
    }
}

/// <summary>What a restart found: sessions carried on, sessions lost with the kernel state, orphaned kernel entries, classes rebuilt.</summary>
internal readonly record struct RecoveryResult(int Recovered, int Lost, int Orphans, int Reinstalled);
