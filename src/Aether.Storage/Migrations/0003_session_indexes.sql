-- Indexes for the substring filters of the sessions list (host(ip) LIKE '%…%', mac ILIKE '%…%'): trigram GIN
-- indexes, which serve both the page and its count. Without them every such query reads the whole table. Both
-- columns are fixed for a session's life, so counter updates stay HOT. pg_trgm is a trusted extension: the
-- database owner may create it. Patterns under three characters have no trigram and still scan.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX sessions_active_ip_trgm ON sessions_active USING gin (host(ip) gin_trgm_ops);
CREATE INDEX sessions_active_mac_trgm ON sessions_active USING gin (mac gin_trgm_ops);
CREATE INDEX sessions_history_ip_trgm ON sessions_history USING gin (host(ip) gin_trgm_ops);
CREATE INDEX sessions_history_mac_trgm ON sessions_history USING gin (mac gin_trgm_ops);
