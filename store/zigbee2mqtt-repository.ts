import type pg from 'pg';
import type { AckPayloads } from '../domain/zigbee2mqtt-ack.js';
import type { BridgeInfo, OfferedDevice } from '../domain/zigbee2mqtt-bridge.js';
import type { DeviceKind } from '../domain/device-kinds.js';
import { Z2M_ROOT } from '../domain/topics.js';
import type { Z2mState } from '../domain/zigbee2mqtt-mapping.js';
import { inTransaction, type Queryable } from './db.js';
import type { Scope } from '../domain/access-scope.js';
import { householdScopeSql } from './scope-sql.js';

/**
 * zigbee2mqtt hubs and their Zigbee devices (migration 006, issue 18). A hub's children are
 * registered by IEEE address: the friendly name is only how the hub currently spells it in its
 * topics, refreshed from every bridge/devices, so a rename in zigbee2mqtt breaks nothing.
 */

/** zigbee2mqtt's own default `mqtt.base_topic`. */
export const DEFAULT_BASE_TOPIC = Z2M_ROOT;

/** The hub's base topic (zigbee2mqtt's default until one is set). */
export async function hubBaseTopic(db: Queryable, hubId: string): Promise<string> {
  const r = await db.query<{ base_topic: string }>(`SELECT base_topic FROM zigbee_hubs WHERE hub_id = $1`, [hubId]);
  return r.rows[0]?.base_topic ?? DEFAULT_BASE_TOPIC;
}

export async function setHubBaseTopic(db: Queryable, hubId: string, baseTopic: string): Promise<void> {
  await db.query(
    `INSERT INTO zigbee_hubs (hub_id, base_topic) VALUES ($1, $2)
     ON CONFLICT (hub_id) DO UPDATE SET base_topic = EXCLUDED.base_topic`, [hubId, baseTopic]);
}

export async function recordBridgeState(db: Queryable, hubId: string, state: 'online' | 'offline', at: Date): Promise<void> {
  await db.query(
    `INSERT INTO zigbee_hubs (hub_id, bridge_state, bridge_state_at) VALUES ($1, $2, $3)
     ON CONFLICT (hub_id) DO UPDATE SET bridge_state = EXCLUDED.bridge_state, bridge_state_at = EXCLUDED.bridge_state_at`,
    [hubId, state, at]);
}

export async function recordBridgeInfo(db: Queryable, hubId: string, info: BridgeInfo): Promise<void> {
  await db.query(
    `INSERT INTO zigbee_hubs (hub_id, version, coordinator, last_seen_mode) VALUES ($1, $2, $3, $4)
     ON CONFLICT (hub_id) DO UPDATE SET version = EXCLUDED.version, coordinator = EXCLUDED.coordinator,
                                        last_seen_mode = EXCLUDED.last_seen_mode`,
    [hubId, info.version, info.coordinator, info.lastSeen]);
}

/**
 * Applies a hub's bridge/devices: every listed device is offered (new ones appear as pending,
 * known ones take their current friendly name), devices no longer listed are marked gone.
 * Returns how many devices are new offers.
 */
export async function syncBridgeDevices(pool: pg.Pool, hubId: string, devices: readonly OfferedDevice[], at: Date): Promise<{ offered: number; added: number }> {
  return inTransaction(pool, async (tx) => {
    await tx.query(`INSERT INTO zigbee_hubs (hub_id, devices_at) VALUES ($1, $2)
                    ON CONFLICT (hub_id) DO UPDATE SET devices_at = EXCLUDED.devices_at`, [hubId, at]);
    const r = await tx.query<{ added: boolean }>(
      `INSERT INTO zigbee_devices AS z (hub_id, ieee, friendly_name, vendor, model, description, power_source, zigbee_type,
                                       features, supported, first_offered_at, last_offered_at)
       SELECT $1, d.ieee, d.friendly_name, d.vendor, d.model, d.description, d.power_source, d.zigbee_type,
              ARRAY(SELECT jsonb_array_elements_text(d.features)), d.supported, $3, $3
         FROM jsonb_to_recordset($2::jsonb) AS d(ieee text, friendly_name text, vendor text, model text, description text,
                                                 power_source text, zigbee_type text, features jsonb, supported boolean)
       ON CONFLICT (hub_id, ieee) DO UPDATE SET
         friendly_name = EXCLUDED.friendly_name, vendor = EXCLUDED.vendor, model = EXCLUDED.model,
         description = EXCLUDED.description, power_source = EXCLUDED.power_source, zigbee_type = EXCLUDED.zigbee_type,
         features = EXCLUDED.features, supported = EXCLUDED.supported, last_offered_at = EXCLUDED.last_offered_at, gone_at = NULL
       RETURNING (xmax = 0) AS added`,
      [hubId, JSON.stringify(devices.map((d) => ({
        ieee: d.ieee, friendly_name: d.friendlyName, vendor: d.vendor, model: d.model, description: d.description,
        power_source: d.powerSource, zigbee_type: d.zigbeeType, features: d.features, supported: d.supported,
      }))), at]);
    await tx.query(
      `UPDATE zigbee_devices SET gone_at = $3 WHERE hub_id = $1 AND gone_at IS NULL AND NOT (ieee = ANY($2))`,
      [hubId, devices.map((d) => d.ieee), at]);
    return { offered: devices.length, added: r.rows.filter((x) => x.added).length };
  });
}

/** A friendly name of a hub as the adapter resolves it: registered (with the child) or not. */
export interface HubName {
  ieee: string;
  friendlyName: string;
  child: { id: string; householdId: string; kind: DeviceKind; room: string | null } | null;
}

const NAME_COLUMNS = `z.ieee, z.friendly_name AS "friendlyName",
  CASE WHEN d.id IS NOT NULL AND d.revoked_at IS NULL
       THEN jsonb_build_object('id', d.id, 'householdId', d.household_id, 'kind', d.kind, 'room', d.room) END AS child`;

/** Every name the hub currently uses (devices still in its network). */
export async function hubNames(db: Queryable, hubId: string): Promise<HubName[]> {
  const r = await db.query<HubName>(
    `SELECT ${NAME_COLUMNS} FROM zigbee_devices z LEFT JOIN devices d ON d.id = z.device_id
      WHERE z.hub_id = $1 AND z.gone_at IS NULL`, [hubId]);
  return r.rows;
}

/** One name, read fresh (a cache miss: registration must take effect at once). */
export async function hubName(db: Queryable, hubId: string, friendlyName: string): Promise<HubName | null> {
  const r = await db.query<HubName>(
    `SELECT ${NAME_COLUMNS} FROM zigbee_devices z LEFT JOIN devices d ON d.id = z.device_id
      WHERE z.hub_id = $1 AND z.friendly_name = $2 AND z.gone_at IS NULL`, [hubId, friendlyName]);
  return r.rows[0] ?? null;
}

export async function loadChildState(db: Queryable, deviceId: string): Promise<Z2mState | null> {
  const r = await db.query<{ state: Z2mState }>(`SELECT state FROM zigbee_child_state WHERE device_id = $1`, [deviceId]);
  return r.rows[0]?.state ?? null;
}

export async function saveChildState(db: Queryable, deviceId: string, state: Z2mState, at: Date, linkQuality: number | undefined): Promise<void> {
  await db.query(
    `WITH s AS (
       INSERT INTO zigbee_child_state (device_id, state, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (device_id) DO UPDATE SET state = EXCLUDED.state, updated_at = EXCLUDED.updated_at
     )
     UPDATE zigbee_devices SET link_quality = COALESCE($4, link_quality) WHERE device_id = $1`,
    [deviceId, JSON.stringify(state), at, linkQuality ?? null]);
}

export interface ZigbeeDeviceRow {
  hubId: string; ieee: string; friendlyName: string; vendor: string | null; model: string | null;
  description: string | null; powerSource: string | null; zigbeeType: string | null; features: string[];
  supported: boolean; firstOfferedAt: Date; lastOfferedAt: Date; goneAt: Date | null;
  deviceId: string | null; linkQuality: number | null; ack: AckPayloads | null;
  hubHouseholdId: string; householdId: string | null; kind: DeviceKind | null; room: string | null;
  online: boolean | null; lastSeenAt: Date | null; battery: number | null;
}

const ROW_COLUMNS = `z.hub_id AS "hubId", z.ieee, z.friendly_name AS "friendlyName", z.vendor, z.model, z.description,
  z.power_source AS "powerSource", z.zigbee_type AS "zigbeeType", z.features, z.supported,
  z.first_offered_at AS "firstOfferedAt", z.last_offered_at AS "lastOfferedAt", z.gone_at AS "goneAt",
  CASE WHEN d.revoked_at IS NULL THEN d.id END AS "deviceId", z.link_quality AS "linkQuality", z.ack,
  hub.household_id AS "hubHouseholdId",
  CASE WHEN d.revoked_at IS NULL THEN d.household_id END AS "householdId",
  CASE WHEN d.revoked_at IS NULL THEN d.kind END AS kind, CASE WHEN d.revoked_at IS NULL THEN d.room END AS room,
  CASE WHEN d.revoked_at IS NULL THEN d.online END AS online,
  CASE WHEN d.revoked_at IS NULL THEN d.last_seen_at END AS "lastSeenAt",
  CASE WHEN d.revoked_at IS NULL THEN d.battery END AS battery`;

export interface ZigbeeDeviceFilter {
  hubId?: string;
  /** Only offers nobody registered yet (and still in the hub's network). */
  pending?: boolean;
  /** Only devices of hubs in these households (access scoping). */
  hubHouseholdIds?: readonly string[];
  limit?: number; offset?: number;
  /** Only hubs whose home this scope reaches (domain/access-scope.ts). */
  scope?: Scope;
  now?: Date;
}

export async function listZigbeeDevices(db: Queryable, f: ZigbeeDeviceFilter = {}): Promise<{ items: ZigbeeDeviceRow[]; total: number }> {
  const where: string[] = ['hub.revoked_at IS NULL'];
  const params: unknown[] = [];
  if (f.hubId !== undefined) { params.push(f.hubId); where.push(`z.hub_id = $${params.length}`); }
  if (f.pending) where.push(`z.gone_at IS NULL AND (d.id IS NULL OR d.revoked_at IS NOT NULL)`);
  if (f.hubHouseholdIds) { params.push(f.hubHouseholdIds); where.push(`hub.household_id = ANY($${params.length})`); }
  const inScope = f.scope ? householdScopeSql(f.scope, 'hub.household_id', params, f.now ?? new Date()) : null;
  if (inScope) where.push(inScope);
  const from = `FROM zigbee_devices z JOIN devices hub ON hub.id = z.hub_id LEFT JOIN devices d ON d.id = z.device_id
                WHERE ${where.join(' AND ')}`;
  const total = Number((await db.query(`SELECT count(*) AS n ${from}`, params)).rows[0].n);
  const r = await db.query<ZigbeeDeviceRow>(
    `SELECT ${ROW_COLUMNS} ${from} ORDER BY z.hub_id, z.gone_at NULLS FIRST, z.friendly_name
      LIMIT $${params.length + 1} OFFSET $${params.length + 2}`, [...params, f.limit ?? 100, f.offset ?? 0]);
  return { items: r.rows, total };
}

export async function findZigbeeDevice(db: Queryable, hubId: string, ieee: string): Promise<ZigbeeDeviceRow | null> {
  const r = await db.query<ZigbeeDeviceRow>(
    `SELECT ${ROW_COLUMNS} FROM zigbee_devices z JOIN devices hub ON hub.id = z.hub_id LEFT JOIN devices d ON d.id = z.device_id
      WHERE z.hub_id = $1 AND z.ieee = $2`, [hubId, ieee]);
  return r.rows[0] ?? null;
}

export interface RegisterChildInput {
  hubId: string; ieee: string; householdId: string; kind: DeviceKind; room: string | null; heartbeatS: number; at: Date;
}

export type RegisterChildResult =
  | { ok: true; deviceId: string }
  | { ok: false; reason: 'not_offered' | 'gone' | 'already_registered'; deviceId?: string };

/**
 * Registers an offered Zigbee device as a child of its hub: a devices row `<hubId>/<ieee>` with
 * parent_id = the hub, in the household and room the operator chose. A child that was revoked
 * before is registered again under the same id, with a fresh state.
 */
export async function registerZigbeeChild(pool: pg.Pool, input: RegisterChildInput): Promise<RegisterChildResult> {
  return inTransaction(pool, async (tx) => {
    const offer = await tx.query<{ gone: boolean; deviceId: string | null; revoked: boolean | null }>(
      `SELECT z.gone_at IS NOT NULL AS gone, z.device_id AS "deviceId", d.revoked_at IS NOT NULL AS revoked
         FROM zigbee_devices z LEFT JOIN devices d ON d.id = z.device_id
        WHERE z.hub_id = $1 AND z.ieee = $2 FOR UPDATE OF z`, [input.hubId, input.ieee]);
    const o = offer.rows[0];
    if (!o) return { ok: false, reason: 'not_offered' };
    if (o.gone) return { ok: false, reason: 'gone' };
    if (o.deviceId && !o.revoked) return { ok: false, reason: 'already_registered', deviceId: o.deviceId };
    const id = `${input.hubId}/${input.ieee}`;
    await tx.query(
      `INSERT INTO devices (id, household_id, kind, room, parent_id, heartbeat_s, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (id) DO UPDATE SET household_id = EXCLUDED.household_id, kind = EXCLUDED.kind, room = EXCLUDED.room,
         heartbeat_s = EXCLUDED.heartbeat_s, revoked_at = NULL, online = false, last_seen_at = NULL, battery = NULL,
         rssi = NULL, created_at = EXCLUDED.created_at
       WHERE devices.parent_id = EXCLUDED.parent_id`,
      [id, input.householdId, input.kind, input.room, input.hubId, input.heartbeatS, input.at]);
    await tx.query(`DELETE FROM zigbee_child_state WHERE device_id = $1`, [id]);
    await tx.query(`UPDATE zigbee_devices SET device_id = $3 WHERE hub_id = $1 AND ieee = $2`, [input.hubId, input.ieee, id]);
    return { ok: true, deviceId: id };
  });
}

export async function setAckPayloads(db: Queryable, hubId: string, ieee: string, ack: AckPayloads | null): Promise<boolean> {
  const r = await db.query(`UPDATE zigbee_devices SET ack = $3 WHERE hub_id = $1 AND ieee = $2`, [hubId, ieee, ack === null ? null : JSON.stringify(ack)]);
  return (r.rowCount ?? 0) > 0;
}

/** The sirens/lights of a hub that announce "help is coming". */
export async function ackTargets(db: Queryable, hubId: string): Promise<Array<{ friendlyName: string; ack: AckPayloads }>> {
  const r = await db.query<{ friendlyName: string; ack: AckPayloads }>(
    `SELECT friendly_name AS "friendlyName", ack FROM zigbee_devices
      WHERE hub_id = $1 AND ack IS NOT NULL AND gone_at IS NULL ORDER BY friendly_name`, [hubId]);
  return r.rows;
}

/** Per household: its sensors (not hubs, not revoked) and how many of them are offline now. */
export async function sensorsOffline(db: Queryable, householdId: string): Promise<{ total: number; offline: number }> {
  const r = await db.query<{ total: number; offline: number }>(
    `SELECT count(*)::int AS total, count(*) FILTER (WHERE NOT online)::int AS offline
       FROM devices WHERE household_id = $1 AND revoked_at IS NULL AND kind <> 'z2m_hub'`, [householdId]);
  return r.rows[0] ?? { total: 0, offline: 0 };
}

/** Sets one device offline now (availability said so), unless it is already. Returns whether it changed. */
export async function markOffline(db: Queryable, deviceId: string): Promise<boolean> {
  const r = await db.query(`UPDATE devices SET online = false WHERE id = $1 AND online`, [deviceId]);
  return (r.rowCount ?? 0) > 0;
}
