-- Traffic time series, the access network and BNG read models, and the provisioning tables.

-- Per-session traffic between two consecutive counter reports: deltas of the cumulative counters, written from
-- SESSION_UPDATE (and the final counters of SESSION_STOP). seconds is the span the deltas cover.
CREATE TABLE traffic_samples (
    session_id   text        NOT NULL,
    time         timestamptz NOT NULL,
    bng_id       text        NOT NULL,
    seconds      double precision NOT NULL,
    bytes_up     bigint      NOT NULL,
    bytes_down   bigint      NOT NULL,
    packets_up   bigint      NOT NULL,
    packets_down bigint      NOT NULL,
    PRIMARY KEY (session_id, time)
) PARTITION BY RANGE (time);

CREATE TABLE traffic_samples_default PARTITION OF traffic_samples DEFAULT;

-- Sessions whose traffic samples must be recomputed from the log within the current transaction, because a counter
-- report arrived after a newer one was applied. Filled and emptied by the same transaction: empty at every commit.
CREATE TABLE projection_resample (
    session_id text PRIMARY KEY
);
CREATE INDEX traffic_samples_time ON traffic_samples USING brin (time);

-- Rolling rates over the last five minutes, in bits per second, per session: an index range scan per session on
-- (session_id, time) over a few samples.
CREATE VIEW session_traffic_5m AS
SELECT session_id,
       bng_id,
       sum(bytes_up) * 8 / 300.0   AS up_bps,
       sum(bytes_down) * 8 / 300.0 AS down_bps,
       sum(packets_up) / 300.0     AS up_pps,
       sum(packets_down) / 300.0   AS down_pps,
       max(time)                   AS last_sample
FROM traffic_samples
WHERE time > now() - interval '5 minutes'
GROUP BY session_id, bng_id;

-- Access routers (relays) as the BNGs last reported them; router_id is the relay-id, or the giaddr without one.
CREATE TABLE access_routers (
    router_id   text        PRIMARY KEY,
    giaddr      inet,
    bng_id      text        NOT NULL,
    state       text        NOT NULL,
    updated_at  timestamptz NOT NULL,
    instance_id text        NOT NULL,
    last_seq    bigint      NOT NULL
);

CREATE INDEX access_routers_bng ON access_routers (bng_id);

-- Every BNG that has reported, with its latest health.
CREATE TABLE bng_registry (
    bng_id             text        PRIMARY KEY,
    instance_id        text        NOT NULL,
    first_seen         timestamptz NOT NULL,
    last_seen          timestamptz NOT NULL,
    cpu_percent        double precision,
    memory_bytes       bigint,
    memory_limit_bytes bigint,
    session_count      integer,
    health_time        timestamptz
);

CREATE TABLE bng_health_events (
    bng_id             text             NOT NULL,
    time               timestamptz      NOT NULL,
    instance_id        text             NOT NULL,
    cpu_percent        double precision NOT NULL,
    memory_bytes       bigint           NOT NULL,
    memory_limit_bytes bigint           NOT NULL,
    session_count      integer          NOT NULL,
    PRIMARY KEY (bng_id, time)
);

-- Events the ingestor could not interpret (malformed JSON, a missing member); kept so nothing vanishes unseen.
CREATE TABLE ingest_rejects (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subject     text        NOT NULL,
    stream_seq  bigint      NOT NULL,
    error       text        NOT NULL,
    payload     bytea       NOT NULL,
    rejected_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (stream_seq, subject)
);

-- Provisioning. Kea's lease database and FreeRADIUS's tables are separate databases and are not created here.
CREATE TABLE customers (
    customer_id bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text        NOT NULL,
    email       text        NOT NULL UNIQUE,
    phone       text,
    address     text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Rates in kbit/s; burst_kbps is the ceiling a subscriber may borrow up to (HTB ceil), NULL for none.
CREATE TABLE plans (
    plan_id       bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name          text        NOT NULL UNIQUE,
    download_kbps bigint      NOT NULL CHECK (download_kbps > 0),
    upload_kbps   bigint      NOT NULL CHECK (upload_kbps > 0),
    burst_kbps    bigint      CHECK (burst_kbps IS NULL OR burst_kbps > 0),
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- A customer's subscription on a plan, matched to a subscriber by Option 82 circuit-id/remote-id or by username.
CREATE TABLE services (
    service_id  bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id bigint      NOT NULL REFERENCES customers ON DELETE CASCADE,
    plan_id     bigint      NOT NULL REFERENCES plans,
    circuit_id  text,
    remote_id   text,
    username    text        UNIQUE,
    status      text        NOT NULL DEFAULT 'ACTIVE',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (circuit_id IS NOT NULL OR remote_id IS NOT NULL OR username IS NOT NULL)
);

CREATE UNIQUE INDEX services_option82 ON services (circuit_id, remote_id) WHERE circuit_id IS NOT NULL;
CREATE INDEX services_customer ON services (customer_id);
CREATE INDEX services_plan ON services (plan_id);
