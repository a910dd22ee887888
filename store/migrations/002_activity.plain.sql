-- 002_activity (plain PostgreSQL): hourly activity per household as a view over signals.
-- Same columns as the TimescaleDB continuous aggregate in 002_activity.timescale.sql, and
-- date_bin (not time_bucket) so shared queries run on both.
CREATE VIEW activity_hourly AS
SELECT household_id,
       date_bin('1 hour', ts, TIMESTAMPTZ '2000-01-01') AS bucket,
       count(*)::bigint AS events
FROM signals
WHERE type IN ('motion', 'door', 'bed', 'presence', 'water_use', 'button')
GROUP BY household_id, bucket;
