using Aether.Events;

namespace Aether.Ingestor.Tests.Support;

/// <summary>A repeatable workload: sessions started, shaped, counted and (most of them) stopped, with router and health reports.</summary>
public static class Lifecycles
{
    /// <summary>
    /// Per session: START, POLICY_APPLY, <paramref name="updates"/> × SESSION_UPDATE, and SESSION_STOP for all but every
    /// fifth session. Final counters of session n are (n+1)·updates·(1000, 4000, 10, 40) before the stop, and one more step at it.
    /// </summary>
    public static List<AetherEvent> Build(SessionScript bng, int sessions, int updates = 2, int firstSession = 0)
    {
        var events = new List<AetherEvent>();
        for (var n = firstSession; n < firstSession + sessions; n++)
        {
            var id = $"{bng.BngId}-s{n}";
            events.Add(bng.Start(id, n));
            events.Add(bng.Policy(id, n, 100_000 + n, 50_000 + n));
            long step = n + 1;
            for (var u = 1; u <= updates; u++)
            {
                events.Add(bng.Update(id, step * u * 1000, step * u * 4000, step * u * 10, step * u * 40));
            }

            if (n % 5 != 4)
            {
                var f = updates + 1;
                events.Add(bng.Stop(id, step * f * 1000, step * f * 4000, step * f * 10, step * f * 40));
            }
        }

        events.Add(bng.Router("relay-1", "198.18.1.1", "UP"));
        events.Add(bng.Health(12.5, 256L << 20, sessions));
        return events;
    }

    public static int Stopped(int sessions) => Enumerable.Range(0, sessions).Count(n => n % 5 != 4);
}
