using System.Collections.Concurrent;
using System.Diagnostics;
using Aether.Observability;

namespace Aether.Agent.Telemetry;

/// <summary>
/// One subscriber's setup, DISCOVER captured to DHCPACK sent, keyed by MAC: its span ("dhcp.setup", the root of the
/// setup trace that the controller and the ingestor continue) and its latency. While a request of that setup is
/// handled its span is <see cref="Activity.Current"/>, so the messages the agent sends for it carry its traceparent.
/// </summary>
internal static class SetupTrace
{
    // A setup with no ACK for this long is abandoned (client gave up, rejected, controller away).
    private static readonly TimeSpan Abandoned = TimeSpan.FromSeconds(60);
    private const int SweepAbove = 4096;

    private static readonly ConcurrentDictionary<string, Setup> s_setups = new(StringComparer.Ordinal);

    /// <summary>
    /// On a client request: a DISCOVER starts a setup; a later request of the same client continues it. Dispose the
    /// result when the request has been handed on, to restore the caller's current activity.
    /// </summary>
    public static Scope OnRequest(string mac, bool discover, string circuitId)
    {
        var previous = Activity.Current;
        Setup? setup;
        if (discover)
        {
            Sweep();
            // Started as a root: the capture loop's own context is not this subscriber's.
            Activity.Current = null;
            var activity = AetherTracing.Source.StartActivity("dhcp.setup", ActivityKind.Server);
            activity?.SetTag("aether.mac", mac);
            activity?.SetTag("aether.circuit_id", circuitId);
            setup = new Setup(activity, Stopwatch.GetTimestamp());
            if (s_setups.TryGetValue(mac, out var old))
            {
                old.Activity?.SetStatus(ActivityStatusCode.Error, "restarted by a new DISCOVER");
                old.Activity?.Stop();
            }

            s_setups[mac] = setup;
        }
        else
        {
            s_setups.TryGetValue(mac, out setup);
        }

        setup?.Activity?.AddEvent(new ActivityEvent(discover ? "discover" : "request"));
        Activity.Current = setup?.Activity ?? previous;
        return new Scope(previous);
    }

    /// <summary>On the DHCPACK from the server: its setup's span becomes current while the session is programmed and reported.</summary>
    public static Scope OnAck(string mac)
    {
        var previous = Activity.Current;
        if (s_setups.TryGetValue(mac, out var setup) && setup.Activity is not null)
        {
            setup.Activity.AddEvent(new ActivityEvent("ack"));
            Activity.Current = setup.Activity;
        }

        return new Scope(previous);
    }

    /// <summary>Seconds since the DISCOVER of <paramref name="mac"/>'s setup in progress, or null when none is.</summary>
    public static double? Elapsed(string mac) =>
        s_setups.TryGetValue(mac, out var setup) ? Stopwatch.GetElapsedTime(setup.Started).TotalSeconds : null;

    /// <summary>The ACK reached the client: the setup is complete.</summary>
    public static void Completed(string mac)
    {
        if (s_setups.TryRemove(mac, out var setup))
        {
            AgentMetrics.SessionSetupDuration.Record(Stopwatch.GetElapsedTime(setup.Started).TotalSeconds);
            setup.Activity?.Stop();
        }
    }

    private static void Sweep()
    {
        if (s_setups.Count < SweepAbove)
        {
            return;
        }

        foreach (var (mac, setup) in s_setups)
        {
            if (Stopwatch.GetElapsedTime(setup.Started) > Abandoned && s_setups.TryRemove(mac, out _))
            {
                setup.Activity?.SetStatus(ActivityStatusCode.Error, "no DHCPACK");
                setup.Activity?.Stop();
            }
        }
    }

    private sealed record Setup(Activity? Activity, long Started);

    internal readonly struct Scope(Activity? previous) : IDisposable
    {
        public void Dispose() => Activity.Current = previous;
    }
}
