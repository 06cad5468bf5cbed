namespace Aether.Storage.Internal;

/// <summary>
/// The projection from logged events to the read models, as set-based SQL shared by live ingestion and by the rebuild.
/// Each statement reads one kind of event from a source relation <c>e(bng_id, instance_id, seq, time, session_id,
/// payload)</c> (a source expression carries its alias): live, the events of a batch that were new to the log; rebuilding, a chunk of the log in time order.
/// Statements run in a fixed order per batch (registry, start, catch-up, policy, update, stop, router, health); every
/// rule is "newest wins" on the event's position, so a duplicate or late event changes nothing it should not.
/// </summary>
internal static class ProjectionSql
{
    /// <summary>Events of a batch that the log already holds from earlier transactions; rebuilding, none.</summary>
    public const string PriorLive = "l.xmin <> pg_current_xact_id()::xid";

    public const string PriorNone = "false";

    private const string LatestPerSession = "ORDER BY e.session_id, e.time DESC, e.seq DESC";

    private const string CounterColumns =
        """
        (e.payload #>> '{counters,bytes_up}')::bigint AS bytes_up,
        (e.payload #>> '{counters,bytes_down}')::bigint AS bytes_down,
        (e.payload #>> '{counters,packets_up}')::bigint AS packets_up,
        (e.payload #>> '{counters,packets_down}')::bigint AS packets_down
        """;

    // Counters are cumulative; one lower than the previous report means the BNG's counter restarted from zero.
    private const string Deltas =
        """
        CASE WHEN x.bytes_up >= x.prev_bytes_up THEN x.bytes_up - x.prev_bytes_up ELSE x.bytes_up END,
        CASE WHEN x.bytes_down >= x.prev_bytes_down THEN x.bytes_down - x.prev_bytes_down ELSE x.bytes_down END,
        CASE WHEN x.packets_up >= x.prev_packets_up THEN x.packets_up - x.prev_packets_up ELSE x.packets_up END,
        CASE WHEN x.packets_down >= x.prev_packets_down THEN x.packets_down - x.prev_packets_down ELSE x.packets_down END
        """;

    /// <summary>Every BNG seen in the batch: first and last seen, the instance of its latest event. Source: all events.</summary>
    public static string Registry(string source) =>
        $$"""
        WITH g AS (
            SELECT e.bng_id, min(e.time) AS first_seen, max(e.time) AS last_seen,
                   (array_agg(e.instance_id ORDER BY e.time DESC, e.seq DESC))[1] AS instance_id
            FROM {{source}}
            GROUP BY e.bng_id)
        INSERT INTO bng_registry AS b (bng_id, instance_id, first_seen, last_seen)
        SELECT bng_id, instance_id, first_seen, last_seen FROM g
        ON CONFLICT (bng_id) DO UPDATE SET
            first_seen = least(b.first_seen, EXCLUDED.first_seen),
            last_seen = greatest(b.last_seen, EXCLUDED.last_seen),
            instance_id = CASE WHEN EXCLUDED.last_seen >= b.last_seen THEN EXCLUDED.instance_id ELSE b.instance_id END
        """;

    /// <summary>SESSION_START: insert the session, or refresh its identity when the start is newer than its state.</summary>
    public static string Start(string source) =>
        $$"""
        WITH s AS (
            SELECT DISTINCT ON (e.session_id) e.bng_id, e.instance_id, e.seq, e.time, e.session_id, e.payload -> 'session' AS si
            FROM {{source}}
            WHERE e.session_id IS NOT NULL AND jsonb_typeof(e.payload -> 'session') = 'object'
            {{LatestPerSession}})
        INSERT INTO sessions_active AS a (
            session_id, bng_id, instance_id, mac, ip, circuit_id, remote_id, relay_id, username, interface,
            download_kbps, upload_kbps, started, lease_expires, updated_at, state, last_seq, last_time, policy_time)
        SELECT s.session_id, s.bng_id, s.instance_id, lower(s.si ->> 'mac'), (s.si ->> 'ip')::inet, s.si ->> 'circuit_id',
               s.si ->> 'remote_id', s.si ->> 'relay_id', s.si ->> 'username', s.si ->> 'interface',
               (s.si ->> 'download_kbps')::bigint, (s.si ->> 'upload_kbps')::bigint, (s.si ->> 'started')::timestamptz,
               (s.si ->> 'lease_expires')::timestamptz, s.time, 'ACTIVE', s.seq, s.time, s.time
        FROM s
        WHERE NOT EXISTS (SELECT 1 FROM sessions_history h WHERE h.session_id = s.session_id)
        ON CONFLICT (session_id) DO UPDATE SET
            bng_id = EXCLUDED.bng_id, instance_id = EXCLUDED.instance_id, mac = EXCLUDED.mac, ip = EXCLUDED.ip,
            circuit_id = EXCLUDED.circuit_id, remote_id = EXCLUDED.remote_id, relay_id = EXCLUDED.relay_id,
            username = EXCLUDED.username, interface = EXCLUDED.interface, started = EXCLUDED.started,
            lease_expires = EXCLUDED.lease_expires,
            download_kbps = CASE WHEN EXCLUDED.policy_time >= a.policy_time THEN EXCLUDED.download_kbps ELSE a.download_kbps END,
            upload_kbps = CASE WHEN EXCLUDED.policy_time >= a.policy_time THEN EXCLUDED.upload_kbps ELSE a.upload_kbps END,
            policy_time = greatest(a.policy_time, EXCLUDED.policy_time),
            updated_at = greatest(a.updated_at, EXCLUDED.updated_at),
            last_seq = EXCLUDED.last_seq, last_time = EXCLUDED.last_time
        WHERE aether_is_newer(EXCLUDED.instance_id, EXCLUDED.last_seq, EXCLUDED.last_time, a.instance_id, a.last_seq, a.last_time)
        """;

    /// <summary>
    /// A start that reaches the log after updates or a policy of its session (delivered out of order) takes the latest
    /// of them from the log. @start_sessions holds the sessions started in this batch. (A stop that came first is
    /// handled by <see cref="StopSource"/>.)
    /// </summary>
    public static string CatchUpCounters(string prior) =>
        $$"""
        WITH c AS (
            SELECT DISTINCT ON (l.session_id) l.session_id, l.instance_id, l.seq, l.time,
                   (l.payload #>> '{counters,bytes_up}')::bigint AS bytes_up,
                   (l.payload #>> '{counters,bytes_down}')::bigint AS bytes_down,
                   (l.payload #>> '{counters,packets_up}')::bigint AS packets_up,
                   (l.payload #>> '{counters,packets_down}')::bigint AS packets_down
            FROM session_events l
            WHERE l.session_id = ANY(@start_sessions) AND l.type = 'SESSION_UPDATE'
              AND jsonb_typeof(l.payload -> 'counters') = 'object' AND {{prior}}
            ORDER BY l.session_id, l.time DESC, l.seq DESC)
        UPDATE sessions_active a SET
            bytes_up = c.bytes_up, bytes_down = c.bytes_down, packets_up = c.packets_up, packets_down = c.packets_down,
            instance_id = c.instance_id, last_seq = c.seq, last_time = c.time, updated_at = greatest(a.updated_at, c.time)
        FROM c
        WHERE a.session_id = c.session_id
          AND aether_is_newer(c.instance_id, c.seq, c.time, a.instance_id, a.last_seq, a.last_time)
        """;

    public static string CatchUpPolicy(string prior) =>
        $$"""
        WITH p AS (
            SELECT DISTINCT ON (l.session_id) l.session_id, l.time, l.payload -> 'session' AS si
            FROM session_events l
            WHERE l.session_id = ANY(@start_sessions) AND l.type = 'POLICY_APPLY'
              AND jsonb_typeof(l.payload -> 'session') = 'object' AND {{prior}}
            ORDER BY l.session_id, l.time DESC, l.seq DESC)
        UPDATE sessions_active a SET
            download_kbps = (p.si ->> 'download_kbps')::bigint, upload_kbps = (p.si ->> 'upload_kbps')::bigint,
            policy_time = p.time, updated_at = greatest(a.updated_at, p.time)
        FROM p
        WHERE a.session_id = p.session_id AND p.time >= a.policy_time
        """;

    /// <summary>POLICY_APPLY: the session's rates, when the policy is not older than the one applied.</summary>
    public static string Policy(string source) =>
        $$"""
        WITH p AS (
            SELECT DISTINCT ON (e.session_id) e.session_id, e.time, e.payload -> 'session' AS si
            FROM {{source}}
            WHERE e.session_id IS NOT NULL AND jsonb_typeof(e.payload -> 'session') = 'object'
            {{LatestPerSession}})
        UPDATE sessions_active a SET
            download_kbps = (p.si ->> 'download_kbps')::bigint, upload_kbps = (p.si ->> 'upload_kbps')::bigint,
            policy_time = p.time, updated_at = greatest(a.updated_at, p.time)
        FROM p
        WHERE a.session_id = p.session_id AND p.time >= a.policy_time
        """;

    /// <summary>
    /// SESSION_UPDATE: counters from the newest update per session when newer than the session's state, and one
    /// traffic sample per applied update with the deltas from the report before it.
    /// </summary>
    public static string Update(string source) =>
        $$"""
        WITH u AS (
            SELECT e.session_id, e.bng_id, e.instance_id, e.seq, e.time, {{CounterColumns}}
            FROM {{source}}
            WHERE e.session_id IS NOT NULL AND jsonb_typeof(e.payload -> 'counters') = 'object'),
        cur AS (
            SELECT a.session_id, a.instance_id, a.last_seq, a.last_time, a.bytes_up, a.bytes_down, a.packets_up, a.packets_down
            FROM sessions_active a
            WHERE a.session_id IN (SELECT session_id FROM u)
            FOR UPDATE),
        x AS (
            SELECT u.*,
                   row_number() OVER (PARTITION BY u.session_id ORDER BY u.time DESC, u.seq DESC) AS newest,
                   coalesce(lag(u.time) OVER w, cur.last_time) AS prev_time,
                   coalesce(lag(u.bytes_up) OVER w, cur.bytes_up) AS prev_bytes_up,
                   coalesce(lag(u.bytes_down) OVER w, cur.bytes_down) AS prev_bytes_down,
                   coalesce(lag(u.packets_up) OVER w, cur.packets_up) AS prev_packets_up,
                   coalesce(lag(u.packets_down) OVER w, cur.packets_down) AS prev_packets_down
            FROM u JOIN cur ON cur.session_id = u.session_id
            WHERE aether_is_newer(u.instance_id, u.seq, u.time, cur.instance_id, cur.last_seq, cur.last_time)
            WINDOW w AS (PARTITION BY u.session_id ORDER BY u.time, u.seq)),
        samples AS (
            INSERT INTO traffic_samples (session_id, time, bng_id, seconds, bytes_up, bytes_down, packets_up, packets_down)
            SELECT x.session_id, x.time, x.bng_id, greatest(extract(epoch FROM x.time - x.prev_time), 0), {{Deltas}}
            FROM x
            ON CONFLICT DO NOTHING)
        UPDATE sessions_active a SET
            bytes_up = x.bytes_up, bytes_down = x.bytes_down, packets_up = x.packets_up, packets_down = x.packets_down,
            instance_id = x.instance_id, last_seq = x.seq, last_time = x.time, updated_at = greatest(a.updated_at, x.time)
        FROM x
        WHERE x.newest = 1 AND a.session_id = x.session_id
        """;

    /// <summary>
    /// The stops to apply: those of the batch, and (live) earlier-logged stops of sessions whose start arrived in this
    /// batch, i.e. after their stop.
    /// </summary>
    public static string StopSource(string batchSource, string prior) =>
        $$"""
        (SELECT e.bng_id, e.instance_id, e.seq, e.time, e.session_id, e.payload FROM {{batchSource}}
         UNION ALL
         SELECT l.bng_id, l.instance_id, l.seq, l.time, l.session_id, l.payload FROM session_events l
         WHERE l.session_id = ANY(@start_sessions) AND l.type = 'SESSION_STOP' AND {{prior}}) AS e
        """;

    /// <summary>SESSION_STOP, phase one: the final counters into the active row (and the last traffic sample).</summary>
    public static string StopFinalCounters(string source) =>
        $$"""
        WITH st AS (
            SELECT DISTINCT ON (e.session_id) e.session_id, e.bng_id, e.instance_id, e.seq, e.time,
                   jsonb_typeof(e.payload -> 'counters') = 'object' AS has_counters, {{CounterColumns}}
            FROM {{source}}
            WHERE e.session_id IS NOT NULL
            {{LatestPerSession}}),
        cur AS (
            SELECT a.session_id, a.instance_id, a.last_seq, a.last_time, a.bytes_up, a.bytes_down, a.packets_up, a.packets_down
            FROM sessions_active a
            WHERE a.session_id IN (SELECT session_id FROM st)
            FOR UPDATE),
        x AS (
            SELECT st.*, cur.last_time AS prev_time, cur.bytes_up AS prev_bytes_up, cur.bytes_down AS prev_bytes_down,
                   cur.packets_up AS prev_packets_up, cur.packets_down AS prev_packets_down
            FROM st JOIN cur ON cur.session_id = st.session_id
            WHERE st.has_counters
              AND aether_is_newer(st.instance_id, st.seq, st.time, cur.instance_id, cur.last_seq, cur.last_time)),
        samples AS (
            INSERT INTO traffic_samples (session_id, time, bng_id, seconds, bytes_up, bytes_down, packets_up, packets_down)
            SELECT x.session_id, x.time, x.bng_id, greatest(extract(epoch FROM x.time - x.prev_time), 0), {{Deltas}}
            FROM x
            ON CONFLICT DO NOTHING)
        UPDATE sessions_active a SET
            bytes_up = CASE WHEN st.has_counters THEN st.bytes_up ELSE a.bytes_up END,
            bytes_down = CASE WHEN st.has_counters THEN st.bytes_down ELSE a.bytes_down END,
            packets_up = CASE WHEN st.has_counters THEN st.packets_up ELSE a.packets_up END,
            packets_down = CASE WHEN st.has_counters THEN st.packets_down ELSE a.packets_down END,
            instance_id = st.instance_id, last_seq = st.seq, last_time = st.time,
            updated_at = greatest(a.updated_at, st.time), state = 'STOPPED'
        FROM st
        WHERE a.session_id = st.session_id
        """;

    /// <summary>SESSION_STOP, phase two: move the session from active to history.</summary>
    public static string StopMoveToHistory(string source) =>
        $$"""
        WITH st AS (
            SELECT DISTINCT ON (e.session_id) e.session_id, e.time, e.payload ->> 'cause' AS cause
            FROM {{source}}
            WHERE e.session_id IS NOT NULL
            {{LatestPerSession}}),
        moved AS (
            DELETE FROM sessions_active a USING st
            WHERE a.session_id = st.session_id
            RETURNING a.*, st.time AS stopped, st.cause)
        INSERT INTO sessions_history (
            session_id, bng_id, instance_id, mac, ip, circuit_id, remote_id, relay_id, username, interface,
            download_kbps, upload_kbps, bytes_up, bytes_down, packets_up, packets_down, started, lease_expires,
            updated_at, state, last_seq, last_time, stopped, cause)
        SELECT session_id, bng_id, instance_id, mac, ip, circuit_id, remote_id, relay_id, username, interface,
               download_kbps, upload_kbps, bytes_up, bytes_down, packets_up, packets_down, started, lease_expires,
               updated_at, 'STOPPED', last_seq, last_time, stopped, cause
        FROM moved
        ON CONFLICT (session_id) DO NOTHING
        """;

    /// <summary>ROUTER_UPDATE: the access router's latest state.</summary>
    public static string Router(string source) =>
        $$"""
        WITH r AS (
            SELECT DISTINCT ON (e.payload #>> '{router,router_id}') e.bng_id, e.instance_id, e.seq, e.time, e.payload -> 'router' AS ro
            FROM {{source}}
            WHERE jsonb_typeof(e.payload -> 'router') = 'object' AND e.payload #>> '{router,router_id}' IS NOT NULL
            ORDER BY e.payload #>> '{router,router_id}', e.time DESC, e.seq DESC)
        INSERT INTO access_routers AS ar (router_id, giaddr, bng_id, state, updated_at, instance_id, last_seq)
        SELECT r.ro ->> 'router_id', (r.ro ->> 'giaddr')::inet, coalesce(r.ro ->> 'bng_id', r.bng_id),
               coalesce(r.ro ->> 'state', 'UNKNOWN'), r.time, r.instance_id, r.seq
        FROM r
        ON CONFLICT (router_id) DO UPDATE SET
            giaddr = EXCLUDED.giaddr, bng_id = EXCLUDED.bng_id, state = EXCLUDED.state, updated_at = EXCLUDED.updated_at,
            instance_id = EXCLUDED.instance_id, last_seq = EXCLUDED.last_seq
        WHERE aether_is_newer(EXCLUDED.instance_id, EXCLUDED.last_seq, EXCLUDED.updated_at, ar.instance_id, ar.last_seq, ar.updated_at)
        """;

    /// <summary>BNG_HEALTH_UPDATE: every report into the health series, the latest onto the registry.</summary>
    public static string Health(string source) =>
        $$"""
        WITH h AS (
            SELECT e.bng_id, e.instance_id, e.seq, e.time,
                   (e.payload #>> '{health,cpu_percent}')::double precision AS cpu_percent,
                   (e.payload #>> '{health,memory_bytes}')::bigint AS memory_bytes,
                   (e.payload #>> '{health,memory_limit_bytes}')::bigint AS memory_limit_bytes,
                   (e.payload #>> '{health,session_count}')::integer AS session_count
            FROM {{source}}
            WHERE jsonb_typeof(e.payload -> 'health') = 'object'),
        series AS (
            INSERT INTO bng_health_events (bng_id, time, instance_id, cpu_percent, memory_bytes, memory_limit_bytes, session_count)
            SELECT bng_id, time, instance_id, cpu_percent, memory_bytes, memory_limit_bytes, session_count FROM h
            ON CONFLICT DO NOTHING),
        latest AS (
            SELECT DISTINCT ON (h.bng_id) h.* FROM h ORDER BY h.bng_id, h.time DESC, h.seq DESC)
        UPDATE bng_registry b SET
            cpu_percent = latest.cpu_percent, memory_bytes = latest.memory_bytes,
            memory_limit_bytes = latest.memory_limit_bytes, session_count = latest.session_count, health_time = latest.time
        FROM latest
        WHERE b.bng_id = latest.bng_id AND (b.health_time IS NULL OR latest.time >= b.health_time)
        """;
}
