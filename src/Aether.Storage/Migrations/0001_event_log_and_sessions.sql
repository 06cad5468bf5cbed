-- The immutable event log and the session read models derived from it.

-- An event is newer than a read model row when it comes from the same reporting instance with a higher sequence
-- number, or from another instance at a later time (sequence numbers restart with every instance).
CREATE FUNCTION aether_is_newer(
    event_instance text, event_seq bigint, event_time timestamptz,
    row_instance text, row_seq bigint, row_time timestamptz)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN event_instance = row_instance THEN event_seq > row_seq
                ELSE (event_time, event_instance) > (row_time, row_instance) END
$$;

-- The event log, partitioned by month on the event's own time.
--
-- A partitioned table's primary key must contain the partition key, so the key is (bng_id, instance_id, seq, time)
-- rather than (bng_id, instance_id, seq). It stays the idempotency key: time is taken from the event itself, which
-- is stamped once when the event is created and carried unchanged by every republish and redelivery, so one event
-- always maps to one key and INSERT ... ON CONFLICT DO NOTHING stores it once. (A separate unpartitioned dedup table
-- would cost a second index write per event for no gain while that holds.)
CREATE TABLE session_events (
    bng_id      text        NOT NULL,
    instance_id text        NOT NULL,
    seq         bigint      NOT NULL,
    type        text        NOT NULL,
    time        timestamptz NOT NULL,
    session_id  text,
    payload     jsonb       NOT NULL,
    ingested_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (bng_id, instance_id, seq, time)
) PARTITION BY RANGE (time);

-- Catches events outside the monthly partitions created ahead of time, so an insert never fails for want of one.
CREATE TABLE session_events_default PARTITION OF session_events DEFAULT;

CREATE INDEX session_events_session ON session_events (session_id, time) WHERE session_id IS NOT NULL;
CREATE INDEX session_events_time ON session_events USING brin (time);

-- Creates the monthly partitions of a time-partitioned table from the month of from_time to the month of to_time.
-- A month whose rows already sit in the default partition is left there (attaching it would fail) and reported.
CREATE FUNCTION aether_ensure_monthly_partitions(parent regclass, from_time timestamptz, to_time timestamptz)
RETURNS integer
LANGUAGE plpgsql
AS $$
DECLARE
    month_start timestamptz := date_trunc('month', from_time AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
    month_end timestamptz;
    partition_name text;
    created integer := 0;
    has_default_rows boolean;
BEGIN
    WHILE month_start <= to_time LOOP
        month_end := (month_start AT TIME ZONE 'UTC' + interval '1 month') AT TIME ZONE 'UTC';
        partition_name := format('%s_%s', parent::text, to_char(month_start AT TIME ZONE 'UTC', 'YYYYMM'));
        IF to_regclass(partition_name) IS NULL THEN
            EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s WHERE time >= $1 AND time < $2)', parent::text || '_default')
                INTO has_default_rows USING month_start, month_end;
            IF has_default_rows THEN
                RAISE NOTICE 'partition % not created: its rows are in the default partition', partition_name;
            ELSE
                EXECUTE format('CREATE TABLE %I PARTITION OF %s FOR VALUES FROM (%L) TO (%L)',
                               partition_name, parent::text, month_start, month_end);
                created := created + 1;
            END IF;
        END IF;
        month_start := month_end;
    END LOOP;
    RETURN created;
END
$$;

-- One row per live session. (instance_id, last_seq, last_time) is the position of the latest lifecycle or counters
-- event applied, so an older one delivered late is ignored; policy_time does the same for rates.
CREATE TABLE sessions_active (
    session_id    text        PRIMARY KEY,
    bng_id        text        NOT NULL,
    instance_id   text        NOT NULL,
    mac           text        NOT NULL,
    ip            inet        NOT NULL,
    circuit_id    text        NOT NULL,
    remote_id     text        NOT NULL,
    relay_id      text,
    username      text,
    interface     text,
    download_kbps bigint      NOT NULL,
    upload_kbps   bigint      NOT NULL,
    bytes_up      bigint      NOT NULL DEFAULT 0,
    bytes_down    bigint      NOT NULL DEFAULT 0,
    packets_up    bigint      NOT NULL DEFAULT 0,
    packets_down  bigint      NOT NULL DEFAULT 0,
    started       timestamptz NOT NULL,
    lease_expires timestamptz,
    updated_at    timestamptz NOT NULL,
    state         text        NOT NULL DEFAULT 'ACTIVE',
    last_seq      bigint      NOT NULL,
    last_time     timestamptz NOT NULL,
    policy_time   timestamptz NOT NULL
) WITH (fillfactor = 70); -- room on each page for HOT updates: counter updates touch no indexed column

CREATE INDEX sessions_active_started ON sessions_active (started, session_id);
CREATE INDEX sessions_active_bng ON sessions_active (bng_id, started, session_id);
CREATE INDEX sessions_active_ip ON sessions_active (ip);
CREATE INDEX sessions_active_mac ON sessions_active (mac);

-- Finished sessions with their final counters; period is [started, stopped).
CREATE TABLE sessions_history (
    session_id    text        PRIMARY KEY,
    bng_id        text        NOT NULL,
    instance_id   text        NOT NULL,
    mac           text        NOT NULL,
    ip            inet        NOT NULL,
    circuit_id    text        NOT NULL,
    remote_id     text        NOT NULL,
    relay_id      text,
    username      text,
    interface     text,
    download_kbps bigint      NOT NULL,
    upload_kbps   bigint      NOT NULL,
    bytes_up      bigint      NOT NULL,
    bytes_down    bigint      NOT NULL,
    packets_up    bigint      NOT NULL,
    packets_down  bigint      NOT NULL,
    started       timestamptz NOT NULL,
    lease_expires timestamptz,
    updated_at    timestamptz NOT NULL,
    state         text        NOT NULL DEFAULT 'STOPPED',
    last_seq      bigint      NOT NULL,
    last_time     timestamptz NOT NULL,
    policy_time   timestamptz NOT NULL,
    stopped       timestamptz NOT NULL,
    cause         text,
    -- greatest() keeps a stop stamped before its start (clock skew between reporters) a valid, empty range.
    period        tstzrange   GENERATED ALWAYS AS (tstzrange(started, greatest(started, stopped), '[)')) STORED
);

CREATE INDEX sessions_history_period ON sessions_history USING gist (period);
CREATE INDEX sessions_history_stopped ON sessions_history (stopped, session_id);
CREATE INDEX sessions_history_mac ON sessions_history (mac);
CREATE INDEX sessions_history_ip ON sessions_history (ip);
