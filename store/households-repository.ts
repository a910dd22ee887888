import { LIVE_STATES } from '../domain/alert-kinds.js';
import { recentAlertsOfHousehold, type AlertListRow } from './alerts-repository.js';
import type { Scope } from '../domain/access-scope.js';
import type { Queryable } from './db.js';
import { householdScopeSql } from './scope-sql.js';
import { devicesOfHousehold, type DeviceRow } from './devices-repository.js';
import { hourlyActivity, type ActivityBucket } from './activity-repository.js';
import { recentSignals } from './signals-repository.js';
import { likePattern, type RegisterTable } from './register-rows.js';

export interface HouseholdListRow {
  id: string; code: string; communityId: string; retiredAt: Date | null; unit: string; address: string; buildingId: string; buildingName: string;
  gridId: string; gridName: string; residents: string[]; lastActivityAt: Date | null;
  devicesOnline: number; devicesTotal: number; openAlerts: number;
}

export interface HouseholdFilter {
  gridId?: string; buildingId?: string; q?: string; limit?: number; offset?: number;
  communityId?: string;
  /** Retired homes are left out unless asked for (issue 17: retiring hides, never deletes). */
  includeRetired?: boolean;
  /** Only the homes this scope reaches at `now` (domain/access-scope.ts). */
  scope?: Scope; now?: Date;
}

export interface HouseholdRow {
  id: string; code: string; accessNotes: string | null; retiredAt: Date | null; unit: string; address: string; phone: string | null; livingSituation: string;
  inactivityDayS: number; inactivityNightS: number; notes: string | null; lastActivityAt: Date | null;
  createdAt: Date; buildingId: string; buildingName: string; gridId: string; gridName: string;
  communityId: string; communityName: string;
}
export interface ResidentRow {
  id: number; name: string; gender: string | null; birthYear: number | null; phone: string | null;
  idNumber: string | null; conditions: string[]; notes: string | null;
}
export interface ContactRow { id: number; name: string; relation: string; phone: string; priority: number }
export interface VisitRow {
  id: number; kind: string; at: Date; byUser: string | null; responderId: string | null; note: string; scheduledFor: Date | null;
}
export interface HouseholdSignalRow {
  ts: Date; receivedAt: Date; deviceId: string; eventId: string; type: string; value: unknown; battery: number | null; room: string | null;
}

/** The household file (一户一档): everything about one home on one page. */
export interface HouseholdFile {
  household: HouseholdRow; residents: ResidentRow[]; contacts: ContactRow[]; devices: DeviceRow[];
  alerts: AlertListRow[]; visits: VisitRow[]; signals: HouseholdSignalRow[];
  /** The last 7 days of activity_hourly, for the file's activity chart. */
  activity: ActivityBucket[];
}


export async function listHouseholds(db: Queryable, f: HouseholdFilter = {}): Promise<{ items: HouseholdListRow[]; total: number }> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (f.gridId) { params.push(f.gridId); where.push(`b.grid_id = $${params.length}`); }
  if (f.buildingId) { params.push(f.buildingId); where.push(`h.building_id = $${params.length}`); }
  if (f.communityId) { params.push(f.communityId); where.push(`g.community_id = $${params.length}`); }
  if (!f.includeRetired) where.push('h.retired_at IS NULL');
  if (f.q) {
    // Unit, code or resident name only: searching the (masked) address would let a responder probe it.
    params.push(likePattern(f.q));
    const p = params.length;
    where.push(`(h.unit ILIKE $${p} OR h.code ILIKE $${p} OR EXISTS (SELECT 1 FROM residents r WHERE r.household_id = h.id AND r.name ILIKE $${p}))`);
  }
  const inScope = f.scope ? householdScopeSql(f.scope, 'h.id', params, f.now ?? new Date()) : null;
  if (inScope) where.push(inScope);
  const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const from = `FROM households h JOIN buildings b ON b.id = h.building_id JOIN grids g ON g.id = b.grid_id`;
  const total = (await db.query<{ n: number }>(`SELECT count(*)::int AS n ${from} ${w}`, params)).rows[0]!.n;
  params.push(LIVE_STATES);
  const live = params.length;
  const r = await db.query<HouseholdListRow>(
    `SELECT h.id, h.code, g.community_id AS "communityId", h.retired_at AS "retiredAt", h.unit, h.address, h.building_id AS "buildingId", b.name AS "buildingName",
            b.grid_id AS "gridId", g.name AS "gridName", h.last_activity_at AS "lastActivityAt",
            COALESCE((SELECT array_agg(r.name ORDER BY r.id) FROM residents r WHERE r.household_id = h.id AND r.retired_at IS NULL), '{}') AS residents,
            COALESCE(d.online, 0) AS "devicesOnline", COALESCE(d.total, 0) AS "devicesTotal",
            (SELECT count(*)::int FROM alerts a WHERE a.household_id = h.id AND a.state = ANY($${live}::text[])) AS "openAlerts"
       ${from}
       LEFT JOIN LATERAL (
         SELECT count(*) FILTER (WHERE dv.online)::int AS online, count(*)::int AS total
           FROM devices dv WHERE dv.household_id = h.id AND dv.revoked_at IS NULL
       ) d ON true
       ${w}
      ORDER BY g.name, b.name, h.unit, h.id
      LIMIT $${live + 1} OFFSET $${live + 2}`,
    [...params, f.limit ?? 100, f.offset ?? 0]);
  return { items: r.rows, total };
}

export async function householdExists(db: Queryable, id: string): Promise<boolean> {
  return ((await db.query(`SELECT 1 FROM households WHERE id = $1`, [id])).rowCount ?? 0) > 0;
}

export async function getHouseholdFile(db: Queryable, id: string, opts: { now?: Date; alerts?: number; visits?: number; signals?: number } = {}): Promise<HouseholdFile | null> {
  const h = await db.query<HouseholdRow>(
    `SELECT h.id, h.code, h.access_notes AS "accessNotes", h.retired_at AS "retiredAt", h.unit, h.address, h.phone, h.living_situation AS "livingSituation",
            h.inactivity_day_s AS "inactivityDayS", h.inactivity_night_s AS "inactivityNightS", h.notes,
            h.last_activity_at AS "lastActivityAt", h.created_at AS "createdAt",
            h.building_id AS "buildingId", b.name AS "buildingName", b.grid_id AS "gridId", g.name AS "gridName",
            g.community_id AS "communityId", c.name AS "communityName"
       FROM households h JOIN buildings b ON b.id = h.building_id JOIN grids g ON g.id = b.grid_id
       JOIN communities c ON c.id = g.community_id
      WHERE h.id = $1`, [id]);
  const household = h.rows[0];
  if (!household) return null;
  const activitySince = new Date((opts.now ?? new Date()).getTime() - 7 * 86_400_000);
  const [residents, contacts, devices, alerts, visits, signals, activity] = await Promise.all([
    db.query<ResidentRow>(
      `SELECT id, name, gender, birth_year AS "birthYear", phone, id_number AS "idNumber", conditions, notes
         FROM residents WHERE household_id = $1 AND retired_at IS NULL ORDER BY id`, [id]),
    db.query<ContactRow>(
      `SELECT id, name, relation, phone, priority FROM contacts WHERE household_id = $1 ORDER BY priority, id`, [id]),
    devicesOfHousehold(db, id),
    recentAlertsOfHousehold(db, id, opts.alerts ?? 20),
    db.query<VisitRow>(
      `SELECT id, kind, at, by_user AS "byUser", responder_id AS "responderId", note, scheduled_for AS "scheduledFor"
         FROM visits WHERE household_id = $1 ORDER BY at DESC, id DESC LIMIT $2`, [id, opts.visits ?? 50]),
    recentSignals(db, id, opts.signals ?? 100) as Promise<HouseholdSignalRow[]>,
    hourlyActivity(db, id, activitySince),
  ]);
  return { household, residents: residents.rows, contacts: contacts.rows, devices, alerts, visits: visits.rows, signals, activity };
}

/** The register's editable fields of a household (issue 17), care settings (thresholds, notes) included. */
export const HOUSEHOLDS: RegisterTable = {
  table: 'households', id: 'id',
  columns: {
    code: 'code', buildingId: 'building_id', unit: 'unit', address: 'address', phone: 'phone', livingSituation: 'living_situation',
    accessNotes: 'access_notes', notes: 'notes', createdAt: 'created_at', inactivityDayS: 'inactivity_day_s', inactivityNightS: 'inactivity_night_s',
  },
  select: `x.id, x.code, x.building_id AS "buildingId", x.unit, x.address, x.phone, x.living_situation AS "livingSituation",
    x.access_notes AS "accessNotes", x.notes, x.inactivity_day_s AS "inactivityDayS", x.inactivity_night_s AS "inactivityNightS",
    x.retired_at AS "retiredAt"`,
};

/** Another household of the community already carrying this code (the code is unique within a community). */
export async function householdWithCode(db: Queryable, communityId: string, code: string, except?: string): Promise<string | null> {
  const r = await db.query<{ id: string }>(
    `SELECT h.id FROM households h JOIN buildings b ON b.id = h.building_id JOIN grids g ON g.id = b.grid_id
      WHERE g.community_id = $1 AND h.code = $2 AND h.id IS DISTINCT FROM $3 LIMIT 1`, [communityId, code, except ?? null]);
  return r.rows[0]?.id ?? null;
}
