-- 007_activity_retention (TimescaleDB, issue 22): activity_hourly keeps what signals keep.
-- Append-only: never edit or reorder a migration that has shipped.
--
-- signals drops chunks after 180 days (002); without a policy of its own the continuous
-- aggregate kept every hourly bucket forever. Same horizon, so a household file never shows
-- activity older than the signals it came from, nor loses activity the signals still hold.
-- The aggregate's refresh policy looks back 7 days (002), far inside 180: a refresh never
-- reaches into dropped raw data (which would empty buckets the aggregate still keeps).
SELECT add_retention_policy('activity_hourly', drop_after => INTERVAL '180 days', if_not_exists => true);

-- History older than the refresh policy's 7 days is materialized by the migration runner right
-- after this file (store/activity-aggregate-repository.ts): refresh_continuous_aggregate cannot
-- run inside the transaction a migration runs in.
