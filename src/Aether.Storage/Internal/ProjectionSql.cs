namespace Aether.Storage.Internal;

/// <summary>
/// The projection from logged events to the read models, as set-based SQL shared by live ingestion and by the rebuild.
/// Session statements read one kind of event from a relation <c>e</c> with the typed columns of
/// <see cref="SessionColumns"/>: live, arrays bound from the batch's new events (no JSON parsed again); rebuilding,
/// the same columns extracted from logged payloads by <see cref="FromLog"/>. Router and health statements read
/// <c>e(bng_id, instance_id, seq, time, session_id, payload)</c>. A source expression carries its alias.
/// Statements run in a fixed order per batch (registry, start, policy, update, stop, router, health); every
/// rule is "newest wins" on the event's position, so a duplicate or late event changes nothing it should not.
/// </summary>
internal static class ProjectionSql
{
    /// <summary>Logged events <c>l</c> that earlier transactions wrote, i.e. not part of the batch being projected.</summary>
    public const string PriorLive = "l.xmin <> pg_current_xact_id()::xid";

    private const string LatestPerSession = "ORDER BY e.session_id, e.time DESC, e.seq DESC";

    /// <summary>The typed columns of a session event, in the order the live source binds them.</summary>
    public const string SessionColumns =
        "bng_id, instance_id, seq, time, session_id, has_session, mac, ip, circuit_id, remote_id, relay_id, username, " +
        "interface, download_kbps, upload_kbps, started, lease_expires, has_counters, bytes_up, bytes_down, packets_up, " +
        "packets_down, cause, detail";

    /// <summary>The typed columns extracted from logged events <c>l</c> (a table or subquery with the log's columns).</summary>
    public static string FromLog(string relation) =>
        $$"""
        SELECT l.bng_id, l.instance_id, l.seq, l.time, l.session_id,
               jsonb_typeof(l.payload -> 'session') = 'object' AS has_session,
               lower(l.payload #>> '{session,mac}') AS mac,
               (l.payload #>> '{session,ip}')::inet AS ip,
               l.payload #>> '{session,circuit_id}' AS circuit_id,
               l.payload #>> '{session,remote_id}' AS remote_id,
               l.payload #>> '{session,relay_id}' AS relay_id,
               l.payload #>> '{session,username}' AS username,
               l.payload #>> '{session,interface}' AS interface,
               (l.payload #>> '{session,download_kbps}')::bigint AS download_kbps,
               (l.payload #>> '{session,upload_kbps}')::bigint AS upload_kbps,
               (l.payload #>> '{session,started}')::timestamptz AS started,
               (l.payload #>> '{session,lease_expires}')::timestamptz AS lease_expires,
               jsonb_typeof(l.payload -> 'counters') = 'object' AS has_counters,
               (l.payload #>> '{counters,bytes_up}')::bigint AS bytes_up,
               (l.payload #>> '{counters,bytes_down}')::bigint AS bytes_down,
               (l.payload #>> '{counters,packets_up}')::bigint AS packets_up,
               (l.payload #>> '{counters,packets_down}')::bigint AS packets_down,
               l.payload ->> 'cause' AS cause,
               l.payload ->> 'detail' AS detail
        FROM {{relation}} l
        """;

    private const string CounterColumns = "e.bytes_up, e.bytes_down, e.packets_up, e.packets_down";

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
            SELECT DISTINCT ON (e.session_id) e.*
            FROM {{source}}
            WHERE e.session_id IS NOT NULL AND e.has_session
            {{LatestPerSession}})
        INSERT INTO sessions_active AS a (
            session_id, bng_id, instance_id, mac, ip, circuit_id, remote_id, relay_id, username, interface,
            download_kbps, upload_kbps, started, lease_expires, updated_at, state, last_seq, last_time, policy_time)
        SELECT s.session_id, s.bng_id, s.instance_id, s.mac, s.ip, s.circuit_id, s.remote_id, s.relay_id, s.username,
               s.interface, s.download_kbps, s.upload_kbps, s.started, s.lease_expires, s.time, 'ACTIVE', s.seq, s.time, s.time
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

    /// <summary>POLICY_APPLY: the session's rates, when the policy is not older than the one applied.</summary>
    public static string Policy(string source) =>
        $$"""
        WITH p AS (
            SELECT DISTINCT ON (e.session_id) e.session_id, e.time, e.download_kbps, e.upload_kbps
            FROM {{source}}
            WHERE e.session_id IS NOT NULL AND e.has_session
            {{LatestPerSession}}),
        -- A policy delivered after its session ended (the stop overtook it) still sets the rates it ran with.
        finished AS (
            UPDATE sessions_history h SET download_kbps = p.download_kbps, upload_kbps = p.upload_kbps, policy_time = p.time
            FROM p
            WHERE h.session_id = p.session_id AND p.time >= h.policy_time)
        UPDATE sessions_active a SET
            download_kbps = p.download_kbps, upload_kbps = p.upload_kbps,
            policy_time = p.time, updated_at = greatest(a.updated_at, p.time)
        FROM p
        WHERE a.session_id = p.session_id AND p.time >= a.policy_time
        """;

    /// <summary>
    /// SESSION_UPDATE: counters from the newest update per session when newer than the session's state, and one
    /// traffic sample per applied update with the deltas from the report before it. The inserts read x and cur, which
    /// the window functions compute in full (locking cur's rows) before the UPDATE touches the first row; a CTE read
    /// only after the UPDATE would no longer see the rows it changed.
    /// </summary>
    public static string Update(string source) =>
        $$"""
        WITH u AS (
            SELECT e.session_id, e.bng_id, e.instance_id, e.seq, e.time, {{CounterColumns}}
            FROM {{source}}
            WHERE e.session_id IS NOT NULL AND e.has_counters),
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
            ON CONFLICT DO NOTHING),
        -- Reports older than their session's state (delivered late): the session's samples are recomputed from the
        -- log (ResampleInsert), as are those of a finished session that gets one.
        late AS (
            INSERT INTO projection_resample (session_id)
            SELECT u.session_id FROM u JOIN cur ON cur.session_id = u.session_id
            WHERE NOT aether_is_newer(u.instance_id, u.seq, u.time, cur.instance_id, cur.last_seq, cur.last_time)
            UNION
            SELECT u.session_id FROM u
            WHERE NOT EXISTS (SELECT 1 FROM cur WHERE cur.session_id = u.session_id)
              AND EXISTS (SELECT 1 FROM sessions_history h WHERE h.session_id = u.session_id)
            ON CONFLICT DO NOTHING)
        UPDATE sessions_active a SET
            bytes_up = x.bytes_up, bytes_down = x.bytes_down, packets_up = x.packets_up, packets_down = x.packets_down,
            instance_id = x.instance_id, last_seq = x.seq, last_time = x.time, updated_at = greatest(a.updated_at, x.time)
        FROM x
        WHERE x.newest = 1 AND a.session_id = x.session_id
        """;

    /// <summary>Recomputes the samples of the sessions <see cref="Update"/> queued in projection_resample.</summary>
    public const string ResampleDelete =
        "DELETE FROM traffic_samples WHERE session_id IN (SELECT session_id FROM projection_resample)";

    /// <summary>The samples of the queued sessions as in-order delivery makes them: every counter report in event order.</summary>
    public const string ResampleInsert =
        $$"""
        WITH base AS (
            SELECT DISTINCT ON (e.session_id) e.session_id, e.time
            FROM session_events e
            WHERE e.session_id IN (SELECT session_id FROM projection_resample) AND e.type = 'SESSION_START'
            ORDER BY e.session_id, e.time, e.seq),
        p AS (
            SELECT e.session_id, e.bng_id, e.seq, e.time,
                   (e.payload #>> '{counters,bytes_up}')::bigint AS bytes_up,
                   (e.payload #>> '{counters,bytes_down}')::bigint AS bytes_down,
                   (e.payload #>> '{counters,packets_up}')::bigint AS packets_up,
                   (e.payload #>> '{counters,packets_down}')::bigint AS packets_down
            FROM session_events e
            WHERE e.session_id IN (SELECT session_id FROM projection_resample)
              AND e.type IN ('SESSION_UPDATE', 'SESSION_STOP') AND jsonb_typeof(e.payload -> 'counters') = 'object'),
        x AS (
            SELECT p.*,
                   coalesce(lag(p.time) OVER w, base.time) AS prev_time,
                   coalesce(lag(p.bytes_up) OVER w, 0) AS prev_bytes_up,
                   coalesce(lag(p.bytes_down) OVER w, 0) AS prev_bytes_down,
                   coalesce(lag(p.packets_up) OVER w, 0) AS prev_packets_up,
                   coalesce(lag(p.packets_down) OVER w, 0) AS prev_packets_down
            FROM p JOIN base ON base.session_id = p.session_id
            WINDOW w AS (PARTITION BY p.session_id ORDER BY p.time, p.seq))
        INSERT INTO traffic_samples (session_id, time, bng_id, seconds, bytes_up, bytes_down, packets_up, packets_down)
        SELECT x.session_id, x.time, x.bng_id, greatest(extract(epoch FROM x.time - x.prev_time), 0), {{Deltas}}
        FROM x
        ON CONFLICT DO NOTHING
        """;

    public const string ResampleDone = "DELETE FROM projection_resample";

    /// <summary>
    /// Events of <paramref name="type"/> to apply: those of the batch and, live, the ones logged earlier for sessions
    /// whose start arrives in this batch (@start_sessions): delivered out of order, they found no session then.
    /// Replayed through the same statements, they yield what in-order delivery would have.
    /// </summary>
    public static string BatchAndPrior(string batchSource, string type, string prior) =>
        $$"""
        (SELECT e.* FROM {{batchSource}}
         UNION ALL
         {{FromLog($"(SELECT * FROM session_events l WHERE l.session_id = ANY(@start_sessions) AND l.type = '{type}' AND {prior})")}}
        ) AS e
        """;

    /// <summary>SESSION_STOP: the last traffic sample, from the final counters. Runs before <see cref="StopFinalCounters"/>.</summary>
    public static string StopSample(string source) =>
        $$"""
        WITH st AS (
            SELECT DISTINCT ON (e.session_id) e.session_id, e.bng_id, e.instance_id, e.seq, e.time, {{CounterColumns}}
            FROM {{source}}
            WHERE e.session_id IS NOT NULL AND e.has_counters
            {{LatestPerSession}}),
        x AS (
            SELECT st.*, a.last_time AS prev_time, a.bytes_up AS prev_bytes_up, a.bytes_down AS prev_bytes_down,
                   a.packets_up AS prev_packets_up, a.packets_down AS prev_packets_down
            FROM st JOIN sessions_active a ON a.session_id = st.session_id
            WHERE aether_is_newer(st.instance_id, st.seq, st.time, a.instance_id, a.last_seq, a.last_time))
        INSERT INTO traffic_samples (session_id, time, bng_id, seconds, bytes_up, bytes_down, packets_up, packets_down)
        SELECT x.session_id, x.time, x.bng_id, greatest(extract(epoch FROM x.time - x.prev_time), 0), {{Deltas}}
        FROM x
        ON CONFLICT DO NOTHING
        """;

    /// <summary>SESSION_STOP, phase one: the final counters into the active row.</summary>
    public static string StopFinalCounters(string source) =>
        $$"""
        WITH st AS (
            SELECT DISTINCT ON (e.session_id) e.session_id, e.instance_id, e.seq, e.time, e.has_counters, {{CounterColumns}}
            FROM {{source}}
            WHERE e.session_id IS NOT NULL
            {{LatestPerSession}})
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
            SELECT DISTINCT ON (e.session_id) e.session_id, e.time, e.cause, e.detail
            FROM {{source}}
            WHERE e.session_id IS NOT NULL
            {{LatestPerSession}}),
        moved AS (
            DELETE FROM sessions_active a USING st
            WHERE a.session_id = st.session_id
            RETURNING a.*, st.time AS stopped, st.cause, st.detail)
        INSERT INTO sessions_history (
            session_id, bng_id, instance_id, mac, ip, circuit_id, remote_id, relay_id, username, interface,
            download_kbps, upload_kbps, bytes_up, bytes_down, packets_up, packets_down, started, lease_expires,
            updated_at, state, last_seq, last_time, policy_time, stopped, cause, detail)
        SELECT session_id, bng_id, instance_id, mac, ip, circuit_id, remote_id, relay_id, username, interface,
               download_kbps, upload_kbps, bytes_up, bytes_down, packets_up, packets_down, started, lease_expires,
               updated_at, 'STOPPED', last_seq, last_time, policy_time, stopped, cause, detail
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
                   (e.payload #>> '{health,session_count}')::integer AS session_count,
                   e.payload #>> '{health,cgroup}' AS cgroup,
                   (e.payload #>> '{health,systemd_available}')::boolean AS systemd_available,
                   (e.payload #>> '{health,journal,pending}')::integer AS journal_pending,
                   (e.payload #>> '{health,journal,dropped}')::bigint AS journal_dropped,
                   e.payload -> 'health' AS detail
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
            memory_limit_bytes = latest.memory_limit_bytes, session_count = latest.session_count, health_time = latest.time,
            cgroup = latest.cgroup, systemd_available = latest.systemd_available, journal_pending = latest.journal_pending,
            journal_dropped = latest.journal_dropped, health_detail = latest.detail
        FROM latest
        WHERE b.bng_id = latest.bng_id AND (b.health_time IS NULL OR latest.time >= b.health_time)
        """;
}
