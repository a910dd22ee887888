-- 008_retention: indexes by time for the retention job (dispatcher/maintenance), so it deletes
-- the oldest rows of each growing table in small batches with an index range scan instead of
-- reading the whole table (issue 21). Append-only: never edit or reorder a shipped migration.
-- live_events (at) and signal_dedupe (seen_at) have theirs already.

CREATE INDEX IF NOT EXISTS notifications_at ON notifications (at);
CREATE INDEX IF NOT EXISTS quarantine_received_at ON quarantine (received_at);
CREATE INDEX IF NOT EXISTS audit_log_at ON audit_log (at);

-- Plain PostgreSQL only: on TimescaleDB `signals` is a hypertable with its own ts index, and
-- its retention policy drops whole chunks instead.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb') THEN
    CREATE INDEX IF NOT EXISTS signals_ts ON signals (ts);
  END IF;
END
$$;
