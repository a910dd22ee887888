-- 002_activity (TimescaleDB): signals become a hypertable with compression after 7 days and
-- retention of 180 days; activity_hourly is a continuous aggregate with the same columns as
-- the plain view in 002_activity.plain.sql.
CREATE EXTENSION IF NOT EXISTS timescaledb;

SELECT create_hypertable('signals', by_range('ts', INTERVAL '1 day'), migrate_data => true);

ALTER TABLE signals SET (
  timescaledb.compress,
  timescaledb.compress_segmentby = 'household_id',
  timescaledb.compress_orderby = 'ts DESC'
);
SELECT add_compression_policy('signals', INTERVAL '7 days');
SELECT add_retention_policy('signals', INTERVAL '180 days');

CREATE MATERIALIZED VIEW activity_hourly
WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT household_id,
       time_bucket(INTERVAL '1 hour', ts) AS bucket,
       count(*)::bigint AS events
FROM signals
WHERE type IN ('motion', 'door', 'bed', 'presence', 'water_use', 'button')
GROUP BY household_id, bucket
WITH NO DATA;

SELECT add_continuous_aggregate_policy('activity_hourly',
  start_offset => INTERVAL '7 days', end_offset => INTERVAL '1 minute',
  schedule_interval => INTERVAL '5 minutes');
