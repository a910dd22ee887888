import type { Responder, ResponderRole, RosterRow } from '../domain/roster.js';
import type { CommunityContact, FamilyContact, HouseholdPlace } from '../domain/routing.js';
import type { Queryable } from './db.js';

/**
 * What routing needs from the database, as the pure domain types (domain/roster.ts,
 * domain/routing.ts): the household's place, its family contacts, the community's emergency
 * contact, and the community's responders and roster rows.
 */
export interface RoutingContext {
  household: HouseholdPlace & { communityId: string; unit: string; address: string; buildingName: string };
  familyContacts: FamilyContact[];
  communityEmergencyContact: CommunityContact | null;
}

/**
 * The household-context columns, for `FROM households h JOIN buildings b … JOIN communities c`;
 * exported so a caller that reads an alert can fetch its routing context in the same round trip
 * (store/escalation-repository.ts). Contacts come as one JSON array, priority order.
 */
export const ROUTING_CONTEXT_COLUMNS = `h.id AS "hId", b.grid_id AS "hGridId", h.building_id AS "hBuildingId",
  g.community_id AS "hCommunityId", h.unit AS "hUnit", h.address AS "hAddress", b.name AS "hBuildingName",
  c.name AS "hCommunityName", c.emergency_phone AS "hEmergencyPhone",
  (SELECT coalesce(json_agg(json_build_object('id', ct.id, 'name', ct.name, 'relation', ct.relation, 'phone', ct.phone,
          'priority', ct.priority) ORDER BY ct.priority, ct.id), '[]'::json)
     FROM contacts ct WHERE ct.household_id = h.id) AS "hContacts"`;

export interface RoutingContextRow {
  hId: string | null; hGridId: string; hBuildingId: string; hCommunityId: string; hUnit: string; hAddress: string;
  hBuildingName: string; hCommunityName: string; hEmergencyPhone: string | null; hContacts: FamilyContact[];
}

/** Null when the household (or its building, grid, community) is missing — e.g. a LEFT JOIN found none. */
export function toRoutingContext(row: RoutingContextRow): RoutingContext | null {
  if (row.hId === null || row.hCommunityId === null) return null;
  return {
    household: {
      id: row.hId, gridId: row.hGridId, buildingId: row.hBuildingId, communityId: row.hCommunityId,
      unit: row.hUnit, address: row.hAddress, buildingName: row.hBuildingName,
    },
    familyContacts: row.hContacts,
    communityEmergencyContact: row.hEmergencyPhone ? { name: `${row.hCommunityName}应急电话`, phone: row.hEmergencyPhone } : null,
  };
}

/** One round trip: household, place and contacts. */
export async function loadRoutingContext(db: Queryable, householdId: string): Promise<RoutingContext | null> {
  const h = await db.query<RoutingContextRow>(
    `SELECT ${ROUTING_CONTEXT_COLUMNS}
       FROM households h JOIN buildings b ON b.id = h.building_id JOIN grids g ON g.id = b.grid_id
       JOIN communities c ON c.id = g.community_id
      WHERE h.id = $1`, [householdId]);
  const row = h.rows[0];
  return row ? toRoutingContext(row) : null;
}

export interface ResponderRecord extends Responder {
  name: string;
  phone: string;
  communityId: string;
  /** Site-plan metres (issue 15): the live position while shared on duty, else the base point, else the base building; null: unknown. */
  position: { x: number; y: number } | null;
  travelMode: 'walk' | 'bike';
  /** Opted in as a night first-on-scene neighbour (邻里守望). */
  nightFirstOnScene: boolean;
}

export async function loadResponders(db: Queryable, communityId?: string): Promise<ResponderRecord[]> {
  const r = await db.query<Omit<ResponderRecord, 'position'> & { px: number | null; py: number | null }>(
    `SELECT r.id, r.name, r.role, r.phone, r.community_id AS "communityId", r.grid_ids AS "gridIds", r.building_ids AS "buildingIds",
            r.household_ids AS "householdIds", r.on_duty AS "onDuty", r.active, r.travel_mode AS "travelMode",
            r.night_first_on_scene AS "nightFirstOnScene",
            CASE WHEN r.live_at IS NOT NULL AND r.on_duty THEN r.live_x_m ELSE coalesce(r.base_x_m, b.x_m) END AS px,
            CASE WHEN r.live_at IS NOT NULL AND r.on_duty THEN r.live_y_m ELSE coalesce(r.base_y_m, b.y_m) END AS py
       FROM responders r LEFT JOIN buildings b ON b.id = r.base_building_id
       ${communityId ? 'WHERE r.community_id = $1' : ''} ORDER BY r.id`, communityId ? [communityId] : []);
  return r.rows.map(({ px, py, ...x }) => ({ ...x, role: x.role as ResponderRole, position: px !== null && py !== null ? { x: px, y: py } : null }));
}

/** Roster rows; dates as 'YYYY-MM-DD' text and times as 'HH:MM:SS', as domain/roster.ts expects. */
export async function loadRosterRows(db: Queryable, communityId?: string): Promise<RosterRow[]> {
  const r = await db.query<RosterRow>(
    `SELECT s.responder_id AS "responderId", s.weekday, to_char(s.on_date, 'YYYY-MM-DD') AS "onDate",
            to_char(s.starts, 'HH24:MI:SS') AS starts, to_char(s.ends, 'HH24:MI:SS') AS ends, s.off_duty AS "offDuty"
       FROM roster_shifts s JOIN responders r ON r.id = s.responder_id
      ${communityId ? 'WHERE r.community_id = $1' : ''} ORDER BY s.id`, communityId ? [communityId] : []);
  return r.rows;
}
