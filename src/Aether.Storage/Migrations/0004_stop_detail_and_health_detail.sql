-- What ended a session in words (SESSION_STOP's detail: "DHCPRELEASE", "lease expired", ...), beside its RFC 2866
-- cause; and the rest of a BNG's latest health report: where its CPU and memory figures come from, whether systemd
-- was reachable, its report journal, and the whole report (interfaces, units, relay drops) as it came.
ALTER TABLE sessions_history ADD COLUMN detail text;

ALTER TABLE bng_registry
    ADD COLUMN cgroup            text,
    ADD COLUMN systemd_available boolean,
    ADD COLUMN journal_pending   integer,
    ADD COLUMN journal_dropped   bigint,
    ADD COLUMN health_detail     jsonb;
