import type { Scope } from '../domain/access-scope.js';
import type { DeviceKind } from '../domain/device-kinds.js';
import { hashSecret, newDeviceSecret } from '../domain/secrets.js';
import type { Queryable } from './db.js';
import { householdScopeSql } from './scope-sql.js';

export interface DeviceAuthRow {
  id: string;
  householdId: string;
  kind: DeviceKind;
  room: string | null;
  secretHash: Buffer | null;
  revoked: boolean;
  heartbeatS: number;
}

export interface DeviceRow {
  id: string; householdId: string; kind: DeviceKind; room: string | null; parentId: string | null;
  heartbeatS: number; online: boolean; lastSeenAt: Date | null; battery: number | null;
  rssi: number | null; revokedAt: Date | null; createdAt: Date;
}

const DEVICE_COLUMNS = `id, household_id AS "householdId", kind, room, parent_id AS "parentId",
  heartbeat_s AS "heartbeatS", online, last_seen_at AS "lastSeenAt", battery, rssi,
  revoked_at AS "revokedAt", created_at AS "createdAt"`;

export async function findDeviceForAuth(db: Queryable, id: string): Promise<DeviceAuthRow | null> {
  const r = await db.query<DeviceAuthRow>(
    `SELECT id, household_id AS "householdId", kind, room, secret_hash AS "secretHash",
            revoked_at IS NOT NULL AS revoked, heartbeat_s AS "heartbeatS"
       FROM devices WHERE id = $1`, [id]);
  return r.rows[0] ?? null;
}

/** A device id a person can read off a label and type: kind prefix + 10 random base32 chars. */
export function newDeviceId(kind: DeviceKind): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const bytes = crypto.getRandomValues(new Uint8Array(10));
  let s = '';
  for (const b of bytes) s += alphabet[b % alphabet.length];
  return `${kind.replace(/_/g, '')}-${s}`;
}

export interface ProvisionInput { householdId: string; kind: DeviceKind; room?: string | null; heartbeatS?: number; id?: string }

/** Creates a device and returns its secret, which is never stored and never shown again. */
export async function provisionDevice(db: Queryable, input: ProvisionInput): Promise<{ deviceId: string; secret: string }> {
  const deviceId = input.id ?? newDeviceId(input.kind);
  const secret = newDeviceSecret();
  await db.query(
    `INSERT INTO devices (id, household_id, kind, room, secret_hash, heartbeat_s) VALUES ($1, $2, $3, $4, $5, $6)`,
    [deviceId, input.householdId, input.kind, input.room ?? null, hashSecret(secret), input.heartbeatS ?? 300]);
  return { deviceId, secret };
}

/* Zigbee children are registered by IEEE address: store/zigbee2mqtt-repository.ts registerZigbeeChild. */

/** `at`: the service clock's now (DESIGN §11); the database's own clock when absent. */
export async function revokeDevice(db: Queryable, id: string, at?: Date): Promise<boolean> {
  const r = await db.query(`UPDATE devices SET revoked_at = COALESCE($2, now()), online = false WHERE id = $1 AND revoked_at IS NULL`, [id, at ?? null]);
  return (r.rowCount ?? 0) > 0;
}

export interface DeviceFilter {
  householdId?: string; scope?: Scope; now?: Date; limit?: number; offset?: number;
  /** Issue 17 item 4: the admin list pages and searches on the server. */
  q?: string; kind?: DeviceKind; online?: boolean; revoked?: boolean; communityId?: string;
}

export async function listDevices(db: Queryable, opts: DeviceFilter = {}): Promise<{ items: DeviceRow[]; total: number }> {
  const conditions: string[] = [];
  const params: unknown[] = [];
  const add = (v: unknown, clause: (p: string) => string) => { if (v === undefined) return; params.push(v); conditions.push(clause(`$${params.length}`)); };
  add(opts.householdId, (p) => `household_id = ${p}`);
  add(opts.kind, (p) => `kind = ${p}`);
  add(opts.online, (p) => `online = ${p} AND revoked_at IS NULL`);
  add(opts.revoked, (p) => `(revoked_at IS NOT NULL) = ${p}`);
  add(opts.q === undefined ? undefined : `%${opts.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`, (p) => `(id ILIKE ${p} OR room ILIKE ${p} OR household_id ILIKE ${p})`);
  add(opts.communityId, (p) => `household_id IN (SELECT h.id FROM households h JOIN buildings b ON b.id = h.building_id JOIN grids g ON g.id = b.grid_id WHERE g.community_id = ${p})`);
  const inScope = opts.scope ? householdScopeSql(opts.scope, 'household_id', params, opts.now ?? new Date()) : null;
  if (inScope) conditions.push(inScope);
  const where = conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
  const total = Number((await db.query(`SELECT count(*) AS n FROM devices ${where}`, params)).rows[0].n);
  const n = params.length;
  const r = await db.query<DeviceRow>(
    `SELECT ${DEVICE_COLUMNS} FROM devices ${where} ORDER BY household_id, id LIMIT $${n + 1} OFFSET $${n + 2}`,
    [...params, opts.limit ?? 100, opts.offset ?? 0]);
  return { items: r.rows, total };
}

export async function devicesOfHousehold(db: Queryable, householdId: string): Promise<DeviceRow[]> {
  return (await db.query<DeviceRow>(`SELECT ${DEVICE_COLUMNS} FROM devices WHERE household_id = $1 ORDER BY kind, id`, [householdId])).rows;
}

export interface PresenceUpdate { deviceId: string; online: boolean | null; lastSeenAt: Date; battery: number | null; rssi: number | null }

/** One statement for a whole batch of presence/telemetry bookkeeping (never one UPDATE per message). */
export async function applyPresence(db: Queryable, rows: PresenceUpdate[]): Promise<void> {
  if (rows.length === 0) return;
  // One statement: the update, and a device.status live event for each device whose online flag
  // it changed (a connect, a disconnect), so the board's tiles and its "devices offline" count
  // follow presence at once instead of waiting for a reload (issue 20 item 4). The self-join
  // reads the row as it was before this statement; the event's time is the presence time (the
  // service clock's, stamped by the gateway).
  await db.query(
    `WITH changed AS (
       UPDATE devices d SET
          last_seen_at = GREATEST(d.last_seen_at, u.seen),
          online  = COALESCE(u.online, d.online),
          battery = COALESCE(u.battery, d.battery),
          rssi    = COALESCE(u.rssi, d.rssi)
         FROM unnest($1::text[], $2::boolean[], $3::timestamptz[], $4::smallint[], $5::smallint[])
              AS u(id, online, seen, battery, rssi), devices prev
        WHERE d.id = u.id AND prev.id = d.id
        RETURNING d.id, d.household_id, d.online, prev.online AS was, d.battery, d.last_seen_at, d.revoked_at
     )
     INSERT INTO live_events (type, data, at)
     SELECT 'device.status', jsonb_build_object('deviceId', c.id, 'householdId', c.household_id, 'online', c.online,
              'battery', c.battery, 'lastSeenAt', to_char(c.last_seen_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
            c.last_seen_at
       FROM changed c WHERE c.online IS DISTINCT FROM c.was AND c.revoked_at IS NULL ORDER BY c.id`,
    [rows.map((r) => r.deviceId), rows.map((r) => r.online), rows.map((r) => r.lastSeenAt),
     rows.map((r) => r.battery), rows.map((r) => (r.rssi === null ? null : Math.max(-32768, Math.min(32767, Math.round(r.rssi)))))]);
}
