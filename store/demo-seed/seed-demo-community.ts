import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { wallClock } from '../../domain/clock.js';
import { hashSecret, newDeviceSecret, secretMatches } from '../../domain/secrets.js';
import { inTransaction, type Queryable } from '../db.js';
import { createUser, findUserByName, UserExistsError, verifyPassword } from '../users-repository.js';
import {
  readDemoDevices, readDemoLogins, demoDevicesPath, demoLoginsPath, writeDemoDevices, writeDemoLogins,
  type DemoDeviceCredential, type DemoLogin,
} from './demo-files.js';
import { seedActivityHistory } from './demo-history.js';
import { DEMO_DEVICE_ID_PATTERN, planDemoCommunity, type DemoPlan, type PlannedHousehold } from './demo-plan.js';
import { DEMO_STREET, planSecondCommunity } from './demo-second-community.js';

/** Homes of the second community (兴达社区): an eighth of the first's, 12 to 60. */
export const secondCommunitySize = (households: number) => Math.min(60, Math.max(12, Math.ceil(households / 8)));

/**
 * `seed --demo`: writes the demo community of DESIGN §1 (places, residents, contacts,
 * responders with day/night rosters, devices, console users). Idempotent: every row has a
 * stable id and is inserted with ON CONFLICT DO NOTHING, so a second run creates nothing and
 * reports what already existed. Bulk statements (jsonb_to_recordset, chunks of CHUNK rows)
 * keep 5,000 households to a few seconds.
 */
export interface SeedDemoOptions {
  households: number;
  /** DATA_DIR: where demo-devices.json and demo-logins.json (0600) are kept. */
  dataDir: string;
  log?: (message: string) => void;
  /** DAY_SHIFT: the demo's day and night rosters follow it (default 08:00-20:00). */
  dayShift?: string;
  /**
   * Days of everyday activity to seed for homes created now (demo-history.ts), so the
   * household file's heatmap and last activity show something (default 0: none).
   */
  activityDays?: number;
  /** GUARDIAN_TZ for the history's daily rhythm (default Asia/Shanghai) and the instant it ends. */
  tz?: string;
  now?: Date;
}

export type SeedCounts = Record<'communities' | 'grids' | 'buildings' | 'households' | 'residents' | 'contacts' | 'responders' | 'rosterShifts' | 'devices' | 'users' | 'activitySignals', number>;

export interface SeedDemoResult {
  /** Rows this run inserted. */
  created: SeedCounts;
  /** Planned rows that were already there (residents/contacts/roster shifts belong to their parent). */
  existing: Pick<SeedCounts, 'communities' | 'grids' | 'buildings' | 'households' | 'responders' | 'devices' | 'users'>;
  /** Demo devices whose secret was lost (file missing/stale) and was issued anew. */
  reissuedSecrets: number;
  devicesFile: string;
  loginsFile: string;
  /** Every demo login whose password is known (all of them unless someone changed one). */
  logins: DemoLogin[];
  /** Logins whose user exists but whose password is not in the file any more. */
  unknownPasswords: string[];
}

const CHUNK = 1000;
/** Serialises concurrent seeds (two `npm run demo` at once). */
const SEED_LOCK_KEY = 365_000_002;

function chunks<T>(rows: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

const json = (rows: unknown[]): string => JSON.stringify(rows);

export async function seedDemoCommunity(pool: pg.Pool, opts: SeedDemoOptions): Promise<SeedDemoResult> {
  const log = opts.log ?? (() => {});
  const started = Date.now();
  // Two communities of one street (issue 17): the demo shows the scoping.
  const plans = [planDemoCommunity(opts.households, { dayShift: opts.dayShift }), planSecondCommunity(secondCommunitySize(opts.households), { dayShift: opts.dayShift })];
  for (const plan of plans) log(`seed: demo community ${plan.community.name}: ${plan.grids.length} grids, ${plan.buildings.length} buildings, ${plan.households.length} households`);

  const issued = new Map<string, string>(); // deviceId → secret of devices inserted now
  const { created, existing, newHomes } = await inTransaction(pool, async (c) => {
    await c.query('SELECT pg_advisory_xact_lock($1)', [SEED_LOCK_KEY]);
    const streets = (await c.query(`INSERT INTO streets (id, name) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING`, [DEMO_STREET.id, DEMO_STREET.name])).rowCount ?? 0;
    const results = [];
    for (const plan of plans) results.push(await insertAll(c, plan, issued, log));
    await c.query(`UPDATE communities SET street_id = $1 WHERE id = ANY($2::text[]) AND street_id IS NULL`, [DEMO_STREET.id, plans.map((p) => p.community.id)]);
    log(streets ? `seed: street ${DEMO_STREET.name} with ${plans.map((p) => p.community.name).join(', ')}` : '');
    return sumResults(results);
  });
  if ((opts.activityDays ?? 0) > 0 && newHomes.length > 0) {
    created.activitySignals = await seedActivityHistory(pool, newHomes, { days: opts.activityDays!, now: opts.now ?? wallClock.now(), tz: opts.tz ?? 'Asia/Shanghai' });
    log(`seed: ${opts.activityDays} days of activity history for ${newHomes.length} households (${created.activitySignals} signals)`);
  }

  // Fresh statistics for the bulk insert: without them the planner picks nested loops for the
  // household list and the board of 5,000 homes takes ~14 s instead of ~0.2 s.
  if (created.households > 0) await pool.query('ANALYZE households, buildings, grids, residents, devices, alerts');
  const devices = await syncDeviceCredentials(pool, opts.dataDir, issued, log);
  const users = await ensureDemoUsers(pool, plans, opts.dataDir, log);
  created.users = users.created;
  existing.users = users.existing;
  log(`seed: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return {
    created, existing, reissuedSecrets: devices.reissued,
    devicesFile: demoDevicesPath(opts.dataDir), loginsFile: demoLoginsPath(opts.dataDir),
    logins: users.logins, unknownPasswords: users.unknownPasswords,
  };
}

function sumResults(results: Array<{ created: SeedCounts; existing: SeedDemoResult['existing']; newHomes: PlannedHousehold[] }>) {
  const add = <T extends Record<string, number>>(a: T, b: T): T => Object.fromEntries(Object.entries(a).map(([k, v]) => [k, v + b[k]!])) as T;
  return results.reduce((x, y) => ({ created: add(x.created, y.created), existing: add(x.existing, y.existing), newHomes: [...x.newHomes, ...y.newHomes] }));
}

async function insertAll(c: Queryable, plan: DemoPlan, issued: Map<string, string>, log: (m: string) => void) {
  const created: SeedCounts = { communities: 0, grids: 0, buildings: 0, households: 0, residents: 0, contacts: 0, responders: 0, rosterShifts: 0, devices: 0, users: 0, activitySignals: 0 };
  const newHomes: PlannedHousehold[] = [];
  const count = (r: { rowCount: number | null }) => r.rowCount ?? 0;

  const cm = plan.community;
  created.communities = count(await c.query(
    `INSERT INTO communities (id, name, address, emergency_phone) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING`,
    [cm.id, cm.name, cm.address, cm.emergencyPhone]));

  created.grids = count(await c.query(
    `INSERT INTO grids (id, community_id, name)
     SELECT x.id, $2, x.name FROM jsonb_to_recordset($1::jsonb) AS x(id text, name text)
     ON CONFLICT (id) DO NOTHING`, [json(plan.grids), cm.id]));

  for (const part of chunks(plan.buildings)) {
    created.buildings += count(await c.query(
      `INSERT INTO buildings (id, grid_id, name, address)
       SELECT x.id, x."gridId", x.name, x.address FROM jsonb_to_recordset($1::jsonb) AS x(id text, "gridId" text, name text, address text)
       ON CONFLICT (id) DO NOTHING`, [json(part)]));
  }

  // Households first; residents and contacts only for the ones created now (they have no
  // natural key, so this is what keeps a second run from duplicating them).
  let done = 0;
  for (const part of chunks(plan.households)) {
    const r = await c.query<{ id: string }>(
      `INSERT INTO households (id, building_id, unit, address, phone, living_situation, inactivity_day_s, inactivity_night_s, notes)
       SELECT x.id, x."buildingId", x.unit, x.address, x.phone, x."livingSituation", x."inactivityDayS", x."inactivityNightS", x.notes
         FROM jsonb_to_recordset($1::jsonb) AS x(id text, "buildingId" text, unit text, address text, phone text,
              "livingSituation" text, "inactivityDayS" int, "inactivityNightS" int, notes text)
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      [json(part.map(({ residents: _r, contacts: _c, devices: _d, ...h }) => h))]);
    const fresh = new Set(r.rows.map((row) => row.id));
    created.households += fresh.size;
    const freshHomes = part.filter((h) => fresh.has(h.id));
    newHomes.push(...freshHomes);
    if (freshHomes.length > 0) {
      created.residents += count(await c.query(
        `INSERT INTO residents (household_id, name, gender, birth_year, phone, conditions, notes)
         SELECT x.h, x.name, x.gender, x."birthYear", x.phone, x.conditions, x.notes
           FROM jsonb_to_recordset($1::jsonb) AS x(h text, name text, gender text, "birthYear" int, phone text, conditions text[], notes text)`,
        [json(freshHomes.flatMap((h) => h.residents.map((p) => ({ h: h.id, ...p }))))]));
      created.contacts += count(await c.query(
        `INSERT INTO contacts (household_id, name, relation, phone, priority)
         SELECT x.h, x.name, x.relation, x.phone, x.priority
           FROM jsonb_to_recordset($1::jsonb) AS x(h text, name text, relation text, phone text, priority int)`,
        [json(freshHomes.flatMap((h) => h.contacts.map((p) => ({ h: h.id, ...p }))))]));
    }
    done += part.length;
    if (plan.households.length > CHUNK) log(`seed: households ${done}/${plan.households.length}`);
  }

  // Responders. A buddy's list of homes grows when --households grows; merge it in.
  for (const part of chunks(plan.responders)) {
    const r = await c.query<{ id: string; inserted: boolean }>(
      `INSERT INTO responders AS r (id, name, role, phone, community_id, grid_ids, building_ids, household_ids)
       SELECT x.id, x.name, x.role, x.phone, $2, x."gridIds", x."buildingIds", x."householdIds"
         FROM jsonb_to_recordset($1::jsonb) AS x(id text, name text, role text, phone text, "gridIds" text[], "buildingIds" text[], "householdIds" text[])
       ON CONFLICT (id) DO UPDATE
         SET household_ids = ARRAY(SELECT DISTINCT u FROM unnest(r.household_ids || EXCLUDED.household_ids) AS u ORDER BY u)
         WHERE NOT (EXCLUDED.household_ids <@ r.household_ids)
       RETURNING id, (xmax = 0) AS inserted`,
      [json(part.map(({ shifts: _s, ...p }) => p)), cm.id]);
    const fresh = new Set(r.rows.filter((row) => row.inserted).map((row) => row.id));
    created.responders += fresh.size;
    const shiftRows = part.filter((p) => fresh.has(p.id)).flatMap((p) => p.shifts.map((s) => ({ r: p.id, ...s })));
    for (const shifts of chunks(shiftRows, 5 * CHUNK)) {
      created.rosterShifts += count(await c.query(
        `INSERT INTO roster_shifts (responder_id, weekday, starts, ends)
         SELECT x.r, x.weekday, x.starts::time, x.ends::time
           FROM jsonb_to_recordset($1::jsonb) AS x(r text, weekday smallint, starts text, ends text)`, [json(shifts)]));
    }
  }

  // Devices: a fresh secret for every planned device; only those actually inserted keep theirs.
  const planned = plan.households.flatMap((h: PlannedHousehold) => h.devices.map((d) => ({ ...d, householdId: h.id })));
  done = 0;
  for (const part of chunks(planned, 2 * CHUNK)) {
    const secrets = part.map(() => newDeviceSecret());
    const r = await c.query<{ id: string }>(
      `INSERT INTO devices (id, household_id, kind, room, secret_hash, heartbeat_s)
       SELECT x.id, x."householdId", x.kind, x.room, decode(x.hash, 'hex'), x."heartbeatS"
         FROM jsonb_to_recordset($1::jsonb) AS x(id text, "householdId" text, kind text, room text, hash text, "heartbeatS" int)
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      [json(part.map((d, k) => ({ ...d, hash: hashSecret(secrets[k]!).toString('hex') })))]);
    const fresh = new Set(r.rows.map((row) => row.id));
    part.forEach((d, k) => { if (fresh.has(d.id)) issued.set(d.id, secrets[k]!); });
    created.devices += fresh.size;
    done += part.length;
    if (planned.length > 10 * CHUNK && (done % (10 * CHUNK) === 0 || done === planned.length)) log(`seed: devices ${done}/${planned.length}`);
  }

  const existing = {
    communities: 1 - created.communities,
    grids: plan.grids.length - created.grids,
    buildings: plan.buildings.length - created.buildings,
    households: plan.households.length - created.households,
    responders: plan.responders.length - created.responders,
    devices: planned.length - created.devices,
    users: 0,
  };
  return { created, existing, newHomes };
}

/**
 * Makes DATA_DIR/demo-devices.json hold a working secret for every live demo device in the
 * database (also those of an earlier, larger seed). A device whose secret is not in the file,
 * or no longer matches, gets a new one: the simulators must always be able to connect.
 * Revoked demo devices are left alone and left out.
 */
async function syncDeviceCredentials(pool: pg.Pool, dataDir: string, issued: Map<string, string>, log: (m: string) => void): Promise<{ reissued: number }> {
  const known = new Map((await readDemoDevices(dataDir)).map((d) => [d.deviceId, d.secret]));
  const rows = (await pool.query<{ id: string; householdId: string; kind: DemoDeviceCredential['kind']; room: string | null; heartbeatS: number; secretHash: Buffer | null }>(
    `SELECT id, household_id AS "householdId", kind, room, heartbeat_s AS "heartbeatS", secret_hash AS "secretHash"
       FROM devices
      WHERE id ~ $1 AND household_id LIKE 'h-demo-%' AND parent_id IS NULL AND revoked_at IS NULL
      ORDER BY household_id, id`, [DEMO_DEVICE_ID_PATTERN])).rows;
  const reissue: Array<{ id: string; hash: string }> = [];
  const credentials: DemoDeviceCredential[] = rows.map((d) => {
    let secret = issued.get(d.id) ?? known.get(d.id);
    if (!secret || !secretMatches(secret, d.secretHash)) {
      secret = newDeviceSecret();
      reissue.push({ id: d.id, hash: hashSecret(secret).toString('hex') });
    }
    return { deviceId: d.id, secret, householdId: d.householdId, kind: d.kind, room: d.room, heartbeatS: d.heartbeatS };
  });
  if (reissue.length > 0) {
    log(`seed: ${reissue.length} demo device secret(s) were not in ${demoDevicesPath(dataDir)}; issuing new ones`);
    for (const part of chunks(reissue, 5 * CHUNK)) {
      await pool.query(
        `UPDATE devices d SET secret_hash = decode(x.hash, 'hex')
           FROM jsonb_to_recordset($1::jsonb) AS x(id text, hash text) WHERE d.id = x.id`, [json(part)]);
    }
  }
  const unchanged = reissue.length === 0 && issued.size === 0 && known.size === credentials.length;
  if (!unchanged) await writeDemoDevices(dataDir, credentials);
  return { reissued: reissue.length };
}

/**
 * Console users of the demo. New ones get a generated password; existing ones keep theirs
 * (taken from demo-logins.json when it still verifies). The file is rewritten every run.
 */
async function ensureDemoUsers(pool: pg.Pool, plans: DemoPlan[], dataDir: string, log: (m: string) => void) {
  // Every community's logins, and the street office's, which reads both (issue 17).
  const planned = plans.flatMap((p) => p.logins.map((l) => ({ ...l, communityId: p.community.id })));
  planned.push({ username: 'street', role: 'street', responderId: null, displayName: `${DEMO_STREET.name}（街道办）`, communityId: '' });
  const plan = { logins: planned };
  const known = new Map((await readDemoLogins(dataDir)).map((l) => [l.username, l.password]));
  let created = 0, existing = 0;
  const unknownPasswords: string[] = [];
  // scrypt runs on libuv's thread pool: four at a time keeps it busy without queueing all.
  const results: Array<DemoLogin | null> = new Array(plan.logins.length).fill(null);
  let next = 0;
  const worker = async () => {
    for (let k = next++; k < plan.logins.length; k = next++) {
      const l = plan.logins[k]!;
      const entry = (password: string): DemoLogin => ({ username: l.username, password, role: l.role, responderId: l.responderId, displayName: l.displayName });
      const user = await findUserByName(pool, l.username);
      if (user) {
        existing++;
        const password = known.get(l.username);
        if (password && await verifyPassword(password, user.passwordHash)) results[k] = entry(password);
        else unknownPasswords.push(l.username);
        continue;
      }
      const password = randomBytes(9).toString('base64url');
      try {
        await createUser(pool, {
          username: l.username, password, role: l.role, responderId: l.responderId, displayName: l.displayName,
          communityIds: l.role === 'operator' || l.role === 'supervisor' ? [l.communityId] : [],
          streetIds: l.role === 'street' ? [DEMO_STREET.id] : [],
        });
        created++;
        results[k] = entry(password);
      } catch (err) {
        if (!(err instanceof UserExistsError)) throw err;
        existing++; // created concurrently by someone else: its password is theirs
        unknownPasswords.push(l.username);
      }
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  if (unknownPasswords.length > 0) {
    log(`seed: demo user(s) ${unknownPasswords.join(', ')} exist but their password is not in ${demoLoginsPath(dataDir)}; ` +
      'left unchanged (set one with `npx guardian user passwd --username <name>`)');
  }
  const logins = results.filter((l): l is DemoLogin => l !== null);
  await writeDemoLogins(dataDir, logins);
  return { created, existing, logins, unknownPasswords };
}
