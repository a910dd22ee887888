-- 007_activity_retention (plain PostgreSQL, issue 22): nothing to do. activity_hourly is a view
-- over signals here (002), so it holds nothing of its own to expire. The file exists so that a
-- plain database and a TimescaleDB one have the same migration versions, which a snapshot
-- restore between them requires (store/backup.ts).
SELECT 1;
