import type pg from 'pg';
import type { DeviceCredential } from '../../domain/device-credentials.js';
import { hashSecret, newDeviceSecret } from '../../domain/secrets.js';

/**
 * `count` households, each with one sos_button, written in bulk (UNNEST) so seeding 19,000
 * devices takes a second, not minutes. Returns the credentials, as provisioning would print them.
 */
export async function seedHouseholdDevices(pool: pg.Pool, count: number, opts: { prefix: string; heartbeatS?: number }): Promise<DeviceCredential[]> {
  const p = opts.prefix;
  await pool.query(`INSERT INTO communities (id, name) VALUES ($1, 'bench') ON CONFLICT DO NOTHING`, [`c-${p}`]);
  await pool.query(`INSERT INTO grids (id, community_id, name) VALUES ($1, $2, 'bench') ON CONFLICT DO NOTHING`, [`g-${p}`, `c-${p}`]);
  await pool.query(`INSERT INTO buildings (id, grid_id, name) VALUES ($1, $2, 'bench') ON CONFLICT DO NOTHING`, [`b-${p}`, `g-${p}`]);
  const creds: DeviceCredential[] = [];
  const heartbeatS = opts.heartbeatS ?? 300;
  for (let i = 0; i < count; i++) {
    creds.push({ deviceId: `sos-${p}-${i}`, secret: newDeviceSecret(), householdId: `h-${p}-${i}`, kind: 'sos_button', room: 'bedroom', heartbeatS });
  }
  for (let i = 0; i < count; i += 5000) {
    const chunk = creds.slice(i, i + 5000);
    await pool.query(
      `INSERT INTO households (id, building_id, unit, address)
       SELECT h, $2, 'unit ' || h, 'bench road' FROM unnest($1::text[]) AS h`, [chunk.map((c) => c.householdId), `b-${p}`]);
    await pool.query(
      `INSERT INTO devices (id, household_id, kind, room, secret_hash, heartbeat_s)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bytea[], $6::int[])`,
      [chunk.map((c) => c.deviceId), chunk.map((c) => c.householdId), chunk.map(() => 'sos_button'), chunk.map(() => 'bedroom'),
       chunk.map((c) => hashSecret(c.secret)), chunk.map(() => heartbeatS)]);
  }
  return creds;
}

/**
 * A month of closed alerts for the seeded homes, then VACUUM ANALYZE — the state of a community that has
 * run for a while. Benching against empty alert tables measured a fresh install's first minute
 * instead: each connection plans its foreign-key checks on `alerts` once, while the table is
 * empty, as a sequential scan, and keeps that plan until autovacuum's ANALYZE (≤ 1 min) replaces
 * it — 10,000 SOS in 10 s then scanned a growing table twice per SOS.
 */
export async function seedAlertHistory(pool: pg.Pool, householdIds: string[]): Promise<void> {
  await pool.query(
    `INSERT INTO alerts (id, household_id, kind, severity, state, level, device_id, first_signal_at, last_signal_at,
                         opened_at, routed_at, notified_at, accepted_at, on_site_at, closed_at, outcome)
     SELECT gen_random_uuid(), h, 'sos', 'critical', 'resolved', 0, NULL, t, t, t, t, t, t + interval '2 min',
            t + interval '11 min', t + interval '40 min', 'false_alarm'
       FROM unnest($1::text[]) AS h, LATERAL (SELECT now() - interval '30 days' * random() AS t) AS at`, [householdIds]);
  // VACUUM too, and a checkpoint: otherwise autovacuum and the checkpointer get to the bulk load
  // in the middle of the measurement (a 300 ms stall seen here).
  await pool.query('VACUUM ANALYZE');
  await pool.query('CHECKPOINT');
}
